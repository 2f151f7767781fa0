import AutogradKernels

// Rearranging dimensions. Tensors are always contiguous, so an op that changes
// the memory order (transpose, permute) produces a copy through the strided
// copy kernel; ops that only relabel dimensions (squeeze, unsqueeze, flatten,
// and a permute that moves only size-1 dimensions) return storage-sharing
// aliases through `reshape`.

/// A walk for the strided kernels of ag_shape.h, built from Swift arrays: every
/// index of `shape`, at `srcOffset + Σ i·srcStrides` in the source and
/// `dstOffset + Σ i·dstStrides` in the destination.
struct StridedWalk {
    var shape: [Int]
    var srcOffset = 0
    var srcStrides: [Int]
    var dstOffset = 0
    var dstStrides: [Int]

    /// The same walk with size-1 dimensions dropped and neighbours that both
    /// sides step through contiguously merged (fewer, longer inner loops).
    func coalesced() -> StridedWalk {
        var w = StridedWalk(shape: [], srcOffset: srcOffset, srcStrides: [], dstOffset: dstOffset, dstStrides: [])
        for k in shape.indices where shape[k] != 1 {
            if let last = w.shape.indices.last,
               w.srcStrides[last] == srcStrides[k] * shape[k], w.dstStrides[last] == dstStrides[k] * shape[k] {
                w.shape[last] *= shape[k]
                w.srcStrides[last] = srcStrides[k]
                w.dstStrides[last] = dstStrides[k]
            } else {
                w.shape.append(shape[k]); w.srcStrides.append(srcStrides[k]); w.dstStrides.append(dstStrides[k])
            }
        }
        return w
    }

    /// The C descriptor of the coalesced walk.
    /// - Throws: when more than AG_MAX_DIMS dimensions remain after coalescing.
    func descriptor(_ op: String) throws -> ag_strided {
        let w = coalesced()
        guard w.shape.count <= Int(AG_MAX_DIMS) else {
            throw AutogradError.invalidArgument("\(op): at most \(AG_MAX_DIMS) dimensions are supported, got shape \(Shape.list(shape))")
        }
        var d = ag_strided()
        d.ndim = Int32(w.shape.count)
        d.src_offset = Int64(w.srcOffset)
        d.dst_offset = Int64(w.dstOffset)
        Self.fill(&d.shape, w.shape)
        Self.fill(&d.src_stride, w.srcStrides)
        Self.fill(&d.dst_stride, w.dstStrides)
        return d
    }

    private static func fill<T>(_ tuple: inout T, _ values: [Int]) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            let p = raw.bindMemory(to: Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        }
    }
}

extension Tensor {
    /// Copies elements of `src` into `dst` along `walk` (any dtype, both the
    /// same; not recorded). Elements of `dst` off the walk are left as they are.
    static func stridedCopy(_ src: Tensor, into dst: Tensor, _ walk: StridedWalk, _ op: String) throws {
        guard src.dtype == dst.dtype else {
            throw AutogradError.invalidArgument("\(op): expected tensors of one dtype, got \(src.dtype) and \(dst.dtype)")
        }
        if Shape.count(walk.shape) == 0 { return }
        var d = try walk.descriptor(op)
        switch src.dtype {
        case .float32: ag_strided_copy_f32(src.pointer(Float.self), dst.pointer(Float.self), &d)
        case .float64: ag_strided_copy_f64(src.pointer(Double.self), dst.pointer(Double.self), &d)
        case .int64: ag_strided_copy_i64(src.pointer(Int64.self), dst.pointer(Int64.self), &d)
        case .bool: ag_strided_copy_b8(src.pointer(Bool.self), dst.pointer(Bool.self), &d)
        }
    }

    /// The elements in the order of `perm` (y.shape[i] = x.shape[perm[i]]),
    /// not recorded: an alias when only size-1 dimensions move, else a copy.
    func permutedUnrecorded(_ perm: [Int], _ op: String) throws -> Tensor {
        let outShape = perm.map { shape[$0] }
        let moved = perm.filter { shape[$0] != 1 }
        if moved == moved.sorted() { return alias(shape: outShape) }
        let y = Tensor(uninitializedShape: outShape, dtype: dtype)
        let xs = Shape.strides(shape)
        let walk = StridedWalk(shape: outShape, srcStrides: perm.map { xs[$0] }, dstStrides: Shape.strides(outShape))
        try Tensor.stridedCopy(self, into: y, walk, op)
        return y
    }
}

/// Reorders dimensions: y.shape[i] = x.shape[dims[i]] (a copy).
/// dL/dx = dL/dy permuted by the inverse permutation (dL/dx.shape[dims[i]] = dL/dy.shape[i]).
enum Permute: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dims = try args.ints(1)
        ctx.set("dims", dims)
        return try x.permutedUnrecorded(dims, "permute")
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let dims = try ctx.get("dims", as: [Int].self)
        var inverse = dims
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return [try gradOutputs[0]!.permute(inverse), nil]
    }
}

/// Swaps two dimensions (a copy).  dL/dx = dL/dy with the same two dimensions swapped back.
enum Transpose: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), d0 = try args.int(1), d1 = try args.int(2)
        ctx.set("d0", d0)
        ctx.set("d1", d1)
        var perm = Array(0..<x.rank)
        perm.swapAt(d0, d1)
        return try x.permutedUnrecorded(perm, "transpose")
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradOutputs[0]!.transpose(try ctx.get("d0", as: Int.self), try ctx.get("d1", as: Int.self)), nil, nil]
    }
}

