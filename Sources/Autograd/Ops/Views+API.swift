// The public view methods. Each returns a view (shares storage and the
// version counter with `self`, tracked as PyTorch tracks views) except
// `reshape` when the strides do not allow one, `contiguous()` of a strided
// tensor and `clone()`, which copy.

extension Tensor {
    /// The same elements in a new shape (one dimension may be -1): a view
    /// when the strides allow one (always for a contiguous tensor), else a
    /// contiguous copy, exactly when PyTorch copies.  dL/dx = dL/dy reshaped back.
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let s = try Shape.inferred(shape, count: count)
        if Shape.viewStrides(self.shape, strides, s) != nil { return try ViewOp.apply(self, s) }
        return try contiguous().view(s)
    }

    /// `reshape` with the sizes listed inline.
    public func reshape(_ shape: Int...) throws -> Tensor { try reshape(shape) }

    /// PyTorch's `view`: the same elements in a new shape, always a view.
    /// - Throws: PyTorch's "view size is not compatible with input tensor's
    ///   size and stride" when the strides cannot express it (use `reshape`).
    public func view(_ shape: [Int]) throws -> Tensor { try ViewOp.apply(self, try Shape.inferred(shape, count: count)) }

    /// `view` with the sizes listed inline.
    public func view(_ shape: Int...) throws -> Tensor { try view(shape) }

    /// A view with `other`'s shape (PyTorch's `view_as`).
    public func viewAs(_ other: Tensor) throws -> Tensor { try view(other.shape) }

    /// A view of `other`'s shape that broadcasts this tensor (PyTorch's `expand_as`).
    public func expandAs(_ other: Tensor) throws -> Tensor { try expand(to: other.shape) }

    /// Merges dimensions `startDim...endDim` into one; a scalar becomes shape
    /// [1]. A view when the strides allow (as `reshape`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        let a = try normalizedDim(startDim, "flatten"), b = try normalizedDim(endDim, "flatten")
        guard a <= b else {
            throw AutogradError.invalidArgument("flatten() has invalid args: start_dim cannot come after end_dim")
        }
        if rank == 0 { return try reshape([1]) }
        if a == b { return try ViewOp.apply(self, shape) }
        return try reshape(Array(shape[..<a]) + [Shape.count(Array(shape[a...b]))] + Array(shape[(b + 1)...]))
    }

    /// Splits dimension `dim` into `sizes` (one may be -1): PyTorch's `unflatten`, a view.
    public func unflatten(dim: Int, sizes: [Int]) throws -> Tensor {
        let d = try normalizedDim(dim, "unflatten")
        guard rank > 0 else { throw AutogradError.invalidArgument("unflatten: Dimension specified as \(dim) but tensor has no dimensions") }
        guard !sizes.isEmpty else { throw AutogradError.invalidArgument("unflatten: sizes must be non-empty") }
        let inner = try Shape.inferred(sizes, count: shape[d])   // throws when they do not multiply up
        return try view(Array(shape[..<d]) + inner + Array(shape[(d + 1)...]))
    }

    /// Removes every dimension of size 1 (a view).
    public func squeeze() throws -> Tensor { try SqueezeOp.apply(self, shape.filter { $0 != 1 }) }

    /// Removes dimension `dim` if its size is 1; otherwise the same shape (a view).
    public func squeeze(dim: Int) throws -> Tensor { try squeeze(dims: [dim]) }

    /// Removes those of `dims` whose size is 1 (a view).
    public func squeeze(dims: [Int]) throws -> Tensor {
        let d = try dims.map { try normalizedDim($0, "squeeze") }
        if rank == 0 { return try SqueezeOp.apply(self, shape) }
        return try SqueezeOp.apply(self, shape.indices.filter { !(d.contains($0) && shape[$0] == 1) }.map { shape[$0] })
    }

    /// Inserts a dimension of size 1 at `dim` (in -(rank+1)...rank; a view).
    public func unsqueeze(dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "unsqueeze", rank: rank + 1)
        var s = shape
        s.insert(1, at: d)
        return try UnsqueezeOp.apply(self, s)
    }

    /// Swaps dimensions `dim0` and `dim1` (negative dims count from the end): a view.
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        if rank == 0 {
            _ = try normalizedDim(dim0, "transpose"); _ = try normalizedDim(dim1, "transpose")
            return try ViewOp.apply(self, shape)
        }
        let a = try normalizedDim(dim0, "transpose"), b = try normalizedDim(dim1, "transpose")
        return try Transpose.apply(self, Swift.min(a, b), Swift.max(a, b))
    }

    /// Reorders the dimensions: result.shape[i] = shape[dims[i]] (PyTorch's `permute`; a view).
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else {
            throw AutogradError.invalidArgument(
                "permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(rank) is not equal to len(dims) = \(dims.count)")
        }
        let d = try dims.map { try normalizedDim($0, "permute") }
        guard Set(d).count == d.count else {
            throw AutogradError.invalidArgument("permute(): duplicate dims are not allowed.")
        }
        return try Permute.apply(self, d)
    }

    /// `permute` with the dims listed inline: `x.permute(2, 0, 1)`.
    public func permute(_ dims: Int...) throws -> Tensor { try permute(dims) }

    /// Moves dimension `source` to position `destination`, keeping the others in order (a view).
    public func movedim(_ source: Int, _ destination: Int) throws -> Tensor {
        try movedim([source], [destination])
    }

    /// Moves dimensions `source[i]` to positions `destination[i]` (PyTorch's `movedim`; a view).
    public func movedim(_ source: [Int], _ destination: [Int]) throws -> Tensor {
        guard source.count == destination.count else {
            throw AutogradError.invalidArgument("movedim: Invalid source or destination dims: source (\(Shape.list(source)) dims) should contain the same number of dims as destination (\(Shape.list(destination)) dims)")
        }
        let s = try source.map { try normalizedDim($0, "movedim") }, t = try destination.map { try normalizedDim($0, "movedim") }
        guard Set(s).count == s.count else { throw AutogradError.invalidArgument("movedim: repeated dim in `source` (\(Shape.list(source)))") }
        guard Set(t).count == t.count else { throw AutogradError.invalidArgument("movedim: repeated dim in `destination` (\(Shape.list(destination)))") }
        // A 0-dim tensor has one (virtual) dim to move, onto itself.
        if rank == 0 { return try view(shape) }
        var order = [Int](repeating: -1, count: rank)
        for (a, b) in zip(s, t) { order[b] = a }
        var rest = (0..<rank).filter { !s.contains($0) }.makeIterator()
        for i in 0..<rank where order[i] == -1 { order[i] = rest.next()! }
        return try Permute.apply(self, order)
    }

    /// The 2-D transpose (PyTorch's `t()`; a view): a tensor of rank 0 or 1 is returned as a view of itself.
    public func t() throws -> Tensor {
        guard rank <= 2 else {
            throw AutogradError.invalidArgument("t() expects a tensor with <= 2 dimensions, but self is \(rank)D")
        }
        return try TOp.apply(self)
    }

    /// The last two dimensions swapped (PyTorch's `mT`, for matrices and batches of them; a view).
    public var mT: Tensor {
        get throws {
            guard rank >= 2 else {
                throw AutogradError.invalidArgument(
                    "tensor.mT is only supported on matrices or batches of matrices. Got \(rank)-D tensor.")
            }
            return try transpose(-2, -1)
        }
    }

    /// Index `index` of dimension `dim`, which is removed (PyTorch's `select`; a view).
    public func select(dim: Int, index: Int) throws -> Tensor {
        guard rank > 0 else { throw AutogradError.invalidArgument("select() cannot be applied to a 0-dim tensor.") }
        let d = try normalizedDim(dim, "select")
        let size = shape[d]
        guard index >= -size && index < size else {
            throw AutogradError.invalidArgument("select(): index \(index) out of range for tensor of size \(Shape.list(shape)) at dimension \(d)")
        }
        return try SelectOp.apply(self, d, index < 0 ? index + size : index)
    }

    /// Every index of dimension `dim`, each a view without it (PyTorch's
    /// `unbind`). The views may not be changed in place while recording.
    /// dL/dx = the pieces' gradients stacked (zeros for a piece that got none).
    public func unbind(dim: Int = 0) throws -> [Tensor] {
        guard rank > 0 else { throw AutogradError.invalidArgument("Dimension specified as 0 but tensor has no dimensions") }
        let d = try normalizedDim(dim, "unbind")
        return try Unbind.apply(self, d)
    }

    /// The diagonal of dims (`dim1`, `dim2`) with offset `offset` (above the
    /// main diagonal when positive), as a last dimension (PyTorch's `diagonal`; a view).
    public func diagonal(offset: Int = 0, dim1: Int = 0, dim2: Int = 1) throws -> Tensor {
        guard rank >= 2 else {
            throw AutogradError.invalidArgument("diagonal dimensions requires ndim larger than 1")
        }
        let a = try normalizedDim(dim1, "diagonal"), b = try normalizedDim(dim2, "diagonal")
        guard a != b else {
            throw AutogradError.invalidArgument("diagonal dimensions cannot be identical \(dim1), \(dim2)")
        }
        guard offset > Int.min / 2 && offset < Int.max / 2 else {
            throw AutogradError.invalidArgument("diagonal: offset \(offset) is out of range")
        }
        return try DiagonalOp.apply(self, offset, a, b)
    }

    /// Every window of `size` elements, `step` apart, along `dim`, as a new
    /// last dimension (PyTorch's `Tensor.unfold`; a view whose windows may overlap).
    public func unfold(dimension dim: Int, size: Int, step: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "unfold")
        let length = rank == 0 ? 1 : shape[d]
        guard size >= 0 else { throw AutogradError.invalidArgument("size is \(size) but must be >= 0") }
        guard size <= length else {
            throw AutogradError.invalidArgument("maximum size for tensor at dimension \(d) is \(length) but size is \(size)")
        }
        guard step > 0 else { throw AutogradError.invalidArgument("step is \(step) but must be > 0") }
        return try UnfoldOp.apply(self, d, size, step)
    }

    /// A window on this tensor's storage with the given sizes, element
    /// strides and storage offset (default: this tensor's), PyTorch's
    /// `as_strided`; a view.
    /// - Throws: PyTorch's message when the window reaches past the storage.
    public func asStrided(size: [Int], stride: [Int], storageOffset: Int? = nil) throws -> Tensor {
        let offset = storageOffset ?? self.storageOffset
        guard size.count == stride.count else {
            throw AutogradError.invalidArgument("mismatch in length of strides and shape")
        }
        try Shape.validate(size, "as_strided", dtype: dtype)
        if let s = stride.first(where: { $0 < 0 }) {
            throw AutogradError.invalidArgument("as_strided: Negative strides are not supported at the moment, got strides: \(Shape.list(stride)) (\(s))")
        }
        guard offset >= 0 else {
            throw AutogradError.invalidArgument("Tensor: invalid storage offset \(offset)")
        }
        // The highest position the window reaches, without overflow.
        var highest = -1
        if !size.contains(0) {
            highest = offset
            for (n, s) in zip(size, stride) {
                let (p, o1) = (n - 1).multipliedReportingOverflow(by: s)
                let (q, o2) = highest.addingReportingOverflow(p)
                guard !o1 && !o2 else {
                    throw AutogradError.invalidArgument("as_strided: Storage size calculation overflowed with sizes=\(Shape.list(size)) and strides=\(Shape.list(stride))")
                }
                highest = q
            }
        }
        let available = storage.byteCount / dtype.byteSize
        guard highest < available else {
            let bytes = (highest / dtype.byteSize < Int.max / dtype.byteSize / 2) ? "\((highest + 1) * dtype.byteSize)" : "more than \(Int.max / 2)"
            throw AutogradError.invalidArgument("setStorage: sizes \(Shape.list(size)), strides \(Shape.list(stride)), storage offset \(offset), and itemsize \(dtype.byteSize) requiring a storage size of \(bytes) are out of bounds for storage of size \(available * dtype.byteSize)")
        }
        return try AsStridedOp.apply(self, size, stride, offset)
    }

    /// Self when contiguous, else a contiguous copy, recorded (PyTorch's
    /// `contiguous()`).  dL/dx = dL/dy.
    public func contiguous() throws -> Tensor { isContiguous ? self : try Clone.apply(self) }

    /// A contiguous copy with its own storage, recorded (PyTorch's `clone()`).
    /// dL/dx = dL/dy.
    public func clone() throws -> Tensor { try Clone.apply(self) }
}

