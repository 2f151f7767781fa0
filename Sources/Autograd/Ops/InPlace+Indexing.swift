import AutogradKernels

// The in-place index ops (PyTorch's index_add_, index_copy_, index_fill_,
// scatter_, scatter_add_, scatter_reduce_, masked_fill_, masked_scatter_).
// Each is an index_put_ (AdvancedIndexing.swift) with the index tensors of
// its op, so they share one kernel, one backward and the view rules of
// every in-place op; masked_fill_ has a kernel of its own.

/// x = mask ? value : x in place, mask broadcast to x's shape.
/// dL/dx_old = dL/dx where the mask is false, 0 where it is true.
enum MaskedFillInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "MaskedFillBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), mask = try args.tensor(1)
        try x.maskedFillUnchecked(mask, try args.double(2))
        ctx.saveForBackward(mask)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try MaskedFill.apply(gradOutputs[0]!, try ctx.savedTensors[0], 0.0), nil, nil]
    }
}

/// scatter_reduce with "amax", "amin" or "prod"; arguments (x, src, reduce,
/// includeSelf, inPlace, dim, index, indices…) where indices… are the index
/// tensors of the scatter and src has index's shape; in place, x itself.
/// y = x with, at each written position, the largest (smallest) of the values
/// sent there, or their product (and x's own value when includeSelf), NaN
/// winning for amax/amin. The backward passes are PyTorch's:
/// - amax/amin, the gradient shared evenly among the ties:
///   v = y.gather(dim, index), N = [x = y].scatter_add(dim, index, [src = v]),
///   dL/dx = [x = y] · dL/dy / N,  dL/dsrc = [src = v] · (dL/dy / N).gather(dim, index);
/// - prod, exact around zeros: with x₁ = x (0 → 1),
///   dL/dx = dL/dy · x₁.scatter_reduce(prod) / x₁; a src element that is the only
///   zero sent to its position gets dL/dy · (product of the others), the
///   others dL/dy · y / src (gathered);
/// and dL/dx is 0 at the written positions without includeSelf.
enum ScatterReduceOp: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "ScatterReduceBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), src = try args.tensor(1), reduce = try args.string(2), includeSelf = try args.bool(3)
        let inPlace = try args.bool(4), dim = try args.int(5), index = try args.tensor(6)
        let indices = try (7..<args.count).map { try args.tensor($0) }
        let layout = try AdvancedLayout(shape: x.shape, dims: Array(0..<x.rank), indices: indices)
        // The backward reads x's values before the change.
        let old = inPlace ? try x.copied() : x, y = inPlace ? x : try x.copied()
        let (identity, reduction): (Double, Tensor.PutReduction) =
            reduce == "amax" ? (-.infinity, .max) : reduce == "amin" ? (.infinity, .min) : (1, .mul)
        if !includeSelf { try Tensor.putIndexed(y, layout, indices, Tensor.filledScalar(identity, dtype: x.dtype), .assign) }
        try Tensor.putIndexed(y, layout, indices, src, reduction)
        ctx.saveForBackward(old, src, index, y)
        ctx.set("dim", dim)
        ctx.set("includeSelf", includeSelf)
        ctx.set("reduce", reduce)
        if inPlace { ctx.markDirty(x) }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!, s = try ctx.savedTensors
        let (x, src, index, y) = (s[0], s[1], s[2], s[3])
        let dim = try ctx.get("dim", as: Int.self), includeSelf = try ctx.get("includeSelf", as: Bool.self)
        let reduce = try ctx.get("reduce", as: String.self)
        var gx: Tensor, gsrc: Tensor
        if reduce == "prod" {
            let maskedSelf = try x.maskedFill(mask: x.eq(0), value: 1)
            let maskedSelfResult = try maskedSelf.scatterReduce(dim: dim, index: index, src: src, reduce: "prod",
                                                                includeSelf: includeSelf)
            gx = try g * maskedSelfResult / maskedSelf
            let srcZero = try src.eq(0)
            let zerosThere = try Tensor.zeros(like: x).scatterAdd(dim: dim, index: index, src: srcZero.to(x.dtype))
                .gather(dim: dim, index: index)
            let singleZero = try srcZero.logicalAnd(zerosThere.eq(1))
            let maskedSrcResult = try x.scatterReduce(dim: dim, index: index, src: src.maskedFill(mask: singleZero, value: 1),
                                                      reduce: "prod", includeSelf: includeSelf)
            gsrc = try Tensor.where(singleZero, (g * maskedSrcResult).gather(dim: dim, index: index),
                                    (g * y).gather(dim: dim, index: index) / src.maskedFill(mask: srcZero, value: 1))
        } else {
            let value = try y.gather(dim: dim, index: index)
            let selfIsResult = try x.eq(y).to(g.dtype), srcIsResult = try src.eq(value).to(g.dtype)
            let distributed = try g / selfIsResult.scatterAdd(dim: dim, index: index, src: srcIsResult)
            gx = try selfIsResult * distributed
            gsrc = try srcIsResult * distributed.gather(dim: dim, index: index)
        }
        if !includeSelf { gx = try gx.clone().scatter_(dim: dim, index: index, value: 0) }
        return [gx, gsrc] + (2..<ctx.argumentCount).map { _ in nil }
    }
}

