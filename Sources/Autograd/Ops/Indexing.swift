import AutogradKernels

// Slicing and indexing: x[i], slice, narrow, indexSelect, gather, scatterAdd,
// indexAdd, maskedFill. Index tensors are int64; every index is checked before
// a kernel runs (kernels never read out of bounds). x[i], slice and narrow
// are views (Views.swift); the index ops copy, as in PyTorch.

extension Tensor {
    /// Throws PyTorch's message for the first entry of an int64 `index` outside [0, size).
    static func checkIndex(_ index: Tensor, size: Int, dim: Int) throws {
        let index = try index.contiguousData  // a strided index is checked element by element, as the kernels read it
        let bad = ag_index_check(index.pointer(Int64.self), Int64(index.count), Int64(size))
        if bad >= 0 {
            throw AutogradError.invalidArgument(
                "index \(index.pointer(Int64.self)[Int(bad)]) is out of bounds for dimension \(dim) with size \(size)")
        }
    }

    /// The [outer, shape[dim], inner] view of a contiguous shape.
    static func outerInner(_ shape: [Int], _ dim: Int) -> (outer: Int, inner: Int) {
        (Shape.count(Array(shape[..<dim])), Shape.count(Array(shape[(dim + 1)...])))
    }
}

/// Zeros of `shape` with `src` written at start, start+step, ... along `dim`:
/// the backward of `Slice` (PyTorch's `slice_scatter` into zeros).
/// dL/dsrc = dL/dy sliced the same way.
enum SliceScatter: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let src = try args.tensor(0), shape = try args.ints(1)
        let dim = try args.int(2), start = try args.int(3), step = try args.int(4)
        ctx.set("slice", [dim, start, src.shape[dim], step])
        let y = try Tensor.filled(shape, 0, dtype: src.dtype)
        var dst = Shape.strides(shape)
        let offset = start * dst[dim]
        dst[dim] *= step
        let walk = StridedWalk(shape: src.shape, srcStrides: Shape.strides(src.shape), dstOffset: offset, dstStrides: dst)
        try Tensor.stridedCopy(src, into: y, walk, "slice_scatter")
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let s = try ctx.get("slice", as: [Int].self)
        return [try SliceOp.apply(gradOutputs[0]!, s[0], s[1], s[2], s[3]), nil, nil, nil, nil]
    }
}

/// y[o, j, i] = x[o, index[j], i] over the [outer, dim, inner] view.
/// dL/dx = zeros of x's shape with dL/dy index-added along dim: dL/dx[o, index[j], i] += dL/dy[o, j, i].
enum IndexSelect: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1), index = try args.tensor(2)
        ctx.set("dim", dim)
        ctx.saveForBackward(index)
        var shape = x.shape
        shape[dim] = index.count
        let y = try Tensor(uninitializedShape: shape, dtype: x.dtype)
        let (outer, inner) = Tensor.outerInner(x.shape, dim)
        let n = Int64(index.count), size = Int64(x.shape[dim])
        let idx = index.pointer(Int64.self)
        switch x.dtype {
        case .float32: ag_index_select_f32(x.pointer(Float.self), idx, n, y.pointer(Float.self), Int64(outer), size, Int64(inner))
        case .float64: ag_index_select_f64(x.pointer(Double.self), idx, n, y.pointer(Double.self), Int64(outer), size, Int64(inner))
        case .int64: ag_index_select_i64(x.pointer(Int64.self), idx, n, y.pointer(Int64.self), Int64(outer), size, Int64(inner))
        case .bool: ag_index_select_b8(x.pointer(Bool.self), idx, n, y.pointer(Bool.self), Int64(outer), size, Int64(inner))
        default: preconditionFailure("\(x.dtype) reaches kernels widened (_StorageTypes)")
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!, dim = try ctx.get("dim", as: Int.self), index = try ctx.savedTensors[0]
        let zeros = try Tensor.filled(ctx.inputs[0].shape!, 0, dtype: g.dtype)
        return [try IndexAdd.apply(zeros, dim, index, g, 1.0), nil, nil]
    }
}

