import AutogradKernels

/// Sum of all elements.  dL/dx = dL/dy broadcast to x's shape.
/// A view that is dense in some order of its dims (t(), permute) is summed
/// flat over its block of memory; other views through a dense copy.
enum SumAll: UnaryFunction {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _nodeName: String { "SumBackward" }
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        // Integers and bools sum to int64, as in PyTorch.
        var x = x.dtype == .bool ? try x.to(.int64) : x
        if !x.isContiguous && x.denseMemoryOrder == nil { x = try x.contiguousData }
        let y = try Tensor(uninitializedShape: [], dtype: x.dtype)
        switch x.dtype {
        case .float32: y.pointer(Float.self).pointee = Float(ag_sum_all_f32(x.pointer(Float.self), Int64(x.count)))
        case .float64: y.pointer(Double.self).pointee = ag_sum_all_f64(x.pointer(Double.self), Int64(x.count))
        default: y.pointer(Int64.self).pointee = ag_sum_all_i64(x.pointer(Int64.self), Int64(x.count))
        }
        return y
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
        let shape = ctx.inputs[0].shape!
        if GradMode.isEnabled { return try g.expand(to: shape) }
        return try Tensor.filled(shape, g.element(0), dtype: g.dtype)   // fused: a fill
    }
}

/// Sum over some dimensions, optionally keeping them with size 1.
/// dL/dx = dL/dy (reshaped to keep the reduced dims) broadcast to x's shape.
/// Views are read as `SumTo.run` reads them.
enum SumDims: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _nodeName: String { "SumBackward" }
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), dims = try args.ints(1), keepDim = try args.bool(2)
        ctx.set("dims", dims)
        let kept = x.shape.indices.map { dims.contains($0) ? 1 : x.shape[$0] }
        let y = try SumTo.run(x, kept)
        return keepDim ? y : try y.alias(shape: x.shape.indices.filter { !dims.contains($0) }.map { x.shape[$0] })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let shape = ctx.inputs[0].shape!
        let dims = try ctx.get("dims", as: [Int].self)
        let kept = shape.indices.map { dims.contains($0) ? 1 : shape[$0] }
        return [try gradOutputs[0]!.reshape(kept).expand(to: shape), nil, nil]
    }
}

/// Sums x down to a shape that broadcasts to x's (PyTorch's `sum_to_size`).
/// dL/dx = dL/dy broadcast back to x's shape.
///
/// A view dense in some order of its dims (t(), permute) is not copied: it
/// is the row-major tensor of its dims in memory order, so the sum runs over
/// that tensor, down to the kept sizes in the same order, and the result is
/// brought back to x's order (a copy of the result only, when that order is
/// not row-major). Other views are summed through a dense copy.
enum SumTo: Function {
    static var _storageTypes: _StorageTypes { .widenedFloatsOnly }
    static var _layout: _FunctionLayout { .strided }

    static func run(_ x: Tensor, _ shape: [Int]) throws -> Tensor {
        guard Shape.isExpandable(shape, to: x.shape) else {
            throw AutogradError.invalidArgument("size {\(Shape.list(shape))} is not expandable to size {\(Shape.list(x.shape))}.")
        }
        // Integers and bools sum to int64, as in PyTorch.
        let x = x.dtype == .bool ? try x.to(.int64) : x
        if shape == x.shape { return x.isContiguous ? x.alias() : try x.copied() }
        if !x.isContiguous {
            guard let order = x.denseMemoryOrder else { return try run(x.contiguousData, shape) }
            return try inMemoryOrder(x, order, shape)
        }
        let y = try Tensor(uninitializedShape: shape, dtype: x.dtype)
        var bc = try Shape.descriptor(out: x.shape, a: shape)
        switch x.dtype {
        case .float32: ag_sum_to_f32(x.pointer(Float.self), y.pointer(Float.self), Int64(y.count), &bc)
        case .float64: ag_sum_to_f64(x.pointer(Double.self), y.pointer(Double.self), Int64(y.count), &bc)
        default: ag_sum_to_u64(x.pointer(UInt64.self), y.pointer(UInt64.self), Int64(y.count), &bc)
        }
        return y
    }
    /// `run` for a dense view x that is not row-major, whose dims in `order`
    /// (`denseMemoryOrder`) are a row-major tensor.
    private static func inMemoryOrder(_ x: Tensor, _ order: [Int], _ shape: [Int]) throws -> Tensor {
        let kept = [Int](repeating: 1, count: x.rank - shape.count) + shape
        let summed = try run(x.permutedView(order), order.map { kept[$0] })
        // Back in x's order: dimension order[i] of the result is dimension i of `summed`.
        return try summed.unpermutedView(order, shape: kept).contiguousData.alias(shape: shape)
    }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        try run(args.tensor(0), args.ints(1))
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        [try gradOutputs[0]!.expand(to: ctx.inputs[0].shape!), nil]
    }
}

