import AutogradKernels

// Activation functions over the C kernels of ag_elementwise_math.h. The
// backward runs the fused C kernel when not recording; when recording
// (createGraph) it is written with differentiable ops, so double backward
// works. Piecewise-linear ones (relu, leakyRelu, clamp) multiply dL/dy by
// their slope, a constant; their second derivative is zero.

/// 1 / (1 + e^-x).  dL/dx = dL/dy * (1 - y) * y.
enum Sigmoid: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_sigmoid_forward_f32, ag_sigmoid_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_sigmoid_backward_f32, ag_sigmoid_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g * (1 - y) * y }
}

/// max(x, 0).  dL/dx = dL/dy where y > 0, else 0 (0 at x = 0, as PyTorch).
enum Relu: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_relu_forward_f32, ag_relu_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_relu_backward_f32, ag_relu_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor {
        let slope = try Tensor.unaryBackward(x: nil, y: y.detach(), gy: try Tensor.ones(like: y), backwardKernels.0, backwardKernels.1)
        return try g * slope
    }
}

/// x where x > 0, else negativeSlope * x.
/// dL/dx = dL/dy where x > 0, else negativeSlope * dL/dy.
enum LeakyRelu: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), slope = try args.double(1)
        ctx.saveForBackward(x)
        ctx.set("slope", slope)
        return try x.mapKernel({ ag_leaky_relu_forward_f32($0, slope, $1, $2) }, { ag_leaky_relu_forward_f64($0, slope, $1, $2) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], slope = try ctx.get("slope", as: Double.self)
        guard let g = gradOutputs[0] else { return [nil, nil] }
        let k32: Tensor.BackwardKernel<Float> = { ag_leaky_relu_backward_f32($0, slope, $1, $2, $3) }
        let k64: Tensor.BackwardKernel<Double> = { ag_leaky_relu_backward_f64($0, slope, $1, $2, $3) }
        if GradMode.isEnabled { return [try g * Tensor.backwardKernel(x: x, gy: Tensor.ones(like: x), k32, k64), nil] }
        return [try Tensor.backwardKernel(x: x, gy: g, k32, k64), nil]
    }
}

/// x where x > 0, else alpha * (e^x - 1).
/// dL/dx = dL/dy where x > 0, else alpha * e^x * dL/dy.
enum Elu: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), alpha = try args.double(1)
        ctx.saveForBackward(x)
        ctx.set("alpha", alpha)
        return try x.mapKernel({ ag_elu_forward_f32($0, alpha, $1, $2) }, { ag_elu_forward_f64($0, alpha, $1, $2) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], alpha = try ctx.get("alpha", as: Double.self)
        guard let g = gradOutputs[0] else { return [nil, nil] }
        if GradMode.isEnabled {
            let slope = try Tensor.where(x.le(0), x.exp() * alpha, x.scalarLike(1))
            return [try g * slope, nil]
        }
        return [try Tensor.backwardKernel(x: x, gy: g, { ag_elu_backward_f32($0, alpha, $1, $2, $3) },
                                      { ag_elu_backward_f64($0, alpha, $1, $2, $3) }), nil]
    }
}

/// GELU: x Φ(x) with Φ the standard normal CDF ("none"), or PyTorch's tanh
/// approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) ("tanh").
/// dL/dx = dL/dy * (Φ(x) + x φ(x)), or the tanh form's derivative.
enum Gelu: Function {
    static var _layout: _FunctionLayout { .strided }  // map reads strides
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), tanhForm = try args.bool(1)
        ctx.saveForBackward(x)
        ctx.set("tanh", tanhForm)
        return tanhForm ? try x.map(ag_gelu_tanh_forward_f32, ag_gelu_tanh_forward_f64)
                        : try x.map(ag_gelu_forward_f32, ag_gelu_forward_f64)
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], tanhForm = try ctx.get("tanh", as: Bool.self)
        guard let g = gradOutputs[0] else { return [nil, nil] }
        return [try GeluBackward.apply(g, x, tanhForm), nil]
    }
}

