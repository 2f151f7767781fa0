import AutogradKernels

// View ops: each returns a window on its input's storage (O(1), nothing
// copied) and is tracked as a view (Tensor.view), so an in-place change
// through it rebases its base's history. The gradient of a view that only
// relabels or reorders dimensions is the same relabelling of dL/dy (a view of
// it again); that of a view that picks elements (slice, select, diagonal,
// unfold, as_strided) is dL/dy scatter-added into zeros of the input's shape
// at the positions the view reads (`StridedScatterAdd`).

/// A view op: forward returns `geometry(x's window, args)` on x's storage.
protocol StridedView: Function where Output == Tensor {
    /// The view's window, given the input's.
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry
    /// dL/dx from dL/dy. The default scatter-adds dL/dy into zeros of x's
    /// shape through the geometry the view would have on a contiguous x.
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor
    /// Keeps in `ctx` what `gradient` will need; called only when x needs a
    /// gradient. The default keeps the view's window on a contiguous x,
    /// for the default gradient's scatter.
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws
}

extension StridedView {
    static var _layout: _FunctionLayout { .view }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        let g = try geometry(x.geometry, args)
        if ctx.needsInputGrad.first == true { try keep(ctx, x, args) }
        return x.window(g)
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil] }
        var out: [Tensor?] = Array(repeating: nil, count: ctx.argumentCount)
        out[0] = try gradient(ctx, g)
        return out
    }

    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {
        let dense = Geometry(shape: x.shape, strides: Shape.strides(x.shape), offset: 0)
        ctx.set("geometry", try geometry(dense, args))
    }

    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor {
        let geometry = try ctx.get("geometry", as: Geometry.self)
        return try StridedScatterAdd.apply(g, ctx.inputs[0].shape!, geometry.strides, geometry.offset)
    }
}

/// A view op whose gradient is dL/dy reshaped to x's shape (view, reshape,
/// squeeze, unsqueeze, flatten): the elements keep their order.
protocol ReshapingView: StridedView {}

extension ReshapingView {
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {}
    /// args: (x, newShape).
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        let newShape = try args.ints(1)
        guard let strides = Shape.viewStrides(x.shape, x.strides, newShape) else {
            throw AutogradError.invalidArgument("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        }
        return Geometry(shape: newShape, strides: strides, offset: x.offset)
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor { try g.reshape(ctx.inputs[0].shape!) }
}

/// `view` / `reshape` without a copy.  dL/dx = dL/dy reshaped back.
enum ViewOp: ReshapingView { static var _nodeName: String { "ViewBackward" } }
/// `squeeze`.  dL/dx = dL/dy reshaped back.
enum SqueezeOp: ReshapingView { static var _nodeName: String { "SqueezeBackward" } }
/// `unsqueeze`.  dL/dx = dL/dy reshaped back.
enum UnsqueezeOp: ReshapingView { static var _nodeName: String { "UnsqueezeBackward" } }

/// Reorders dimensions: y.shape[i] = x.shape[dims[i]], y.stride[i] = x.stride[dims[i]].
/// dL/dx = dL/dy permuted by the inverse permutation.
enum Permute: StridedView {
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws { ctx.set("dims", try args.ints(1)) }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        let dims = try args.ints(1)
        return Geometry(shape: dims.map { x.shape[$0] }, strides: dims.map { x.strides[$0] }, offset: x.offset)
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor {
        let dims = try ctx.get("dims", as: [Int].self)
        var inverse = dims
        for (i, d) in dims.enumerated() { inverse[d] = i }
        return try g.permute(inverse)
    }
}

/// Swaps two dimensions (their sizes and strides).  dL/dx = dL/dy with them swapped back.
enum Transpose: StridedView {
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {
        ctx.set("d0", try args.int(1))
        ctx.set("d1", try args.int(2))
    }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        let a = try args.int(1), b = try args.int(2)
        var g = x
        g.shape.swapAt(a, b)
        g.strides.swapAt(a, b)
        return g
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor {
        try g.transpose(try ctx.get("d0", as: Int.self), try ctx.get("d1", as: Int.self))
    }
}

/// PyTorch's `t()`: Transpose of a matrix, under its own node name.
enum TOp: StridedView {
    static var _nodeName: String { "TBackward" }
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {}
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        Geometry(shape: x.shape.reversed(), strides: x.strides.reversed(), offset: x.offset)
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor { try g.t() }
}

/// Broadcasts to a larger shape with stride 0 along the broadcast dimensions.
/// dL/dx = dL/dy summed over them (`sumTo`).
enum Expand: StridedView {
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {}
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        x.expanded(to: try args.ints(1))
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor { try g.sumTo(ctx.inputs[0].shape!) }
}

/// Elements start, start+step, … (`length` of them) along `dim` (slice, narrow).
/// dL/dx = zeros with dL/dy written at those positions.
enum SliceOp: StridedView {
    static var _nodeName: String { "SliceBackward" }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        x.sliced(try args.int(1), start: try args.int(2), length: try args.int(3), step: try args.int(4))
    }
}

/// Index `index` of `dim`, which is dropped.  dL/dx = zeros with dL/dy at that index.
enum SelectOp: StridedView {
    static var _nodeName: String { "SelectBackward" }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        x.selecting(try args.int(1), try args.int(2))
    }
}

