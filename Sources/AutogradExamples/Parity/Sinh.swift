import Autograd

/// sinh x = (eˣ − e⁻ˣ)/2, from the PyTorch tutorial "Double Backward with
/// Custom Functions": the case of saving intermediate results. eˣ and e⁻ˣ are
/// made inside forward, which is not recorded, so saving them as they are
/// would give a backward that cannot be differentiated again. The trick:
/// return them as extra outputs, so that they become outputs of this node,
/// and accumulate their gradients in backward.
///
/// ```python
/// class Sinh(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, x):
///         expx = torch.exp(x)
///         expnegx = torch.exp(-x)
///         ctx.save_for_backward(expx, expnegx)
///         return (expx - expnegx) / 2, expx, expnegx
///     @staticmethod
///     def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
///         expx, expnegx = ctx.saved_tensors
///         grad_input = grad_out * (expx + expnegx) / 2
///         grad_input += _grad_out_exp * expx
///         grad_input -= _grad_out_negexp * expnegx
///         return grad_input
///
/// def sinh(x):
///     return Sinh.apply(x)[0]
/// ```
///
/// Backward, with g, gₑ, gₙ the gradients of the three outputs:
/// dL/dx = g · (eˣ + e⁻ˣ)/2 + gₑ · eˣ − gₙ · e⁻ˣ.
public enum Sinh: Function {
    public typealias Output = [Tensor]

    /// The first output only: the tutorial's `sinh(x)` wrapper.
    public static func sinh(_ x: Tensor) throws -> Tensor { try apply(x)[0] }

    public static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        let expx = try x.exp()
        let expnegx = try (-x).exp()
        ctx.saveForBackward(expx, expnegx)
        return [try (expx - expnegx) / 2, expx, expnegx]
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors
        let (expx, expnegx) = (saved[0], saved[1])
        // Gradients arrive materialised (zeros for an unused output) unless
        // setMaterializeGrads(false); nil is handled all the same.
        var gradInput: Tensor? = nil
        func accumulate(_ term: Tensor) throws { gradInput = try gradInput.map { try $0 + term } ?? term }
        if let g = gradOutputs[0] { try accumulate(g * (expx + expnegx) / 2) }
        // Not skipped although sinh(x) ignores these outputs: the second
        // backward needs them.
        if let g = gradOutputs[1] { try accumulate(g * expx) }
        if let g = gradOutputs[2] { try accumulate(-(g * expnegx)) }
        return [gradInput]
    }
}
