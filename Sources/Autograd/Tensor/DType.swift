/// The element type of a tensor.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32
    case float64
    /// 64-bit integers: indices and class labels. Never requires grad.
    case int64
    /// Masks from comparisons. Never requires grad.
    case bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        case .int64: 8
        case .bool: 1
        }
    }

    /// Whether tensors of this type can require grad.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// PyTorch's name, as printed in `dtype=torch.float64`.
    public var description: String { "torch.\(rawValue)" }

    /// PyTorch's legacy type name, used in error messages (`torch.FloatTensor`).
    var legacyTypeName: String {
        switch self {
        case .float32: "torch.FloatTensor"
        case .float64: "torch.DoubleTensor"
        case .int64: "torch.LongTensor"
        case .bool: "torch.BoolTensor"
        }
    }
}
