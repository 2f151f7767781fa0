import AutogradKernels

/// How a reduction over some dimensions sees a contiguous tensor: as
/// [outer, n, inner], reduced along the middle axis (the layout of the C
/// kernels in ag_reduce_dims.h and ag_sort.h).
///
/// Several dimensions: size-1 dimensions are dropped, and neighbouring
/// dimensions that are both kept or both reduced merge. When the reduced ones
/// then form a single run, the tensor is used as it is: outer is the product
/// of the sizes before the run, n the run's, inner the sizes after it.
/// Otherwise the tensor is first copied with the reduced dimensions moved last
/// (`ag_reduce_permute`), and inner = 1; the kept dimensions keep their order,
/// so the reduced values come out in the order of the result's shape either
/// way, and a full-size result (a gradient) is permuted back.
///
/// A view that is dense in some order of its dims (t(), transpose, permute)
/// is read where it lies: the layout is that of the row-major tensor of its
/// dims in memory order (`memoryOrder`), so `x.t().logsumexp(dim: 1)` reduces
/// the base along its dim 0 with no copy, exactly as the base's own leading-
/// dim reduction does. Reduced results are brought back to the logical order
/// (a copy of the result only), and so are scans (cumsum, as PyTorch's
/// result is contiguous); gradients come back with the view's own strides.
/// Other views are read through a dense copy.
struct ReductionLayout: Sendable {
    /// The input's shape.
    let shape: [Int]
    /// The reduced dimensions, in 0..<rank, ascending, without repeats.
    let dims: [Int]
    let outer: Int, n: Int, inner: Int
    /// The merged shape and the permutation moving its reduced groups last;
    /// nil when the tensor can be used as it is.
    let merged: [Int64]?, permutation: [Int64]?
    /// For a dense view that is not row-major: its dims, outermost in memory first.
    let memoryOrder: [Int]?

    /// - Parameter dims: nil or empty: every dimension (as PyTorch's `dim=[]`).
    init(_ x: Tensor, dims requested: [Int]?, op: String) throws {
        shape = x.shape
        let dims = try x.reductionDims(requested ?? [], op).sorted()
        self.dims = dims
        let order = x.denseMemoryOrder
        memoryOrder = order
        let walk = order ?? Array(x.shape.indices)
        var groups: [(size: Int, reduced: Bool)] = []
        for k in walk where x.shape[k] != 1 {
            let size = x.shape[k]
            let reduced = dims.contains(k)
            if let last = groups.last, last.reduced == reduced {
                groups[groups.count - 1].size *= size
            } else {
                groups.append((size, reduced))
            }
        }
        func product(_ s: ArraySlice<(size: Int, reduced: Bool)>) -> Int { s.reduce(1) { $0 * $1.size } }
        let reducedGroups = groups.filter(\.reduced).count
        if reducedGroups <= 1 {
            let at = groups.firstIndex(where: \.reduced) ?? groups.count
            outer = product(groups[..<at])
            n = at < groups.count ? groups[at].size : 1
            inner = at < groups.count ? product(groups[(at + 1)...]) : 1
            merged = nil
            permutation = nil
        } else {
            guard groups.count <= Int(AG_MAX_DIMS) else {
                throw AutogradError.invalidArgument(
                    "\(op): reducing dims \(Shape.list(dims)) of a tensor of shape \(Shape.list(x.shape)) needs more than \(AG_MAX_DIMS) alternating kept and reduced dimension groups")
            }
            let kept = groups.indices.filter { !groups[$0].reduced }
            let reduced = groups.indices.filter { groups[$0].reduced }
            outer = kept.reduce(1) { $0 * groups[$1].size }
            n = reduced.reduce(1) { $0 * groups[$1].size }
            inner = 1
            merged = groups.map { Int64($0.size) }
            permutation = (kept + reduced).map(Int64.init)
        }
    }

    /// The input's shape with the reduced dimensions kept as size 1.
    var keptShape: [Int] { shape.indices.map { dims.contains($0) ? 1 : shape[$0] } }

    /// The result's shape.
    func outputShape(keepDim: Bool) -> [Int] {
        keepDim ? keptShape : shape.indices.filter { !dims.contains($0) }.map { shape[$0] }
    }

