import AutogradKernels

// More elementwise math over the C kernels of ag_elementwise_math.h (and
// reciprocal from ag_unary.h), as `ElementwiseUnary` Functions: the fused C
// backward when not recording, the same formula in differentiable ops when
// recording (so double backward works).

/// ln(1 + x).  dL/dx = dL/dy / (x + 1).
enum Log1p: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_log1p_forward_f32, ag_log1p_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_log1p_backward_f32, ag_log1p_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g / (x + 1) }
}

/// erf(x) = 2/√π ∫₀ˣ e^(−t²) dt.  dL/dx = dL/dy · 2/√π · e^(−x²).
/// float32 through the vectorised ag_erff (within 1 ulp), float64 libm's.
enum Erf: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_erf_forward_f32, ag_erf_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_erf_backward_f32, ag_erf_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor {
        try g * (2 / Double.pi.squareRoot()) * (-(x * x)).exp()
    }
}

/// e^x - 1.  dL/dx = dL/dy * (y + 1).
enum Expm1: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_expm1_forward_f32, ag_expm1_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_expm1_backward_f32, ag_expm1_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g * (y + 1) }
}

/// 1 / √x.  dL/dx = -0.5 * dL/dy * y³.
enum Rsqrt: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_rsqrt_forward_f32, ag_rsqrt_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_rsqrt_backward_f32, ag_rsqrt_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try (g * -0.5) * (y * y * y) }
}

/// sin x.  dL/dx = dL/dy * cos x.
enum Sin: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_sin_forward_f32, ag_sin_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_sin_backward_f32, ag_sin_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * x.cos() }
}

/// cos x.  dL/dx = -dL/dy * sin x.
enum Cos: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_cos_forward_f32, ag_cos_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_cos_backward_f32, ag_cos_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * (-x.sin()) }
}

/// tan x.  dL/dx = dL/dy * (1 + y²).
enum Tan: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_tan_forward_f32, ag_tan_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_tan_backward_f32, ag_tan_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try g * (1 + y * y) }
}

/// x².  dL/dx = dL/dy * 2x.
enum Square: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_square_forward_f32, ag_square_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_square_backward_f32, ag_square_backward_f64)
    static let backwardReadsOutput = false
    static func gradient(_ x: Tensor, _ g: Tensor) throws -> Tensor { try g * (x * 2) }
}

/// 1 / x.  dL/dx = -dL/dy * y².
enum Reciprocal: ElementwiseUnary {
    static let forwardKernels: (UnaryKernelF32, UnaryKernelF64) = (ag_reciprocal_forward_f32, ag_reciprocal_forward_f64)
    static let backwardKernels: (UnaryBackwardF32, UnaryBackwardF64) = (ag_reciprocal_backward_f32, ag_reciprocal_backward_f64)
    static let backwardReadsOutput = true
    static func gradient(_ y: Tensor, _ g: Tensor) throws -> Tensor { try (-g) * (y * y) }
}

/// Rounding to an integral value: a step function, so dL/dx = 0 (PyTorch's
/// zeros, not NaN, even where dL/dy is infinite).
protocol RoundingUnary: UnaryFunction {
    static var kernels: (UnaryKernelF32, UnaryKernelF64) { get }
}
extension RoundingUnary {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.map(kernels.0, kernels.1) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try Tensor.zeros(like: g) }
}

/// x rounded to the nearest integer, halves to even (PyTorch's `round`).  dL/dx = 0.
enum Round: RoundingUnary { static let kernels: (UnaryKernelF32, UnaryKernelF64) = (ag_round_forward_f32, ag_round_forward_f64) }
/// ⌊x⌋.  dL/dx = 0.
enum Floor: RoundingUnary { static let kernels: (UnaryKernelF32, UnaryKernelF64) = (ag_floor_forward_f32, ag_floor_forward_f64) }
/// ⌈x⌉.  dL/dx = 0.
enum Ceil: RoundingUnary { static let kernels: (UnaryKernelF32, UnaryKernelF64) = (ag_ceil_forward_f32, ag_ceil_forward_f64) }

extension Tensor {
    /// This tensor, or for int64 and bool a float32 copy: the math functions
    /// promote integers to the default float type, as PyTorch does.
    func promotedToFloat() throws -> Tensor { dtype.isFloatingPoint ? self : try to(.float32) }

    /// Throws PyTorch's error for an op with no kernel for this (non-floating) dtype.
    func requireFloating(_ op: String, kernel: String) throws {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("\(op): \"\(kernel)\" not implemented for '\(dtype.scalarName)'")
        }
    }

    /// ln(1 + x), elementwise, accurate for small x.
    /// Backward: dL/dx = dL/dy / (1 + x).
    public func log1p() throws -> Tensor { try Log1p.apply(promotedToFloat()) }
    /// The error function, elementwise (PyTorch's `erf`).
    /// Backward: dL/dx = dL/dy · 2/√π · e^(−x²).
    public func erf() throws -> Tensor { try Erf.apply(promotedToFloat()) }
    /// e^x - 1, elementwise, accurate for small x.
    /// Backward: dL/dx = dL/dy * (y + 1).
    public func expm1() throws -> Tensor { try Expm1.apply(promotedToFloat()) }
    /// 1 / √x, elementwise.
    /// Backward: dL/dx = -½ dL/dy * y³.
    public func rsqrt() throws -> Tensor { try Rsqrt.apply(promotedToFloat()) }
    /// Sine, elementwise.
    /// Backward: dL/dx = dL/dy * cos x.
    public func sin() throws -> Tensor { try Sin.apply(promotedToFloat()) }
    /// Cosine, elementwise.
    /// Backward: dL/dx = -dL/dy * sin x.
    public func cos() throws -> Tensor { try Cos.apply(promotedToFloat()) }
    /// Tangent, elementwise.
    /// Backward: dL/dx = dL/dy * (1 + y²).
    public func tan() throws -> Tensor { try Tan.apply(promotedToFloat()) }
    /// 1 / x, elementwise.
    /// Backward: dL/dx = -dL/dy * y².
    public func reciprocal() throws -> Tensor { try Reciprocal.apply(promotedToFloat()) }
    /// x², elementwise.
    /// Backward: dL/dx = 2x dL/dy.
    /// int64 and bool square to int64, as in PyTorch.
    public func square() throws -> Tensor {
        if !dtype.isFloatingPoint { return try pow(2) }
        return try Square.apply(self)
    }
    /// Rounds to the nearest integer, halves to even (2.5 → 2, -0.5 → -0).
    /// Backward: dL/dx = 0. An int64 tensor is returned as a copy.
    public func round() throws -> Tensor { dtype.isIntegral ? try copied() : try Round.apply(checkedRounding("round")) }
    /// The largest integer ≤ x, elementwise.
    /// Backward: dL/dx = 0. An int64 tensor is returned as a copy.
    public func floor() throws -> Tensor { dtype.isIntegral ? try copied() : try Floor.apply(checkedRounding("floor")) }
    /// The smallest integer ≥ x, elementwise.
    /// Backward: dL/dx = 0. An int64 tensor is returned as a copy.
    public func ceil() throws -> Tensor { dtype.isIntegral ? try copied() : try Ceil.apply(checkedRounding("ceil")) }

    /// Self for a floating tensor; PyTorch's error for bool (its vectorised kernel's name).
    private func checkedRounding(_ op: String) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("\"\(op)_vml_cpu\" not implemented for '\(dtype.scalarName)'")
        }
        return self
    }
}