extension Tensor {
    /// Adds `alpha * source` at the positions `index` gives along `dim`:
    /// self[..., index[j], ...] += alpha * source[..., j, ...] (PyTorch's
    /// `index_add_`); repeated indices add up. Returns self.
    /// dL/dself_old = dL/dself;  dL/dsource = alpha * dL/dself.indexSelect(dim, index).
    @discardableResult
    public func indexAdd_(dim: Int, index: Tensor, source: Tensor, alpha: Double = 1) throws -> Tensor {
        let d = try checkIndexAlongDim(dim, index, source, "index_add_")
        let values = alpha == 1 ? source : try source * alpha
        try indexPutInPlace([d], [index.rank == 0 ? try index.reshape([1]) : index], values, accumulate: true)
        return self
    }

    /// Copies `source` to the positions `index` gives along `dim`:
    /// self[..., index[j], ...] = source[..., j, ...] (PyTorch's `index_copy_`). Returns self.
    /// dL/dself_old = dL/dself with 0 at the copied positions;
    /// dL/dsource = dL/dself.indexSelect(dim, index).
    @discardableResult
    public func indexCopy_(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        let d = try checkIndexAlongDim(dim, index, source, "index_copy_")
        try indexPutInPlace([d], [index.rank == 0 ? try index.reshape([1]) : index], source, accumulate: false)
        return self
    }

    /// Sets the slices `index` gives along `dim` to `value` (PyTorch's `index_fill_`). Returns self.
    /// dL/dself_old = dL/dself with 0 at the filled positions.
    @discardableResult
    public func indexFill_(dim: Int, index: Tensor, value: Double) throws -> Tensor {
        let d = try indexedAlongDim(dim, index, "index_fill_")
        try indexPutInPlace([d], [index.rank == 0 ? try index.reshape([1]) : index], try Tensor.scalar(value, as: dtype, "index_fill_"),
                            accumulate: false)
        return self
    }

    /// self[p with dim = index[p]] = src[p] for every position p of index
    /// (PyTorch's `scatter_`); src may be larger than index. Returns self.
    /// dL/dself_old = dL/dself with 0 at the written positions;
    /// dL/dsrc[p] = dL/dself[p with dim = index[p]] (0 outside index's shape).
    @discardableResult
    public func scatter_(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let (indices, _) = try scatterIndices(dim, index, src, "scatter_")
        try indexPutInPlace(Array(0..<rank), indices, try src.narrowed(to: index.shape), accumulate: false)
        return self
    }

    /// `scatter_` of one value: self[p with dim = index[p]] = value (PyTorch's `scatter_(dim, index, value)`).
    @discardableResult
    public func scatter_(dim: Int, index: Tensor, value: Double) throws -> Tensor {
        let (indices, _) = try scatterIndices(dim, index, nil, "scatter_")
        try indexPutInPlace(Array(0..<rank), indices, try Tensor.scalar(value, as: dtype, "scatter_"), accumulate: false)
        return self
    }

