#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the safetensors format, so parameters trained in
/// PyTorch (`safetensors.torch.save_file`) load here and the other way round.
///
/// Layout: an 8-byte little-endian header length N; N bytes of JSON mapping
/// each name to `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an
/// optional `"__metadata__"` map of strings), padded with spaces to a multiple
/// of 8; then the raw little-endian data. Files are written byte for byte as
/// the reference implementation writes them: tensors ordered by dtype
/// (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL) then name, compact
/// JSON, `__metadata__` first. float16 and bfloat16 checkpoints load as
/// they are (storage types: ops compute them in float32).
public enum Safetensors {
    /// Encodes tensors (and optional string metadata) as a safetensors file's bytes.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String]? = nil) throws -> [UInt8] {
        let rank: [DType: Int] = [.int64: 0, .float64: 1, .float32: 2, .int32: 3, .bfloat16: 4, .float16: 5,
                                  .int16: 6, .int8: 7, .uint8: 8, .bool: 9]
        let ordered = tensors.sorted { a, b in
            let (ra, rb) = (rank[a.value.dtype]!, rank[b.value.dtype]!)
            return ra != rb ? ra < rb : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
        var entries: [String] = []
        if let metadata {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, t) in ordered {
            let size = t.count * t.dtype.byteSize
            entries.append("\(jsonString(name)):{\"dtype\":\"\(code(t.dtype))\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, t) in ordered {
            // Row-major elements, whatever the tensor's strides (a view writes what it shows).
            let dense = try t.contiguousData
            out.append(contentsOf: UnsafeRawBufferPointer(start: dense.storage.bytes + dense.storageOffset * t.dtype.byteSize,
                                                          count: t.count * t.dtype.byteSize))
        }
        return out
    }

    /// Decodes a safetensors file's bytes.
    ///
    /// - Throws: for a truncated file, a malformed header, an unsupported
    ///   dtype, or offsets that do not match the shape or the buffer.
    public static func decode(_ bytes: [UInt8]) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw error("the file is shorter than its 8-byte header length") }
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw error("the header length \(n) exceeds the file size \(bytes.count)")
        }
        let headerEnd = 8 + Int(n)
        let header: JSON
        do {
            header = try JSON.parse(bytes[8..<headerEnd])
        } catch let e as JSON.Failure {
            throw error("the header is not valid JSON (\(e.message))")
        }
        guard case .object(let entries) = header else { throw error("the header is not a JSON object") }
        let data = bytes[headerEnd...]
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw error("__metadata__ is not an object") }
                for (k, v) in pairs {
                    guard case .string(let text) = v else { throw error("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = text
                }
                continue
            }
            guard case .string(let dt)? = value["dtype"], let shape = integers(value["shape"]),
                  let offsets = integers(value["data_offsets"]), offsets.count == 2 else {
                throw error("the entry for '\(name)' is malformed")
            }
            guard let dtype = dtype(dt) else { throw error("'\(name)' has dtype \(dt), which is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)") }
            let (begin, end) = (offsets[0], offsets[1])
            guard let count = Shape.checkedCount(shape), begin >= 0, end >= begin, end <= data.count,
                  end - begin == count * dtype.byteSize else {
                throw error("the data offsets [\(begin), \(end)] of '\(name)' do not match its shape \(Shape.list(shape)) and dtype \(dt) within \(data.count) bytes of data")
            }
            let t = try Tensor(uninitializedShape: shape, dtype: dtype)
            data.withUnsafeBytes { src in
                t.storage.bytes.copyMemory(from: src.baseAddress! + begin, byteCount: end - begin)
            }
            tensors[name] = t
        }
        return (tensors, metadata)
    }

    /// Writes tensors to a file.
    public static func save(_ tensors: [String: Tensor], to path: String, metadata: [String: String]? = nil) throws {
        let bytes = try encode(tensors, metadata: metadata)
        guard let file = fopen(path, "wb") else { throw error("cannot write \(path): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file) == 0
        guard written == bytes.count, closed else { throw error("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Reads tensors from a file.
    public static func load(from path: String) throws -> [String: Tensor] {
        guard let file = fopen(path, "rb") else { throw error("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes.append(contentsOf: chunk[0..<n])
            if n < chunk.count { break }
        }
        guard ferror(file) == 0 else { throw error("cannot read \(path)") }
        return try decode(bytes).tensors
    }

    /// A JSON array of integers, as shape and data_offsets are.
    private static func integers(_ value: JSON?) -> [Int]? {
        guard case .array(let items)? = value else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .integer(let v) = item else { return nil }
            out.append(v)
        }
        return out
    }

    private static func code(_ d: DType) -> String {
        switch d {
        case .float32: "F32"
        case .float64: "F64"
        case .int64: "I64"
        case .bool: "BOOL"
        case .uint8: "U8"
        case .int8: "I8"
        case .int16: "I16"
        case .int32: "I32"
        case .float16: "F16"
        case .bfloat16: "BF16"
        }
    }
    private static func dtype(_ s: String) -> DType? {
        DType.allCases.first { code($0) == s }
    }
    private static func error(_ m: String) -> AutogradError { .invalidArgument("safetensors: \(m)") }

    /// A JSON string literal, escaped as serde_json escapes it.
    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = Array("0123456789abcdef")
                out += "\\u00" + String(hex[Int(u.value >> 4)]) + String(hex[Int(u.value & 15)])
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

extension Module {
    /// Saves the parameters (`stateDict()`) as a safetensors file.
    public func save(to path: String) throws { try Safetensors.save(stateDict(), to: path) }

    /// Loads parameters from a safetensors file (`loadStateDict`, strict).
    public func load(from path: String, strict: Bool = true) throws {
        try loadStateDict(Safetensors.load(from: path), strict: strict)
    }
}
