import Autograd
import ExampleKernels

/// Sorts a 1-D tensor and returns the values and the int64 indices they came
/// from, the indices marked non-differentiable: the example of
/// `mark_non_differentiable` in PyTorch's Function docs. Its kernels are a
/// small C sort of its own (sort1d.c), not the library's `sort`.
///
/// ```python
/// class Func(Function):
///     @staticmethod
///     def forward(ctx, x):
///         sorted, idx = x.sort()
///         ctx.mark_non_differentiable(idx)
///         ctx.save_for_backward(x, idx)
///         return sorted, idx
///     @staticmethod
///     @once_differentiable
///     def backward(ctx, g1, g2):  # still need to accept g2
///         x, idx = ctx.saved_tensors
///         grad_input = torch.zeros_like(x)
///         grad_input.index_add_(0, idx, g1)
///         return grad_input
/// ```
///
/// Backward: dL/dx[idx[i]] = dL/dvalues[i] (a scatter through the saved
/// indices); the indices' gradient slot arrives (as zeros, or nil) and is
/// ignored. `@once_differentiable` becomes `onceDifferentiable`.
public enum SortWithIndices: Function {
    public typealias Output = [Tensor]

    /// (values, indices), as `torch.sort` returns them.
    public static func sort(_ x: Tensor) throws -> (values: Tensor, indices: Tensor) {
        let out = try apply(x)
        return (out[0], out[1])
    }

    public static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        try x.checkFloatingPoint("SortWithIndices")
        guard x.rank == 1 else {
            throw AutogradError.invalidArgument("SortWithIndices: expected a 1-D tensor, got shape \(x.shape)")
        }
        let values = try Tensor.empty(like: x)
        let indices = try Tensor.empty(x.shape, dtype: .int64)
        let n = Int64(x.count)
        try indices.withUnsafeMutableBufferPointer(as: Int64.self) { idx in
            if x.dtype == .float32 {
                try x.withUnsafeBufferPointer(as: Float.self) { px in
                    try values.withUnsafeMutableBufferPointer(as: Float.self) { pv in
                        sort1d_forward_f32(px.baseAddress, pv.baseAddress, idx.baseAddress, n)
                    }
                }
            } else {
                try x.withUnsafeBufferPointer(as: Double.self) { px in
                    try values.withUnsafeMutableBufferPointer(as: Double.self) { pv in
                        sort1d_forward_f64(px.baseAddress, pv.baseAddress, idx.baseAddress, n)
                    }
                }
            }
        }
        ctx.markNonDifferentiable(indices)
        ctx.saveForBackward(x, indices)
        return [values, indices]
    }

    public static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        // gradOutputs[1], the indices' slot, is there but carries nothing.
        guard let g1 = gradOutputs[0] else { return [nil] }
        let saved = try ctx.savedTensors
        let (x, indices) = (saved[0], saved[1])
        let gradInput = try Tensor.empty(like: x)
        let n = Int64(x.count)
        try indices.withUnsafeBufferPointer(as: Int64.self) { idx in
            if x.dtype == .float32 {
                try g1.withUnsafeBufferPointer(as: Float.self) { pg in
                    try gradInput.withUnsafeMutableBufferPointer(as: Float.self) { pd in
                        sort1d_backward_f32(idx.baseAddress, pg.baseAddress, pd.baseAddress, n)
                    }
                }
            } else {
                try g1.withUnsafeBufferPointer(as: Double.self) { pg in
                    try gradInput.withUnsafeMutableBufferPointer(as: Double.self) { pd in
                        sort1d_backward_f64(idx.baseAddress, pg.baseAddress, pd.baseAddress, n)
                    }
                }
            }
        }
        return [gradInput]
    }

    /// PyTorch's `@once_differentiable`: the backward is C, not recorded.
    public static var onceDifferentiable: Bool { true }
}