    /// A tensor of x's shape (x, or its gradient) in the layout the kernels
    /// read: row-major in the walk's order (memory order for a dense view;
    /// no copy when the tensor lies that way already), with the reduced
    /// dimensions moved last when they do not form one run.
    func arrange(_ x: Tensor) throws -> Tensor {
        let walked = try memoryOrder.map { try x.permutedView($0).contiguousData } ?? x.contiguousData
        guard let merged, let permutation else { return walked }
        return try Self.permute(walked, merged, permutation)
    }

    /// The inverse of `arrange`, for a full-size tensor in the kernels'
    /// layout: x's shape, and for a dense view its strides.
    func restore(_ t: Tensor) throws -> Tensor {
        var r = t
        if let merged, let permutation {
            let shape = permutation.map { merged[Int($0)] }
            var inverse = [Int64](repeating: 0, count: permutation.count)
            for (k, p) in permutation.enumerated() { inverse[Int(p)] = Int64(k) }
            r = try Self.permute(t, shape, inverse)
        }
        guard let memoryOrder else { return try r.alias(shape: shape) }
        return try r.contiguousData.unpermutedView(memoryOrder, shape: shape)
    }

    /// A reduced result as the kernels write it (its kept dims in the walk's
    /// order) in the logical order, shaped as `outputShape(keepDim:)`.
    func logical(_ y: Tensor, keepDim: Bool) throws -> Tensor {
        guard let memoryOrder else { return y }
        return try y.contiguousData.unpermutedView(memoryOrder, shape: keptShape).contiguousData.alias(shape: outputShape(keepDim: keepDim))
    }

    /// A reduced tensor (a result, or its gradient) in the kernels' order.
    func walked(reduced t: Tensor) throws -> Tensor {
        guard let memoryOrder else { return try t.contiguousData }
        return try t.contiguousData.alias(shape: keptShape).permutedView(memoryOrder).contiguousData
    }

    private static func permute(_ x: Tensor, _ shape: [Int64], _ perm: [Int64]) throws -> Tensor {
        let y = try Tensor(uninitializedShape: [x.count], dtype: x.dtype)
        let nd = Int32(shape.count)
        switch x.dtype {
        case .float32: ag_reduce_permute_f32(x.pointer(Float.self), y.pointer(Float.self), nd, shape, perm)
        case .int64: ag_reduce_permute_i64(x.pointer(Int64.self), y.pointer(Int64.self), nd, shape, perm)
        default: ag_reduce_permute_f64(x.pointer(Double.self), y.pointer(Double.self), nd, shape, perm)
        }
        return y
    }

    var sizes: (Int64, Int64, Int64) { (Int64(outer), Int64(n), Int64(inner)) }
}

/// A kernel from one buffer to another over [outer, n, inner] (a reduction, or
/// a scan that keeps the shape).
typealias LayoutKernel<T> = (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, Int64, Int64, Int64) -> Void
/// gx = k(x, y, gy) over [outer, n, inner].
typealias LayoutBackwardKernel<T> = (UnsafeMutablePointer<T>, UnsafeMutablePointer<T>, UnsafeMutablePointer<T>,
                                     UnsafeMutablePointer<T>, Int64, Int64, Int64) -> Void

extension ReductionLayout {
    /// y = k(x), reduced, in the result's shape.
    /// (`i64`: the int64 kernel, for the reductions integers have.)
    func reduce(_ x: Tensor, keepDim: Bool, _ f32: LayoutKernel<Float>, _ f64: LayoutKernel<Double>,
                i64: LayoutKernel<Int64>? = nil) throws -> Tensor {
        let y = try Tensor(uninitializedShape: outputShape(keepDim: keepDim), dtype: x.dtype)
        run(try arrange(x), y, f32, f64, i64)
        return try logical(y, keepDim: keepDim)
    }

    /// y = k(x) with x's shape (a scan along the reduced axis).
    func scan(_ x: Tensor, _ f32: LayoutKernel<Float>, _ f64: LayoutKernel<Double>, i64: LayoutKernel<Int64>? = nil) throws -> Tensor {
        let y = try Tensor(uninitializedShape: [x.count], dtype: x.dtype)
        run(try arrange(x), y, f32, f64, i64)
        // Contiguous, as PyTorch's cumsum of a transposed view is.
        return try restore(y).contiguousData
    }

    private func run(_ a: Tensor, _ y: Tensor, _ f32: LayoutKernel<Float>, _ f64: LayoutKernel<Double>,
                     _ i64: LayoutKernel<Int64>?) {
        let (o, n, i) = sizes
        switch a.dtype {
        case .float32: f32(a.pointer(Float.self), y.pointer(Float.self), o, n, i)
        case .int64: i64!(a.pointer(Int64.self), y.pointer(Int64.self), o, n, i)
        default: f64(a.pointer(Double.self), y.pointer(Double.self), o, n, i)
        }
    }

