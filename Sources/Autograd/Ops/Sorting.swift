import AutogradKernels

// Selection along a dimension: max / min (with and without a dim), argmax /
// argmin, sort, argsort and topk. The index outputs are int64 and not
// differentiable; the gradient of the values goes back to the positions they
// were taken from (a scatter along the dim).

/// (outer, n, inner) for the [outer, n, inner] view of `shape` around `dim`
/// (a zero-dimensional shape is one element).
func axisSizes(_ shape: [Int], _ dim: Int) -> (Int64, Int64, Int64) {
    guard !shape.isEmpty else { return (1, 1, 1) }
    let outer = shape[..<dim].reduce(1, *), inner = shape[(dim + 1)...].reduce(1, *)
    return (Int64(outer), Int64(shape[dim]), Int64(inner))
}

/// `shape` with the size along `dim` replaced (a zero-dimensional shape stays so).
func replacingSize(_ shape: [Int], _ dim: Int, _ size: Int) -> [Int] {
    guard !shape.isEmpty else { return [] }
    var s = shape
    s[dim] = size
    return s
}

/// out = x taken along `dim` at `index`: out[.., j, ..] = x[.., index[.., j, ..], ..]
/// (PyTorch's gather along one dim; index has x's shape except along dim).
/// dL/dx = dL/dout scattered back: dL/dx[.., index[.., j, ..], ..] += dL/dout[.., j, ..].
enum GatherSelected: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), index = try args.tensor(1), dim = try args.int(2)
        let (o, n, i) = axisSizes(x.shape, dim), k = Int64(index.shape.isEmpty ? 1 : index.shape[dim])
        guard index.dtype == .int64, index.shape == replacingSize(x.shape, dim, Int(k)) else {
            throw AutogradError.invalidArgument(
                "gather: index \(Shape.list(index.shape)) \(index.dtype) does not fit input \(Shape.list(x.shape)) along dim \(dim)")
        }
        ctx.saveForBackward(index)
        ctx.set("dim", dim)
        ctx.set("size", Int(n))
        let out = try Tensor(uninitializedShape: index.shape, dtype: x.dtype)
        if x.dtype == .float32 {
            ag_sort_gather_f32(x.pointer(Float.self), index.pointer(Int64.self), out.pointer(Float.self), o, n, k, i)
        } else {
            ag_sort_gather_f64(x.pointer(Double.self), index.pointer(Int64.self), out.pointer(Double.self), o, n, k, i)
        }
        return out
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let index = try ctx.savedTensors[0]
        let gx = try ScatterSelected.apply(gradOutputs[0]!, index, try ctx.get("dim", as: Int.self),
                                           try ctx.get("size", as: Int.self))
        return [gx, nil, nil]
    }
}

/// The backward of a selection: zeros of `g`'s shape with `size` along `dim`,
/// plus out[.., index[.., j, ..], ..] += g[.., j, ..] (PyTorch's scatter_add
/// into zeros). dL/dg = dL/dout gathered at `index` (`GatherSelected`).
enum ScatterSelected: Function {
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let g = try args.tensor(0), index = try args.tensor(1), dim = try args.int(2), size = try args.int(3)
        guard index.dtype == .int64, index.shape == g.shape else {
            throw AutogradError.invalidArgument(
                "scatter_add: index \(Shape.list(index.shape)) \(index.dtype) does not match source \(Shape.list(g.shape))")
        }
        ctx.saveForBackward(index)
        ctx.set("dim", dim)
        let out = try Tensor(uninitializedShape: replacingSize(g.shape, dim, size), dtype: g.dtype)
        let (o, k, i) = axisSizes(g.shape, dim), n = Int64(size)
        if g.dtype == .float32 {
            ag_sort_scatter_add_f32(index.pointer(Int64.self), g.pointer(Float.self), out.pointer(Float.self), o, n, k, i)
        } else {
            ag_sort_scatter_add_f64(index.pointer(Int64.self), g.pointer(Double.self), out.pointer(Double.self), o, n, k, i)
        }
        return out
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let index = try ctx.savedTensors[0]
        return [try GatherSelected.apply(gradOutputs[0]!, index, try ctx.get("dim", as: Int.self)), nil, nil, nil]
    }
}