/// y = a contiguous copy of x.  dL/dx = dL/dy.
enum Clone: Function {
    static var _storageTypes: _StorageTypes { .native }
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor { try args.tensor(0).copied() }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { [gradOutputs[0]] }
}

/// Every index of `dim` as a view without it.  dL/dx = the gradients stacked
/// along dim (zeros for a view that got none).
enum Unbind: Function {
    typealias Output = [Tensor]
    static var _layout: _FunctionLayout { .multiView }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0), dim = try args.int(1)
        ctx.set("dim", dim)
        return (0..<x.shape[dim]).map { x.selectUnrecorded(dim, $0) }
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let dim = try ctx.get("dim", as: Int.self), x = ctx.inputs[0]
        var s = x.shape!
        s.remove(at: dim)
        let pieces = try gradOutputs.map { try $0 ?? Tensor.filled(s, 0, dtype: x.dtype) }
        if pieces.isEmpty { return [try Tensor.filled(x.shape!, 0, dtype: x.dtype), nil] }
        return [try Tensor.stack(pieces, dim: dim), nil]
    }
}

extension Shape {
    /// `shape` with one -1 inferred, checked against `count` elements.
    static func inferred(_ shape: [Int], count: Int) throws -> [Int] {
        var shape = shape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1 else { throw AutogradError.invalidArgument("only one dimension can be inferred") }
        if let d = shape.first(where: { $0 < -1 }) {
            throw AutogradError.invalidArgument("invalid shape dimension \(d)")
        }
        if let i = unknown.first {
            var known = 1
            for (k, v) in shape.enumerated() where k != i {
                let (p, o) = known.multipliedReportingOverflow(by: v)
                guard !o else { throw AutogradError.invalidArgument("shape '\(Shape.list(shape))' is invalid for input of size \(count)") }
                known = p
            }
            if known > 0 && count % known == 0 { shape[i] = count / known }
            else if known == 0 && count == 0 {
                throw AutogradError.invalidArgument("cannot reshape tensor of 0 elements into shape \(Shape.list(shape)) because the unspecified dimension size -1 can be any value and is ambiguous")
            }
        }
        guard Shape.checkedCount(shape) == count else {
            throw AutogradError.invalidArgument("shape '\(Shape.list(shape))' is invalid for input of size \(count)")
        }
        return shape
    }
}
