import AutogradKernels

// Joining and splitting along a dimension: cat, stack, split, chunk. Every
// result is a copy (tensors are contiguous), made by the strided copy kernel.

extension Tensor {
    /// PyTorch skips 1-D empty tensors (shape [0]) in cat, whatever the others' shapes.
    var isSkippedByCat: Bool { shape == [0] }
}

/// Concatenation along a dimension. The tensors are separate arguments (a
/// Function does not track tensors inside arrays), followed by the dim:
/// `Cat.apply(arguments: tensors.map(Argument.tensor) + [.int(dim)])`.
/// Inputs are validated by `Tensor.cat`.
///
/// dL/dx_i = the block of dL/dy that x_i filled: dL/dy.narrow(dim, offset_i, size_i).
enum Cat: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let n = args.count - 1
        let xs = try (0..<n).map { try args.tensor($0) }
        let dim = try args.int(n)
        ctx.set("dim", dim)
        guard let first = xs.first(where: { !$0.isSkippedByCat }) else {
            return try Tensor(uninitializedShape: [0], dtype: xs.first?.dtype ?? .float32)
        }
        let sizes = xs.map { $0.isSkippedByCat ? 0 : $0.shape[dim] }
        var shape = first.shape
        shape[dim] = sizes.reduce(0, +)
        let y = try Tensor(uninitializedShape: shape, dtype: first.dtype)
        let outer = Shape.count(Array(shape[..<dim])), inner = Shape.count(Array(shape[(dim + 1)...]))
        var offset = 0
        for (x, size) in zip(xs, sizes) where size > 0 {
            // x is [outer, size*inner]; it lands in columns offset*inner ..< (offset+size)*inner of y.
            let walk = StridedWalk(shape: [outer, size * inner], srcStrides: [size * inner, 1],
                                   dstOffset: offset * inner, dstStrides: [shape[dim] * inner, 1])
            try Tensor.stridedCopy(x, into: y, walk, "cat")
            offset += size
        }
        return y
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!
        let dim = try ctx.get("dim", as: Int.self)
        let n = ctx.inputs.count - 1
        var grads = [Tensor?](repeating: nil, count: n + 1)
        var offset = 0
        for i in 0..<n {
            let shape = ctx.inputs[i].shape!
            if shape == [0] {
                if ctx.needsInputGrad[i] { grads[i] = try Tensor.filled([0], 0, dtype: g.dtype) }
                continue
            }
            if ctx.needsInputGrad[i] { grads[i] = try g.narrow(dim: dim, start: offset, length: shape[dim]) }
            offset += shape[dim]
        }
        return grads
    }
}

/// Splits x along `dim` into consecutive pieces of the given sizes (views).
/// dL/dx = the pieces' gradients concatenated along dim (zeros for a piece that got none).
enum SplitWithSizes: SplitFunction {}
/// `split` with one piece size: SplitWithSizes under PyTorch's other node name.
enum Split: SplitFunction {}

protocol SplitFunction: Function where Output == [Tensor] {}

extension SplitFunction {
    static var _layout: _FunctionLayout { .multiView }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0), sizes = try args.ints(1), dim = try args.int(2)
        ctx.set("sizes", sizes)
        ctx.set("dim", dim)
        var start = 0
        let whole = x.geometry
        return sizes.map { size in
            defer { start += size }
            return x.window(whole.sliced(dim, start: start, length: size))
        }
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let sizes = try ctx.get("sizes", as: [Int].self), dim = try ctx.get("dim", as: Int.self)
        let x = ctx.inputs[0]
        let pieces = try sizes.enumerated().map { i, size -> Tensor in
            if let g = gradOutputs[i] { return g }
            var s = x.shape!
            s[dim] = size
            return try Tensor.filled(s, 0, dtype: x.dtype)
        }
        return [try Tensor.cat(pieces, dim: dim), nil, nil]
    }
}

