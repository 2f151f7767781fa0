import Autograd
import ExampleKernels

/// The backward of `Cube` as a Function of its own, (grad_out, x) ↦
/// grad_out · 3x², so that the first derivative is recorded and can be
/// differentiated again (PyTorch tutorial "Double Backward with Custom
/// Functions"). Kernels: cube.c.
///
/// ```python
/// class CubeBackward(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, grad_out, x):
///         ctx.save_for_backward(x, grad_out)
///         return cube_backward(grad_out, x)
///     @staticmethod
///     def backward(ctx, grad_out):
///         x, sav_grad_out = ctx.saved_tensors
///         dx = cube_backward_backward(grad_out, sav_grad_out, x)
///         dgrad_out = cube_backward_backward_grad_out(grad_out, x)
///         return dgrad_out, dx
/// ```
///
/// With g the gradient of this node's output and s the saved grad_out:
/// dL/d(grad_out) = g · 3x², dL/dx = g · s · 6x. These are C and not
/// recorded, so a third derivative throws (`onceDifferentiable`).
public enum CubeBackward: BinaryFunction {
    public static func forward(_ ctx: Context, _ gradOut: Tensor, _ x: Tensor) throws -> Tensor {
        try x.checkFloatingPoint("CubeBackward")
        try x.checkSameLayout("CubeBackward", gradOut)
        ctx.saveForBackward(x, gradOut)
        return try x.zipMap(gradOut, cube_backward_f32, cube_backward_f64)
    }

    public static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        let saved = try ctx.savedTensors
        let (x, savedGradOut) = (saved[0], saved[1])
        let dx = try g.ternaryMap("CubeBackward", savedGradOut, x, cube_backward_backward_f32, cube_backward_backward_f64)
        let dGradOut = try x.zipMap(g, cube_backward_f32, cube_backward_f64)
        return (dGradOut, dx)
    }

    public static var onceDifferentiable: Bool { true }
}