    /// self[p with dim = index[p]] += src[p] for every position p of index
    /// (PyTorch's `scatter_add_`); repeated positions add up. Returns self.
    /// dL/dself_old = dL/dself;  dL/dsrc[p] = dL/dself[p with dim = index[p]].
    @discardableResult
    public func scatterAdd_(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let (indices, _) = try scatterIndices(dim, index, src, "scatter_add_")
        try indexPutInPlace(Array(0..<rank), indices, try src.narrowed(to: index.shape), accumulate: true)
        return self
    }

    /// Reduces `src` into self at the positions `index` gives along `dim`
    /// (PyTorch's `scatter_reduce_`), with `reduce` "sum", "prod", "mean",
    /// "amax" or "amin"; with `includeSelf` false, positions that receive values start
    /// from them alone. Returns self. Gradients as PyTorch's: the sum's to
    /// self's old value (where included) and src, divided by the counts for
    /// "mean", shared evenly among the ties for "amax" / "amin", the product
    /// of the others (exact around zeros) for "prod".
    @discardableResult
    public func scatterReduce_(dim: Int, index: Tensor, src: Tensor, reduce: String, includeSelf: Bool = true) throws -> Tensor {
        if reduce == "amax" || reduce == "amin" || reduce == "prod" {
            try checkScatterReduce(index, src, reduce)
            let (indices, d) = try scatterIndices(dim, index, src, "scatter_reduce_")
            let values = try src.narrowed(to: index.shape)
            let recorded = try recordsInPlace(values)
            let args: [Argument] = [.tensor(self), .tensor(values), .string(reduce), .bool(includeSelf), .bool(true),
                                    .int(d), .tensor(try index.contiguousData)] + indices.map(Argument.tensor)
            _ = recorded ? try ScatterReduceOp.apply(arguments: args) : try noGrad { try ScatterReduceOp.apply(arguments: args) }
            return self
        }
        try copy_(try scatterReduce(dim: dim, index: index, src: src, reduce: reduce, includeSelf: includeSelf))
        return self
    }

    /// `scatterReduce_` on a copy (PyTorch's out-of-place `scatter_reduce`).
    public func scatterReduce(dim: Int, index: Tensor, src: Tensor, reduce: String, includeSelf: Bool = true) throws -> Tensor {
        try checkScatterReduce(index, src, reduce)
        let (indices, d) = try scatterIndices(dim, index, src, "scatter_reduce")
        let values = try src.narrowed(to: index.shape)
        if reduce == "amax" || reduce == "amin" || reduce == "prod" {
            return try ScatterReduceOp.apply(arguments: [.tensor(self), .tensor(values), .string(reduce),
                                                              .bool(includeSelf), .bool(false), .int(d),
                                                              .tensor(index.contiguousData)] + indices.map(Argument.tensor))
        }
        var start = self
        if !includeSelf { start = try indexPut(indices.map(Optional.some), try Tensor.scalar(0, as: dtype, "scatter_reduce")) }
        var out = try start.indexPut(indices.map(Optional.some), values, accumulate: true)
        if reduce == "mean" {
            let ones = try Tensor.filled(index.shape, 1, dtype: dtype)
            let base = try Tensor.filled(shape, includeSelf ? 1 : 0, dtype: dtype)
            let counts = try base.indexPut(indices.map(Optional.some), ones, accumulate: true).clamp(min: 1)
            out = try out / counts
        }
        return out
    }

    /// Sets the elements where `mask` (bool, broadcasting to this shape) is
    /// true to `value`, in place (PyTorch's `masked_fill_`). Returns self.
    /// dL/dself_old = dL/dself where the mask is false, 0 where it is true.
    @discardableResult
    public func maskedFill_(mask: Tensor, value: Double) throws -> Tensor {
        try checkMask(mask, "masked_fill_")
        try Tensor.checkRepresentable(value, dtype, "masked_fill_")
        guard dtype.isFloatingPoint else {
            // Integer and bool tensors (never differentiable): the value put at the mask's coordinates.
            let (target, coordinates) = try maskCoordinates(mask)
            try target.indexPutInPlace(Array(0..<target.rank), coordinates, try Tensor.scalar(value, as: dtype, "masked_fill_"),
                                       accumulate: false)
            return self
        }
        if try recordsInPlace(mask) || dtype.isNarrow { return try MaskedFillInPlace.apply(self, mask, value) }
        try maskedFillUnchecked(mask, value)
        return self
    }

