import AutogradKernels

/// The variance over the reduced dims, with `correction` subtracted from the
/// count (1: unbiased, PyTorch's default; 0: the population variance):
/// y = Σ (x - mean)² / max(0, n - correction).
/// dL/dx = dL/dy · 2 (x - mean) / (n - correction).
enum Var: Function {
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), correction = try args.double(2)
        let layout = try ReductionLayout(x, dims: try args.ints(1), op: "var")
        ctx.set("layout", layout)
        ctx.set("correction", correction)
        ctx.saveForBackward(x)
        return try layout.reduce(x, keepDim: try args.bool(3), { ag_var_forward_f32($0, $1, $2, $3, $4, correction) },
                             { ag_var_forward_f64($0, $1, $2, $3, $4, correction) })
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let x = try ctx.savedTensors[0], g = gradOutputs[0]!
        let layout = try ctx.get("layout", as: ReductionLayout.self)
        let correction = try ctx.get("correction", as: Double.self)
        if GradMode.isEnabled {
            return [try Var.gradient(x, try g.reshape(layout.keptShape), layout, correction), nil, nil, nil]
        }
        let gx = try layout.backward(x, nil, g, { x, _, gy, gx, o, n, i in ag_var_backward_f32(x, gy, gx, o, n, i, correction) },
                                     { x, _, gy, gx, o, n, i in ag_var_backward_f64(x, gy, gx, o, n, i, correction) })
        return [gx, nil, nil, nil]
    }
    /// dL/dx = (2 / (n - correction)) · g · (x - mean), recorded.
    static func gradient(_ x: Tensor, _ g: Tensor, _ layout: ReductionLayout, _ correction: Double) throws -> Tensor {
        let centered = try x - x.mean(dims: layout.dims, keepDim: true)
        return try (2.0 / (Double(layout.n) - correction)) * g * centered
    }
}

/// The standard deviation: y = √var (see `Var`).
/// dL/dx = dL/dy · (x - mean) / ((n - correction) · y), and 0 where y = 0
/// (PyTorch's std_backward).
enum Std: Function {
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), correction = try args.double(2)
        let layout = try ReductionLayout(x, dims: try args.ints(1), op: "std")
        ctx.set("layout", layout)
        ctx.set("correction", correction)
        let y = try layout.reduce(x, keepDim: try args.bool(3), { ag_std_forward_f32($0, $1, $2, $3, $4, correction) },
                              { ag_std_forward_f64($0, $1, $2, $3, $4, correction) })
        ctx.saveForBackward(x, y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors, x = saved[0], y = saved[1], g = gradOutputs[0]!
        let layout = try ctx.get("layout", as: ReductionLayout.self)
        let correction = try ctx.get("correction", as: Double.self)
        if GradMode.isEnabled {
            // g / (2y), and 0 where y = 0 (PyTorch's masked_fill): the divisor is
            // replaced by 1 there and the quotient multiplied by 0 (constant masks).
            let yk = try y.reshape(layout.keptShape)
            let (yZero, yNonZero) = try noGrad { let m = try yk.zeroMask(); return (m, try 1 - m) }
            let half = try g.reshape(layout.keptShape) / (try yk * 2 + yZero) * yNonZero
            return [try Var.gradient(x, half, layout, correction), nil, nil, nil]
        }
        let gx = try layout.backward(x, y, g, { ag_std_backward_f32($0, $1, $2, $3, $4, $5, $6, correction) },
                                     { ag_std_backward_f64($0, $1, $2, $3, $4, $5, $6, correction) })
        return [gx, nil, nil, nil]
    }
}