    /// gx = k(x, y, gy) in x's shape, for a reduction's output y and its
    /// gradient gy; y nil for a kernel that does not read it (its pointer
    /// is then x's).
    func backward(_ x: Tensor, _ y: Tensor?, _ gy: Tensor,
                  _ f32: LayoutBackwardKernel<Float>, _ f64: LayoutBackwardKernel<Double>) throws -> Tensor {
        let a = try arrange(x), gy = try walked(reduced: try gy.to(x.dtype)), (o, n, i) = sizes
        let y = try y.map { try walked(reduced: $0) } ?? a
        let gx = try Tensor(uninitializedShape: [x.count], dtype: x.dtype)
        if x.dtype == .float32 {
            f32(a.pointer(Float.self), y.pointer(Float.self), gy.pointer(Float.self), gx.pointer(Float.self), o, n, i)
        } else {
            f64(a.pointer(Double.self), y.pointer(Double.self), gy.pointer(Double.self), gx.pointer(Double.self), o, n, i)
        }
        return try restore(gx)
    }
}

extension Tensor {
    /// Whether some element is exactly zero (a floating tensor).
    var containsZero: Bool {
        get throws {
        let x = try contiguousData
        if dtype == .float32 { return UnsafeBufferPointer(start: x.pointer(Float.self), count: count).contains(0) }
        return UnsafeBufferPointer(start: x.pointer(Double.self), count: count).contains(0)
        }
    }

    /// 1 where this tensor is zero, else 0 (not recorded: a constant mask).
    func zeroMask() throws -> Tensor {
        let x = try contiguousData
        let m = try Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 { ag_reduce_zero_mask_f32(x.pointer(Float.self), m.pointer(Float.self), Int64(count)) }
        else { ag_reduce_zero_mask_f64(x.pointer(Double.self), m.pointer(Double.self), Int64(count)) }
        return m
    }
}

/// The product over the reduced dims. dL/dx = dL/dy · ∏_{k≠j} x_k: computed
/// as dL/dy · y / x when no element of x is zero, else from the exclusive
/// products on both sides (PyTorch's prod_backward; exact with zeros).
enum Prod: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static var _nodeName: String { "ProdBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        // Integers and bools multiply to int64 (wrapping), as in PyTorch.
        let x = try args.tensor(0).dtype.isFloatingPoint ? try args.tensor(0) : try args.tensor(0).to(.int64)
        let layout = try ReductionLayout(x, dims: try args.ints(1), op: "prod")
        ctx.set("layout", layout)
        let y = try layout.reduce(x, keepDim: try args.bool(2), { ag_prod_forward_f32($0, $1, $2, $3, $4) },
                              { ag_prod_forward_f64($0, $1, $2, $3, $4) }, i64: { ag_prod_forward_i64($0, $1, $2, $3, $4) })
        ctx.saveForBackward(x, y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors, x = saved[0], y = saved[1], g = gradOutputs[0]!
        let layout = try ctx.get("layout", as: ReductionLayout.self)
        if GradMode.isEnabled {
            let gk = try g.reshape(layout.keptShape)
            if try !x.containsZero { return [try gk * (try y.reshape(layout.keptShape) / x), nil, nil] }
            return [try gk * ProdOthers.apply(x, layout.dims), nil, nil]
        }
        return [try layout.backward(x, y, g, { ag_prod_backward_f32($0, $1, $2, $3, $4, $5, $6) },
                                    { ag_prod_backward_f64($0, $1, $2, $3, $4, $5, $6) }), nil, nil]
    }
}

/// p_j = ∏_{k≠j} x_k along the reduced dims (same shape as x): prod's
/// gradient factor when x has zeros, so that prod can be differentiated twice.
/// dL/dx_k = Σ_{j≠k} dL/dp_j · ∏_{m≠j,k} x_m. Its own backward is not recorded.
enum ProdOthers: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static var onceDifferentiable: Bool { true }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), layout = try ReductionLayout(x, dims: try args.ints(1), op: "prod")
        ctx.set("layout", layout)
        ctx.saveForBackward(x)
        return try layout.scan(x, { ag_prod_others_forward_f32($0, $1, $2, $3, $4) },
                           { ag_prod_others_forward_f64($0, $1, $2, $3, $4) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], layout = try ctx.get("layout", as: ReductionLayout.self)
        let gp = try gradOutputs[0]!.to(x.dtype)
        let a = try layout.arrange(x), g = try layout.arrange(gp), (o, n, i) = layout.sizes
        let gx = try Tensor(uninitializedShape: [x.count], dtype: x.dtype)
        if x.dtype == .float32 {
            ag_prod_others_backward_f32(a.pointer(Float.self), g.pointer(Float.self), gx.pointer(Float.self), o, n, i)
        } else {
            ag_prod_others_backward_f64(a.pointer(Double.self), g.pointer(Double.self), gx.pointer(Double.self), o, n, i)
        }
        return [try layout.restore(gx), nil]
    }
}