/// The diagonal x[i, i + offset] of dims (d1, d2), as a last dimension.
/// dL/dx = zeros with dL/dy on that diagonal.
enum DiagonalOp: StridedView {
    static var _nodeName: String { "DiagonalBackward" }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        let k = try args.int(1), d1 = try args.int(2), d2 = try args.int(3)
        var g = x
        let n: Int
        if k >= 0 {
            n = Swift.max(Swift.min(x.shape[d1], x.shape[d2] - k), 0)
            if n > 0 { g.offset += k * x.strides[d2] }
        } else {
            n = Swift.max(Swift.min(x.shape[d1] + k, x.shape[d2]), 0)
            if n > 0 { g.offset -= k * x.strides[d1] }
        }
        let stride = x.strides[d1] + x.strides[d2]
        for d in [d1, d2].sorted(by: >) { g.shape.remove(at: d); g.strides.remove(at: d) }
        g.shape.append(n)
        g.strides.append(stride)
        return g
    }
}

/// Windows of `size` elements every `step` along `dim`, as a new last dimension.
/// dL/dx = dL/dy scatter-added back (windows may overlap).
enum UnfoldOp: StridedView {
    static var _nodeName: String { "UnfoldBackward" }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        let dim = try args.int(1), size = try args.int(2), step = try args.int(3)
        var g = x
        if !x.shape.isEmpty {
            g.shape[dim] = (x.shape[dim] - size) / step + 1
            g.strides[dim] = Geometry.stepped(x.strides[dim], step, g.shape[dim])
        }
        g.shape.append(size)
        g.strides.append(x.shape.isEmpty ? 1 : x.strides[dim])
        return g
    }
}

/// Any window on the input's storage (PyTorch's `as_strided`; positions are
/// storage positions). dL/dx: dL/dy scatter-added into a buffer the size of
/// the storage span both windows cover, read back through x's window.
enum AsStridedOp: StridedView {
    static var _nodeName: String { "AsStridedBackward" }
    static func geometry(_ x: Geometry, _ args: Arguments) throws -> Geometry {
        Geometry(shape: try args.ints(1), strides: try args.ints(2), offset: try args.int(3))
    }
    static func keep(_ ctx: Context, _ x: Tensor, _ args: Arguments) throws {
        ctx.set("in", x.geometry)
        ctx.set("out", try geometry(x.geometry, args))
    }
    static func gradient(_ ctx: Context, _ g: Tensor) throws -> Tensor {
        try asStridedGradient(g, input: ctx.get("in", as: Geometry.self), view: ctx.get("out", as: Geometry.self))
    }

    /// dL/dx for x (window `input`) and its view y (window `view`), both on one storage.
    static func asStridedGradient(_ g: Tensor, input: Geometry, view: Geometry) throws -> Tensor {
        if Shape.isContiguous(input.shape, input.strides) {
            let n = Shape.count(input.shape)
            let v = view.extent
            if n == 0 || (v.lo >= input.offset && v.hi <= input.offset + n) {
                return try StridedScatterAdd.apply(g, input.shape, view.strides, view.offset - input.offset)
            }
        }
        let a = input.extent, b = view.extent
        let lo = Swift.min(a.lo, b.lo), hi = Swift.max(a.hi, b.hi)
        let scratch = try StridedScatterAdd.apply(g, [hi - lo], view.strides, view.offset - lo)
        return try scratch.asStrided(size: input.shape, stride: input.strides, storageOffset: input.offset - lo).contiguous()
    }
}

/// zeros(shape) with g added at the positions of a window (strides, offset)
/// on that contiguous buffer: the backward of every element-picking view.
/// dL/dg = dL/dy read through the same window.
enum StridedScatterAdd: Function {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let g = try args.tensor(0), shape = try args.ints(1), strides = try args.ints(2), offset = try args.int(3)
        ctx.set("strides", strides)
        ctx.set("offset", offset)
        let y = try Tensor.filled(shape, 0, dtype: g.dtype)
        guard g.count > 0 else { return y }
        var d = try StridedWalk(shape: g.shape, srcStrides: g.strides, dstOffset: offset, dstStrides: strides)
            .descriptor("as_strided_backward")
        switch g.dtype {
        case .float32: ag_strided_add_f32(g.pointer(Float.self), y.pointer(Float.self), &d)
        case .float64: ag_strided_add_f64(g.pointer(Double.self), y.pointer(Double.self), &d)
        default: throw AutogradError.invalidArgument("as_strided_backward: \(g.dtype) has no gradient")
        }
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        // as_strided's offset counts from the start of the storage, where a
        // contiguous gradient that is itself a window need not start.
        let g = try gradOutputs[0]!.contiguous()
        let shape = ctx.inputs[0].shape!
        return [try g.asStrided(size: shape, stride: try ctx.get("strides", as: [Int].self),
                                storageOffset: g.storageOffset + (try ctx.get("offset", as: Int.self))), nil, nil, nil]
    }
}