extension Tensor {
    /// Sum of all elements, as a zero-dimensional tensor.
    public func sum() throws -> Tensor { try SumAll.apply(self) }

    /// Sum over `dims` (negative dims count from the end); an empty list sums
    /// over every dimension, as PyTorch's `sum(dim=[])` does.
    public func sum(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        return try SumDims.apply(self, try reductionDims(dims, "sum"), keepDim)
    }

    /// Sum over one dimension.
    public func sum(dim: Int, keepDim: Bool = false) throws -> Tensor { try sum(dims: [dim], keepDim: keepDim) }

    /// Mean of all elements.
    /// NaN for an empty tensor, as in PyTorch (0 / 0).
    /// - Throws: PyTorch's "mean(): could not infer output dtype…" for integer and bool tensors.
    public func mean() throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtype.scalarName)")
        }
        return try sum() / Double(count)
    }

    /// Broadcasts to `shape` (PyTorch's `expand` / `broadcast_to`).
    public func expand(to shape: [Int]) throws -> Tensor {
        try Shape.validate(shape, "expand", dtype: dtype, allocates: false)
        guard Shape.isExpandable(self.shape, to: shape) else {
            // PyTorch's inferExpandGeometry names the last mismatching dim.
            let lead = shape.count - rank
            let i = lead < 0 ? nil : (0..<rank).last { self.shape[$0] != 1 && self.shape[$0] != shape[$0 + lead] }.map { $0 + lead }
            guard let i else {
                throw AutogradError.invalidArgument(
                    "expand(\(dtype.legacyTypeName){\(Shape.list(self.shape))}, size=\(Shape.list(shape))): the number of sizes provided (\(shape.count)) must be greater or equal to the number of dimensions in the tensor (\(rank))")
            }
            throw AutogradError.invalidArgument(
                "The expanded size of the tensor (\(shape[i])) must match the existing size (\(self.shape[i - lead])) at non-singleton dimension \(i).  Target sizes: \(Shape.list(shape)).  Tensor sizes: \(Shape.list(self.shape))")
        }
        return try Expand.apply(self, shape)
    }

    /// Sums down to `shape`, which must broadcast to this tensor's shape (PyTorch's `sum_to_size`).
    public func sumTo(_ shape: [Int]) throws -> Tensor {
        shape == self.shape ? self : try SumTo.apply(self, shape)
    }

    /// A dim in 0..<rank, from one that may count from the end.
    func normalizedDim(_ dim: Int, _ op: String, rank r: Int? = nil) throws -> Int {
        try throwDeferred()
        let n = r ?? rank
        let lo = -Swift.max(n, 1), hi = Swift.max(n, 1) - 1
        guard dim >= lo && dim <= hi else {
            throw AutogradError.invalidArgument(
                "\(op): Dimension out of range (expected to be in range of [\(lo), \(hi)], but got \(dim))")
        }
        return dim < 0 ? dim + Swift.max(n, 1) : dim
    }
}
