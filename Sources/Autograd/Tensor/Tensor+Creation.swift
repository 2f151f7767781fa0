import AutogradKernels

extension Tensor {
    /// A tensor from values in row-major order.
    ///
    /// - Throws: when `shape` does not hold exactly `values.count` elements,
    ///   or `dtype` is not a floating type.
    public convenience init(_ values: [Double], shape: [Int]? = nil, dtype: DType = .float32,
                            requiresGrad: Bool = false) throws {
        let shape = shape ?? [values.count]
        guard Shape.checkedCount(shape) == values.count else {
            throw AutogradError.invalidArgument(
                "shape '\(Shape.list(shape))' is invalid for input of size \(values.count)")
        }
        if requiresGrad && !dtype.isFloatingPoint {
            throw AutogradError.invalidArgument("only Tensors of floating point dtype can require gradients")
        }
        if dtype == .int64 {
            // PyTorch's messages (torch.tensor(values, dtype=torch.long)) instead of a trap.
            if values.contains(where: \.isNaN) { throw AutogradError.invalidArgument("cannot convert float NaN to integer") }
            if values.contains(where: { Int64(exactly: $0.rounded(.towardZero)) == nil }) {
                throw AutogradError.invalidArgument("value cannot be converted to type int64_t without overflow")
            }
        }
        if let range = dtype.signedRange, dtype != .int64,
           values.contains(where: { $0.isNaN || !range.contains($0.rounded(.towardZero)) }) {
            throw AutogradError.invalidArgument("value cannot be converted to type \(dtype.rawValue) without overflow")
        }
        try self.init(uninitializedShape: shape, dtype: dtype)
        values.withUnsafeBufferPointer { src in
            switch dtype {
            case .float32: ag_cast_f64_f32(src.baseAddress, pointer(Float.self), Int64(count))
            case .float64: pointer(Double.self).update(from: src.baseAddress!, count: count)
            case .int64: for i in 0..<count { pointer(Int64.self)[i] = Int64(src[i].rounded(.towardZero)) }
            case .bool: for i in 0..<count { pointer(Bool.self)[i] = src[i] != 0 }
            default:  // converted as a cast from float64 converts (uint8 wraps, as torch.tensor does)
                _ = ag_cast(src.baseAddress!, DType.float64.kernelCode, rawPointer, dtype.kernelCode, Int64(count))
            }
        }
        self.requiresGrad = requiresGrad
    }

    /// A float32 tensor from `Float` values.
    public convenience init(_ values: [Float], shape: [Int]? = nil, requiresGrad: Bool = false) throws {
        try self.init(values.map(Double.init), shape: shape, dtype: .float32, requiresGrad: requiresGrad)
    }

    /// An int64 tensor (indices, class labels).
    public convenience init(indices values: [Int], shape: [Int]? = nil) throws {
        let shape = shape ?? [values.count]
        guard Shape.checkedCount(shape) == values.count else {
            throw AutogradError.invalidArgument("shape '\(Shape.list(shape))' is invalid for input of size \(values.count)")
        }
        try self.init(uninitializedShape: shape, dtype: .int64)
        let p = pointer(Int64.self)
        for i in 0..<values.count { p[i] = Int64(values[i]) }
    }

