import AutogradKernels

// Comparisons and logical ops: bool masks over the C kernels of ag_compare.h.
// They are Functions like every op, but their outputs are bool, so they never
// require grad and backward is never reached.

typealias CompareKernelF32 = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Bool>?,
                                              UnsafePointer<ag_broadcast>?) -> Void
typealias CompareKernelF64 = @convention(c) (UnsafePointer<Double>?, UnsafePointer<Double>?, UnsafeMutablePointer<Bool>?,
                                              UnsafePointer<ag_broadcast>?) -> Void
typealias CompareKernelI64 = @convention(c) (UnsafePointer<Int64>?, UnsafePointer<Int64>?, UnsafeMutablePointer<Bool>?,
                                              UnsafePointer<ag_broadcast>?) -> Void

/// The kernels of one comparison, for each dtype a comparison runs in.
struct CompareKernels {
    let f32: CompareKernelF32
    let f64: CompareKernelF64
    let i64: CompareKernelI64

    static func named(_ op: String) -> CompareKernels? {
        switch op {
        case "lt": CompareKernels(f32: ag_lt_forward_f32, f64: ag_lt_forward_f64, i64: ag_lt_forward_i64)
        case "le": CompareKernels(f32: ag_le_forward_f32, f64: ag_le_forward_f64, i64: ag_le_forward_i64)
        case "gt": CompareKernels(f32: ag_gt_forward_f32, f64: ag_gt_forward_f64, i64: ag_gt_forward_i64)
        case "ge": CompareKernels(f32: ag_ge_forward_f32, f64: ag_ge_forward_f64, i64: ag_ge_forward_i64)
        case "eq": CompareKernels(f32: ag_eq_forward_f32, f64: ag_eq_forward_f64, i64: ag_eq_forward_i64)
        case "ne": CompareKernels(f32: ag_ne_forward_f32, f64: ag_ne_forward_f64, i64: ag_ne_forward_i64)
        default: nil
        }
    }
}

/// a <op> b as a bool mask, with broadcasting (op: lt, le, gt, ge, eq, ne).
/// Not differentiable: no gradient flows to a or b.
enum Compare: Function {
    static var _layout: _FunctionLayout { .strided }  // reads strides (Tensor.binaryWalk)
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let op = try args.string(2)
        guard let k = CompareKernels.named(op) else { throw AutogradError.invalidArgument("compare: unknown comparison \(op)") }
        let (a, b) = try Tensor.comparable(try args.tensor(0), try args.tensor(1))
        guard let shape = Shape.broadcast(a.shape, b.shape) else { throw Shape.broadcastError(op, a.shape, b.shape) }
        try Shape.validate(shape, op, dtype: .bool)
        var (out, bc, x, y) = try Tensor.binaryWalk(a, b, shape, dtype: .bool)
        let o = out.pointer(Bool.self)
        switch a.dtype {
        case .float32: k.f32(x.pointer(Float.self), y.pointer(Float.self), o, &bc)
        case .float64: k.f64(x.pointer(Double.self), y.pointer(Double.self), o, &bc)
        default: k.i64(x.pointer(Int64.self), y.pointer(Int64.self), o, &bc)
        }
        return out
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { [nil, nil, nil] }
}

/// a && b, a || b with broadcasting (op: and, or), on masks. Not differentiable.
enum LogicalBinary: Function {
    static var _layout: _FunctionLayout { .strided }  // reads strides (Tensor.binaryWalk)
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let op = try args.string(2)
        let a = try args.tensor(0).to(.bool), b = try args.tensor(1).to(.bool)
        let name = op == "and" ? "logical_and" : "logical_or"
        guard let shape = Shape.broadcast(a.shape, b.shape) else { throw Shape.broadcastError(name, a.shape, b.shape) }
        try Shape.validate(shape, name, dtype: .bool)
        var (out, bc, x, y) = try Tensor.binaryWalk(a, b, shape, dtype: .bool)
        if op == "and" {
            ag_logical_and_forward(x.pointer(Bool.self), y.pointer(Bool.self), out.pointer(Bool.self), &bc)
        } else {
            ag_logical_or_forward(x.pointer(Bool.self), y.pointer(Bool.self), out.pointer(Bool.self), &bc)
        }
        return out
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { [nil, nil, nil] }
}

