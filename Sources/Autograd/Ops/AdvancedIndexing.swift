import AutogradKernels

// Advanced indexing: x[i0, i1, …] with int64 index tensors (bool masks are
// turned into them first), PyTorch's `index`, `index_put_` and `index_put`.
//
// The index tensors sit at `dims` of the tensor they index and broadcast
// together to a shape B. The result has B in place of those dims when they
// are adjacent, else B in front followed by the other dims (PyTorch's rule).
// One int64 tensor of element offsets over B, Σ_j index_j · stride(dims[j]),
// turns every op below into a strided walk over the result's shape with
// three operands (index.c), so no operand is copied to make it contiguous.

/// The shapes of one advanced indexing and the walks that implement it.
struct AdvancedLayout {
    /// The indexed tensor's shape.
    let shape: [Int]
    let dims: [Int]
    /// The broadcast shape of the index tensors.
    let broadcast: [Int]
    /// The shape of `x[indices]`.
    let result: [Int]
    /// Where B starts in `result`.
    let broadcastStart: Int
    /// For each position of `result` outside B, the dim of `shape` it walks.
    let restDims: [Int]

    init(shape: [Int], dims: [Int], indices: [Tensor]) throws {
        var b: [Int] = []
        for t in indices {
            guard let s = Shape.broadcast(b, t.shape) else {
                throw AutogradError.invalidArgument(
                    "shape mismatch: indexing tensors could not be broadcast together with shapes "
                    + indices.map { Shape.list($0.shape) }.joined(separator: ", "))
            }
            b = s
        }
        let adjacent = zip(dims, dims.dropFirst()).allSatisfy { $1 == $0 + 1 }
        let rest = shape.indices.filter { !dims.contains($0) }
        try Shape.validate(b, "index", dtype: .int64)
        self.shape = shape
        self.dims = dims
        broadcast = b
        restDims = rest
        if adjacent, let first = dims.first {
            broadcastStart = first
            result = Array(shape[..<first]) + b + Array(shape[(dims.last! + 1)...])
        } else {
            broadcastStart = 0
            result = b + rest.map { shape[$0] }
        }
        try Shape.validate(result, "index")
    }

    /// The strides over `result` of the indexed tensor with `strides`: 0 along B.
    func indexedStrides(_ strides: [Int]) -> [Int] {
        var s = [Int](repeating: 0, count: result.count), r = 0
        for p in 0..<result.count where p < broadcastStart || p >= broadcastStart + broadcast.count {
            s[p] = strides[restDims[r]]
            r += 1
        }
        return s
    }

    /// The strides over `result` of the offsets tensor (contiguous over B).
    var offsetStrides: [Int] {
        var s = [Int](repeating: 0, count: result.count)
        let b = Shape.strides(broadcast)
        for k in 0..<broadcast.count { s[broadcastStart + k] = b[k] }
        return s
    }

    /// Σ_j index_j · strides[dims[j]] over B (negative indices counted from
    /// the end), as an int64 tensor.
    /// - Throws: PyTorch's "index 5 is out of bounds for dimension 0 with size 3"
    ///   (the dimension is the index tensor's position among the indices).
    func offsets(_ indices: [Tensor], strides: [Int]) throws -> Tensor {
        let off = try Tensor.filled(broadcast, 0, dtype: .int64)
        for (j, index) in indices.enumerated() {
            let e = index.expandedWindow(broadcast)
            var d = try StridedWalk(shape: broadcast, srcStrides: e.strides, dstStrides: Shape.strides(broadcast))
                .descriptor("index")
            let size = shape[dims[j]]
            var bad: Int64 = 0
            let failed = withExtendedLifetime(index) {
                ag_index_offsets(e.pointer(Int64.self), off.pointer(Int64.self), Int64(size), Int64(strides[dims[j]]), &d, &bad)
            }
            if failed != 0 {
                throw AutogradError.invalidArgument("index \(bad) is out of bounds for dimension \(j) with size \(size)")
            }
        }
        return off
    }
}

/// The C descriptor of a walk over `shape` with operands a, b and the offsets,
/// size-1 dims dropped and dims that all three step through in order merged.
private func indexWalk(_ shape: [Int], a: (offset: Int, strides: [Int]), b: (offset: Int, strides: [Int]),
                       offsets: [Int], _ op: String) throws -> ag_index_walk {
    var sh: [Int] = [], sa: [Int] = [], sb: [Int] = [], so: [Int] = []
    for k in shape.indices where shape[k] != 1 {
        if let l = sh.indices.last, sa[l] == a.strides[k] * shape[k], sb[l] == b.strides[k] * shape[k],
           so[l] == offsets[k] * shape[k] {
            sh[l] *= shape[k]; sa[l] = a.strides[k]; sb[l] = b.strides[k]; so[l] = offsets[k]
        } else {
            sh.append(shape[k]); sa.append(a.strides[k]); sb.append(b.strides[k]); so.append(offsets[k])
        }
    }
    guard sh.count <= Int(AG_MAX_DIMS) else {
        throw AutogradError.invalidArgument("\(op): at most \(AG_MAX_DIMS) dimensions are supported, got shape \(Shape.list(shape))")
    }
    var d = ag_index_walk()
    d.ndim = Int32(sh.count)
    d.a_offset = Int64(a.offset)
    d.b_offset = Int64(b.offset)
    StridedWalk.fill(&d.shape, sh)
    StridedWalk.fill(&d.a_stride, sa)
    StridedWalk.fill(&d.b_stride, sb)
    StridedWalk.fill(&d.off_stride, so)
    return d
}

