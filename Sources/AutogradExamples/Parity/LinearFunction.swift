import Autograd

/// A fully connected layer, y = x·Wᵀ + b, from PyTorch's "Extending
/// torch.autograd" notes: the example of an optional tensor argument and of
/// `needs_input_grad`. Written, as there, with library ops, so its backward
/// is differentiable.
///
/// ```python
/// class LinearFunction(Function):
///     @staticmethod
///     def forward(ctx, input, weight, bias=None):
///         ctx.save_for_backward(input, weight, bias)
///         output = input.mm(weight.t())
///         if bias is not None:
///             output += bias.unsqueeze(0).expand_as(output)
///         return output
///     @staticmethod
///     def backward(ctx, grad_output):
///         input, weight, bias = ctx.saved_tensors
///         grad_input = grad_weight = grad_bias = None
///         if ctx.needs_input_grad[0]:
///             grad_input = grad_output.mm(weight)
///         if ctx.needs_input_grad[1]:
///             grad_weight = grad_output.t().mm(input)
///         if bias is not None and ctx.needs_input_grad[2]:
///             grad_bias = grad_output.sum(0)
///         return grad_input, grad_weight, grad_bias
/// ```
///
/// Shapes: input [N, in], weight [out, in], bias [out] or nil → [N, out].
/// Backward, each computed only when `needsInputGrad` says it is wanted:
/// dL/dinput = dL/dy · W, dL/dW = (dL/dy)ᵀ · input, dL/db = Σₙ dL/dy.
///
/// Pass the bias as a `Tensor?`: `LinearFunction.apply(x, w, bias)` with
/// `bias: Tensor?` nil or not. Swift's `saveForBackward` takes tensors only,
/// so whether there is a bias is kept with `ctx.set` instead of saving None.
public enum LinearFunction: Function {
    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let input = try args.tensor(0), weight = try args.tensor(1), bias = try args.optionalTensor(2)
        ctx.saveForBackward(input, weight)
        ctx.set("hasBias", bias != nil)
        let output = try input.mm(weight.t())
        guard let bias else { return output }
        return try output + bias   // broadcasts [out] over the rows: bias.unsqueeze(0).expand_as(output)
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let gradOutput = gradOutputs[0] else { return [nil, nil, nil] }
        let saved = try ctx.savedTensors
        let (input, weight) = (saved[0], saved[1])
        var gradInput: Tensor? = nil, gradWeight: Tensor? = nil, gradBias: Tensor? = nil
        if ctx.needsInputGrad[0] { gradInput = try gradOutput.mm(weight) }
        if ctx.needsInputGrad[1] { gradWeight = try gradOutput.t().mm(input) }
        if try ctx.get("hasBias", as: Bool.self), ctx.needsInputGrad[2] { gradBias = try gradOutput.sum(dim: 0) }
        return [gradInput, gradWeight, gradBias]
    }
}