/// y = x with y[o, index[j], i] += alpha * source[o, j, i] (PyTorch's out-of-place `index_add`).
/// dL/dx = dL/dy;  dL/dsource = alpha * dL/dy.indexSelect(dim, index).
enum IndexAdd: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1), index = try args.tensor(2)
        let source = try args.tensor(3), alpha = try args.double(4)
        ctx.set("dim", dim)
        ctx.set("alpha", alpha)
        ctx.saveForBackward(index)
        let y = try x.copied()
        let (outer, inner) = Tensor.outerInner(x.shape, dim)
        let n = Int64(index.count), size = Int64(x.shape[dim])
        if x.dtype == .float32 {
            ag_index_add_f32(y.pointer(Float.self), index.pointer(Int64.self), n, source.pointer(Float.self), alpha, Int64(outer), size, Int64(inner))
        } else {
            ag_index_add_f64(y.pointer(Double.self), index.pointer(Int64.self), n, source.pointer(Double.self), alpha, Int64(outer), size, Int64(inner))
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!
        var gs: Tensor? = nil
        if ctx.needsInputGrad[3] {
            let dim = try ctx.get("dim", as: Int.self), alpha = try ctx.get("alpha", as: Double.self)
            gs = try IndexSelect.apply(g, dim, try ctx.savedTensors[0])
            if alpha != 1 { gs = try gs! * alpha }
        }
        return [ctx.needsInputGrad[0] ? g : nil, nil, nil, gs, nil]
    }
}

/// The walk of gather / scatter-add: the index tensor's shape, with the
/// indexed tensor's strides (0 along dim) on one side and `other`'s on the other.
private func indexWalk(index: Tensor, indexed: [Int], dim: Int, other: [Int], indexedIsSource: Bool) -> (StridedWalk, Int) {
    var s = Shape.strides(indexed)
    let dimStride = s[dim]
    s[dim] = 0
    let o = Shape.strides(other)
    let walk = indexedIsSource
        ? StridedWalk(shape: index.shape, srcStrides: s, dstStrides: o)
        : StridedWalk(shape: index.shape, srcStrides: o, dstStrides: s)
    return (walk, dimStride)
}

/// y[p] = x[p with its dim coordinate replaced by index[p]]; y has index's shape.
/// dL/dx = zeros of x's shape with dL/dy scatter-added: dL/dx[p with dim = index[p]] += dL/dy[p].
enum Gather: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1), index = try args.tensor(2)
        ctx.set("dim", dim)
        ctx.saveForBackward(index)
        let y = try Tensor(uninitializedShape: index.shape, dtype: x.dtype)
        if index.count == 0 { return y }
        let (walk, dimStride) = indexWalk(index: index, indexed: x.shape, dim: dim, other: index.shape, indexedIsSource: true)
        var d = try walk.descriptor("gather")
        let (i, s) = (index.pointer(Int64.self), Int64(dimStride))
        switch x.dtype {
        case .float32: ag_gather_f32(x.pointer(Float.self), i, y.pointer(Float.self), s, &d)
        case .float64: ag_gather_f64(x.pointer(Double.self), i, y.pointer(Double.self), s, &d)
        case .int64: ag_gather_i64(x.pointer(Int64.self), i, y.pointer(Int64.self), s, &d)
        case .bool: ag_gather_b8(x.pointer(Bool.self), i, y.pointer(Bool.self), s, &d)
        default: preconditionFailure("\(x.dtype) reaches kernels widened (_StorageTypes)")
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!, dim = try ctx.get("dim", as: Int.self), index = try ctx.savedTensors[0]
        let zeros = try Tensor.filled(ctx.inputs[0].shape!, 0, dtype: g.dtype)
        return [try ScatterAdd.apply(zeros, dim, index, g), nil, nil]
    }
}

/// y = x with y[p with dim = index[p]] += src[p] for every p of index's shape
/// (PyTorch's out-of-place `scatter_add`).
/// dL/dx = dL/dy;  dL/dsrc = dL/dy.gather(dim, index), zero-padded to src's
/// shape where src is larger than index (PyTorch raises there instead).
enum ScatterAdd: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1), index = try args.tensor(2), src = try args.tensor(3)
        ctx.set("dim", dim)
        ctx.saveForBackward(index)
        let y = try x.copied()
        if index.count == 0 { return y }
        let (walk, dimStride) = indexWalk(index: index, indexed: x.shape, dim: dim, other: src.shape, indexedIsSource: false)
        var d = try walk.descriptor("scatter_add")
        if x.dtype == .float32 {
            ag_scatter_add_f32(y.pointer(Float.self), index.pointer(Int64.self), src.pointer(Float.self), Int64(dimStride), &d)
        } else {
            ag_scatter_add_f64(y.pointer(Double.self), index.pointer(Int64.self), src.pointer(Double.self), Int64(dimStride), &d)
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!
        var gs: Tensor? = nil
        if ctx.needsInputGrad[3] {
            let dim = try ctx.get("dim", as: Int.self), index = try ctx.savedTensors[0]
            gs = try Gather.apply(g, dim, index)
            for (k, size) in ctx.inputs[3].shape!.enumerated() where size != gs!.shape[k] {
                var shape = gs!.shape
                shape[k] = size
                gs = try SliceScatter.apply(gs!, shape, k, 0, 1)
            }
        }
        return [ctx.needsInputGrad[0] ? g : nil, nil, nil, gs]
    }
}