    /// A zero-dimensional tensor holding one value.
    public convenience init(scalar value: Double, dtype: DType = .float32, requiresGrad: Bool = false) throws {
        try self.init([value], shape: [], dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value`.
    ///
    /// - Throws: for a negative size, a shape too large to allocate, or a
    ///   value an int64 tensor cannot hold (PyTorch's words).
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        try Shape.validate(shape, "full", dtype: dtype)
        try checkRepresentable(value, dtype, "full")
        return try filled(shape, value, dtype: dtype)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try Shape.validate(shape, "zeros", dtype: dtype)
        return try filled(shape, 0, dtype: dtype)
    }
    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try Shape.validate(shape, "ones", dtype: dtype)
        return try filled(shape, 1, dtype: dtype)
    }
    /// Zeros with `other`'s shape and dtype.
    public static func zeros(like other: Tensor) throws -> Tensor { try filled(other.shape, 0, dtype: other.dtype) }
    /// Ones with `other`'s shape and dtype.
    public static func ones(like other: Tensor) throws -> Tensor { try filled(other.shape, 1, dtype: other.dtype) }

    /// A tensor over a C caller's memory, not a copy (PyTorch's `from_blob`):
    /// element (i_0, …) at `bytes` + Σ i_k · strides[k] elements (nil:
    /// row-major); `deleter(bytes, context)` runs when no tensor uses the
    /// memory any more. The caller has checked the shape, the strides and
    /// the span (`byteCount`). For the C API (`autograd_tensor_from_blob`).
    ///
    /// - Throws: PyTorch's "Stride calculation overflowed" for row-major
    ///   strides that do not fit an Int (a size 0 beside huge ones).
    @_spi(CInterop) public static func borrowing(
        _ bytes: UnsafeMutableRawPointer, byteCount: Int, dtype: DType, shape: [Int], strides: [Int]?,
        deleter: (@convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void)?,
        context: UnsafeMutableRawPointer?
    ) throws -> Tensor {
        if strides == nil, !Shape.stridesFit(shape) {
            throw AutogradError.invalidArgument("from_blob: Stride calculation overflowed")
        }
        let storage = Storage.borrowing(bytes, byteCount: byteCount, deleter: deleter, context: context)
        return Tensor(storage: storage, shape: shape, strides: strides ?? Shape.strides(shape), offset: 0, dtype: dtype)
    }

    /// A tensor whose contents are unspecified until written: the output buffer
    /// of a custom op's C kernel.
    public static func empty(_ shape: [Int], dtype: DType = .float32) throws -> Tensor {
        try Shape.validate(shape, "empty", dtype: dtype)
        return try Tensor(uninitializedShape: shape, dtype: dtype)
    }
    /// An uninitialised tensor with `other`'s shape and dtype.
    public static func empty(like other: Tensor) throws -> Tensor {
        try Tensor(uninitializedShape: other.shape, dtype: other.dtype)
    }

    /// Standard normal samples from `generator` (seeded, so runs repeat).
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator) throws -> Tensor {
        try Shape.validate(shape, "randn", dtype: dtype)
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("randn: \(dtype) is not a floating point dtype")
        }
        if dtype.isNarrow { return try randn(shape, dtype: .float32, generator: generator).castUnrecorded(to: dtype) }
        let t = try Tensor(uninitializedShape: shape, dtype: dtype)
        let (seed, offset) = generator.reserve(t.count)
        if dtype == .float32 {
            ag_randn_f32(t.pointer(Float.self), Int64(t.count), seed, offset)
        } else {
            ag_randn_f64(t.pointer(Double.self), Int64(t.count), seed, offset)
        }
        return t
    }

    /// Uniform samples in [low, high) from `generator`.
    public static func rand(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                            generator: Generator) throws -> Tensor {
        try Shape.validate(shape, "rand", dtype: dtype)
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("rand: \(dtype) is not a floating point dtype")
        }
        if dtype.isNarrow {
            // Drawn in float32; a draw that rounds up to `high` becomes `low`, keeping [low, high).
            let t = try rand(shape, low: low, high: high, dtype: .float32, generator: generator).castUnrecorded(to: dtype)
            return try noGrad { try Tensor.where(t.lt(high), t, Tensor.full([], low, dtype: dtype)) }
        }
        let t = try Tensor(uninitializedShape: shape, dtype: dtype)
        let (seed, offset) = generator.reserve(t.count)
        if dtype == .float32 {
            ag_rand_uniform_f32(t.pointer(Float.self), Int64(t.count), low, high, seed, offset)
        } else {
            ag_rand_uniform_f64(t.pointer(Double.self), Int64(t.count), low, high, seed, offset)
        }
        return t
    }

    /// `full` for shapes the library made itself (already valid): no checks.
    static func filled(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape, dtype: dtype)
        t.fillContiguous(value)
        return t
    }

    /// A 0-dim tensor holding `value` (no checks; cannot be refused).
    static func filledScalar(_ value: Double, dtype: DType) -> Tensor {
        let t = Tensor(zeroDimensional: dtype)
        t.fillContiguous(value)
        return t
    }

    /// PyTorch's error (`fill_`, `full`) for a value a tensor of `dtype`
    /// cannot hold: an integer out of range after truncation (uint8 takes
    /// -255...255, wrapping the negatives, as c10's `overflows` allows), a
    /// finite value beyond a half type's largest.
    static func checkRepresentable(_ value: Double, _ dtype: DType, _ op: String) throws {
        let ok: Bool
        switch dtype {
        case .int64: ok = Int64(exactly: value.rounded(.towardZero)) != nil
        case .int8, .int16, .int32: ok = !value.isNaN && dtype.signedRange!.contains(value.rounded(.towardZero))
        case .uint8: ok = !value.isNaN && (-255.0...255.0).contains(value.rounded(.towardZero))
        case .float16: ok = !value.isFinite || Swift.abs(value) <= 65504
        case .bfloat16: ok = !value.isFinite || Swift.abs(value) <= 3.3895313892515355e38
        default: ok = true
        }
        guard ok else {
            let name = dtype == .float16 ? "c10::Half" : dtype == .bfloat16 ? "c10::BFloat16" : "\(dtype.rawValue)_t"
            throw AutogradError.invalidArgument("\(op): value cannot be converted to type \(name) without overflow")
        }
    }

}

/// A seeded source of random numbers. Each draw reserves a range of a
/// counter-based stream, so the same seed gives the same tensors.
public final class Generator: @unchecked Sendable {
    public let seed: UInt64
    private var offset: UInt64 = 0
    private let lock = Lock()

    public init(seed: UInt64) { self.seed = seed }

    func reserve(_ n: Int) -> (UInt64, UInt64) {
        lock.withLock {
            let start = offset
            offset += UInt64((n + 1) & ~1)  // keep Box-Muller pairs aligned
            return (seed, start)
        }
    }
}
