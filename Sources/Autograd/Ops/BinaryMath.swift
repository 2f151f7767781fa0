import AutogradKernels

// Broadcasting binary math: pow, maximum, minimum and where. Backward
// gradients come out in the broadcast shape; the engine sums them down to
// each input's shape.

/// `void k(a, b, y, gy, ga, gb, bc)`: a broadcasting binary op's backward (ag_elementwise_math.h).
typealias BinaryBackwardF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
    UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafePointer<ag_broadcast>?) -> Void
typealias BinaryBackwardF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafePointer<Double>?,
    UnsafePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafePointer<ag_broadcast>?) -> Void

extension Tensor {
    /// (ga, gb) in the result shape from a fused broadcasting backward kernel;
    /// only the wanted ones are computed. Not recorded.
    static func binaryBackward(_ a: Tensor, _ b: Tensor, y: Tensor?, gy: Tensor, want: (Bool, Bool),
                               _ f32: BinaryBackwardF32, _ f64: BinaryBackwardF64) throws -> (Tensor?, Tensor?) {
        let ga = want.0 ? try Tensor(uninitializedShape: gy.shape, dtype: gy.dtype) : nil
        let gb = want.1 ? try Tensor(uninitializedShape: gy.shape, dtype: gy.dtype) : nil
        // The forward pass built the same descriptor, so this cannot throw.
        var bc = try! Shape.descriptor(out: gy.shape, a: a.shape, b: b.shape)
        if gy.dtype == .float32 {
            f32(a.pointer(Float.self), b.pointer(Float.self), y?.pointer(Float.self), gy.pointer(Float.self),
                ga?.pointer(Float.self), gb?.pointer(Float.self), &bc)
        } else {
            f64(a.pointer(Double.self), b.pointer(Double.self), y?.pointer(Double.self), gy.pointer(Double.self),
                ga?.pointer(Double.self), gb?.pointer(Double.self), &bc)
        }
        return (ga, gb)
    }
}

/// a^b, elementwise with broadcasting (PyTorch's handling of zeros):
/// dL/da = 0 where b = 0, else dL/dy * b a^(b-1);
/// dL/db = 0 where a = 0 and b ≥ 0, else dL/dy * y ln a.
enum PowTensor: BinaryFunction {
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let y = try Tensor.broadcastKernel("pow", a, b, ag_pow_forward_f32, ag_pow_forward_f64)
        ctx.saveForBackward(a, b, y)
        return y
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        let s = try ctx.savedTensors, need = ctx.needsInputGrad
        let (a, b, y) = (s[0], s[1], s[2])
        if !GradMode.isEnabled {
            return try Tensor.binaryBackward(a, b, y: y, gy: g, want: (need[0], need[1]), ag_pow_backward_f32, ag_pow_backward_f64)
        }
        let zero = g.scalarLike(0)
        var ga: Tensor? = nil, gb: Tensor? = nil
        if need[0] { ga = try Tensor.where(b.eq(0), zero, g * (b * a.pow(b - 1))) }
        if need[1] { gb = try Tensor.where(a.eq(0).logicalAnd(b.ge(0)), zero, g * (y * a.log())) }
        return (ga, gb)
    }
}

/// The larger of a and b, elementwise with broadcasting; NaN wins.
/// dL/da = dL/dy where a > b, ½ dL/dy where a = b, else 0; dL/db likewise.
enum Maximum: BinaryFunction {
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        ctx.saveForBackward(a, b)
        return try Tensor.broadcastKernel("maximum", a, b, ag_maximum_forward_f32, ag_maximum_forward_f64, ag_maximum_forward_i64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        try selectionBackward(ctx, g, ag_maximum_backward_f32, ag_maximum_backward_f64)
    }
}

/// The smaller of a and b, elementwise with broadcasting; NaN wins.
/// dL/da = dL/dy where a < b, ½ dL/dy where a = b, else 0; dL/db likewise.
enum Minimum: BinaryFunction {
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        ctx.saveForBackward(a, b)
        return try Tensor.broadcastKernel("minimum", a, b, ag_minimum_forward_f32, ag_minimum_forward_f64, ag_minimum_forward_i64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        try selectionBackward(ctx, g, ag_minimum_backward_f32, ag_minimum_backward_f64)
    }
}

/// maximum/minimum backward: the fused kernel, or when recording, dL/dy times
/// the kernel's constant weights (0, ½ or 1), so a second derivative is zero.
private func selectionBackward(_ ctx: Context, _ g: Tensor, _ f32: BinaryBackwardF32,
                               _ f64: BinaryBackwardF64) throws -> (Tensor?, Tensor?) {
    let s = try ctx.savedTensors, need = ctx.needsInputGrad
    let want = (need[0], need[1])
    if !GradMode.isEnabled { return try Tensor.binaryBackward(s[0], s[1], y: nil, gy: g, want: want, f32, f64) }
    let (wa, wb) = try Tensor.binaryBackward(s[0], s[1], y: nil, gy: try Tensor.ones(like: g), want: want, f32, f64)
    return (try wa.map { try g * $0 }, try wb.map { try g * $0 })
}