    /// Copies the elements of `source`, in order, to the positions where
    /// `mask` (bool, broadcasting to this shape) is true (PyTorch's `masked_scatter_`). Returns self.
    /// dL/dself_old = dL/dself with 0 where the mask is true;
    /// dL/dsource = the first n elements of dL/dself[mask], 0 after them.
    @discardableResult
    public func maskedScatter_(mask: Tensor, source: Tensor) throws -> Tensor {
        try checkMask(mask, "masked_scatter_")
        guard source.dtype == dtype else {
            throw AutogradError.invalidArgument(
                "masked_scatter_: expected self and source to have same dtypes but got \(dtype.scalarName) and \(source.dtype.scalarName)")
        }
        let (target, coordinates) = try maskCoordinates(mask)
        let n = coordinates.first?.count ?? 0
        guard source.count >= n else {
            throw AutogradError.invalidArgument("masked_scatter_: expected source to have at least as many elements as ones in mask, got \(source.count) and \(n)")
        }
        let values = try source.reshape([source.count]).narrow(dim: 0, start: 0, length: n)
        try target.indexPutInPlace(Array(0..<target.rank), coordinates, values, accumulate: false)
        return self
    }

    // MARK: Internals

    /// The reductions scatter_reduce knows, and the dtypes each takes.
    private func checkScatterReduce(_ index: Tensor, _ src: Tensor, _ reduce: String) throws {
        guard ["sum", "mean", "prod", "amax", "amin"].contains(reduce) else {
            throw AutogradError.invalidArgument("reduce argument must be either sum, prod, mean, amax or amin, got \(reduce)")
        }
        if reduce != "sum" && !dtype.isFloatingPoint {
            throw AutogradError.invalidArgument(
                "scatter_reduce: reduce=\"\(reduce)\" is implemented for float32 and float64, got \(dtype)")
        }
    }

    /// self = mask ? value : self for a floating tensor (not recorded); bumps the version.
    func maskedFillUnchecked(_ mask: Tensor, _ value: Double) throws {
        var bc = try Shape.descriptor(out: shape, a: shape, b: mask.shape)
        let m = try mask.contiguousData
        try writeThrough { x in
            if dtype == .float32 {
                ag_masked_fill_f32(x.pointer(Float.self), m.pointer(Bool.self), value, x.pointer(Float.self), &bc)
            } else {
                ag_masked_fill_f64(x.pointer(Double.self), m.pointer(Bool.self), value, x.pointer(Double.self), &bc)
            }
        }
        bumpVersion()
    }

    /// The coordinates where `mask` (broadcast to this shape) is true, one
    /// int64 tensor per dim, and the tensor they index: self, or a [1] view of
    /// a 0-dim self.
    private func maskCoordinates(_ mask: Tensor) throws -> (target: Tensor, coordinates: [Tensor]) {
        let target = rank == 0 ? try view([1]) : self
        return (target, try mask.expandedWindow(shape).reshape(target.shape).nonzero(asTuple: true))
    }

    /// PyTorch's checks of a mask that writes into this tensor.
    private func checkMask(_ mask: Tensor, _ op: String) throws {
        try throwDeferred()
        guard mask.dtype == .bool else {
            throw AutogradError.invalidArgument(
                "\(op) only supports boolean masks, but got mask with dtype \(mask.dtype.scalarName.lowercased())")
        }
        guard let b = Shape.broadcast(shape, mask.shape), b == shape else {
            throw AutogradError.invalidArgument(
                "The size of tensor a (\(shape.last ?? 1)) must match the size of tensor b (\(mask.shape.last ?? 1)) at non-singleton dimension \(Swift.max(rank, mask.rank) - 1)")
        }
    }