/// y = log Σ_j exp(x_j) over the reduced dims, computed as m + log Σ exp(x - m)
/// with m the maximum (numerically stable). dL/dx = dL/dy · exp(x - y)
/// (the softmax of x).
enum LogSumExp: Function {
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static var _nodeName: String { "LogsumexpBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0)
        try x.requireFloating("logsumexp")
        let layout = try ReductionLayout(x, dims: try args.ints(1), op: "logsumexp")
        ctx.set("layout", layout)
        let y = try layout.reduce(x, keepDim: try args.bool(2), { ag_logsumexp_forward_f32($0, $1, $2, $3, $4) },
                              { ag_logsumexp_forward_f64($0, $1, $2, $3, $4) })
        ctx.saveForBackward(x, y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors, x = saved[0], y = saved[1], g = gradOutputs[0]!
        let layout = try ctx.get("layout", as: ReductionLayout.self)
        if GradMode.isEnabled {
            return [try g.reshape(layout.keptShape) * (try x - y.reshape(layout.keptShape)).exp(), nil, nil]
        }
        return [try layout.backward(x, y, g, { ag_logsumexp_backward_f32($0, $1, $2, $3, $4, $5, $6) },
                                    { ag_logsumexp_backward_f64($0, $1, $2, $3, $4, $5, $6) }), nil, nil]
    }
}

/// y_j = Σ_{k≤j} x_k along a dim. dL/dx_j = Σ_{k≥j} dL/dy_k (a reversed cumsum).
enum Cumsum: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        // Integers and bools sum to int64 (wrapping), as in PyTorch.
        let x = try args.tensor(0).dtype.isFloatingPoint ? try args.tensor(0) : try args.tensor(0).to(.int64)
        let dim = try args.int(1)
        ctx.set("dim", dim)
        return try ReductionLayout(x, dims: [dim], op: "cumsum")
            .scan(x, { ag_cumsum_forward_f32($0, $1, $2, $3, $4) }, { ag_cumsum_forward_f64($0, $1, $2, $3, $4) },
                  i64: { ag_cumsum_forward_i64($0, $1, $2, $3, $4) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try ReversedCumsum.apply(gradOutputs[0]!, try ctx.get("dim", as: Int.self)), nil]
    }
}

/// y_j = Π_{k≤j} x_k along a dim (PyTorch's cumprod). Integers and bools
/// multiply in int64 (wrapping).
///
/// dL/dx_i = Σ_{k≥i} g_k Π_{j≤k, j≠i} x_j. With z the first zero of the
/// slice (none: z = n) and x' = x with x_z set to 1:
///   i < z:  Σ_{k≥i} g_k y_k / x_i (the terms k ≥ z are 0), a reversed cumsum;
///   i = z:  Σ_{k≥z} g_k y'_k with y' = cumprod(x');
///   i > z:  x_z · (dL/dx' at i) — 0, written so that its derivative in x_z
///           is right (differentiating the backward again needs it).
/// Built from ops (where, cumsum, cumprod), so it is differentiable again;
/// one level of recursion per zero of a slice.
enum Cumprod: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0).dtype.isFloatingPoint ? try args.tensor(0) : try args.tensor(0).to(.int64)
        let dim = try args.int(1)
        ctx.set("dim", dim)
        ctx.saveForBackward(x)
        return try ReductionLayout(x, dims: [dim], op: "cumprod")
            .scan(x, { ag_cumprod_forward_f32($0, $1, $2, $3, $4) }, { ag_cumprod_forward_f64($0, $1, $2, $3, $4) },
                  i64: { ag_cumprod_forward_i64($0, $1, $2, $3, $4) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradient(try ctx.savedTensors[0], gradOutputs[0]!, try ctx.get("dim", as: Int.self)), nil]
    }

    /// dL/dx of y = cumprod(x) along `dim` for dL/dy = g (see above).
    static func gradient(_ x: Tensor, _ g: Tensor, _ dim: Int) throws -> Tensor {
        let zero = try x.eq(0)
        let zerosSoFar = try zero.to(.int64).cumsum(dim: dim)
        let before = try zerosSoFar.eq(0)
        let one = try Tensor.filledScalar(1, dtype: x.dtype)
        let beforePart = try ReversedCumsum.apply(g * Cumprod.apply(x, dim), dim) / Tensor.where(zero, one, x)
        let firstZero = try zero.logicalAnd(zerosSoFar.eq(1))
        guard try firstZero.sum().item() != 0 else { return try Tensor.where(before, beforePart, Tensor.zeros(like: g)) }
        let x1 = try Tensor.where(firstZero, one, x)
        let atZero = try ReversedCumsum.apply(g * Cumprod.apply(x1, dim), dim)
        let xz = try Tensor.where(firstZero, x, Tensor.zeros(like: x)).sum(dims: [dim], keepDim: true)
        let after = try xz * gradient(x1, g, dim)
        return try Tensor.where(before, beforePart, Tensor.where(firstZero, atZero, after))
    }
}

