import AutogradKernels

// Python's indexing in Swift subscripts: `x[1, 2..., .all]` reads,
// `x[.all, 1] = y`, `x[mask] = .scalar(0)` and `try g[rows, target] -= 1`
// write. Basic indices (integers, ranges, strides, `.ellipsis`, `.newAxis`)
// make a view with the view ops; tensors (int64 indices, bool masks) then
// index that view (AdvancedIndexing.swift), exactly as PyTorch's
// `applySlicing` followed by `index` / `index_put_`.
//
// Swift setters cannot throw, so the subscript defers its errors: a read
// that fails returns a placeholder that throws the error from every op it
// reaches; an assignment that fails leaves the tensor unchanged and the next
// op that reads the tensor throws the error (once). `at(_:)` and
// `assign(_:at:)` are the same reads and writes, throwing at once.

/// An error a subscript could not throw, kept on a tensor until an op reads it.
final class DeferredError {
    let error: AutogradError
    /// A failed read's placeholder keeps its error; a tensor whose assignment failed is reported once.
    let sticky: Bool
    init(_ error: AutogradError, sticky: Bool) { self.error = error; self.sticky = sticky }
}

/// What basic indexing leaves: a view, and the tensor indices into it.
struct IndexPlan {
    let view: Tensor
    let dims: [Int]
    let indices: [Tensor]
}

