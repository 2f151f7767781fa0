import Autograd
import ExampleKernels

/// x.mul_(factor) inside a custom Function: forward changes its input in
/// place and marks it dirty (the `mark_dirty` example of PyTorch's
/// "Extending torch.autograd" notes, with a factor instead of `+= 1` so that
/// the backward shows). The change is a C kernel (mul_inplace.c) run on the
/// tensor's own buffer through `withUnsafeMutableBufferPointer`, which bumps
/// the version counter as PyTorch's in-place ops do.
///
/// ```python
/// class MulInPlace(torch.autograd.Function):
///     @staticmethod
///     def forward(ctx, x, factor):
///         x.mul_(factor)
///         ctx.mark_dirty(x)
///         ctx.factor = factor
///         return x
///     @staticmethod
///     def backward(ctx, grad_output):
///         return grad_output * ctx.factor, None
/// ```
///
/// Backward: dL/dx = dL/dy · factor; the factor gets nil. The returned tensor
/// is `x` itself, whose history now ends at this node. As in PyTorch, `x`
/// must not be a leaf that requires grad (apply it to a copy of a leaf).
public enum MulInPlace: Function {
    public static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), factor = try args.double(1)
        try x.checkFloatingPoint("MulInPlace")
        let n = Int64(x.count)
        if x.dtype == .float32 {
            try x.withUnsafeMutableBufferPointer(as: Float.self) { mul_inplace_f32($0.baseAddress, Float(factor), n) }
        } else {
            try x.withUnsafeMutableBufferPointer(as: Double.self) { mul_inplace_f64($0.baseAddress, factor, n) }
        }
        ctx.markDirty(x)
        ctx.set("factor", factor)
        return x
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil] }
        return [try g * ctx.get("factor", as: Double.self), nil]
    }
}