/// y_j = Σ_{k≥j} x_k along a dim (cumsum's backward). dL/dx = cumsum(dL/dy).
enum ReversedCumsum: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dim = try args.int(1)
        ctx.set("dim", dim)
        return try ReductionLayout(x, dims: [dim], op: "cumsum")
            .scan(x, { ag_cumsum_backward_f32($0, $1, $2, $3, $4) }, { ag_cumsum_backward_f64($0, $1, $2, $3, $4) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try Cumsum.apply(gradOutputs[0]!, try ctx.get("dim", as: Int.self)), nil]
    }
}

extension Tensor {
    /// Mean over `dims` (negative dims count from the end; empty: all).
    /// dL/dx = dL/dy / n broadcast over the reduced dims (n elements each).
    public func mean(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype.scalarName)")
        }
        let layout = try ReductionLayout(self, dims: dims, op: "mean")
        return try sum(dims: layout.dims, keepDim: keepDim) / Double(layout.n)
    }

    /// Mean over one dimension.
    public func mean(dim: Int, keepDim: Bool = false) throws -> Tensor { try mean(dims: [dim], keepDim: keepDim) }

    /// Product of all elements, as a zero-dimensional tensor. Its gradient is
    /// correct with zeros in the input (see `Prod`).
    public func prod() throws -> Tensor { try Prod.apply(self, [Int](), false) }

    /// Product over one dimension.
    public func prod(dim: Int, keepDim: Bool = false) throws -> Tensor {
        try Prod.apply(self, [try normalizedDim(dim, "prod")], keepDim)
    }

    /// log Σ exp(x) over `dims` (empty: all), computed stably.
    public func logsumexp(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try LogSumExp.apply(self, dims.isEmpty ? Array(0..<rank) : dims, keepDim)
    }

    /// log Σ exp(x) over one dimension.
    public func logsumexp(dim: Int, keepDim: Bool = false) throws -> Tensor { try logsumexp(dims: [dim], keepDim: keepDim) }

    /// Cumulative sum along `dim`: y_j = Σ_{k≤j} x_k.
    public func cumsum(dim: Int) throws -> Tensor {
        try Cumsum.apply(self, try normalizedDim(dim, "cumsum"))
    }

    /// The running product along `dim` (PyTorch's `cumprod`): y_j = Π_{k≤j} x_k.
    /// Integers and bools give int64 (wrapping on overflow); the gradient is
    /// exact around zeros (see `Cumprod`).
    public func cumprod(dim: Int) throws -> Tensor {
        try Cumprod.apply(self, try normalizedDim(dim, "cumprod"))
    }
}

extension Tensor {
    /// The dims a reduction over `requested` covers, normalized (negative ones
    /// count from the end), in the order given; an empty list means every dim.
    /// - Throws: PyTorch's "dim 0 appears multiple times in the list of dims".
    func reductionDims(_ requested: [Int], _ op: String) throws -> [Int] {
        guard !requested.isEmpty else { return Array(0..<rank) }
        var dims: [Int] = []
        for d in requested {
            let k = try normalizedDim(d, op)
            guard !dims.contains(k) else {
                throw AutogradError.invalidArgument("dim \(k) appears multiple times in the list of dims")
            }
            dims.append(k)
        }
        return dims
    }
}