/// GELU's backward as a Function of (dL/dy, x), so that it can be
/// differentiated again: gx = g * f'(x).
/// d gx/d g = f'(x) (this op again);  d gx/d x = g * f''(x), where
/// f''(x) = φ(x)(2 - x²) exactly, and for the tanh form, with
/// u = k₀(x + k₁x³), t = tanh u: f'' = (1 - t²)(u' + ½x(u'' - 2t u'²)).
enum GeluBackward: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let g = try args.tensor(0), x = try args.tensor(1), tanhForm = try args.bool(2)
        ctx.saveForBackward(g, x)
        ctx.set("tanh", tanhForm)
        return tanhForm
            ? try Tensor.unaryBackward(x: x, y: nil, gy: g, ag_gelu_tanh_backward_f32, ag_gelu_tanh_backward_f64)
            : try Tensor.unaryBackward(x: x, y: nil, gy: g, ag_gelu_backward_f32, ag_gelu_backward_f64)
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.savedTensors, tanhForm = try ctx.get("tanh", as: Bool.self)
        let (g, x) = (s[0], s[1])
        guard let gg = gradOutputs[0] else { return [nil, nil, nil] }
        let need = ctx.needsInputGrad
        let dg: Tensor? = need[0] ? try GeluBackward.apply(gg, x, tanhForm) : nil
        var dx: Tensor? = nil
        if need[1] {
            let second: Tensor
            if tanhForm {
                let k0 = (2 / Double.pi).squareRoot(), k1 = 0.044715
                let x2 = try x * x
                let t = try ((x + x2 * x * k1) * k0).tanh()
                let du = try (x2 * (3 * k1) + 1) * k0
                let ddu = try x * (6 * k0 * k1)
                second = try (1 - t * t) * (du + x * 0.5 * (ddu - t * 2 * du * du))
            } else {
                let pdf = try (x * x * -0.5).exp() * (1 / (2 * Double.pi).squareRoot())
                second = try pdf * (2 - x * x)
            }
            dx = try gg * g * second
        }
        return [dg, dx, nil]
    }
}

/// ln(1 + e^(beta x)) / beta, or x where beta x > threshold.
/// dL/dx = dL/dy * sigmoid(beta x), or dL/dy where beta x > threshold.
enum Softplus: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), beta = try args.double(1), threshold = try args.double(2)
        ctx.saveForBackward(x)
        ctx.set("beta", beta)
        ctx.set("threshold", threshold)
        return try x.mapKernel({ ag_softplus_forward_f32($0, beta, threshold, $1, $2) },
                           { ag_softplus_forward_f64($0, beta, threshold, $1, $2) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0]
        let beta = try ctx.get("beta", as: Double.self), threshold = try ctx.get("threshold", as: Double.self)
        guard let g = gradOutputs[0] else { return [nil, nil, nil] }
        if GradMode.isEnabled {
            let bx = try x * beta
            let slope = try Tensor.where(bx.gt(threshold), x.scalarLike(1), bx.sigmoid())
            return [try g * slope, nil, nil]
        }
        return [try Tensor.backwardKernel(x: x, gy: g, { ag_softplus_backward_f32($0, beta, threshold, $1, $2, $3) },
                                      { ag_softplus_backward_f64($0, beta, threshold, $1, $2, $3) }), nil, nil]
    }
}

/// min(max(x, min), max); a missing bound arrives as ∓infinity.
/// dL/dx = dL/dy where min < x < max, else 0 (torch 2.15: zero at a bound).
enum Clamp: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), lo = try args.double(1), hi = try args.double(2)
        ctx.saveForBackward(x)
        ctx.set("min", lo)
        ctx.set("max", hi)
        return try x.mapKernel({ ag_clamp_forward_f32($0, lo, hi, $1, $2) }, { ag_clamp_forward_f64($0, lo, hi, $1, $2) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0]
        let lo = try ctx.get("min", as: Double.self), hi = try ctx.get("max", as: Double.self)
        guard let g = gradOutputs[0] else { return [nil, nil, nil] }
        let k32: Tensor.BackwardKernel<Float> = { ag_clamp_backward_f32($0, lo, hi, $1, $2, $3) }
        let k64: Tensor.BackwardKernel<Double> = { ag_clamp_backward_f64($0, lo, hi, $1, $2, $3) }
        if GradMode.isEnabled { return [try g * Tensor.backwardKernel(x: x, gy: Tensor.ones(like: x), k32, k64), nil, nil] }
        return [try Tensor.backwardKernel(x: x, gy: g, k32, k64), nil, nil]
    }
}

extension Tensor {
    /// A forward kernel call `k(x, y, n)`, usually a closure that passes scalar parameters too.
    typealias ForwardKernel<T> = (UnsafePointer<T>, UnsafeMutablePointer<T>, Int64) -> Void
    /// A backward kernel call `k(x, gy, gx, n)`.
    typealias BackwardKernel<T> = (UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>, Int64) -> Void

