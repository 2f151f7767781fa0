import Autograd

/// eˣ, from the PyTorch tutorial "Double Backward with Custom Functions": the
/// case of saving an output. The saved result is this node's own output, so
/// under `createGraph` the backward's use of it is differentiated through
/// this node again: double backward works as written.
///
/// ```python
/// class Exp(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, x):
///         result = torch.exp(x)
///         ctx.save_for_backward(result)
///         return result
///     @staticmethod
///     def backward(ctx, grad_out):
///         result, = ctx.saved_tensors
///         return result * grad_out
/// ```
///
/// Backward: dL/dx = dL/dy · eˣ (read from the saved output).
public enum Exp: UnaryFunction {
    public static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        let result = try x.exp()
        ctx.saveForBackward(result)
        return result
    }

    public static func backward(_ ctx: Context, _ gradOut: Tensor) throws -> Tensor? {
        let result = try ctx.savedTensors[0]
        return try result * gradOut
    }
}
