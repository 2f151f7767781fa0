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
        try Tensor.broadcastKernel("add", a, b, ag_add_forward_f32, ag_add_forward_f64, ag_add_forward_i64)
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> (Tensor?, Tensor?) { (g, g) }
}

/// a - b.  dL/da = dL/dy,  dL/db = -dL/dy.
enum Sub: BinaryFunction {
    static var _layout: _FunctionLayout { .strided }
    static func forward(_ ctx: Context, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Tensor.broadcastKernel("sub", a, b, ag_sub_forward_f32, ag_sub_forward_f64, ag_sub_forward_i64)
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
        return try Tensor.broadcastKernel("mul", a, b, ag_mul_forward_f32, ag_mul_forward_f64, ag_mul_forward_i64)
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
    static var _layout: _FunctionLayout { .strided }  // map reads strides
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.map(ag_neg_forward_f32, ag_neg_forward_f64) }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { try -g }
}

extension Tensor {
    /// Brings two operands of an op that computes in floating point (mse_loss,
    /// outer) to their common floating dtype: `torch.promote_types`, and
    /// float32 when both are integers or bools.
    static func promoted(_ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor) {
        var target = DType.promote(a.dtype, b.dtype)
        if !target.isFloatingPoint { target = .float32 }
        return (a.dtype == target ? a : try a.to(target), b.dtype == target ? b : try b.to(target))
    }

    /// PyTorch's `torch.result_type` of two operands: dimensioned tensors
    /// decide, then 0-dim tensors, then numbers (`Tensor.scalar`, a Swift
    /// Double or Int operand), each lower level counting only when it is of
    /// a higher category (bool < integer < floating); a number that does
    /// takes the default dtype of its kind (float32, int64).
    static func resultType(_ a: Tensor, _ b: Tensor) -> DType {
        func promote(_ x: DType?, _ y: DType) -> DType { x.map { DType.promote($0, y) } ?? y }
        var levels: [DType?] = [nil, nil, nil]  // dimensioned, 0-dim, number
        for t in [a, b] {
            if t.isWrappedNumber {
                levels[2] = promote(levels[2], t.dtype.isFloatingPoint ? .float32 : t.dtype)
            } else {
                levels[t.rank == 0 ? 1 : 0] = promote(levels[t.rank == 0 ? 1 : 0], t.dtype)
            }
        }
        // PyTorch's combine_categories, from the lowest level up.
        func combine(_ higher: DType?, _ lower: DType?) -> DType? {
            guard let higher else { return lower }
            guard let lower else { return higher }
            if higher.isFloatingPoint { return higher }
            if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
            return higher
        }
        return combine(levels[0], combine(levels[1], levels[2])) ?? a.dtype
    }

    /// The operands of +, -, *, / brought to their result type.
    static func arithmeticOperands(_ a: Tensor, _ b: Tensor, _ op: String) throws -> (Tensor, Tensor) {
        let t = resultType(a, b)
        return (a.dtype == t ? a : try a.to(t), b.dtype == t ? b : try b.to(t))
    }

    /// As `arithmeticOperands`, for the ops whose PyTorch kernels take a
    /// Python number unrounded against a float16 or bfloat16 tensor (mul,
    /// true and floor division compute `x16 * 0.1` with 0.1 in float32 and
    /// round the product once; add, sub, pow and remainder round the number
    /// to the tensor's dtype first): such a number is made in float32 and
    /// stays there, and the op computes in float32 anyway.
    static func arithmeticOperandsUnroundedNumber(_ a: Tensor, _ b: Tensor, _ op: String) throws -> (Tensor, Tensor) {
        let t = resultType(a, b)
        func operand(_ x: Tensor) throws -> Tensor {
            if x.dtype == t { return x }
            if x.isWrappedNumber && x.dtype == .float32 && t.computeType == .float32 { return x }
            return try x.to(t)
        }
        return (try operand(a), try operand(b))
    }

    /// A Swift number against a float16 or bfloat16 tensor, unrounded (see
    /// `arithmeticOperandsUnroundedNumber`); as `wrapped` for the other types.
    func wrappedUnrounded(_ value: Double) -> Tensor {
        guard dtype == .float16 || dtype == .bfloat16 else { return wrapped(value) }
        let t = Tensor.filledScalar(value, dtype: .float32)
        t.isWrappedNumber = true
        return t
    }