/// What max / min / sort / topk share: forward returns [values, indices] with
/// indices non-differentiable and saved; backward scatters dL/dvalues to the
/// indices along the dim.
enum Selection {
    static func outputs(_ ctx: Context, _ values: Tensor, _ indices: Tensor, dim: Int, size: Int, keptShape: [Int]) -> [Tensor] {
        ctx.markNonDifferentiable(indices)
        ctx.saveForBackward(indices)
        ctx.set("dim", dim)
        ctx.set("size", size)
        ctx.set("keptShape", keptShape)
        return [values, indices]
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil] }
        let keptShape = try ctx.get("keptShape", as: [Int].self)
        let index = try ctx.savedTensors[0].alias(shape: keptShape)
        let gx = try ScatterSelected.apply(try g.reshape(keptShape), index, try ctx.get("dim", as: Int.self),
                                           try ctx.get("size", as: Int.self))
        return [gx] + [Tensor?](repeating: nil, count: ctx.inputs.count - 1)
    }

    /// The extreme value and its index along a dim (max or min).
    static func extreme(_ ctx: Context, _ args: Arguments, max: Bool) throws -> [Tensor] {
        let x = try args.tensor(0), dim = try args.int(1), keepDim = try args.bool(2)
        let op = max ? "max" : "min"
        let (o, n, i) = axisSizes(x.shape, dim)
        guard n > 0 else {
            throw AutogradError.invalidArgument("\(op)(): Expected reduction dim \(dim) to have non-zero size.")
        }
        let kept = replacingSize(x.shape, dim, 1)
        let shape = keepDim || x.rank == 0 ? kept : x.shape.enumerated().filter { $0.offset != dim }.map(\.element)
        let values = try Tensor(uninitializedShape: shape, dtype: x.dtype)
        let indices = try Tensor(uninitializedShape: shape, dtype: .int64)
        let ip = indices.pointer(Int64.self)
        switch (x.dtype, max) {
        case (.float32, true): ag_max_dim_forward_f32(x.pointer(Float.self), values.pointer(Float.self), ip, o, n, i)
        case (.float32, false): ag_min_dim_forward_f32(x.pointer(Float.self), values.pointer(Float.self), ip, o, n, i)
        case (_, true): ag_max_dim_forward_f64(x.pointer(Double.self), values.pointer(Double.self), ip, o, n, i)
        case (_, false): ag_min_dim_forward_f64(x.pointer(Double.self), values.pointer(Double.self), ip, o, n, i)
        }
        return outputs(ctx, values, indices, dim: dim, size: Int(n), keptShape: kept)
    }

    /// The first k entries of each slice along `dim` after a stable sort.
    static func sorted(_ ctx: Context, _ x: Tensor, dim: Int, k: Int, descending: Bool) throws -> [Tensor] {
        let (o, n, i) = axisSizes(x.shape, dim)
        let shape = replacingSize(x.shape, dim, k)
        let values = try Tensor(uninitializedShape: shape, dtype: x.dtype)
        let indices = try Tensor(uninitializedShape: shape, dtype: .int64)
        let workV = try Tensor(uninitializedShape: [2 * Int(n)], dtype: x.dtype)
        let workI = try Tensor(uninitializedShape: [2 * Int(n)], dtype: .int64)
        if x.dtype == .float32 {
            ag_sort_forward_f32(x.pointer(Float.self), values.pointer(Float.self), indices.pointer(Int64.self), o, n, Int64(k), i,
                                descending, workV.pointer(Float.self), workI.pointer(Int64.self))
        } else {
            ag_sort_forward_f64(x.pointer(Double.self), values.pointer(Double.self), indices.pointer(Int64.self), o, n, Int64(k), i,
                                descending, workV.pointer(Double.self), workI.pointer(Int64.self))
        }
        return outputs(ctx, values, indices, dim: dim, size: Int(n), keptShape: shape)
    }
}

