import Autograd
import ExampleKernels

/// The ReLU of the PyTorch tutorial "Learning PyTorch with Examples"
/// ("Defining new autograd functions"), with C kernels (my_relu.c).
///
/// ```python
/// class MyReLU(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, input):
///         ctx.save_for_backward(input)
///         return input.clamp(min=0)
///     @staticmethod
///     def backward(ctx, grad_output):
///         input, = ctx.saved_tensors
///         grad_input = grad_output.clone()
///         grad_input[input < 0] = 0
///         return grad_input
/// ```
///
/// Backward: dL/dx = dL/dy where x ≥ 0, 0 where x < 0 (at exactly 0 the
/// gradient passes, as in the tutorial).
public enum MyReLU: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        try x.checkFloatingPoint("MyReLU")
        ctx.saveForBackward(x)
        return try x.map(my_relu_forward_f32, my_relu_forward_f64)
    }

    public static func backward(_ ctx: Context, _ dLdy: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try x.zipMap(dLdy, my_relu_backward_f32, my_relu_backward_f64)
    }

    /// The backward is C, which is not recorded: differentiating it again throws.
    public static var onceDifferentiable: Bool { true }
}