    /// A Swift number as an operand of this tensor: a 0-dim number
    /// (`isWrappedNumber`) made directly in the dtype the pair promotes to.
    func wrapped(_ value: Double) -> Tensor {
        let t = Tensor.filledScalar(value, dtype: dtype.isFloatingPoint ? dtype : .float32)
        t.isWrappedNumber = true
        return t
    }

    /// An integer operand: exact in an int64 tensor (up to 2^63), converted for a floating one.
    func wrapped(_ value: Int) -> Tensor {
        guard dtype.isFloatingPoint else { return Tensor.scalar(value) }
        let t = Tensor.filledScalar(Double(value), dtype: dtype)
        t.isWrappedNumber = true
        return t
    }

    /// A zero-dimensional tensor of this dtype, for a Swift scalar operand.
    func scalarLike(_ value: Double) -> Tensor {
        let t = Tensor(zeroDimensional: dtype.isFloatingPoint ? dtype : .float32)
        t.fillContiguous(value)
        return t
    }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        let (x, y) = try arithmeticOperands(a, b, "add")
        return x.dtype == .bool ? try x.logicalOr(y) : try Add.apply(x, y)
    }
    /// PyTorch's refusal of bool operands of `-` and `sub_`.
    static func refuseBoolSubtraction(_ a: Tensor, _ b: Tensor) throws {
        if a.dtype == .bool && b.dtype == .bool {
            throw AutogradError.invalidArgument(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        if a.dtype == .bool || b.dtype == .bool {
            throw AutogradError.invalidArgument(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        }
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try refuseBoolSubtraction(a, b)
        let (x, y) = try arithmeticOperands(a, b, "sub")
        return try Sub.apply(x, y)
    }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let (x, y) = try arithmeticOperandsUnroundedNumber(a, b, "mul")
        return x.dtype == .bool ? try x.logicalAnd(y) : try Mul.apply(x, y)
    }
    /// True division: integer and bool operands divide as float32 (PyTorch's default dtype).
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        var (x, y) = try arithmeticOperandsUnroundedNumber(a, b, "div")
        if !x.dtype.isFloatingPoint {
            // From the operands as given: an int8 divided by 300 is 300 in float32, not 300 wrapped to int8.
            (x, y) = (try a.to(.float32), try b.to(.float32))
        }
        return try Div.apply(x, y)
    }
    public static prefix func - (x: Tensor) throws -> Tensor {
        switch x.dtype {
        case .bool:
            throw AutogradError.invalidArgument(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        case .int64, .int32, .int16, .int8, .uint8: return try x * -1
        default: return try Neg.apply(x)
        }
    }

    public static func + (a: Tensor, b: Double) throws -> Tensor { try a + a.wrapped(b) }
    public static func + (a: Double, b: Tensor) throws -> Tensor { try b.wrapped(a) + b }
    public static func - (a: Tensor, b: Double) throws -> Tensor { try a - a.wrapped(b) }
    public static func - (a: Double, b: Tensor) throws -> Tensor { try b.wrapped(a) - b }
    public static func * (a: Tensor, b: Double) throws -> Tensor { try a * a.wrappedUnrounded(b) }
    public static func * (a: Double, b: Tensor) throws -> Tensor { try b.wrappedUnrounded(a) * b }
    public static func / (a: Tensor, b: Double) throws -> Tensor { try a / a.wrappedUnrounded(b) }
    public static func / (a: Double, b: Tensor) throws -> Tensor { try b.wrappedUnrounded(a) / b }

    public static func + (a: Tensor, b: Int) throws -> Tensor { try a + a.wrapped(b) }
    public static func + (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) + b }
    public static func - (a: Tensor, b: Int) throws -> Tensor { try a - a.wrapped(b) }
    public static func - (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) - b }
    public static func * (a: Tensor, b: Int) throws -> Tensor { try a * a.wrapped(b) }
    public static func * (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) * b }
    public static func / (a: Tensor, b: Int) throws -> Tensor { try a / a.wrapped(b) }
    public static func / (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) / b }

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