    /// y = k(x) for a floating tensor (not recorded).
    func mapKernel(_ f32: ForwardKernel<Float>, _ f64: ForwardKernel<Double>) throws -> Tensor {
        let x = try contiguousData
        let y = try Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            f32(UnsafePointer(x.pointer(Float.self)), y.pointer(Float.self), Int64(count))
        } else {
            f64(UnsafePointer(x.pointer(Double.self)), y.pointer(Double.self), Int64(count))
        }
        return y
    }

    /// gx = k(x, gy) for floating tensors of one shape (not recorded).
    static func backwardKernel(x: Tensor, gy: Tensor, _ f32: BackwardKernel<Float>, _ f64: BackwardKernel<Double>) throws -> Tensor {
        let x = try x.contiguousData
        let gx = try Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let g = try (gy.dtype == x.dtype ? gy : try noGrad { try gy.to(x.dtype) }).contiguousData
        if x.dtype == .float32 {
            f32(UnsafePointer(x.pointer(Float.self)), UnsafePointer(g.pointer(Float.self)), gx.pointer(Float.self), Int64(x.count))
        } else {
            f64(UnsafePointer(x.pointer(Double.self)), UnsafePointer(g.pointer(Double.self)), gx.pointer(Double.self), Int64(x.count))
        }
        return gx
    }

    /// The logistic sigmoid 1 / (1 + e^-x), elementwise (int64 and bool are promoted to float32).
    /// Backward: dL/dx = dL/dy * y (1 - y).
    public func sigmoid() throws -> Tensor { try Sigmoid.apply(promotedToFloat()) }

    /// max(x, 0), elementwise.
    /// Backward: dL/dx = dL/dy where x > 0, else 0.
    /// int64 stays int64 (PyTorch's clamp_min); bool is PyTorch's error.
    public func relu() throws -> Tensor {
        if dtype.isIntegral { return try Tensor.maximum(self, Tensor.scalar(0)) }
        if dtype == .bool { throw AutogradError.invalidArgument("Boolean inputs not supported for relu") }
        return try Relu.apply(self)
    }

    /// x where x > 0, else negativeSlope * x (PyTorch's `F.leaky_relu`).
    /// Backward: dL/dx = dL/dy where x > 0, else negativeSlope * dL/dy.
    public func leakyRelu(negativeSlope: Double = 0.01) throws -> Tensor {
        try requireFloating("leakyRelu", kernel: "leaky_relu_cpu")
        return try LeakyRelu.apply(self, negativeSlope)
    }

    /// x where x > 0, else alpha * (e^x - 1) (PyTorch's `F.elu`).
    /// Backward: dL/dx = dL/dy where x > 0, else alpha e^x dL/dy.
    public func elu(alpha: Double = 1) throws -> Tensor {
        try requireFloating("elu", kernel: "elu_cpu")
        return try Elu.apply(self, alpha)
    }

    /// GELU, x Φ(x) (PyTorch's `F.gelu`); `approximate: "tanh"` uses
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    /// Backward: dL/dx = dL/dy * (Φ(x) + x φ(x)) (exact), or the derivative
    /// of the tanh form; differentiable again.
    public func gelu(approximate: String = "none") throws -> Tensor {
        guard approximate == "none" || approximate == "tanh" else {
            throw AutogradError.invalidArgument("approximate argument must be either none or tanh.")
        }
        try requireFloating("gelu", kernel: "GeluKernelImpl")
        return try Gelu.apply(self, approximate == "tanh")
    }

    /// ln(1 + e^(beta x)) / beta, reverting to x where beta x > threshold
    /// (PyTorch's `F.softplus`).
    /// Backward: dL/dx = dL/dy * sigmoid(beta x), or dL/dy above the threshold.
    public func softplus(beta: Double = 1, threshold: Double = 20) throws -> Tensor {
        try requireFloating("softplus", kernel: "softplus_cpu")
        return try Softplus.apply(self, beta, threshold)
    }

    /// Limits every element to [min, max]; either bound may be nil, not both.
    /// With min > max every element becomes max; NaN stays NaN, and a NaN bound gives NaN.
    /// Backward: dL/dx = dL/dy strictly inside the bounds (min < x < max), else 0,
    /// as torch 2.15 gives (zero at x == min or x == max).
    /// int64 stays int64 with whole-number bounds, as in PyTorch.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        guard min != nil || max != nil else {
            throw AutogradError.invalidArgument("torch.clamp: At least one of 'min' or 'max' must not be None")
        }
        if dtype == .bool { return try to(.int64).clamp(min: min, max: max) }  // bools clamp as int64
        if dtype.isIntegral {
            // Integral bounds keep the integer type (PyTorch's result type of an int64
            // tensor and int numbers); a fractional one makes the result float32.
            func integral(_ v: Double?) -> Bool { v.map { $0 == $0.rounded() && Swift.abs($0) < 9.2e18 } ?? true }
            guard integral(min) && integral(max) else { return try to(.float32).clamp(min: min, max: max) }
            if dtype != .int64 {
                // Bounds compare in int64 (a uint8 clamped below -3 stays itself), then go back.
                return try to(.int64).clamp(min: min, max: max).to(dtype)
            }
            var y = self
            if let min { y = try Tensor.maximum(y, Tensor.scalar(Int(min))) }
            if let max { y = try Tensor.minimum(y, Tensor.scalar(Int(max))) }
            return y
        }
        try requireFloating("clamp", kernel: "clamp_cpu")
        return try Clamp.apply(self, min ?? -.infinity, max ?? .infinity)
    }
}
