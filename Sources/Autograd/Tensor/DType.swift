/// The element type of a tensor.
///
/// The kernels compute in four types: float32, float64, int64 and bool. The
/// narrower types are storage types, as PyTorch's CPU kernels treat them:
/// float16 and bfloat16 are widened to float32 for every op and each result
/// is rounded back (so each op rounds once, as PyTorch's does), and uint8,
/// int8, int16 and int32 are computed in int64 and wrapped back to their
/// width (exact: wrapping commutes with +, -, *, the bitwise ops and shifts,
/// and a quotient of two in-range values is in range but for MIN / -1, which
/// wraps as PyTorch's does). `computeType` names the type an op works in.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    case float64
    /// 64-bit integers: indices and class labels. Never requires grad.
    case int64
    /// Masks from comparisons. Never requires grad.
    case bool
    /// Unsigned 8-bit integers (images, quantised weights).
    case uint8
    /// Signed 8-bit integers.
    case int8
    /// Signed 16-bit integers.
    case int16
    /// Signed 32-bit integers (indices from many file formats).
    case int32
    /// IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits).
    case float16
    /// Brain floating point: float32's exponent with 7 fraction bits.
    case bfloat16

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .int16, .float16, .bfloat16: 2
        case .bool, .uint8, .int8: 1
        }
    }

    /// Whether tensors of this type can require grad.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: true
        default: false
        }
    }

    /// Whether this is one of the integer types (not bool).
    public var isIntegral: Bool {
        switch self {
        case .int64, .int32, .int16, .int8, .uint8: true
        default: false
        }
    }

    /// The type the kernels compute this one in: float32 for the half
    /// types, int64 for the narrower integers, itself otherwise.
    public var computeType: DType {
        switch self {
        case .float16, .bfloat16: .float32
        case .uint8, .int8, .int16, .int32: .int64
        default: self
        }
    }

    /// The values a signed integer type holds (nil for the others).
    var signedRange: ClosedRange<Double>? {
        switch self {
        case .int8: -128...127
        case .int16: -32768...32767
        case .int32: -2147483648...2147483647
        case .int64: -9223372036854775808.0...9223372036854775807.0
        default: nil
        }
    }

    /// Whether this is a storage type the kernels widen (`computeType != self`).
    var isNarrow: Bool { computeType != self }

    /// PyTorch's name, as printed in `dtype=torch.float64`.
    public var description: String { "torch.\(rawValue)" }

    /// PyTorch's scalar type name, as in "result type Float can't be cast to ... Long".
    var scalarTypeName: String {
        switch self {
        case .float32: "Float"
        case .float64: "Double"
        case .int64: "Long"
        case .bool: "Bool"
        case .uint8: "Byte"
        case .int8: "Char"
        case .int16: "Short"
        case .int32: "Int"
        case .float16: "Half"
        case .bfloat16: "BFloat16"
        }
    }

    /// PyTorch's legacy type name, used in error messages (`torch.FloatTensor`).
    @_spi(CInterop) public var legacyTypeName: String { "torch.\(scalarTypeName)Tensor" }

    /// The code the C cast kernel takes (`ag_dtype_code` in ag_memory.h).
    var kernelCode: Int32 {
        switch self {
        case .float32: 0
        case .float64: 1
        case .int64: 2
        case .bool: 3
        case .uint8: 4
        case .int8: 5
        case .int16: 6
        case .int32: 7
        case .float16: 8
        case .bfloat16: 9
        }
    }

    /// PyTorch's `promote_types(a, b)` (c10's promoteTypes table): the
    /// smallest type both cast to safely, with PyTorch's choices where none
    /// is exact (uint8 with int8 is int16; float16 with bfloat16 is float32).
    static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a == .bool { return b }
        if b == .bool { return a }
        if a.isFloatingPoint || b.isFloatingPoint {
            if !a.isFloatingPoint { return b }
            if !b.isFloatingPoint { return a }
            if a == .float64 || b == .float64 { return .float64 }
            return .float32  // float32 with a half type, or float16 with bfloat16
        }
        // Two different integer types.
        func rank(_ d: DType) -> Int {
            switch d {
            case .int8: 1
            case .int16: 2
            case .int32: 3
            case .int64: 4
            default: 0  // uint8
            }
        }
        if a == .uint8 || b == .uint8 {
            let other = a == .uint8 ? b : a
            return other == .int8 ? .int16 : other
        }
        return rank(a) > rank(b) ? a : b
    }

    /// Whether elements of this dtype may be read as `T`: its own Swift type,
    /// or an unsigned integer of its width (raw bits, for copies).
    static func holds<T>(_: T.Type, _ d: DType) -> Bool {
        switch d {
        case .float32: if T.self == Float.self { return true }
        case .float64: if T.self == Double.self { return true }
        case .int64: if T.self == Int64.self { return true }
        case .bool: if T.self == Bool.self { return true }
        case .uint8: if T.self == UInt8.self { return true }
        case .int8: if T.self == Int8.self { return true }
        case .int16: if T.self == Int16.self { return true }
        case .int32: if T.self == Int32.self { return true }
        case .float16, .bfloat16: break
        }
        switch d.byteSize {
        case 8: return T.self == UInt64.self
        case 4: return T.self == UInt32.self
        case 2: return T.self == UInt16.self
        default: return T.self == UInt8.self
        }
    }
}
