/// The small JSON reader the safetensors header needs (objects, arrays,
/// strings with every escape, integers, and the other literals), so that
/// the library does not link Foundation for it. Numbers with a fraction or an
/// exponent are kept as text: the header has integers only.
enum JSON: Equatable {
    case object([(key: String, value: JSON)])
    case array([JSON])
    case string(String)
    case integer(Int)
    case number(String)
    case bool(Bool)
    case null

    static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The value of `key` in an object (the last one when a key repeats, as
    /// Python's json and serde_json keep it); nil for a missing key or a non-object.
    subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// Parses one JSON value that fills `bytes` (surrounding whitespace allowed).
    /// - Throws: `JSON.Failure` with the byte offset of the problem.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var p = Parser(bytes: bytes, at: bytes.startIndex)
        let value = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.endIndex else { throw p.failure("trailing characters") }
        return value
    }

    struct Failure: Error { let message: String }

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        var at: Int

        func failure(_ what: String) -> Failure { Failure(message: "\(what) at byte \(at - bytes.startIndex)") }

        mutating func skipSpace() {
            while at < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard at < bytes.endIndex, bytes[at] == c else { throw failure("expected '\(Character(Unicode.Scalar(c)))'") }
            at += 1
        }

        /// The deepest nesting read. A safetensors header nests three deep;
        /// the limit keeps the recursion small enough for a secondary
        /// thread's 512 KiB stack even in a sanitizer's debug build, where
        /// 512 levels overflowed it.
        static let maximumDepth = 64

        mutating func value(depth: Int) throws -> JSON {
            guard depth < Self.maximumDepth else { throw failure("nested too deeply") }
            skipSpace()
            guard at < bytes.endIndex else { throw failure("unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(key: String, value: JSON)] = []
                skipSpace()
                if at < bytes.endIndex, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard at < bytes.endIndex else { throw failure("unterminated object") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                    throw failure("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [JSON] = []
                skipSpace()
                if at < bytes.endIndex, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard at < bytes.endIndex else { throw failure("unterminated array") }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                    throw failure("expected ',' or ']'")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: String) throws {
            for c in word.utf8 {
                guard at < bytes.endIndex, bytes[at] == c else { throw failure("invalid literal") }
                at += 1
            }
        }

        mutating func number() throws -> JSON {
            let start = at
            if at < bytes.endIndex, bytes[at] == UInt8(ascii: "-") { at += 1 }
            let digitsStart = at
            while at < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
            guard at > digitsStart else { throw failure("invalid value") }
            var isInteger = true
            while at < bytes.endIndex, "0123456789.eE+-".utf8.contains(bytes[at]) { at += 1; isInteger = false }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            if isInteger {
                guard let v = Int(text) else { throw failure("integer \(text) out of range") }
                return .integer(v)
            }
            return .number(text)
        }

        mutating func hex4() throws -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard at < bytes.endIndex else { throw failure("unterminated \\u escape") }
                let c = bytes[at]
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: throw failure("invalid \\u escape")
                }
                v = v << 4 | UInt32(d)
                at += 1
            }
            return v
        }

        mutating func string() throws -> String {
            guard at < bytes.endIndex, bytes[at] == UInt8(ascii: "\"") else { throw failure("expected a string") }
            at += 1
            var out: [UInt8] = []
            while true {
                guard at < bytes.endIndex else { throw failure("unterminated string") }
                let c = bytes[at]
                at += 1
                if c == UInt8(ascii: "\"") { break }
                if c < 0x20 { throw failure("control character in a string") }
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                guard at < bytes.endIndex else { throw failure("unterminated string") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A surrogate pair: the low half must follow.
                        guard at + 1 < bytes.endIndex, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                            throw failure("unpaired surrogate")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw failure("invalid escape")
                }
            }
            let s = String(decoding: out, as: UTF8.self)  // invalid bytes would become U+FFFD
            guard s.utf8.elementsEqual(out) else { throw failure("invalid UTF-8 in a string") }
            return s
        }
    }
}
