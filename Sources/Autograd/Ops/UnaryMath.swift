import AutogradKernels

/// A library unary op over a C kernel pair. Forward saves the input or the
/// output (whichever the backward formula reads). Backward runs the fused C
/// backward kernel when the backward pass is not being recorded, and the same
/// formula written with differentiable ops when it is (createGraph), so
/// double backward works.
protocol ElementwiseUnary: UnaryFunction {
    static var forwardKernels: (UnaryKernelF32, UnaryKernelF64) { get }
    static var backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) { get }
    /// Whether the backward formula reads the output y (else the input x).
    static var backwardReadsOutput: Bool { get }
    /// dL/dx from x (or y) and dL/dy, with differentiable ops.
    static func gradient(_ saved: Tensor, _ g: Tensor) throws -> Tensor
}

extension ElementwiseUnary {
    /// Inputs arrive as they are: `map` reads views through their strides.
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        let y = try x.map(forwardKernels.0, forwardKernels.1)
        ctx.saveForBackward(backwardReadsOutput ? y : x)
        return y
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
        let saved = try ctx.savedTensors[0]
        if GradMode.isEnabled { return try gradient(saved, g) }
        let (b32, b64) = backwardKernels
        return backwardReadsOutput
            ? try Tensor.unaryBackward(x: nil, y: saved, gy: g, b32, b64)
            : try Tensor.unaryBackward(x: saved, y: nil, gy: g, b32, b64)
    }
}

/// e^x.  dL/dx = dL/dy * y.
enum Exp: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_exp_forward_f32, ag_exp_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_exp_backward_f32, ag_exp_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g * y }
}

/// ln x.  dL/dx = dL/dy / x.
enum Log: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_log_forward_f32, ag_log_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_log_backward_f32, ag_log_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g / x }
}

/// √x.  dL/dx = dL/dy / (2y).
enum Sqrt: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_sqrt_forward_f32, ag_sqrt_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_sqrt_backward_f32, ag_sqrt_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g / (y * 2) }
}

/// tanh x.  dL/dx = dL/dy * (1 - y²).
enum Tanh: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_tanh_forward_f32, ag_tanh_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_tanh_backward_f32, ag_tanh_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g * (1 - y * y) }
}

/// cosh x.  dL/dx = dL/dy * sinh x.
enum Cosh: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_cosh_forward_f32, ag_cosh_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_cosh_backward_f32, ag_cosh_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * x.sinh() }
}

/// sinh x.  dL/dx = dL/dy * cosh x.
enum Sinh: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_sinh_forward_f32, ag_sinh_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_sinh_backward_f32, ag_sinh_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * x.cosh() }
}

/// |x|.  dL/dx = dL/dy * sign x.
enum Abs: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_abs_forward_f32, ag_abs_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_abs_backward_f32, ag_abs_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * x.sign() }
}

/// sign x (-1, 0 or 1).  dL/dx = 0.
enum Sign: UnaryFunction {
    static var _layout: _FunctionLayout { .strided }  // map reads strides
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.map(ag_sign_forward_f32, ag_sign_forward_f64) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try Tensor.zeros(like: g) }
}

/// x^p for a scalar p.  dL/dx = dL/dy * p * x^(p-1).
enum PowScalar: Function {
    static var _layout: _FunctionLayout { .strided }  // flat over a dense layout, PyTorch's result layout

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), p = try args.double(1)
        try x.requireFloating("pow")
        ctx.saveForBackward(x)
        ctx.set("exponent", p)
        let (inputs, y) = try Tensor.flatOperands([x])
        let xs = inputs[0]
        if x.dtype == .float32 {
            ag_pow_scalar_forward_f32(xs.pointer(Float.self), p, y.pointer(Float.self), Int64(x.count))
        } else {
            ag_pow_scalar_forward_f64(xs.pointer(Double.self), p, y.pointer(Double.self), Int64(x.count))
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], p = try ctx.get("exponent", as: Double.self)
        let g = gradOutputs[0]!
        if GradMode.isEnabled {
            if p == 0 { return [try Tensor.zeros(like: x), nil] }
            return [try g * (try x.pow(p - 1) * p), nil]
        }
        let (inputs, gx) = try Tensor.flatOperands([x, g])
        let (xs, gs) = (inputs[0], inputs[1])
        if x.dtype == .float32 {
            ag_pow_scalar_backward_f32(xs.pointer(Float.self), p, gs.pointer(Float.self), gx.pointer(Float.self), Int64(x.count))
        } else {
            ag_pow_scalar_backward_f64(xs.pointer(Double.self), p, gs.pointer(Double.self), gx.pointer(Double.self), Int64(x.count))
        }
        return [gx, nil]
    }
}