extension Tensor {
    /// Swaps dimensions `dim0` and `dim1` (negative dims count from the end).
    /// A copy, since tensors are contiguous; `self` when the dims are equal.
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try normalizedDim(dim0, "transpose"), b = try normalizedDim(dim1, "transpose")
        if a == b || rank < 2 { return self }
        return try Transpose.apply(self, Swift.min(a, b), Swift.max(a, b))
    }

    /// Reorders the dimensions: result.shape[i] = shape[dims[i]] (PyTorch's `permute`).
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == rank else {
            throw AutogradError.invalidArgument(
                "permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(rank) is not equal to len(dims) = \(dims.count)")
        }
        let d = try dims.map { try normalizedDim($0, "permute") }
        guard Set(d).count == d.count else {
            throw AutogradError.invalidArgument("permute(): duplicate dims are not allowed.")
        }
        if d == Array(0..<rank) { return self }
        return try Permute.apply(self, d)
    }

    /// `permute` with the dims listed inline: `x.permute(2, 0, 1)`.
    public func permute(_ dims: Int...) throws -> Tensor { try permute(dims) }

    /// The 2-D transpose (PyTorch's `t()`): a tensor of rank 0 or 1 is returned as is.
    public func t() throws -> Tensor {
        guard rank <= 2 else {
            throw AutogradError.invalidArgument("t() expects a tensor with <= 2 dimensions, but self is \(rank)D")
        }
        return try transpose(0, -1)
    }

    /// The last two dimensions swapped (PyTorch's `mT`, for matrices and batches of them).
    public var mT: Tensor {
        get throws {
            guard rank >= 2 else {
                throw AutogradError.invalidArgument(
                    "tensor.mT is only supported on matrices or batches of matrices. Got \(rank)-D tensor.")
            }
            return try transpose(-2, -1)
        }
    }

    /// Removes every dimension of size 1 (an alias).
    public func squeeze() throws -> Tensor { try reshape(shape.filter { $0 != 1 }) }

    /// Removes dimension `dim` if its size is 1; otherwise returns the tensor unchanged (an alias).
    public func squeeze(dim: Int) throws -> Tensor { try squeeze(dims: [dim]) }

    /// Removes those of `dims` whose size is 1 (an alias).
    public func squeeze(dims: [Int]) throws -> Tensor {
        let d = try dims.map { try normalizedDim($0, "squeeze") }
        if rank == 0 { return self }
        return try reshape(shape.indices.filter { !(d.contains($0) && shape[$0] == 1) }.map { shape[$0] })
    }

    /// Inserts a dimension of size 1 at `dim` (in -(rank+1)...rank; an alias).
    public func unsqueeze(dim: Int) throws -> Tensor {
        let d = try normalizedDim(dim, "unsqueeze", rank: rank + 1)
        var s = shape
        s.insert(1, at: d)
        return try reshape(s)
    }

    /// Merges dimensions `startDim...endDim` into one (an alias); a scalar becomes shape [1].
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        let a = try normalizedDim(startDim, "flatten"), b = try normalizedDim(endDim, "flatten")
        guard a <= b else {
            throw AutogradError.invalidArgument("flatten() has invalid args: start_dim cannot come after end_dim")
        }
        if rank == 0 { return try reshape([1]) }
        return try reshape(Array(shape[..<a]) + [Shape.count(Array(shape[a...b]))] + Array(shape[(b + 1)...]))
    }

    /// Broadcasts to `sizes` (PyTorch's `expand`): a size of -1 keeps this
    /// tensor's size in that dimension; new dimensions are added in front.
    /// dL/dx = dL/dy summed over the broadcast dimensions.
    public func expand(_ sizes: [Int]) throws -> Tensor {
        guard sizes.count >= rank else {
            throw AutogradError.invalidArgument(
                "expand(\(dtype.legacyTypeName){\(Shape.list(shape))}, size=\(Shape.list(sizes))): the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
        }
        let lead = sizes.count - rank
        var target = sizes
        for (i, s) in sizes.enumerated() where s < 0 {
            guard i >= lead else {
                throw AutogradError.invalidArgument(
                    "The expanded size of the tensor (\(s)) isn't allowed in a leading, non-existing dimension \(i)")
            }
            guard s == -1 else {
                throw AutogradError.invalidArgument(
                    "expand: the size \(s) at dimension \(i) is invalid (expected -1 or a size >= 0) in \(Shape.list(sizes))")
            }
            target[i] = shape[i - lead]
        }
        return try expand(to: target)
    }

    /// `expand` with the sizes listed inline: `x.expand(4, -1, -1)`.
    public func expand(_ sizes: Int...) throws -> Tensor { try expand(sizes) }

    /// PyTorch's `broadcast_to`: `expand(sizes)` (-1 keeps a size).
    public func broadcastTo(_ sizes: [Int]) throws -> Tensor { try expand(sizes) }

    /// PyTorch's `sum_to_size`: `sumTo(shape)`.
    public func sumToSize(_ shape: [Int]) throws -> Tensor { try sumTo(shape) }
}
