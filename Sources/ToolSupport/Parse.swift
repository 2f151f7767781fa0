/// A mistake on the command line, found while parsing, validating or running.
/// The tool prints it with its usage line and exits with status 64
/// (EX_USAGE, as swift-argument-parser does).
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    /// The flag the mistake is about: its help line is printed with it.
    let flagHelp: String?

    public init(_ description: String) {
        self.init(description, flagHelp: nil)
    }

    init(_ description: String, flagHelp: String?) {
        self.description = description
        self.flagHelp = flagHelp
    }
}

/// The settings that `arguments` (the command line without the program's
/// name) give, starting from `defaults`; nil when they ask for help (`-h` or
/// `--help` anywhere). Options take the next argument as their value, or the
/// text after `=` (`--epochs=5`); a later occurrence overrides an earlier one.
/// A next argument that starts with `--` is never taken as a value (a
/// forgotten value then reads "Missing value"); one with a single dash is,
/// so that `--learning-rate -1` reaches validation and says why it is wrong.
func parse<Settings>(_ arguments: [String], flags: [Flag<Settings>], defaults: Settings)
    throws(UsageError) -> Settings? {
    if arguments.contains(where: { $0 == "-h" || $0 == "--help" }) { return nil }
    var settings = defaults
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        guard argument.hasPrefix("-") else { throw UsageError("Unexpected argument '\(argument)'") }
        guard argument.hasPrefix("--") else { throw UsageError("Unknown option '\(argument)'") }
        let body = argument.dropFirst(2)
        let name = body.prefix(while: { $0 != "=" })
        let attached = name.endIndex < body.endIndex ? String(body[body.index(after: name.endIndex)...]) : nil
        guard let flag = flags.first(where: { $0.name == name }) else {
            throw UsageError("Unknown option '--\(name)'")
        }
        switch flag.kind {
        case .switchOn(let set):
            if let attached {
                throw UsageError("The option '\(flag.label)' does not take any value, but '\(attached)' was specified.")
            }
            set(&settings)
        case .option(let set, _):
            let text: String
            if let attached {
                text = attached
            } else if let next = rest.first, !next.hasPrefix("--") {
                text = rest.removeFirst()
            } else {
                throw UsageError("Missing value for '\(flag.label)'", flagHelp: flagHelpLine(flag))
            }
            guard set(&settings, text) else {
                throw UsageError("The value '\(text)' is invalid for '\(flag.label)'", flagHelp: flagHelpLine(flag))
            }
        }
    }
    return settings
}

/// `--epochs <epochs>  Training epochs.`: a flag's help on one line, for errors.
func flagHelpLine<Settings>(_ flag: Flag<Settings>) -> String {
    "\(flag.label)  \(flag.help)"
}