    /// The leading `shape` part of this tensor (a view), as scatter reads src.
    func narrowed(to shape: [Int]) throws -> Tensor {
        var t = self
        for (k, n) in shape.enumerated() where t.shape[k] != n { t = try t.narrow(dim: k, start: 0, length: n) }
        return t
    }

    /// The index tensors of a scatter along `dim`: `index` for dim, and for
    /// every other dim k the positions 0 ..< index.shape[k] along k.
    private func scatterIndices(_ dim: Int, _ index: Tensor, _ src: Tensor?, _ op: String) throws -> ([Tensor], Int) {
        try throwDeferred()
        guard index.dtype == .int64 else {
            throw AutogradError.invalidArgument("\(op)(): Expected dtype int64 for index")
        }
        if let src, src.dtype != dtype {
            throw AutogradError.invalidArgument("\(op)(): Expected self.dtype to be equal to src.dtype")
        }
        let d = try normalizedDim(dim, op)
        guard index.rank == Swift.max(rank, 1) || (rank == 0 && index.rank == 0) else {
            throw AutogradError.invalidArgument("Index tensor must have the same number of dimensions as self tensor")
        }
        if let src, src.rank != index.rank {
            throw AutogradError.invalidArgument("Index tensor must have the same number of dimensions as src tensor")
        }
        for k in 0..<index.rank where (k != d && index.shape[k] > shape[k]) || (src.map { index.shape[k] > $0.shape[k] } ?? false) {
            throw AutogradError.invalidArgument(
                "Expected index \(Shape.list(index.shape)) to be no larger than self \(Shape.list(shape)) apart from dimension \(d)"
                + (src.map { " and to be no larger size than src \(Shape.list($0.shape))" } ?? ""))
        }
        let dense = try index.contiguousData  // also an index_put index below
        try Tensor.checkIndex(dense, size: rank == 0 ? 1 : shape[d], dim: d)
        if rank == 0 { return ([], d) }
        var indices: [Tensor] = []
        for k in 0..<rank {
            if k == d { indices.append(dense); continue }
            var s = [Int](repeating: 1, count: rank)
            s[k] = index.shape[k]
            indices.append(try Tensor(indices: Array(0..<index.shape[k]), shape: s))
        }
        return (indices, d)
    }

    /// The checks of index_add_ / index_copy_; returns the normalized dim.
    func checkIndexAlongDim(_ dim: Int, _ index: Tensor, _ source: Tensor, _ op: String) throws -> Int {
        let d = try indexedAlongDim(dim, index, op)
        guard source.dtype == dtype else {
            throw AutogradError.invalidArgument(
                "\(op)(): self (\(dtype.scalarName)) and source (\(source.dtype.scalarName)) must have the same scalar type")
        }
        guard source.rank == rank, (0..<rank).allSatisfy({ $0 == d || source.shape[$0] == shape[$0] }) else {
            throw AutogradError.invalidArgument(
                "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = \(Shape.list(shape)) source.shape = \(Shape.list(source.shape))")
        }
        guard source.shape[d] == index.count else {
            throw AutogradError.invalidArgument(
                "\(op)(): Number of indices (\(index.count)) should be equal to source.size(dim): (\(source.shape[d])), for dim: \(d)")
        }
        return d
    }

    /// The dim and index checks shared by the index_*_ ops: a vector of int64
    /// indices inside the dim (negative ones are refused, as in PyTorch).
    private func indexedAlongDim(_ dim: Int, _ index: Tensor, _ op: String) throws -> Int {
        try throwDeferred()
        guard index.dtype == .int64 else {
            throw AutogradError.invalidArgument("\(op)(): Expected dtype int64 for index")
        }
        guard index.rank <= 1 else {
            throw AutogradError.invalidArgument(
                "\(op)(): Index is supposed to be a vector, but got dim: \(index.rank) with type: Long and size: \(Shape.list(index.shape))")
        }
        guard rank > 0 else {
            throw AutogradError.invalidArgument("\(op)(): expected a tensor with at least one dimension, got a 0-dim tensor")
        }
        let d = try normalizedDim(dim, op)
        try Tensor.checkIndex(index, size: shape[d], dim: d)
        return d
    }
}
