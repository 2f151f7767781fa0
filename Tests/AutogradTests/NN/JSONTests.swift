import Testing
@testable import Autograd

/// The JSON reader behind safetensors headers (Serialization/JSON.swift),
/// which replaced Foundation's JSONSerialization.
@Suite struct JSONTests {
    func parse(_ text: String) throws -> JSON { try JSON.parse(ArraySlice(Array(text.utf8))) }

    @Test func valuesOfEveryKind() throws {
        let v = try parse(#" { "a": [1, -2, 0], "b": {"c": "d"}, "t": true, "f": false, "n": null, "x": 1.5e3 } "#)
        #expect(v == .object([
            ("a", .array([.integer(1), .integer(-2), .integer(0)])),
            ("b", .object([("c", .string("d"))])),
            ("t", .bool(true)), ("f", .bool(false)), ("n", .null), ("x", .number("1.5e3")),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
        #expect(try parse("9223372036854775807") == .integer(Int.max))
    }

    @Test func memberLookupTakesTheLastOfARepeatedKey() throws {
        let v = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(v["a"] == .integer(3) && v["b"] == .integer(2) && v["c"] == nil)
        #expect(JSON.array([])["a"] == nil)
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""q\" b\\ s\/ \b\f\n\r\t""#) == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\u00e9\u20AC""#) == .string("é€"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))   // a surrogate pair
        #expect(try parse("\"é😀\"") == .string("é😀"))             // raw UTF-8
    }

    @Test(arguments: [
        "", "{", "[1,", "{\"a\" 1}", "{\"a\":1,}", "[1 2]", "tru", "\"abc", "\"\\x\"", "\"\\u12\"",
        "\"\\ud83d\"", "\"\\ude00\"", "01x", "1 2", "{\"a\":1}}", "\"\u{01}\"", "99999999999999999999", "-",
    ])
    func malformedTextIsRefused(_ text: String) {
        #expect(throws: JSON.Failure.self) { try parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSON.Failure.self) { try JSON.parse(ArraySlice([0x22, 0xFF, 0x22])) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSON.Failure.self) { try parse(deep) }
    }

    /// A view is written as the elements it shows, not its storage's.
    @Test func safetensorsWritesAViewsElements() throws {
        let m = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let t = try m.t()
        let (back, _) = try Safetensors.decode(try Safetensors.encode(["t": t, "col": m[.all, 1]]))
        #expect(back["t"]!.shape == [3, 2] && back["t"]!.toArray() == [1, 4, 2, 5, 3, 6])
        #expect(back["col"]!.toArray() == [2, 5])
    }

    @Test func safetensorsHeaderErrorsSayWhere() throws {
        let header = Array("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}".utf8)  // no closing brace
        let bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header + [0, 0, 0, 0]
        #expect(throws: AutogradError.invalidArgument("safetensors: the header is not valid JSON (unterminated object at byte 53)")) {
            try Safetensors.decode(bytes)
        }
    }
}