/// !x on a mask. Not differentiable.
enum LogicalNot: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        let m = try x.to(.bool)
        let out = try Tensor(uninitializedShape: m.shape, dtype: .bool)
        ag_logical_not_forward(m.pointer(Bool.self), out.pointer(Bool.self), Int64(m.count))
        return out
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { nil }
}

extension Tensor {
    /// Two comparison operands in their common dtype (`torch.result_type`,
    /// so an int64 compared with a float16 is first rounded to float16, as
    /// in PyTorch), bool compared as int64 0/1; the kernels compare in the
    /// common dtype's compute type.
    static func comparable(_ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor) {
        var target = resultType(a, b)
        if target == .bool { target = .int64 }
        return (try a.to(target), try b.to(target))
    }

    /// A Swift scalar as a comparison operand: in this tensor's dtype when it
    /// is floating (as PyTorch narrows a Python float to float32), an int64
    /// for an integral value against int64/bool, else float64.
    func comparisonScalar(_ value: Double) -> Tensor {
        if dtype.isFloatingPoint { return scalarLike(value) }
        if value == value.rounded(), Swift.abs(value) < 9.2e18 {
            let t = Tensor(zeroDimensional: .int64)
            t.pointer(Int64.self)[0] = Int64(value)
            return t
        }
        let t = Tensor(zeroDimensional: .float64)
        t.pointer(Double.self)[0] = value
        return t
    }

    private func compare(_ other: Tensor, _ op: String) throws -> Tensor {
        // Promoted before the kernels widen a storage type (float16 vs int64 compares in float16).
        let (a, b) = try Tensor.comparable(self, other)
        return try Compare.apply(a, b, op)
    }

    /// self < other, elementwise with broadcasting, as a bool mask (no gradient).
    public func lt(_ other: Tensor) throws -> Tensor { try compare(other, "lt") }
    /// self <= other, elementwise with broadcasting, as a bool mask (no gradient).
    public func le(_ other: Tensor) throws -> Tensor { try compare(other, "le") }
    /// self > other, elementwise with broadcasting, as a bool mask (no gradient).
    public func gt(_ other: Tensor) throws -> Tensor { try compare(other, "gt") }
    /// self >= other, elementwise with broadcasting, as a bool mask (no gradient).
    public func ge(_ other: Tensor) throws -> Tensor { try compare(other, "ge") }
    /// self == other, elementwise with broadcasting, as a bool mask (no gradient).
    public func eq(_ other: Tensor) throws -> Tensor { try compare(other, "eq") }
    /// self != other, elementwise with broadcasting, as a bool mask (no gradient). NaN != NaN.
    public func ne(_ other: Tensor) throws -> Tensor { try compare(other, "ne") }

    /// self < value, elementwise, as a bool mask.
    public func lt(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "lt") }
    /// self <= value, elementwise, as a bool mask.
    public func le(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "le") }
    /// self > value, elementwise, as a bool mask.
    public func gt(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "gt") }
    /// self >= value, elementwise, as a bool mask.
    public func ge(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "ge") }
    /// self == value, elementwise, as a bool mask.
    public func eq(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "eq") }
    /// self != value, elementwise, as a bool mask.
    public func ne(_ value: Double) throws -> Tensor { try compare(comparisonScalar(value), "ne") }

    /// Elementwise AND with broadcasting; any dtype, nonzero meaning true. Gives a bool mask.
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try LogicalBinary.apply(self, other, "and") }
    /// Elementwise OR with broadcasting; any dtype, nonzero meaning true. Gives a bool mask.
    public func logicalOr(_ other: Tensor) throws -> Tensor { try LogicalBinary.apply(self, other, "or") }
    /// Elementwise NOT; any dtype, nonzero meaning true. Gives a bool mask.
    public func logicalNot() throws -> Tensor { try LogicalNot.apply(self) }
}