extension Tensor {
    /// Reads or writes the elements that Python's `x[...]` selects (see
    /// `TensorIndex` for the spelling of each kind of index).
    ///
    /// Reading gives a view for integers, ranges, strides, `.ellipsis` and
    /// `.newAxis`, and a copy when a tensor is among the indices (advanced
    /// indexing), as in PyTorch; both are recorded. Writing copies the value
    /// in, broadcast to the selected shape (`index_put_` for advanced
    /// indices), recorded like any in-place op: gradients flow to the value
    /// and, through CopySlices, to this tensor's history.
    ///
    /// Swift setters cannot throw. A read that fails returns a placeholder
    /// tensor whose every use throws the error; an assignment that fails
    /// leaves this tensor unchanged and the next op that reads it throws
    /// the error. `at(_:)` and `assign(_:at:)` throw at once instead.
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        get { self[indices: indices.map(\.tensorIndex)] }
        set { self[indices: indices.map(\.tensorIndex)] = newValue }
    }

    /// The subscript with its indices in an array (Python's `x[tuple(indices)]`).
    public subscript(indices indices: [TensorIndex]) -> Tensor {
        get {
            do { return try at(indices) } catch {
                return Tensor.failedRead(AutogradError.wrapping(error), dtype: dtype)
            }
        }
        set {
            do { try assign(newValue, at: indices) } catch {
                if deferred == nil { deferred = DeferredError(AutogradError.wrapping(error), sticky: false) }
            }
        }
    }

    /// `x[indices]`, throwing its error at once (PyTorch's `__getitem__`).
    public func at(_ indices: any TensorIndexConvertible...) throws -> Tensor {
        try at(indices.map(\.tensorIndex))
    }

    /// `x[indices]`, throwing its error at once (PyTorch's `__getitem__`).
    public func at(_ indices: [TensorIndex]) throws -> Tensor {
        let p = try indexPlan(indices)
        if p.indices.isEmpty { return p.view === self ? try view(shape) : p.view }
        return try AdvancedIndex.apply(arguments: [.tensor(p.view), .ints(p.dims)] + p.indices.map(Argument.tensor))
    }

    /// `x[indices] = value`, throwing its error at once (PyTorch's `__setitem__`).
    public func assign(_ value: Tensor, at indices: any TensorIndexConvertible...) throws {
        try assign(value, at: indices.map(\.tensorIndex))
    }

    /// `x[indices] = value`, throwing its error at once (PyTorch's `__setitem__`).
    /// A `Tensor.scalar` value takes this tensor's dtype; a tensor value is cast
    /// (basic indices) or must have this dtype (advanced indices), as in PyTorch.
    public func assign(_ value: Tensor, at indices: [TensorIndex]) throws {
        try value.throwDeferred()
        let p = try indexPlan(indices)
        var v = value
        if value.isWrappedNumber && value.dtype != dtype {
            v = try Tensor.scalar(value.element(0), as: dtype, "setitem")
        }
        if p.indices.isEmpty {
            // PyTorch's copy_to: leading size-1 dims of the value are dropped, then it expands.
            let lead = v.shape.prefix { $0 == 1 }.count
            let src = lead > 0 ? try v.reshape(Array(v.shape.dropFirst(lead))) : v
            if src.isSameWindow(p.view) && src.dtype == dtype { return }  // `x[i] += y` writes its own view back
            try p.view.copy_(src.shape == p.view.shape ? src : try src.expand(p.view.shape))
            return
        }
        try p.view.indexPutInPlace(p.dims, p.indices, v, accumulate: false)
    }

    /// Puts `values` at the positions the index tensors select, one per
    /// leading dimension (`nil` keeps a whole dimension), in place
    /// (PyTorch's `index_put_`); with `accumulate`, adds them instead, and
    /// repeated indices add up. Returns self.
    /// dL/dx_old = dL/dx (zero at the indexed positions unless accumulating);
    /// dL/dvalues = dL/dx[indices].
    @discardableResult
    public func indexPut_(_ indices: [Tensor?], _ values: Tensor, accumulate: Bool = false) throws -> Tensor {
        let p = try indexList(indices)
        try p.view.indexPutInPlace(p.dims, p.indices, values, accumulate: accumulate)
        return self
    }

    /// `indexPut_` on a copy (PyTorch's out-of-place `index_put`).
    public func indexPut(_ indices: [Tensor?], _ values: Tensor, accumulate: Bool = false) throws -> Tensor {
        let p = try indexList(indices)
        let layout = try AdvancedLayout(shape: p.view.shape, dims: p.dims, indices: p.indices)
        try Tensor.checkIndexPut(p.view, layout, values, accumulate: accumulate)
        let y = try IndexPut.apply(arguments: [.tensor(p.view), .tensor(values), .bool(accumulate), .ints(p.dims)]
                                   + p.indices.map(Argument.tensor))
        // A 0-dim bool index added a dim of size 1 to the view.
        return y.shape == shape ? y : try y.view(shape)
    }

    /// The coordinates of the nonzero (true) elements, one row per element in
    /// row-major order: an int64 tensor of shape [n, rank] (PyTorch's `nonzero`).
    public func nonzero() throws -> Tensor {
        let rows = try nonzeroCoordinates()
        let (r, n) = (rows.shape[0], rows.shape[1])
        return try Tensor(storage: rows.storage, shape: [n, r], strides: [1, n], offset: 0, dtype: .int64).copied()
    }

    /// The coordinates of the nonzero elements as one int64 tensor per
    /// dimension (PyTorch's `nonzero(as_tuple=True)`).
    public func nonzero(asTuple: Bool) throws -> [Tensor] {
        guard asTuple else { return [try nonzero()] }
        let rows = try nonzeroCoordinates()
        return (0..<Swift.max(rank, 1)).map { rows.selectUnrecorded(0, $0) }
    }

    // MARK: Internals

    /// The [rank, n] coordinates of the nonzero elements (a 0-dim tensor counts as rank 1).
    private func nonzeroCoordinates() throws -> Tensor {
        try throwDeferred()
        let mask = try (dtype == .bool ? self : try noGrad { try self.ne(0) }).contiguousData
        let n = Int(ag_count_true(mask.pointer(Bool.self), Int64(mask.count)))
        let r = Swift.max(rank, 1)
        let out = try Tensor(uninitializedShape: [r, n], dtype: .int64)
        let sizes = (rank == 0 ? [1] : shape).map { Int64($0) }
        ag_nonzero(mask.pointer(Bool.self), Int32(r), sizes, Int64(n), out.pointer(Int64.self))
        return out
    }

    /// The plan of an index list with nil entries (index_put_'s form).
    private func indexList(_ indices: [Tensor?]) throws -> IndexPlan {
        try throwDeferred()
        guard indices.count <= rank else {
            throw AutogradError.invalidArgument("too many indices for tensor of dimension \(rank) (got \(indices.count))")
        }
        var items: [TensorIndex] = indices.map { $0?.tensorIndex ?? .all }
        if items.isEmpty { items = [.ellipsis] }
        return try indexPlan(items)
    }

    /// self[indices] = values (or +=) with PyTorch's checks, recorded when it must be.
    func indexPutInPlace(_ dims: [Int], _ indices: [Tensor], _ values: Tensor, accumulate: Bool) throws {
        let layout = try AdvancedLayout(shape: shape, dims: dims, indices: indices)
        try Tensor.checkIndexPut(self, layout, values, accumulate: accumulate)
        if try recordsInPlace(values) || dtype.isNarrow {
            _ = try IndexPutInPlace.apply(arguments: [.tensor(self), .tensor(values), .bool(accumulate), .ints(dims)]
                                          + indices.map(Argument.tensor))
        } else {
            try Tensor.putIndexed(self, layout, indices, values, accumulate: accumulate)
        }
    }

    /// PyTorch's `applySlicing`: basic indices applied as view ops, tensor
    /// indices (masks expanded to their coordinates) collected with the dim of
    /// the view they index.
    func indexPlan(_ items: [TensorIndex]) throws -> IndexPlan {
        try throwDeferred()
        let specified = items.reduce(0) { $0 + $1.consumedDims }
        if rank == 0, case .integer? = items.first?.kind {
            throw AutogradError.invalidArgument(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        }
        guard specified <= rank else { throw AutogradError.invalidArgument("too many indices for tensor of dimension \(rank)") }
        var t = self, dim = 0, realDim = 0
        var dims: [Int] = [], indices: [Tensor] = [], masks: [(dim: Int, mask: Tensor)] = []
        for item in items {
            // Several ellipses (which PyTorch accepts) can push later indices past the last dim.
            guard dim + item.consumedDims <= t.rank else {
                throw AutogradError.invalidArgument("too many indices for tensor of dimension \(rank)")
            }
            switch item.kind {
            case .integer(let i):
                let size = t.shape[dim]
                guard i >= -size && i < size else {
                    throw AutogradError.invalidArgument("index \(i) is out of bounds for dimension \(realDim) with size \(size)")
                }
                t = try SelectOp.apply(t, dim, i < 0 ? i + size : i)
                realDim += 1
            case .slice(let start, let end, let step):
                // A slice of the whole dimension is skipped, as PyTorch's applySlice does.
                let size = t.shape[dim]
                func clamped(_ v: Int?, _ otherwise: Int) -> Int {
                    guard let v else { return otherwise }
                    return Swift.min(Swift.max(v < 0 ? v + size : v, 0), size)
                }
                if step != 1 || clamped(start, 0) != 0 || clamped(end, size) != size {
                    t = try t.slice(dim: dim, start: start, end: end, step: step)
                }
                dim += 1
                realDim += 1
            case .ellipsis:
                dim += rank - specified
                realDim += rank - specified
            case .newAxis:
                t = try t.unsqueeze(dim: dim)
                dim += 1
            case .tensor(let x):
                try x.throwDeferred()
                switch x.dtype {
                case .int64, .int32:
                    dims.append(dim)
                    indices.append(x.dtype == .int64 ? x : try noGrad { try x.to(.int64) })
                    dim += 1
                    realDim += 1
                case .uint8:
                    // A byte mask (deprecated in PyTorch, which warns) indexes as a bool one.
                    let m = try noGrad { try x.to(.bool) }
                    if m.rank == 0 {
                        t = try t.unsqueeze(dim: dim)
                        dims.append(dim)
                        indices.append(try Tensor.filled([m.element(0) != 0 ? 1 : 0], 0, dtype: .int64))
                        dim += 1
                    } else {
                        masks.append((dim, m))
                        dims.append(contentsOf: dim..<(dim + m.rank))
                        indices.append(m)
                        dim += m.rank
                        realDim += m.rank
                    }
                case .bool where x.rank == 0:
                    // PyTorch: a new dim of size 1, indexed by [0] (true) or [] (false).
                    t = try t.unsqueeze(dim: dim)
                    dims.append(dim)
                    indices.append(try Tensor.filled([x.element(0) != 0 ? 1 : 0], 0, dtype: .int64))
                    dim += 1
                case .bool:
                    masks.append((dim, x))
                    dims.append(contentsOf: dim..<(dim + x.rank))
                    indices.append(x)
                    dim += x.rank
                    realDim += x.rank
                default:
                    throw AutogradError.invalidArgument("tensors used as indices must be long, int, byte or bool tensors")
                }
            }
        }
        guard !masks.isEmpty else { return IndexPlan(view: t, dims: dims, indices: indices) }
        // Masks become one int64 index per dim they cover (PyTorch's expandTensors).
        var expanded: [Tensor] = []
        for x in indices {
            guard x.dtype == .bool, let m = masks.first(where: { $0.mask === x }) else { expanded.append(x); continue }
            for k in 0..<x.rank where x.shape[k] != t.shape[m.dim + k] {
                throw AutogradError.invalidArgument(
                    "The shape of the mask \(Shape.list(x.shape)) at index \(k) does not match the shape of the indexed tensor \(Shape.list(t.shape)) at index \(m.dim + k)")
            }
            expanded.append(contentsOf: try x.nonzero(asTuple: true))
        }
        return IndexPlan(view: t, dims: dims, indices: expanded)
    }

    /// A one-element tensor holding a number, as Python's scalars in
    /// `x[mask] = 0` (write `x[mask] = .scalar(0)`): it takes the dtype of the
    /// tensor it is assigned into.
    public static func scalar(_ value: Double) -> Tensor {
        let t = Tensor.filledScalar(value, dtype: .float64)
        t.isWrappedNumber = true
        return t
    }

    /// A 0-dim tensor of `dtype` holding `value` (truncated toward zero for int64).
    /// - Throws: PyTorch's overflow message for a value int64 cannot hold (NaN included).
    static func scalar(_ value: Double, as dtype: DType, _ op: String) throws -> Tensor {
        try checkRepresentable(value, dtype, op)
        return filledScalar(value, dtype: dtype)
    }

    /// `scalar(_:)` for an integer (exact up to 2^63 in an int64 tensor).
    public static func scalar(_ value: Int) -> Tensor {
        let t = Tensor(zeroDimensional: .int64)
        t.pointer(Int64.self).pointee = Int64(value)
        t.isWrappedNumber = true
        return t
    }

    /// `scalar(_:)` for a bool.
    public static func scalar(_ value: Bool) -> Tensor {
        let t = Tensor.filledScalar(value ? 1 : 0, dtype: .bool)
        t.isWrappedNumber = true
        return t
    }

    /// The error a failed subscript read or assignment left on this tensor,
    /// which the next op reading it throws.
    public var indexingError: AutogradError? { deferred?.error }

    /// Throws the error a subscript left on this tensor, if any.
    @inline(__always)
    func throwDeferred() throws {
        if let d = deferred { try reportDeferred(d) }
    }

    @inline(never)
    private func reportDeferred(_ d: DeferredError) throws {
        if !d.sticky { deferred = nil }
        throw d.error
    }

    /// The placeholder a failed subscript read returns.
    static func failedRead(_ error: AutogradError, dtype: DType) -> Tensor {
        let t = Tensor.filledScalar(dtype.isFloatingPoint ? .nan : 0, dtype: dtype)
        t.deferred = DeferredError(error, sticky: true)
        return t
    }
}

extension AutogradError {
    /// `error` as an AutogradError (other errors wrapped with their description).
    static func wrapping(_ error: any Error) -> AutogradError {
        error as? AutogradError ?? .invalidArgument("\(error)")
    }
}