/// cond ? a : b, elementwise with broadcasting over all three.
/// dL/da = where(cond, dL/dy, 0),  dL/db = where(cond, 0, dL/dy);  cond gets none.
enum Where: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let cond = try args.tensor(0), a = try args.tensor(1), b = try args.tensor(2)
        ctx.saveForBackward(cond)
        guard let ab = Shape.broadcast(a.shape, b.shape) else { throw Shape.broadcastError("where", a.shape, b.shape) }
        guard let shape = Shape.broadcast(cond.shape, ab) else { throw Shape.broadcastError("where", cond.shape, ab) }
        try Shape.validate(shape, "where", dtype: a.dtype)
        let out = try Tensor(uninitializedShape: shape, dtype: a.dtype)
        var bc = try Shape.descriptor(out: shape, a: a.shape, b: b.shape, alsoMerging: [cond.shape])
        var bcc = try Shape.descriptor(out: shape, a: cond.shape, alsoMerging: [a.shape, b.shape])
        let c = cond.pointer(Bool.self)
        switch a.dtype {
        case .float32: ag_where_forward_f32(c, a.pointer(Float.self), b.pointer(Float.self), out.pointer(Float.self), &bc, &bcc)
        case .float64: ag_where_forward_f64(c, a.pointer(Double.self), b.pointer(Double.self), out.pointer(Double.self), &bc, &bcc)
        case .int64: ag_where_forward_i64(c, a.pointer(Int64.self), b.pointer(Int64.self), out.pointer(Int64.self), &bc, &bcc)
        case .bool: ag_where_forward_bool(c, a.pointer(Bool.self), b.pointer(Bool.self), out.pointer(Bool.self), &bc, &bcc)
        default: preconditionFailure("\(a.dtype) reaches kernels widened (_StorageTypes)")
        }
        return out
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil, nil] }
        let cond = try ctx.savedTensors[0], need = ctx.needsInputGrad
        let zero = g.scalarLike(0)
        let ga: Tensor? = need[1] ? try Where.apply(cond, g, zero) : nil
        let gb: Tensor? = need[2] ? try Where.apply(cond, zero, g) : nil
        return [nil, ga, gb]
    }
}

extension Tensor {
    /// Each element raised to the matching element of `exponent`, with broadcasting.
    /// Backward: dL/da = dL/dy * b a^(b-1) (0 where b = 0);
    /// dL/db = dL/dy * a^b ln a (0 where a = 0 and b ≥ 0).
    ///
    /// Integers (int64 and bool operands, not both bool) give int64 exactly,
    /// as PyTorch's powi: wrapping around on overflow, and for a negative
    /// exponent 1 for a base of 1, ±1 for -1, else 0. Not differentiable.
    /// - Throws: PyTorch's `"pow" not implemented for 'Bool'` for two bools.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        // torch.result_type: pow(float32 x, float64 0-dim) stays float32.
        let (a, b) = try Tensor.arithmeticOperands(self, exponent, "pow")
        if !a.dtype.isFloatingPoint {
            if exponent.isWrappedNumber {
                // A Python number exponent (PyTorch's pow.Tensor_Scalar): a negative
                // integer is refused; a bool one keeps a bool base bool (x**True = x,
                // x**False = True).
                let e = try exponent.item()
                if e < 0 { throw AutogradError.invalidArgument("Integers to negative integer powers are not allowed.") }
                if a.dtype == .bool { return e == 0 ? try Tensor.full(shape, 1, dtype: .bool) : try a.clone() }
            }
            guard a.dtype != .bool else { throw AutogradError.invalidArgument("\"pow\" not implemented for 'Bool'") }
            return try IntegerBinary.apply(a, b, .pow)
        }
        return try PowTensor.apply(a, b)
    }

    /// The elementwise maximum, with broadcasting; NaN propagates. Operands
    /// promote as `torch.result_type` (int64 stays int64; bools: logical or).
    /// Backward: the gradient goes to the larger input, split ½/½ on ties.
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let (x, y) = try arithmeticOperands(a, b, "maximum")
        return x.dtype == .bool ? try x.logicalOr(y) : try Maximum.apply(x, y)
    }
    /// The elementwise minimum, with broadcasting; NaN propagates. Operands
    /// promote as `torch.result_type` (int64 stays int64; bools: logical and).
    /// Backward: the gradient goes to the smaller input, split ½/½ on ties.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let (x, y) = try arithmeticOperands(a, b, "minimum")
        return x.dtype == .bool ? try x.logicalAnd(y) : try Minimum.apply(x, y)
    }
    /// `Tensor.maximum(self, other)`.
    public func maximum(_ other: Tensor) throws -> Tensor { try Tensor.maximum(self, other) }
    /// `Tensor.minimum(self, other)`.
    public func minimum(_ other: Tensor) throws -> Tensor { try Tensor.minimum(self, other) }

    /// Elements of `a` where `condition` is true, else of `b`; the three
    /// broadcast together. `condition` must be a bool tensor (from a comparison).
    /// Backward: dL/da = dL/dy where condition, else 0; dL/db the rest.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard condition.dtype == .bool else {
            throw AutogradError.invalidArgument(
                "where expected condition to be a boolean tensor, but got a tensor with dtype \(condition.dtype.scalarName)")
        }
        // The two branches promote as torch.result_type (0-dim tensors and
        // numbers by category only: where(m, float32 x, float64 0-dim) is float32).
        let (x, y) = try arithmeticOperands(a, b, "where")
        return try Where.apply(condition, x, y)
    }
    /// `where` with a number for the false branch (as Python's float).
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Double) throws -> Tensor {
        try Tensor.where(condition, a, a.wrapped(b))
    }
    /// `where` with a number for the true branch (as Python's float).
    public static func `where`(_ condition: Tensor, _ a: Double, _ b: Tensor) throws -> Tensor {
        try Tensor.where(condition, b.wrapped(a), b)
    }
}