/// y = mask ? value : x, with x and mask broadcast together.
/// dL/dx = dL/dy where the mask is false, 0 where it is true (summed down to x's shape).
enum MaskedFill: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), mask = try args.tensor(1), value = try args.double(2)
        ctx.saveForBackward(mask)
        guard let shape = Shape.broadcast(x.shape, mask.shape) else {
            throw Shape.broadcastError("masked_fill", mask.shape, x.shape)
        }
        let y = try Tensor(uninitializedShape: shape, dtype: x.dtype)
        var bc = try Shape.descriptor(out: shape, a: x.shape, b: mask.shape)
        if x.dtype == .float32 {
            ag_masked_fill_f32(x.pointer(Float.self), mask.pointer(Bool.self), value, y.pointer(Float.self), &bc)
        } else {
            ag_masked_fill_f64(x.pointer(Double.self), mask.pointer(Bool.self), value, y.pointer(Double.self), &bc)
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try MaskedFill.apply(gradOutputs[0]!, try ctx.savedTensors[0], 0.0), nil, nil]
    }
}

extension Tensor {
    /// Python's `x[start:end:step]` along `dim` (PyTorch's `x[:, 1:5:2]` for dim 1):
    /// negative bounds count from the end, out-of-range bounds are clamped, an
    /// empty range gives size 0; `step` must be positive. A view.
    /// dL/dx = zeros with dL/dy written into the sliced positions.
    public func slice(dim: Int = 0, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        guard rank > 0 else {
            throw AutogradError.invalidArgument("slice() cannot be applied to a 0-dim tensor.")
        }
        let d = try normalizedDim(dim, "slice")
        guard step != 0 else { throw AutogradError.invalidArgument("slice step cannot be zero") }
        guard step > 0 else { throw AutogradError.invalidArgument("step must be greater than zero") }
        let size = shape[d]
        func clamped(_ v: Int?, _ otherwise: Int) -> Int {
            guard let v else { return otherwise }
            return Swift.min(Swift.max(v < 0 ? v + size : v, 0), size)
        }
        let s = clamped(start, 0), e = clamped(end, size)
        let length = e > s ? (e - s - 1) / step + 1 : 0
        return try SliceOp.apply(self, d, s, length, step)
    }