/// The vector p-norm over the reduced dims: y = (Σ |x|^p)^(1/p); p = 0 counts
/// the non-zero elements, p = ±∞ is max / min |x|. dL/dx (PyTorch's
/// norm_backward): p = 0: 0; p = 1: g · sign x; p = 2: g · x / y;
/// p = ±∞: g · sign x, split evenly among the elements where |x| = y;
/// otherwise g · sign x · |x|^(p-1) / y^(p-1). Where y = 0 the gradient is 0.
enum Norm: Function {
    static var _layout: _FunctionLayout { .strided }  // views read through ReductionLayout
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), p = try args.double(1)
        let requested = try args.ints(2)
        let layout = try ReductionLayout(x, dims: requested, op: "linalg.vector_norm")
        if p < 0 || p == .infinity, let d = layout.dims.first(where: { $0 < x.rank && x.shape[$0] == 0 }) {
            let name = p.isInfinite ? (p > 0 ? "inf" : "-inf") : (p == p.rounded() && Swift.abs(p) < 1e15 ? String(Int(p)) : String(p))
            let place = requested.isEmpty ? "an empty tensor because" : "the dimension \(d) because this dimension is empty and"
            throw AutogradError.invalidArgument(
                "linalg.vector_norm cannot compute the \(name) norm on \(place) the operation does not have an identity")
        }
        ctx.set("layout", layout)
        ctx.set("p", p)
        let y = try layout.reduce(x, keepDim: try args.bool(3), { ag_norm_forward_f32($0, $1, $2, $3, $4, p) },
                              { ag_norm_forward_f64($0, $1, $2, $3, $4, p) })
        ctx.saveForBackward(x, y)
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        let saved = try ctx.savedTensors, x = saved[0], y = saved[1], g = gradOutputs[0]!
        let layout = try ctx.get("layout", as: ReductionLayout.self), p = try ctx.get("p", as: Double.self)
        if GradMode.isEnabled {
            return [try gradient(x, y.reshape(layout.keptShape), g.reshape(layout.keptShape), p, layout), nil, nil, nil]
        }
        let gx = try layout.backward(x, y, g, { ag_norm_backward_f32($0, $1, $2, $3, $4, $5, $6, p) },
                                     { ag_norm_backward_f64($0, $1, $2, $3, $4, $5, $6, p) })
        return [gx, nil, nil, nil]
    }

    /// The backward written with recorded ops (for double backward). Masks are
    /// constants: where the divisor y (or x) is zero it is replaced by 1 and
    /// the term multiplied by 0.
    static func gradient(_ x: Tensor, _ y: Tensor, _ g: Tensor, _ p: Double, _ layout: ReductionLayout) throws -> Tensor {
        if p == 0 { return try Tensor.zeros(like: x) }
        if p == 1 { return try x.sign() * g }
        let (yZero, yNonZero) = try noGrad { let m = try y.zeroMask(); return (m, try 1 - m) }
        if p == 2 { return try g * (try x / (try y + yZero) * yNonZero) }
        if p.isInfinite {
            let (mask, count) = try noGrad { () -> (Tensor, Tensor) in
                let mask = try Tensor(uninitializedShape: x.shape, dtype: x.dtype)
                let count = try Tensor(uninitializedShape: y.shape, dtype: x.dtype)
                let a = try layout.arrange(try x.abs()), (o, n, i) = layout.sizes
                if x.dtype == .float32 {
                    ag_extreme_mask_f32(a.pointer(Float.self), y.pointer(Float.self), mask.pointer(Float.self), count.pointer(Float.self), o, n, i)
                } else {
                    ag_extreme_mask_f64(a.pointer(Double.self), y.pointer(Double.self), mask.pointer(Double.self), count.pointer(Double.self), o, n, i)
                }
                return (try layout.restore(mask), count)
            }
            return try x.sign() * (try g / count * mask)
        }
        let scale = try g / (try y + yZero).pow(p - 1) * yNonZero
        if p < 1 {
            let (xZero, xNonZero) = try noGrad { let m = try x.zeroMask(); return (m, try 1 - m) }
            let scaled = try x.sign() * (try (try x.abs() + xZero).pow(p - 1) * xNonZero)
            return try scaled * g * y.pow(1 - p)
        }
        if p < 2 { return try x.sign() * (try x.abs().pow(p - 1)) * scale }
        return try x * x.abs().pow(p - 2) * scale
    }
}

extension Tensor {
    private func requireStatistics() throws {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument("std and var only support floating point and complex dtypes")
        }
    }

    /// The variance over `dims` (nil or empty: all). `unbiased` divides by
    /// n - 1 (Bessel's correction, PyTorch's default), else by n.
    public func `var`(dims: [Int]? = nil, unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try requireStatistics()
        return try Var.apply(self, dims ?? [], unbiased ? 1.0 : 0.0, keepDim)
    }

    /// The variance over one dimension.
    public func `var`(dim: Int, unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try self.var(dims: [dim], unbiased: unbiased, keepDim: keepDim)
    }

    /// The standard deviation over `dims` (nil or empty: all), with the same
    /// correction as `var`.
    public func std(dims: [Int]? = nil, unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try requireStatistics()
        return try Std.apply(self, dims ?? [], unbiased ? 1.0 : 0.0, keepDim)
    }

    /// The standard deviation over one dimension.
    public func std(dim: Int, unbiased: Bool = true, keepDim: Bool = false) throws -> Tensor {
        try std(dims: [dim], unbiased: unbiased, keepDim: keepDim)
    }

    /// The vector p-norm over `dims` (nil or empty: all elements), PyTorch's
    /// `norm` / `linalg.vector_norm`: p = 2 by default, any real p, 0 (count of
    /// non-zeros), or ±infinity (max / min |x|).
    public func norm(p: Double = 2, dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        guard dtype.isFloatingPoint else {
            throw AutogradError.invalidArgument(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.scalarName)")
        }
        guard !p.isNaN else { throw AutogradError.invalidArgument("linalg.vector_norm: p must not be NaN") }
        return try Norm.apply(self, p, dims ?? [], keepDim)
    }

    /// The vector p-norm over one dimension.
    public func norm(p: Double = 2, dim: Int, keepDim: Bool = false) throws -> Tensor {
        try norm(p: p, dims: [dim], keepDim: keepDim)
    }
}
