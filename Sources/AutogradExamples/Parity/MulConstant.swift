import Autograd

/// A tensor times a Double constant, from PyTorch's "Extending
/// torch.autograd" notes: the example of a non-tensor argument kept on ctx.
/// Written, as there, with library ops, so its backward is differentiable.
///
/// ```python
/// class MulConstant(Function):
///     @staticmethod
///     def forward(ctx, tensor, constant):
///         ctx.constant = constant          # a non-tensor: kept on ctx
///         return tensor * constant
///     @staticmethod
///     def backward(ctx, grad_output):
///         return grad_output * ctx.constant, None
/// ```
///
/// Backward: dL/dx = dL/dy · c; the constant gets nil.
public enum MulConstant: Function {
    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let tensor = try args.tensor(0), constant = try args.double(1)
        ctx.set("constant", constant)   // PyTorch: ctx.constant = constant
        return try tensor * constant
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil] }
        return [try g * ctx.get("constant", as: Double.self), nil]
    }
}
