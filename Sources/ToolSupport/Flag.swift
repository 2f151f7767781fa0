/// One command-line flag of a tool whose settings are a `Settings` value (the
/// tool's own struct, whose property defaults are the flags' defaults).
///
/// The tools' flags are parsed here rather than by swift-argument-parser so
/// that the package declares no dependencies: a package that depends on the
/// Autograd library then fetches nothing else. Only what the two tools use is
/// supported: `--name <value>` (or `--name=<value>`) options of any
/// `LosslessStringConvertible` type, and `--name` switches that set a Bool.
public struct Flag<Settings> {
    /// The name without its dashes: `learning-rate` for `--learning-rate`.
    public let name: String
    /// One sentence for `--help`.
    public let help: String
    let kind: Kind

    enum Kind {
        /// `--name <name>`: `set` stores the value parsed from the text and
        /// is false when the text does not parse; `shown` is the default
        /// that `--help` prints (nil: none).
        case option(set: (inout Settings, String) -> Bool, shown: (Settings) -> String?)
        /// `--name`, which sets its property to true.
        case switchOn(set: (inout Settings) -> Void)
    }

    /// `--name <name>`: the value parsed with `Value(text)`, as
    /// swift-argument-parser parses it (`Int("12")`, `Double("0.02")`).
    public static func option<Value: LosslessStringConvertible>(
        _ name: String, _ property: WritableKeyPath<Settings, Value>, help: String
    ) -> Flag {
        Flag(name: name, help: help, kind: .option(set: { settings, text in
            guard let value = Value(text) else { return false }
            settings[keyPath: property] = value
            return true
        }, shown: { String(describing: $0[keyPath: property]) }))
    }

    /// `--name <name>` for an optional setting: nil (and no default in the
    /// help) unless given.
    public static func option<Value: LosslessStringConvertible>(
        _ name: String, _ property: WritableKeyPath<Settings, Value?>, help: String
    ) -> Flag {
        Flag(name: name, help: help, kind: .option(set: { settings, text in
            guard let value = Value(text) else { return false }
            settings[keyPath: property] = value
            return true
        }, shown: { $0[keyPath: property].map { String(describing: $0) } }))
    }

    /// `--name`, which sets a Bool that is false by default.
    public static func flag(_ name: String, _ property: WritableKeyPath<Settings, Bool>, help: String) -> Flag {
        Flag(name: name, help: help, kind: .switchOn(set: { $0[keyPath: property] = true }))
    }

    /// `--name <name>` or `--name`, as usage lines and errors show it.
    var label: String {
        switch kind {
        case .option: "--\(name) <\(name)>"
        case .switchOn: "--\(name)"
        }
    }
}