extension Tensor {
    // Integer and bool tensors take the float ops in float32 (PyTorch's
    // default dtype), as PyTorch promotes them.

    /// e^x, elementwise.
    public func exp() throws -> Tensor { try Exp.apply(promotedToFloat()) }
    /// Natural logarithm, elementwise.
    public func log() throws -> Tensor { try Log.apply(promotedToFloat()) }
    /// Square root, elementwise.
    public func sqrt() throws -> Tensor { try Sqrt.apply(promotedToFloat()) }
    /// Hyperbolic tangent, elementwise.
    public func tanh() throws -> Tensor { try Tanh.apply(promotedToFloat()) }
    /// Hyperbolic cosine, elementwise.
    public func cosh() throws -> Tensor { try Cosh.apply(promotedToFloat()) }
    /// Hyperbolic sine, elementwise.
    public func sinh() throws -> Tensor { try Sinh.apply(promotedToFloat()) }
    /// Absolute value, elementwise (int64 stays int64; PyTorch's error for bool).
    public func abs() throws -> Tensor {
        switch dtype {
        case .int64, .int32, .int16, .int8: return try IntAbs.apply(self)
        case .uint8: return try copied()
        case .bool: throw AutogradError.invalidArgument("\"abs_cpu\" not implemented for 'Bool'")
        default: return try Abs.apply(self)
        }
    }
    /// -1, 0 or 1 by the sign of each element; its gradient is zero. An int64
    /// tensor's signs are int64, a bool tensor is its own sign, as in PyTorch.
    public func sign() throws -> Tensor {
        switch dtype {
        case .int64, .int32, .int16, .int8: return try (gt(0).to(.int64) - lt(0).to(.int64)).to(dtype)
        case .uint8: return try gt(0).to(.uint8)
        case .bool: return try copied()
        default: return try Sign.apply(self)
        }
    }
    /// Each element raised to a scalar power. An int64 or bool tensor raised
    /// to a whole power ≥ 0 stays int64 (wrapping on overflow), as in PyTorch;
    /// a negative whole power is PyTorch's error; a fractional one is float32.
    public func pow(_ exponent: Double) throws -> Tensor {
        if !dtype.isFloatingPoint {
            guard exponent == exponent.rounded(), Swift.abs(exponent) < 9.2e18 else {
                return try to(.float32).pow(exponent)
            }
            guard exponent >= 0 else {
                throw AutogradError.invalidArgument("Integers to negative integer powers are not allowed.")
            }
            if dtype != .bool && dtype != .int64, let range = dtype == .uint8 ? -255.0...255.0 : dtype.signedRange,
               !range.contains(exponent) {
                throw AutogradError.invalidArgument("value cannot be converted to type \(dtype.rawValue)_t without overflow")
            }
            return try IntPow.apply(dtype == .bool ? to(.int64) : self, Int(exponent))
        }
        if dtype == .float16 || dtype == .bfloat16 {
            // PyTorch rounds the exponent to the tensor's dtype first.
            return try PowScalar.apply(self, Tensor.filledScalar(exponent, dtype: dtype).element(0))
        }
        return try PowScalar.apply(self, exponent)
    }
}
