import Autograd
import ExampleKernels

/// The Legendre polynomial of degree three, P3(x) = ½(5x³ − 3x), from the
/// PyTorch tutorial "polynomial_custom_function", with C kernels
/// (legendre_polynomial3.c).
///
/// ```python
/// class LegendrePolynomial3(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, input):
///         ctx.save_for_backward(input)
///         return 0.5 * (5 * input ** 3 - 3 * input)
///     @staticmethod
///     def backward(ctx, grad_output):
///         input, = ctx.saved_tensors
///         return grad_output * 1.5 * (5 * input ** 2 - 1)
/// ```
///
/// Backward: dL/dx = dL/dy · P3′(x) = dL/dy · 1.5 · (5x² − 1).
public enum LegendrePolynomial3: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        try x.checkFloatingPoint("LegendrePolynomial3")
        ctx.saveForBackward(x)
        return try x.map(legendre_polynomial3_forward_f32, legendre_polynomial3_forward_f64)
    }

    public static func backward(_ ctx: Context, _ dLdy: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try x.zipMap(dLdy, legendre_polynomial3_backward_f32, legendre_polynomial3_backward_f64)
    }

    /// The backward is C, which is not recorded: differentiating it again
    /// throws instead of silently giving zero (the Python original's backward
    /// is made of torch ops, so there it is twice differentiable).
    public static var onceDifferentiable: Bool { true }
}