extension Tensor {
    /// `x[indices]` into a new contiguous tensor (not recorded).
    static func gatherIndexed(_ x: Tensor, _ layout: AdvancedLayout, _ indices: [Tensor]) throws -> Tensor {
        let y = try Tensor(uninitializedShape: layout.result, dtype: x.dtype)
        if y.count == 0 { return y }
        let off = try layout.offsets(indices, strides: x.strides)
        var d = try indexWalk(layout.result, a: (0, y.strides), b: (x.storageOffset, layout.indexedStrides(x.strides)),
                              offsets: layout.offsetStrides, "index")
        let src = x.storage.bytes, o = off.pointer(Int64.self)
        withExtendedLifetime(x) {
            switch x.dtype.byteSize {
            case 8: ag_index_get_8(y.pointer(UInt64.self), src.assumingMemoryBound(to: UInt64.self), o, &d)
            case 4: ag_index_get_4(y.pointer(UInt32.self), src.assumingMemoryBound(to: UInt32.self), o, &d)
            default: ag_index_get_1(y.pointer(UInt8.self), src.assumingMemoryBound(to: UInt8.self), o, &d)
            }
        }
        return y
    }

    /// `x[indices] = values` (or `+=` with `accumulate`) through x's strides,
    /// `values` broadcasting to the indexing result (not recorded; bumps x's version).
    static func putIndexed(_ x: Tensor, _ layout: AdvancedLayout, _ indices: [Tensor], _ values: Tensor,
                           accumulate: Bool) throws {
        try putIndexed(x, layout, indices, values, accumulate ? .add : .assign)
    }

    /// How index_put_ combines a value with what is there.
    enum PutReduction { case assign, add, max, min, mul }

    /// `x[indices] <reduction>= values` through x's strides (not recorded; bumps x's version).
    /// max, min and mul are for floating tensors (scatter_reduce's amax, amin, prod).
    static func putIndexed(_ x: Tensor, _ layout: AdvancedLayout, _ indices: [Tensor], _ values: Tensor,
                           _ reduction: PutReduction) throws {
        if [.max, .min, .mul].contains(reduction) && !x.dtype.isFloatingPoint {
            throw AutogradError.invalidArgument("index_put_: reducing with \(reduction) needs a floating tensor, got \(x.dtype)")
        }
        defer { x.bumpVersion() }
        if Shape.count(layout.result) == 0 { return }
        let off = try layout.offsets(indices, strides: x.strides)
        // A source that shares x's memory is read from a copy, as if assigned at once.
        let v = (values.storage === x.storage ? try values.copied() : values).expandedWindow(layout.result)
        var d = try indexWalk(layout.result, a: (x.storageOffset, layout.indexedStrides(x.strides)), b: (0, v.strides),
                              offsets: layout.offsetStrides, "index_put_")
        let dst = x.storage.bytes, o = off.pointer(Int64.self)
        let f = dst.assumingMemoryBound(to: Float.self), g = dst.assumingMemoryBound(to: Double.self)
        withExtendedLifetime(x) {
            switch (x.dtype, reduction) {
            case (.float32, .add): ag_index_put_add_f32(f, v.pointer(Float.self), o, &d)
            case (.float64, .add): ag_index_put_add_f64(g, v.pointer(Double.self), o, &d)
            case (.int64, .add): ag_index_put_add_i64(dst.assumingMemoryBound(to: Int64.self), v.pointer(Int64.self), o, &d)
            case (.float32, .max): ag_index_put_max_f32(f, v.pointer(Float.self), o, &d)
            case (.float64, .max): ag_index_put_max_f64(g, v.pointer(Double.self), o, &d)
            case (.float32, .min): ag_index_put_min_f32(f, v.pointer(Float.self), o, &d)
            case (.float64, .min): ag_index_put_min_f64(g, v.pointer(Double.self), o, &d)
            case (.float32, .mul): ag_index_put_mul_f32(f, v.pointer(Float.self), o, &d)
            case (.float64, .mul): ag_index_put_mul_f64(g, v.pointer(Double.self), o, &d)
            case (_, _) where x.dtype.byteSize == 8:
                ag_index_put_8(dst.assumingMemoryBound(to: UInt64.self), v.pointer(UInt64.self), o, &d)
            case (_, _) where x.dtype.byteSize == 4:
                ag_index_put_4(dst.assumingMemoryBound(to: UInt32.self), v.pointer(UInt32.self), o, &d)
            default: ag_index_put_1(dst.assumingMemoryBound(to: UInt8.self), v.pointer(UInt8.self), o, &d)
            }
        }
    }

