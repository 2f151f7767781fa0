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
typealias BroadcastKernelB8 = @convention(c) (UnsafePointer<Bool>?, UnsafePointer<Bool>?, UnsafeMutablePointer<Bool>?, UnsafePointer<ag_broadcast>?) -> Void
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
    /// The result is laid out as PyTorch lays out an elementwise result
    /// (`ElementwiseLayout`: a transposed or permuted input gives a result
    /// with its strides); a view is read through its strides, never copied.
    /// A float16 or bfloat16 tensor is mapped in float32 and the result rounded back.
    public func map(_ f32: UnaryKernelF32, _ f64: UnaryKernelF64) throws -> Tensor {
        try requireFloating("map")
        if dtype.isNarrow { return try castUnrecorded(to: dtype.computeType).map(f32, f64).castUnrecorded(to: dtype) }
        // (No layout to compute for the common contiguous case: W1's path.)
        let layout = isContiguous ? nil : ElementwiseLayout(of: self)
        let y = try layout?.allocate(shape, dtype: dtype) ?? Tensor(uninitializedShape: shape, dtype: dtype)
        if count == 0 { return y }
        guard let layout, layout.strides != strides else {
            // Both dense in one order: one flat block each (a dense layout's
            // first element is its lowest address).
            if dtype == .float32 {
                f32(pointer(Float.self), y.pointer(Float.self), Int64(count))
            } else {
                f64(pointer(Double.self), y.pointer(Double.self), Int64(count))
            }
            return y
        }
        let walk = StridedWalk(shape: layout.ordered(shape), srcStrides: layout.ordered(strides),
                               dstStrides: layout.ordered(layout.strides))
        guard var d = try? walk.descriptor("map") else {
            // More interleaved dims than a kernel walks: through a dense copy.
            Tensor.copyElements(from: try contiguousData.map(f32, f64), into: y)
            return y
        }
        if dtype == .float32 {
            ag_map_strided_f32(f32, pointer(Float.self), y.pointer(Float.self), &d)
        } else {
            ag_map_strided_f64(f64, pointer(Double.self), y.pointer(Double.self), &d)
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
        if dtype.isNarrow {
            let c = dtype.computeType
            return try castUnrecorded(to: c).zipMap(other.castUnrecorded(to: c), f32, f64).castUnrecorded(to: dtype)
        }
        let (a, b) = (try contiguousData, try other.contiguousData)
        let y = try Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            f32(a.pointer(Float.self), b.pointer(Float.self), y.pointer(Float.self), Int64(count))
        } else {
            f64(a.pointer(Double.self), b.pointer(Double.self), y.pointer(Double.self), Int64(count))
        }
        return y
    }

    /// Operands of one shape for a kernel that walks flat memory, and an
    /// uninitialised result: the operands as they are when they share one
    /// dense layout (any order of dimensions; the result takes it), else
    /// each operand not already in it copied into the layout PyTorch gives
    /// the result (`ElementwiseLayout`), which the result takes too.
    static func flatOperands(_ xs: [Tensor]) throws -> (inputs: [Tensor], output: Tensor) {
        let first = xs[0]
        if first.isContiguous && xs.allSatisfy({ $0.isContiguous }) {
            return (xs, try Tensor(uninitializedShape: first.shape, dtype: first.dtype))
        }
        let layout = ElementwiseLayout(shape: first.shape, operandStrides: xs.map(\.strides), operandShapes: xs.map(\.shape))
        let inputs = try xs.map { x -> Tensor in
            if x.strides == layout.strides || x.count == 0 { return x }
            let dense = try layout.allocate(x.shape, dtype: x.dtype)
            copyElements(from: x, into: dense)
            return dense
        }
        return (inputs, try layout.allocate(first.shape, dtype: first.dtype))
    }

    /// The fused backward of a library unary op: gx = k(x, y, gy), flat over
    /// operands in one dense layout (`flatOperands`).
    static func unaryBackward(x: Tensor?, y: Tensor?, gy: Tensor, _ f32: UnaryBackwardF32, _ f64: UnaryBackwardF64) throws -> Tensor {
        let saved = x ?? y
        var (s, g, out) = (saved, gy, Tensor?.none)
        if !gy.isContiguous || saved?.isContiguous == false {
            let (inputs, result) = try flatOperands(saved.map { [$0, gy] } ?? [gy])
            (s, g, out) = (saved == nil ? nil : inputs[0], inputs[inputs.count - 1], result)
        }
        let gx = try out ?? Tensor(uninitializedShape: gy.shape, dtype: gy.dtype)
        let (xs, ys) = x == nil ? (nil, s) : (s, nil)
        if gy.dtype == .float32 {
            f32(xs?.pointer(Float.self), ys?.pointer(Float.self), g.pointer(Float.self), gx.pointer(Float.self), Int64(gy.count))
        } else {
            f64(xs?.pointer(Double.self), ys?.pointer(Double.self), g.pointer(Double.self), gx.pointer(Double.self), Int64(gy.count))
        }
        return gx
    }

    /// The result (uninitialised, of `dtype`) and kernel descriptor of a
    /// binary elementwise op on a and b broadcast to `shape`, and the
    /// operands the kernel reads: a and b through their strides, with the
    /// result in PyTorch's layout for them (`ElementwiseLayout`) and every
    /// operand walked in the result's memory order; dense copies when their
    /// strides interleave in more dims than a kernel walks.
    static func binaryWalk(_ a: Tensor, _ b: Tensor, _ shape: [Int], dtype: DType) throws
        -> (out: Tensor, descriptor: ag_broadcast, a: Tensor, b: Tensor) {
        if a.isContiguous && b.isContiguous {
            return (try Tensor(uninitializedShape: shape, dtype: dtype),
                    try Shape.descriptor(out: shape, a: a.shape, b: b.shape), a, b)
        }
        let (sa, sb) = (a.expandedWindow(shape).strides, b.expandedWindow(shape).strides)
        let layout = ElementwiseLayout(shape: shape, operandStrides: [sa, sb], operandShapes: [a.shape, b.shape])
        if let bc = try? Shape.descriptor(out: layout.ordered(shape), strides: layout.ordered(sa), layout.ordered(sb),
                                           a.shape, b.shape) {
            return (try layout.allocate(shape, dtype: dtype), bc, a, b)
        }
        let (x, y) = (try a.contiguousData, try b.contiguousData)
        return (try Tensor(uninitializedShape: shape, dtype: dtype), try Shape.descriptor(out: shape, a: x.shape, b: y.shape), x, y)
    }

    /// a <op> b with broadcasting, same floating dtype (not recorded).
    static func broadcastKernel(_ op: String, _ a: Tensor, _ b: Tensor, _ f32: BroadcastKernelF32, _ f64: BroadcastKernelF64,
                                _ i64: BroadcastKernelI64? = nil) throws -> Tensor {
        guard a.dtype == b.dtype, a.dtype.isFloatingPoint || (a.dtype == .int64 && i64 != nil) else {
            throw AutogradError.invalidArgument("\(op): no kernel for \(a.dtype) and \(b.dtype)")
        }
        return try binaryKernel(op, a, b, f32: f32, f64: f64, i64: i64, b8: nil)
    }

    /// a <op> b with broadcasting for operands of one dtype whose kernel is
    /// given (the callers check that first): the broadcast shape checked and
    /// validated, then `check` (refusals that come after it, as PyTorch's
    /// kernel-level errors do), then the walk of `binaryWalk`. Not recorded.
    static func binaryKernel(_ op: String, _ a: Tensor, _ b: Tensor, f32: BroadcastKernelF32?, f64: BroadcastKernelF64?,
                             i64: BroadcastKernelI64?, b8: BroadcastKernelB8?,
                             check: () throws -> Void = {}) throws -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            throw Shape.broadcastError(op, a.shape, b.shape)
        }
        if shape != a.shape && shape != b.shape { try Shape.validate(shape, op, dtype: a.dtype) }
        try check()
        var (out, bc, x, y) = try binaryWalk(a, b, shape, dtype: a.dtype)
        withExtendedLifetime((x, y)) {
            switch a.dtype {
            case .float32: f32?(x.pointer(Float.self), y.pointer(Float.self), out.pointer(Float.self), &bc)
            case .float64: f64?(x.pointer(Double.self), y.pointer(Double.self), out.pointer(Double.self), &bc)
            case .int64: i64?(x.pointer(Int64.self), y.pointer(Int64.self), out.pointer(Int64.self), &bc)
            case .bool: b8?(x.pointer(Bool.self), y.pointer(Bool.self), out.pointer(Bool.self), &bc)
            default: preconditionFailure("\(a.dtype) reaches kernels widened (_StorageTypes)")
            }
        }
        return out
    }
}
