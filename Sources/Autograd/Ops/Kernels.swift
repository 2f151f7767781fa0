import AutogradKernels

// C kernel signatures as Swift sees them, and the dtype dispatch around them.

/// `void k(const float *x, float *y, int64_t n)`: an elementwise forward kernel.
public typealias UnaryKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
/// `void k(const double *x, double *y, int64_t n)`.
public typealias UnaryKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64) -> Void
/// `void k(const float *a, const float *b, float *out, int64_t n)`: elementwise over two same-shaped inputs.
public typealias BinaryKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
/// `void k(const double *a, const double *b, double *out, int64_t n)`.
public typealias BinaryKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64) -> Void

typealias UnaryBackwardF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
typealias UnaryBackwardF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, Int64) -> Void
typealias BroadcastKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<ag_broadcast>?) -> Void
typealias BroadcastKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafePointer<ag_broadcast>?) -> Void
typealias BroadcastKernelI64 = @convention(c) (UnsafePointer<Int64>?, UnsafePointer<Int64>?, UnsafeMutablePointer<Int64>?, UnsafePointer<ag_broadcast>?) -> Void

extension Tensor {
    func requireFloating(_ op: String) throws {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("\(op): expected a floating point tensor, got \(dtype)")
        }
    }

    /// y[i] = f(x[i]) through a C kernel pair: the building block for a custom
    /// op's forward (or backward) written in C. Not recorded: call it inside a
    /// Function.
    /// A strided view is read through a dense copy (the kernel walks memory flat).
    public func map(_ f32: UnaryKernelF32, _ f64: UnaryKernelF64) throws -> Tensor {
        try requireFloating("map")
        let x = contiguousData
        let y = Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            f32(x.pointer(Float.self), y.pointer(Float.self), Int64(count))
        } else {
            f64(x.pointer(Double.self), y.pointer(Double.self), Int64(count))
        }
        return y
    }

    /// out[i] = f(self[i], other[i]) through a C kernel pair, for two tensors of
    /// the same shape and dtype (a custom backward's `gx = k(x, gy)`). Not recorded.
    /// Strided views are read through dense copies.
    public func zipMap(_ other: Tensor, _ f32: BinaryKernelF32, _ f64: BinaryKernelF64) throws -> Tensor {
        try requireFloating("zipMap")
        guard other.shape == shape, other.dtype == dtype else {
            throw AutogradError.invalidArgument(
                "zipMap: the tensors must have the same shape and dtype, got \(Shape.list(shape)) \(dtype) and \(Shape.list(other.shape)) \(other.dtype)")
        }
        let (a, b) = (contiguousData, other.contiguousData)
        let y = Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            f32(a.pointer(Float.self), b.pointer(Float.self), y.pointer(Float.self), Int64(count))
        } else {
            f64(a.pointer(Double.self), b.pointer(Double.self), y.pointer(Double.self), Int64(count))
        }
        return y
    }

    /// The fused backward of a library unary op: gx = k(x, y, gy).
    static func unaryBackward(x: Tensor?, y: Tensor?, gy: Tensor, _ f32: UnaryBackwardF32, _ f64: UnaryBackwardF64) -> Tensor {
        let (x, y, gy) = (x?.contiguousData, y?.contiguousData, gy.contiguousData)
        let gx = Tensor(uninitializedShape: gy.shape, dtype: gy.dtype)
        if gy.dtype == .float32 {
            f32(x?.pointer(Float.self), y?.pointer(Float.self), gy.pointer(Float.self), gx.pointer(Float.self), Int64(gy.count))
        } else {
            f64(x?.pointer(Double.self), y?.pointer(Double.self), gy.pointer(Double.self), gx.pointer(Double.self), Int64(gy.count))
        }
        return gx
    }

    /// a <op> b with broadcasting, same floating dtype (not recorded).
    static func broadcastKernel(_ op: String, _ a: Tensor, _ b: Tensor, _ f32: BroadcastKernelF32, _ f64: BroadcastKernelF64,
                                _ i64: BroadcastKernelI64? = nil) throws -> Tensor {
        guard a.dtype == b.dtype, a.dtype.isFloatingPoint || (a.dtype == .int64 && i64 != nil) else {
            throw AutogradError.invalidArgument("\(op): no kernel for \(a.dtype) and \(b.dtype)")
        }
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            throw Shape.broadcastError(op, a.shape, b.shape)
        }
        if shape != a.shape && shape != b.shape { try Shape.validate(shape, op, dtype: a.dtype) }
        let out = Tensor(uninitializedShape: shape, dtype: a.dtype)
        var (x, y) = (a, b)
        var bc: ag_broadcast
        do {
            bc = try Shape.descriptor(out: shape, reading: a, b)
        } catch where !(a.isContiguous && b.isContiguous) {
            // Views whose strides interleave in more dims than a kernel walks: dense copies merge.
            (x, y) = (a.contiguousData, b.contiguousData)
            bc = try Shape.descriptor(out: shape, a: x.shape, b: y.shape)
        }
        withExtendedLifetime((x, y)) {
            switch a.dtype {
            case .float32: f32(x.pointer(Float.self), y.pointer(Float.self), out.pointer(Float.self), &bc)
            case .float64: f64(x.pointer(Double.self), y.pointer(Double.self), out.pointer(Double.self), &bc)
            default: i64?(x.pointer(Int64.self), y.pointer(Int64.self), out.pointer(Int64.self), &bc)
            }
        }
        return out
    }
}