extension Tensor {
    /// Concatenates `tensors` along `dim` (PyTorch's `torch.cat`). All must
    /// have the same shape except in `dim`; 1-D empty tensors are skipped.
    /// Mixed dtypes are promoted as `torch.promote_types` (float64 > float32 >
    /// the half types > the integers by width > bool).
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard !tensors.isEmpty else {
            throw AutogradError.invalidArgument("torch.cat(): expected a non-empty list of Tensors")
        }
        for (i, t) in tensors.enumerated() where t.rank == 0 {
            throw AutogradError.invalidArgument("zero-dimensional tensor (at position \(i)) cannot be concatenated")
        }
        let dtype = tensors.dropFirst().reduce(tensors[0].dtype) { DType.promote($0, $1.dtype) }
        let xs = try tensors.map { try $0.to(dtype) }
        guard let refIndex = xs.firstIndex(where: { !$0.isSkippedByCat }) else {
            return try Cat.apply(arguments: xs.map(Argument.tensor) + [.int(0)])
        }
        let ref = xs[refIndex]
        let d = try ref.normalizedDim(dim, "cat")
        for (i, t) in xs.enumerated() where !t.isSkippedByCat {
            guard t.rank == ref.rank else {
                throw AutogradError.invalidArgument(
                    "Tensors must have same number of dimensions: got \(ref.rank) and \(t.rank)")
            }
            for k in 0..<ref.rank where k != d && t.shape[k] != ref.shape[k] {
                throw AutogradError.invalidArgument(
                    "Sizes of tensors must match except in dimension \(d). Expected size \(ref.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list.")
            }
        }
        return try Cat.apply(arguments: xs.map(Argument.tensor) + [.int(d)])
    }

    /// Stacks same-shaped `tensors` along a new dimension `dim` (PyTorch's
    /// `torch.stack`): `cat` of each unsqueezed at `dim`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw AutogradError.invalidArgument("stack expects a non-empty TensorList")
        }
        let d = try first.normalizedDim(dim, "stack", rank: first.rank + 1)
        for (i, t) in tensors.enumerated() where t.shape != first.shape {
            throw AutogradError.invalidArgument(
                "stack expects each tensor to be equal size, but got \(Shape.list(first.shape)) at entry 0 and \(Shape.list(t.shape)) at entry \(i)")
        }
        return try cat(tensors.map { try $0.unsqueeze(dim: d) }, dim: d)
    }

    /// Splits along `dim` into pieces of `splitSize` (the last may be smaller).
    public func split(_ splitSize: Int, dim: Int = 0) throws -> [Tensor] {
        let d = try dimForSplitting(dim, "split")
        let size = shape[d]
        guard splitSize >= 0 else {
            throw AutogradError.invalidArgument("split expects split_size be non-negative, but got split_size=\(splitSize)")
        }
        guard splitSize > 0 || size == 0 else {
            throw AutogradError.invalidArgument(
                "split_size can only be 0 if dimension size is 0, but got dimension size of \(size)")
        }
        let pieces = Swift.max(splitSize == 0 ? 1 : Shape.ceilDiv(size, splitSize), 1)
        let sizes = (0..<pieces).map { Swift.min(splitSize, size - $0 * splitSize) }
        return try Split.apply(self, sizes, d)
    }

    /// Splits along `dim` into consecutive pieces of the given sizes, which must sum to the dim's size.
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        let d = try dimForSplitting(dim, "split_with_sizes")
        guard sizes.allSatisfy({ $0 >= 0 }) else {
            throw AutogradError.invalidArgument(
                "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=\(Shape.list(sizes))")
        }
        guard Shape.checkedSum(sizes) == shape[d] else {
            throw AutogradError.invalidArgument(
                "split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at dimension \(d)), but got split_sizes=\(Shape.list(sizes))")
        }
        return try SplitWithSizes.apply(self, sizes, d)
    }

    /// Splits along `dim` into `chunks` pieces of ceil(size / chunks) (PyTorch's
    /// `chunk`: fewer pieces when the sizes do not come out even).
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        guard chunks > 0 else {
            throw AutogradError.invalidArgument("chunk expects `chunks` to be greater than 0, got: \(chunks)")
        }
        let d = try dimForSplitting(dim, "chunk")
        if shape[d] == 0 { return try split(sizes: [Int](repeating: 0, count: chunks), dim: d) }
        return try split(Shape.ceilDiv(shape[d], chunks), dim: d)
    }

    private func dimForSplitting(_ dim: Int, _ op: String) throws -> Int {
        guard rank > 0 else {
            throw AutogradError.invalidArgument("\(op) expects at least a 1-dimensional tensor")
        }
        return try normalizedDim(dim, op)
    }
}
