import Autograd
import ExampleKernels

/// x³, from the PyTorch tutorial "Double Backward with Custom Functions": the
/// case of a backward that autograd cannot record. Its kernels are C
/// (cube.c), so backward calls another Function, `CubeBackward`, whose own
/// backward gives the second derivative: that is how C kernels are made
/// twice differentiable.
///
/// ```python
/// def cube_forward(x):
///     return x**3
/// def cube_backward(grad_out, x):
///     return grad_out * 3 * x**2
/// def cube_backward_backward(grad_out, sav_grad_out, x):
///     return grad_out * sav_grad_out * 6 * x
/// def cube_backward_backward_grad_out(grad_out, x):
///     return grad_out * 3 * x**2
///
/// class Cube(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, x):
///         ctx.save_for_backward(x)
///         return cube_forward(x)
///     @staticmethod
///     def backward(ctx, grad_out):
///         x, = ctx.saved_tensors
///         return CubeBackward.apply(grad_out, x)
/// ```
///
/// Backward: dL/dx = dL/dy · 3x², computed by `CubeBackward` (recorded when
/// `createGraph` is on).
public enum Cube: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        try x.checkFloatingPoint("Cube")
        ctx.saveForBackward(x)
        return try x.map(cube_forward_f32, cube_forward_f64)
    }

    public static func backward(_ ctx: Context, _ gradOut: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try CubeBackward.apply(gradOut, x)
    }
}
