import Autograd

/// x², from the PyTorch tutorial "Double Backward with Custom Functions":
/// the case of saving an input. Its backward is made of library ops, which
/// are recorded under `createGraph`, so double backward works as written.
///
/// ```python
/// class Square(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, x):
///         ctx.save_for_backward(x)
///         return x**2
///     @staticmethod
///     def backward(ctx, grad_out):
///         x, = ctx.saved_tensors
///         return grad_out * 2 * x
/// ```
///
/// Backward: dL/dx = dL/dy · 2x. Second order: d(dL/dx)/dx = 2·dL/dy, and
/// d(dL/dx)/d(dL/dy) = 2x.
public enum Square: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        ctx.saveForBackward(x)
        return try x.pow(2)
    }

    public static func backward(_ ctx: Context, _ gradOut: Tensor) throws -> Tensor? {
        let x = try ctx.savedTensors[0]
        return try gradOut * 2 * x
    }
}