/// The maximum along a dim and its index (the first, on ties; a NaN wins).
/// dL/dx = dL/dvalues at the index, 0 elsewhere.
enum MaxDim: Function {
    static var _storageTypes: _StorageTypes { .widenedValuesOnly }
    typealias Output = [Tensor]
    static var _nodeName: String { "MaxBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] { try Selection.extreme(ctx, args, max: true) }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try Selection.backward(ctx, gradOutputs) }
}

/// The minimum along a dim and its index. dL/dx = dL/dvalues at the index, 0 elsewhere.
enum MinDim: Function {
    static var _storageTypes: _StorageTypes { .widenedValuesOnly }
    typealias Output = [Tensor]
    static var _nodeName: String { "MinBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] { try Selection.extreme(ctx, args, max: false) }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try Selection.backward(ctx, gradOutputs) }
}

/// The values sorted along a dim, and where each came from.
/// dL/dx[.., indices[.., j, ..], ..] = dL/dvalues[.., j, ..].
enum Sort: Function {
    static var _storageTypes: _StorageTypes { .widenedValuesOnly }
    typealias Output = [Tensor]
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0)
        let dim = try args.int(1)
        return try Selection.sorted(ctx, x, dim: dim, k: x.rank == 0 ? 1 : x.shape[dim], descending: try args.bool(2))
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try Selection.backward(ctx, gradOutputs) }
}

/// The k largest (or smallest) values along a dim, sorted, and their indices.
/// dL/dx[.., indices[.., j, ..], ..] = dL/dvalues[.., j, ..], 0 elsewhere.
enum TopK: Function {
    static var _storageTypes: _StorageTypes { .widenedValuesOnly }
    typealias Output = [Tensor]
    static var _nodeName: String { "TopkBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> [Tensor] {
        let x = try args.tensor(0), k = try args.int(1), dim = try args.int(2)
        let n = x.rank == 0 ? 1 : x.shape[dim]
        guard k >= 0 && k <= n else { throw AutogradError.invalidArgument("topk: selected index k out of range") }
        // A zero-dimensional tensor keeps its one element even for k = 0, as in PyTorch.
        return try Selection.sorted(ctx, x, dim: dim, k: x.rank == 0 ? 1 : k, descending: try args.bool(3))
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try Selection.backward(ctx, gradOutputs) }
}

