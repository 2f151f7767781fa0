/// The text of `--help`, laid out as swift-argument-parser lays it out (what
/// the tools printed before): the abstract, the usage line, then each flag
/// with its help and default in a column, in lines under 80 columns.
func helpText<Settings>(name: String, abstract: String, flags: [Flag<Settings>], defaults: Settings) -> String {
    var out = wrap(abstract, lead: "OVERVIEW: ", indent: 0) + "\n\n"
    out += "USAGE: " + usageLine(name: name, flags: flags) + "\n\n"
    out += "OPTIONS:\n"
    for flag in flags {
        var help = flag.help
        if case .option(_, let shown) = flag.kind, let value = shown(defaults) { help += " (default: \(value))" }
        out += entry(flag.label, help) + "\n"
    }
    out += entry("-h, --help", "Show help information.") + "\n"
    return out + "\n"
}

/// `autograd-bench [--workloads <workloads>] [--json <json>]`: every flag is optional.
func usageLine<Settings>(name: String, flags: [Flag<Settings>]) -> String {
    ([name] + flags.map { "[\($0.label)]" }).joined(separator: " ")
}

/// The column where the flags' help starts.
private let helpColumn = 26

/// One flag's lines: its label, then its help from `helpColumn` on (on the
/// next line when the label leaves less than two spaces).
private func entry(_ label: String, _ help: String) -> String {
    let lead = "  " + label
    if lead.count + 2 <= helpColumn {
        return wrap(help, lead: lead.padding(to: helpColumn), indent: helpColumn)
    }
    return lead + "\n" + wrap(help, lead: "".padding(to: helpColumn), indent: helpColumn)
}

/// `text` broken at spaces into lines narrower than `width` columns (a
/// longer word gets a line of its own): the first line after `lead`, the
/// others after `indent` spaces.
func wrap(_ text: String, lead: String, indent: Int, width: Int = 80) -> String {
    var lines: [String] = []
    var line = lead
    var empty = true
    for word in text.split(separator: " ") {
        if !empty && line.count + 1 + word.count >= width {
            lines.append(line)
            line = "".padding(to: indent)
            empty = true
        }
        line += (empty ? "" : " ") + word
        empty = false
    }
    lines.append(line)
    return lines.joined(separator: "\n")
}

extension String {
    /// This string with spaces appended to `count` characters.
    fileprivate func padding(to count: Int) -> String {
        self + String(repeating: " ", count: Swift.max(0, count - self.count))
    }
}