    /// PyTorch's checks of `x[indices] = values`: the value broadcasts to the
    /// indexing result and has x's dtype; accumulation needs a numeric dtype.
    static func checkIndexPut(_ x: Tensor, _ layout: AdvancedLayout, _ values: Tensor, accumulate: Bool) throws {
        guard values.dtype == x.dtype else {
            throw AutogradError.invalidArgument(
                "Index put requires the source and destination dtypes match, got \(x.dtype.scalarName) for the destination and \(values.dtype.scalarName) for the source.")
        }
        guard let b = Shape.broadcast(layout.result, values.shape), b == layout.result else {
            throw AutogradError.invalidArgument(
                "shape mismatch: value tensor of shape \(Shape.list(values.shape)) cannot be broadcast to indexing result of shape \(Shape.list(layout.result))")
        }
        if accumulate && x.dtype == .bool {
            throw AutogradError.invalidArgument("index_put_ with accumulate=True: \"index_put_\" not implemented for 'Bool'")
        }
    }
}

/// The index tensors of an indexing Function: its arguments from `first` on.
private func indexArguments(_ args: Arguments, from first: Int) throws -> [Tensor] {
    try (first..<args.count).map { try args.tensor($0) }
}

/// y = x[indices] (PyTorch's `index`, a copy); arguments (x, dims, indices…).
/// dL/dx = zeros of x's shape with dL/dy accumulated at the indexed positions
/// (an index_put with accumulate, so repeated indices add up).
enum AdvancedIndex: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "IndexBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dims = try args.ints(1), indices = try indexArguments(args, from: 2)
        ctx.set("dims", dims)
        ctx.saveForBackward(indices)
        return try Tensor.gatherIndexed(x, try AdvancedLayout(shape: x.shape, dims: dims, indices: indices), indices)
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let g = gradOutputs[0]!, dims = try ctx.get("dims", as: [Int].self), indices = try ctx.savedTensors
        let zeros = try Tensor.filled(ctx.inputs[0].shape!, 0, dtype: g.dtype)
        let gx = try IndexPut.apply(arguments: [.tensor(zeros), .tensor(g), .bool(true), .ints(dims)] + indices.map(Argument.tensor))
        return [gx, nil] + indices.map { _ in nil }
    }
}

/// The forward shared by the out-of-place and in-place index_put, on
/// arguments (x, values, accumulate, dims, indices…): puts into `target`.
private func indexPutForward(_ ctx: Context, _ args: Arguments, into target: Tensor) throws {
    let values = try args.tensor(1), accumulate = try args.bool(2)
    let dims = try args.ints(3), indices = try indexArguments(args, from: 4)
    ctx.set("dims", dims)
    ctx.set("accumulate", accumulate)
    ctx.saveForBackward(indices)
    try Tensor.putIndexed(target, try AdvancedLayout(shape: target.shape, dims: dims, indices: indices), indices, values,
                          accumulate: accumulate)
}

/// The backward shared by the out-of-place and in-place index_put:
/// dL/dx_old = dL/dy, with 0 at the indexed positions unless accumulating;
/// dL/dvalues = dL/dy[indices] (summed to values' shape by the engine).
private func indexPutBackward(_ ctx: Context, _ g: Tensor) throws -> [Tensor?] {
    let dims = try ctx.get("dims", as: [Int].self), accumulate = try ctx.get("accumulate", as: Bool.self)
    let indices = try ctx.savedTensors
    let rest = indices.map { _ -> Tensor? in nil }
    var gx: Tensor? = nil, gv: Tensor? = nil
    if ctx.needsInputGrad[0] {
        gx = accumulate ? g : try IndexPut.apply(arguments: [.tensor(g), .tensor(Tensor.filledScalar(0, dtype: g.dtype)),
                                                             .bool(false), .ints(dims)] + indices.map(Argument.tensor))
    }
    if ctx.needsInputGrad[1] {
        gv = try AdvancedIndex.apply(arguments: [.tensor(g), .ints(dims)] + indices.map(Argument.tensor))
    }
    return [gx, gv, nil, nil] + rest
}

/// y = x with y[indices] = values (`+=` with accumulate): PyTorch's
/// out-of-place `index_put`; arguments (x, values, accumulate, dims, indices…).
/// dL/dx = dL/dy, zero at the indexed positions unless accumulating;
/// dL/dvalues = dL/dy[indices].
enum IndexPut: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "IndexPutBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let y = try args.tensor(0).copied()
        try indexPutForward(ctx, args, into: y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        try indexPutBackward(ctx, gradOutputs[0]!)
    }
}

/// x[indices] = values in place (`+=` with accumulate): PyTorch's
/// `index_put_`, the setter of advanced indexing. The same gradients as IndexPut.
enum IndexPutInPlace: Function {
    static var _layout: _FunctionLayout { .strided }
    static var _nodeName: String { "IndexPutBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try indexPutForward(ctx, args, into: x)
        ctx.markDirty(x)
        return x
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        try indexPutBackward(ctx, gradOutputs[0]!)
    }
}
