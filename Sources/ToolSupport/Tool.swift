import Foundation

/// A command-line tool of this package (`autograd-demo`, `autograd-bench`):
/// its settings are the conforming struct's stored properties, their
/// defaults those of `init()`, filled in from the command line by `flags`.
/// Mark the struct `@main`; `main()` below parses, validates and runs it.
///
/// This stands in for swift-argument-parser's `ParsableCommand` in the few
/// ways the tools used it (Flag.swift says why it is not used).
public protocol Tool {
    /// The settings at their defaults.
    init()
    /// The command's name, as users type it.
    static var name: String { get }
    /// One sentence for the top of `--help`.
    static var abstract: String { get }
    /// The flags, in the order `--help` lists them.
    static var flags: [Flag<Self>] { get }
    /// Checks the parsed settings together (ranges, choices) before `run`;
    /// throws to reject them as a usage mistake.
    func validate() throws(UsageError)
    /// Does the tool's work. A `UsageError` thrown here is reported as a
    /// usage mistake; any other error as `Error: <description>`.
    func run() throws
}

extension Tool {
    public func validate() throws(UsageError) {}

    /// Parses the command line, validates and runs the tool. Exits with 0
    /// after `--help` (printed to standard output) or a run that returns; 64
    /// (EX_USAGE) for a usage mistake, printed to standard error with the
    /// usage line; 1 for any other error from `run`. Nothing here traps.
    public static func main() {
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            guard let tool = try parse(arguments, flags: flags, defaults: Self()) else {
                print(helpText(name: name, abstract: abstract, flags: flags, defaults: Self()), terminator: "")
                exit(0)
            }
            try tool.validate()
            try tool.run()
        } catch let error as UsageError {
            var report = "Error: \(error.description)\n"
            if let help = error.flagHelp { report += "Help:  \(help)\n" }
            report += "Usage: \(usageLine(name: name, flags: flags))\n"
            report += "  See '\(name) --help' for more information.\n"
            writeToStandardError(report)
            exit(64)
        } catch {
            writeToStandardError("Error: \(error)\n")
            exit(1)
        }
    }
}

/// Writes `text` to standard error, through FileHandle because C's `stderr`
/// is a global variable, which Swift 6's concurrency checking rejects.
private func writeToStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
