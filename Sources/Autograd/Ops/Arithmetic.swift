import AutogradKernels

// Addition, subtraction, multiplication, division and negation, with NumPy
// broadcasting. Each backward returns gradients in the broadcast shape; the
// engine sums them down to each input's shape (PyTorch's `sum_to`). The four
// binary ops read views through their strides (no copy first); their
// backward passes are made of the same ops, so they do too.

/// a + b.  dL/da = dL/dy,  dL/db = dL/dy.
enum Add: BinaryFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Tensor.broadcastKernel("add", a, b, ag_add_forward_f32, ag_add_forward_f64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) { (g, g) }
}

/// a - b.  dL/da = dL/dy,  dL/db = -dL/dy.
enum Sub: BinaryFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Tensor.broadcastKernel("sub", a, b, ag_sub_forward_f32, ag_sub_forward_f64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        let gb: Tensor? = ctx.needsInputGrad[1] ? try -g : nil
        return (g, gb)
    }
}

/// a * b.  dL/da = dL/dy * b,  dL/db = dL/dy * a.
enum Mul: BinaryFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        ctx.saveForBackward(a, b)
        return try Tensor.broadcastKernel("mul", a, b, ag_mul_forward_f32, ag_mul_forward_f64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        let s = try ctx.savedTensors
        let need = ctx.needsInputGrad
        let ga: Tensor? = need[0] ? try g * s[1] : nil
        let gb: Tensor? = need[1] ? try g * s[0] : nil
        return (ga, gb)
    }
}

/// a / b.  dL/da = dL/dy / b,  dL/db = -dL/dy * a / b².
enum Div: BinaryFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        ctx.saveForBackward(a, b)
        return try Tensor.broadcastKernel("div", a, b, ag_div_forward_f32, ag_div_forward_f64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) {
        let s = try ctx.savedTensors
        let need = ctx.needsInputGrad
        let ga: Tensor? = need[0] ? try g / s[1] : nil
        let gb: Tensor? = need[1] ? try -(g * s[0] / (s[1] * s[1])) : nil
        return (ga, gb)
    }
}

/// -x.  dL/dx = -dL/dy.
enum Neg: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.map(ag_neg_forward_f32, ag_neg_forward_f64) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try -g }
}

extension Tensor {
    /// Brings two operands to a common dtype, as PyTorch's type promotion does
    /// (float64 wins over float32; a floating type wins over int64 and bool).
    static func promoted(_ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor) {
        if a.dtype == b.dtype {
            if !a.dtype.isFloatingPoint { return (try a.to(.float32), try b.to(.float32)) }
            return (a, b)
        }
        let target: DType = (a.dtype == .float64 || b.dtype == .float64) ? .float64 : .float32
        return (a.dtype == target ? a : try a.to(target), b.dtype == target ? b : try b.to(target))
    }

    /// A zero-dimensional tensor of this dtype, for a Swift scalar operand.
    func scalarLike(_ value: Double) -> Tensor {
        let t = Tensor(uninitializedShape: [], dtype: dtype.isFloatingPoint ? dtype : .float32)
        t.fillUnchecked(value)
        return t
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { let (x, y) = try promoted(a, b); return try Add.apply(x, y) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { let (x, y) = try promoted(a, b); return try Sub.apply(x, y) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { let (x, y) = try promoted(a, b); return try Mul.apply(x, y) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { let (x, y) = try promoted(a, b); return try Div.apply(x, y) }
    public static prefix func - (x: Tensor) throws -> Tensor { try Neg.apply(x) }

    public static func + (a: Tensor, b: Double) throws -> Tensor { try a + a.scalarLike(b) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a) + b }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try a - a.scalarLike(b) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a) - b }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try a * a.scalarLike(b) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a) * b }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try a / a.scalarLike(b) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try b.scalarLike(a) / b }

    /// PyTorch's `add`.
    public func add(_ other: Tensor) throws -> Tensor { try self + other }
    /// PyTorch's `sub`.
    public func sub(_ other: Tensor) throws -> Tensor { try self - other }
    /// PyTorch's `mul`.
    public func mul(_ other: Tensor) throws -> Tensor { try self * other }
    /// PyTorch's `div`.
    public func div(_ other: Tensor) throws -> Tensor { try self / other }
    /// PyTorch's `neg`.
    public func neg() throws -> Tensor { try -self }
}