    /// `length` elements from `start` along `dim` (PyTorch's `narrow`; a
    /// negative `start` counts from the end). A view.
    /// dL/dx = zeros with dL/dy written at start ..< start+length.
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        guard rank > 0 else { throw AutogradError.invalidArgument("narrow() cannot be applied to a 0-dim tensor.") }
        let d = try normalizedDim(dim, "narrow")
        let size = shape[d]
        guard start >= -size && start <= size else {
            throw AutogradError.invalidArgument(
                "start out of range (expected to be in range of [\(-size), \(size)], but got \(start))")
        }
        guard length >= 0 else { throw AutogradError.invalidArgument("narrow(): length must be non-negative.") }
        let s = start < 0 ? start + size : start
        guard length <= size - s else {
            throw AutogradError.invalidArgument("start (\(s)) + length (\(length)) exceeds dimension size (\(size)).")
        }
        return try SliceOp.apply(self, d, s, length, 1)
    }

    /// The entries `index[0], index[1], ...` of dimension `dim` (PyTorch's
    /// `index_select`); `index` is a 1-D int64 tensor with entries in 0 ..< shape[dim].
    /// dL/dx[..., index[j], ...] += dL/dy[..., j, ...].
    /// Works on every dtype (int64 labels too); only floating tensors get gradients.
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        let d = try indexedDim(dim, "index_select", index, anyDType: true)
        guard index.rank <= 1 else {
            throw AutogradError.invalidArgument("index_select(): Index is supposed to be a vector")
        }
        try Tensor.checkIndex(index, size: shape[d], dim: d)
        return try IndexSelect.apply(self, d, index)
    }

    /// out[p] = self[p with its `dim` coordinate replaced by index[p]] (PyTorch's
    /// `gather`); `index` has this tensor's rank and is no larger apart from `dim`.
    /// dL/dx[p with dim = index[p]] += dL/dy[p].
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        let d = try indexedDim(dim, "gather", index, anyDType: true)
        guard index.rank == rank else {
            throw AutogradError.invalidArgument("Index tensor must have the same number of dimensions as input tensor")
        }
        for k in 0..<rank where k != d && index.shape[k] > shape[k] {
            throw AutogradError.invalidArgument(
                "Size does not match at dimension \(k) expected index \(Shape.list(index.shape)) to be no larger than self \(Shape.list(shape)) apart from dimension \(d)")
        }
        try Tensor.checkIndex(index, size: shape[d], dim: d)
        return try Gather.apply(self, d, index)
    }

    /// A copy with out[p with dim = index[p]] += src[p] for every p of index's
    /// shape (PyTorch's out-of-place `scatter_add`).
    /// dL/dself = dL/dy;  dL/dsrc[p] = dL/dy[p with dim = index[p]] (0 outside index's shape).
    public func scatterAdd(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let d = try indexedDim(dim, "scatter_add", index)
        guard src.dtype == dtype else {
            throw AutogradError.invalidArgument("scatter(): Expected self.dtype to be equal to src.dtype")
        }
        guard index.rank == rank else {
            throw AutogradError.invalidArgument("Index tensor must have the same number of dimensions as self tensor")
        }
        guard src.rank == rank else {
            throw AutogradError.invalidArgument("Index tensor must have the same number of dimensions as src tensor")
        }
        for k in 0..<rank where index.shape[k] > src.shape[k] || (k != d && index.shape[k] > shape[k]) {
            throw AutogradError.invalidArgument(
                "Expected index \(Shape.list(index.shape)) to be no larger than self \(Shape.list(shape)) apart from dimension \(d) and to be no larger size than src \(Shape.list(src.shape))")
        }
        try Tensor.checkIndex(index, size: shape[d], dim: d)
        return try ScatterAdd.apply(self, d, index, src)
    }

    /// A copy with out[..., index[j], ...] += alpha * source[..., j, ...] along
    /// `dim` (PyTorch's out-of-place `index_add`).
    /// dL/dself = dL/dy;  dL/dsource = alpha * dL/dy.indexSelect(dim, index).
    public func indexAdd(dim: Int, index: Tensor, source: Tensor, alpha: Double = 1) throws -> Tensor {
        try requireFloating("index_add")
        let d = try checkIndexAlongDim(dim, index, source, "index_add_")
        return try IndexAdd.apply(self, d, index, source, alpha)
    }

    /// `value` where `mask` is true, this tensor's element elsewhere; `mask` is
    /// a bool tensor that broadcasts with this one (PyTorch's `masked_fill`).
    /// Any dtype; only floating tensors get gradients.
    /// dL/dx = dL/dy where the mask is false, 0 where it is true.
    public func maskedFill(mask: Tensor, value: Double) throws -> Tensor {
        guard mask.dtype == .bool else {
            throw AutogradError.invalidArgument(
                "masked_fill_ only supports boolean masks, but got mask with dtype \(mask.dtype.scalarName.lowercased())")
        }
        guard let shape = Shape.broadcast(self.shape, mask.shape) else {
            throw Shape.broadcastError("masked_fill", mask.shape, self.shape)
        }
        try Shape.validate(shape, "masked_fill", dtype: dtype)
        guard shape.count <= Int(AG_MAX_DIMS) else {
            throw AutogradError.invalidArgument("masked_fill: at most \(AG_MAX_DIMS) dimensions are supported, got \(Shape.list(shape))")
        }
        guard dtype.isFloatingPoint else {
            // Integer and bool tensors (no gradient): a filled copy.
            let y = try expand(to: shape).copied()
            return try y.maskedFill_(mask: mask, value: value)
        }
        return try MaskedFill.apply(self, mask, value)
    }

    /// Checks the tensor and index of an indexing op and normalizes `dim`.
    private func indexedDim(_ dim: Int, _ op: String, _ index: Tensor, anyDType: Bool = false) throws -> Int {
        if !anyDType { try requireFloating(op) }
        guard index.dtype == .int64 else {
            throw AutogradError.invalidArgument("\(op)(): Expected dtype int64 for index, got \(index.dtype)")
        }
        guard rank > 0 else {
            throw AutogradError.invalidArgument("\(op)(): expected a tensor with at least one dimension, got a 0-dim tensor")
        }
        return try normalizedDim(dim, op)
    }
}

extension DType {
    /// PyTorch's scalar type name in messages ("Float", "Double", "Long", "Bool").
    var scalarName: String { scalarTypeName }
}