/// The maximum (or minimum) of all elements, shared by `MaxAll` and `MinAll`.
/// dL/dx = (dL/dy / c) · [x = y], c the number of elements equal to y: ties
/// share the gradient evenly (PyTorch's evenly_distribute_backward).
enum ExtremeAll {
    static func forward(_ ctx: Context, _ args: Arguments, max: Bool) throws -> Tensor {
        let x = try args.tensor(0)
        guard x.count > 0 else {
            throw AutogradError.invalidArgument(
                "\(max ? "max" : "min")(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let y = try Tensor(uninitializedShape: [], dtype: x.dtype), n = Int64(x.count)
        switch (x.dtype, max) {
        case (.float32, true): ag_max_dim_forward_f32(x.pointer(Float.self), y.pointer(Float.self), nil, 1, n, 1)
        case (.float32, false): ag_min_dim_forward_f32(x.pointer(Float.self), y.pointer(Float.self), nil, 1, n, 1)
        case (_, true): ag_max_dim_forward_f64(x.pointer(Double.self), y.pointer(Double.self), nil, 1, n, 1)
        case (_, false): ag_min_dim_forward_f64(x.pointer(Double.self), y.pointer(Double.self), nil, 1, n, 1)
        }
        ctx.saveForBackward(x, y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors, x = saved[0], y = saved[1]
        let mask = try Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let count = try Tensor(uninitializedShape: [], dtype: x.dtype), n = Int64(x.count)
        if x.dtype == .float32 {
            ag_extreme_mask_f32(x.pointer(Float.self), y.pointer(Float.self), mask.pointer(Float.self), count.pointer(Float.self), 1, n, 1)
        } else {
            ag_extreme_mask_f64(x.pointer(Double.self), y.pointer(Double.self), mask.pointer(Double.self), count.pointer(Double.self), 1, n, 1)
        }
        return [try gradOutputs[0]! / count * mask]
    }
}

/// The maximum of all elements. dL/dx = (dL/dy / c) · [x = max], c the number of ties.
enum MaxAll: Function {
    static var _nodeName: String { "MaxBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor { try ExtremeAll.forward(ctx, args, max: true) }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try ExtremeAll.backward(ctx, gradOutputs) }
}

/// The minimum of all elements. dL/dx = (dL/dy / c) · [x = min], c the number of ties.
enum MinAll: Function {
    static var _nodeName: String { "MinBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor { try ExtremeAll.forward(ctx, args, max: false) }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { try ExtremeAll.backward(ctx, gradOutputs) }
}

extension Tensor {
    /// Floating tensors as they are; int64 as float64 (exact up to 2^53), for
    /// the selection kernels.
    private func sortable(_ op: String) throws -> Tensor {
        if dtype.isFloatingPoint { return self }
        guard dtype.isIntegral else { throw AutogradError.invalidArgument("\(op): \(dtype) is not supported") }
        return try noGrad { try to(.float64) }
    }

    /// Runs a selection on a sortable copy and casts the values back to int64 for an int64 input.
    private func selecting(_ op: String, _ body: (Tensor) throws -> [Tensor]) throws -> (values: Tensor, indices: Tensor) {
        let r = try body(try sortable(op))
        return (dtype.isIntegral ? try noGrad { try r[0].to(dtype) } : r[0], r[1])
    }

    /// The maximum along `dim` and the index of its first occurrence (int64,
    /// not differentiable). The gradient goes to that index.
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "max")
        return try selecting("max") { try MaxDim.apply($0, d, keepDim) }
    }

    /// The minimum along `dim` and the index of its first occurrence.
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "min")
        return try selecting("min") { try MinDim.apply($0, d, keepDim) }
    }

    /// The maximum of all elements; ties share the gradient evenly.
    public func max() throws -> Tensor { try selecting("max") { [try MaxAll.apply($0), $0] }.values }

    /// The minimum of all elements; ties share the gradient evenly.
    public func min() throws -> Tensor { try selecting("min") { [try MinAll.apply($0), $0] }.values }

    /// The index of the maximum along `dim`, or of the flattened tensor when
    /// `dim` is nil (int64).
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try argExtreme(dim, keepDim, max: true) }

    /// The index of the minimum along `dim`, or of the flattened tensor when `dim` is nil.
    public func argmin(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor { try argExtreme(dim, keepDim, max: false) }

    private func argExtreme(_ dim: Int?, _ keepDim: Bool, max: Bool) throws -> Tensor {
        let op = max ? "argmax" : "argmin"
        let x = try sortable(op)
        return try noGrad {
            guard let dim else {
                guard count > 0 else {
                    throw AutogradError.invalidArgument("\(op)(): Expected reduction dim to be specified for input.numel() == 0.")
                }
                let flat = try x.reshape([count])
                let i = try (max ? MaxDim.apply(flat, 0, false) : MinDim.apply(flat, 0, false))[1]
                return keepDim ? try i.alias(shape: [Int](repeating: 1, count: rank)) : i
            }
            let d = try normalizedDim(dim, op)
            if x.rank > 0 && x.shape[d] == 0 {
                throw AutogradError.invalidArgument("\(op)(): Expected reduction dim \(d) to have non-zero size.")
            }
            return try (max ? MaxDim.apply(x, d, keepDim) : MinDim.apply(x, d, keepDim))[1]
        }
    }

    /// Sorts along `dim` (stable; NaN counts as the largest value). Returns
    /// the sorted values and, for each, its index in the input (int64, not
    /// differentiable). The gradient of the values goes back to those indices.
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "sort")
        return try selecting("sort") { try Sort.apply($0, d, descending) }
    }

    /// The indices that sort the tensor along `dim` (stable).
    public func argsort(dim: Int = -1, descending: Bool = false) throws -> Tensor {
        try noGrad { try sort(dim: dim, descending: descending).indices }
    }

    /// The `k` largest (`largest: false`: smallest) elements along `dim` and
    /// their indices. The values are always returned sorted (largest first, or
    /// smallest first); `sorted: false` is accepted for PyTorch compatibility.
    /// The gradient of the values goes back to the indices.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let d = try normalizedDim(dim, "topk")
        return try selecting("topk") { try TopK.apply($0, k, d, largest) }
    }
}
