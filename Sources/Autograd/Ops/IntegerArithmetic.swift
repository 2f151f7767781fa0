import AutogradKernels

// Division with rounding, remainders, bitwise ops and shifts, as PyTorch's
// (`torch.div(rounding_mode=)`, `//`, `%`, `fmod`, `&`, `|`, `^`, `~`, `<<`,
// `>>`). Operands are brought to `torch.result_type` first; the kernels
// (ag_integer.h) compute int64 exactly, floats as PyTorch's c10 helpers do.

/// How `div(_:roundingMode:)` rounds the quotient.
public enum RoundingMode: String, Sendable {
    /// Toward zero (C's integer division).
    case trunc
    /// Toward negative infinity (Python's `//`).
    case floor
}

/// One of the binary ops of this file: PyTorch's kernel name (for its
/// "not implemented for" errors) and the kernels for each dtype it has.
struct IntegerBinaryOp: Sendable {
    let kernelName: String
    let i64: BroadcastKernelI64
    let f32: BroadcastKernelF32?
    let f64: BroadcastKernelF64?
    let b8: BroadcastKernelB8?
    /// Whether an int64 zero divisor is refused ("ZeroDivisionError").
    let divides: Bool

    static let floorDiv = IntegerBinaryOp(kernelName: "div_floor_cpu", i64: ag_floor_div_forward_i64, f32: ag_floor_div_forward_f32,
                                          f64: ag_floor_div_forward_f64, b8: nil, divides: true)
    static let truncDiv = IntegerBinaryOp(kernelName: "div_trunc_cpu", i64: ag_trunc_div_forward_i64, f32: ag_trunc_div_forward_f32,
                                          f64: ag_trunc_div_forward_f64, b8: nil, divides: true)
    static let remainder = IntegerBinaryOp(kernelName: "remainder_cpu", i64: ag_remainder_forward_i64, f32: ag_remainder_forward_f32,
                                           f64: ag_remainder_forward_f64, b8: nil, divides: true)
    static let fmod = IntegerBinaryOp(kernelName: "fmod_cpu", i64: ag_fmod_forward_i64, f32: ag_fmod_forward_f32,
                                      f64: ag_fmod_forward_f64, b8: nil, divides: true)
    static let and = IntegerBinaryOp(kernelName: "bitwise_and_cpu", i64: ag_bitwise_and_forward_i64, f32: nil, f64: nil,
                                     b8: ag_bitwise_and_forward_b8, divides: false)
    static let or = IntegerBinaryOp(kernelName: "bitwise_or_cpu", i64: ag_bitwise_or_forward_i64, f32: nil, f64: nil,
                                    b8: ag_bitwise_or_forward_b8, divides: false)
    static let xor = IntegerBinaryOp(kernelName: "bitwise_xor_cpu", i64: ag_bitwise_xor_forward_i64, f32: nil, f64: nil,
                                     b8: ag_bitwise_xor_forward_b8, divides: false)
    static let pow = IntegerBinaryOp(kernelName: "pow", i64: ag_pow_forward_i64, f32: nil, f64: nil, b8: nil, divides: false)
    static let lshift = IntegerBinaryOp(kernelName: "lshift_cpu", i64: ag_lshift_forward_i64, f32: nil, f64: nil, b8: nil, divides: false)
    static let rshift = IntegerBinaryOp(kernelName: "rshift_cpu", i64: ag_rshift_forward_i64, f32: nil, f64: nil, b8: nil, divides: false)

    static func named(_ name: String) -> IntegerBinaryOp? {
        [floorDiv, truncDiv, remainder, fmod, and, or, xor, pow, lshift, rshift].first { $0.kernelName == name }
    }

    /// op(a, b) for operands already of one dtype, broadcast (not recorded).
    func run(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let dtype = a.dtype
        return try Tensor.binaryKernel(kernelName, a, b, f32: f32, f64: f64, i64: i64, b8: b8) {
            switch dtype {
            case .float32 where f32 == nil, .float64 where f64 == nil, .bool where b8 == nil:
                throw AutogradError.invalidArgument("\"\(kernelName)\" not implemented for '\(dtype.scalarName)'")
            case .int64 where divides:
                let dense = try b.contiguousData
                if ag_count_equal_i64(dense.pointer(Int64.self), Int64(dense.count), 0) > 0 {
                    throw AutogradError.invalidArgument("ZeroDivisionError")
                }
            default: break
            }
        }
    }
}

/// a op b for the ops of this file, on operands of their result type.
/// Gradients (floats only; integer and bool results never require grad):
///   div with a rounding mode: 0 for both (the quotient is piecewise constant)
///   `//` (floor_divide):      PyTorch has none, and says so
///   remainder:  dL/da = g,  dL/db = -g · floor(a / b)
///   fmod:       dL/da = g,  dL/db = -g · trunc(a / b)
/// The bitwise ops and shifts take integers and bools only.
enum IntegerBinary: Function {
    static var _layout: _FunctionLayout { .strided }  // reads strides (Tensor.binaryWalk)
    static var _nodeName: String { "DivBackward" }

    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let a = try args.tensor(0), b = try args.tensor(1), name = try args.string(2)
        guard let op = IntegerBinaryOp.named(name) else { throw AutogradError.invalidArgument("unknown op \(name)") }
        ctx.set("op", name)
        ctx.set("floorDivide", try args.bool(3))
        if name == "remainder_cpu" || name == "fmod_cpu" {
            ctx.saveForBackward(a, b)
            ctx.ext.nameOverride = name == "remainder_cpu" ? "RemainderBackward" : "FmodBackward"
        }
        return try op.run(a, b)
    }

    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] {
        guard let g = gradOutputs[0] else { return [nil, nil, nil, nil] }
        let name = try ctx.get("op", as: String.self)
        if try ctx.get("floorDivide", as: Bool.self) {
            throw AutogradError.invalidArgument("derivative for aten::floor_divide is not implemented")
        }
        switch name {
        case "remainder_cpu", "fmod_cpu":
            let s = try ctx.savedTensors
            let q = try s[0].div(s[1], roundingMode: name == "remainder_cpu" ? .floor : .trunc)
            return [g, ctx.needsInputGrad[1] ? try -(g * q) : nil, nil, nil]
        default:
            return [try Tensor.zeros(like: g), try Tensor.zeros(like: g), nil, nil]
        }
    }

    /// Promotes a and b to their result type and applies op.
    static func apply(_ a: Tensor, _ b: Tensor, _ op: IntegerBinaryOp, floorDivide: Bool = false) throws -> Tensor {
        let (x, y) = op.kernelName == "div_floor_cpu" || floorDivide
            ? try Tensor.arithmeticOperandsUnroundedNumber(a, b, op.kernelName)
            : try Tensor.arithmeticOperands(a, b, op.kernelName)
        if (x.dtype == .float16 || x.dtype == .bfloat16) && op.f32 == nil {
            // Named before the kernels widen it to float32.
            throw AutogradError.invalidArgument("\"\(op.kernelName)\" not implemented for '\(x.dtype.scalarName)'")
        }
        return try apply(x, y, op.kernelName, floorDivide)
    }
}

/// ~x on int64 (bitwise) and bool (logical); PyTorch's error for floats.
enum BitwiseNot: UnaryFunction {
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        switch x.dtype {
        case .bool: return try x.logicalNot()
        case .int64:
            let y = try Tensor(uninitializedShape: x.shape, dtype: .int64)
            ag_bitwise_not_i64(x.pointer(Int64.self), y.pointer(Int64.self), Int64(x.count))
            return y
        default:
            throw AutogradError.invalidArgument("\"bitwise_not_cpu\" not implemented for '\(x.dtype.scalarName)'")
        }
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { nil }
}

/// |x| on int64 (INT64_MIN stays INT64_MIN, as in PyTorch). Not differentiable.
enum IntAbs: UnaryFunction {
    static var _nodeName: String { "AbsBackward" }
    static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
        let y = try Tensor(uninitializedShape: x.shape, dtype: .int64)
        ag_abs_i64(x.pointer(Int64.self), y.pointer(Int64.self), Int64(x.count))
        return y
    }
    static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { nil }
}

/// x^e on int64 for a whole e ≥ 0 (repeated squaring, wrapping). Not differentiable.
enum IntPow: Function {
    static var _nodeName: String { "PowBackward" }
    static func forward(_ ctx: Context, _ args: Arguments) throws -> Tensor {
        let x = try args.tensor(0), e = try args.int(1)
        let y = try Tensor(uninitializedShape: x.shape, dtype: .int64)
        ag_pow_scalar_i64(x.pointer(Int64.self), Int64(e), y.pointer(Int64.self), Int64(x.count))
        return y
    }
    static func backward(_ ctx: Context, _ gradOutputs: [Tensor?]) throws -> [Tensor?] { [nil, nil] }
}

extension Tensor {
    /// a / b rounded as `mode` says (PyTorch's `torch.div(a, b, rounding_mode=)`):
    /// integers stay integers (a zero divisor is PyTorch's "ZeroDivisionError"),
    /// floats give PyTorch's rounded quotient. The gradient is 0.
    public func div(_ other: Tensor, roundingMode mode: RoundingMode) throws -> Tensor {
        try IntegerBinary.apply(self, other, mode == .floor ? .floorDiv : .truncDiv)
    }
    public func div(_ other: Double, roundingMode mode: RoundingMode) throws -> Tensor {
        try div(wrapped(other), roundingMode: mode)
    }
    public func div(_ other: Int, roundingMode mode: RoundingMode) throws -> Tensor {
        try div(wrapped(other), roundingMode: mode)
    }

    /// Python's `a // b` (`torch.floor_divide`): the floor-rounded quotient,
    /// which PyTorch does not differentiate (backward through it throws).
    public func floorDivide(_ other: Tensor) throws -> Tensor {
        try IntegerBinary.apply(self, other, .floorDiv, floorDivide: true)
    }
    public func floorDivide(_ other: Int) throws -> Tensor { try floorDivide(wrapped(other)) }
    public func floorDivide(_ other: Double) throws -> Tensor { try floorDivide(wrappedUnrounded(other)) }

    /// Python's `a % b` (`torch.remainder`): a - floor(a / b)·b, with the divisor's sign.
    public func remainder(_ other: Tensor) throws -> Tensor { try IntegerBinary.apply(self, other, .remainder) }
    /// `torch.fmod`: a - trunc(a / b)·b, with the dividend's sign.
    public func fmod(_ other: Tensor) throws -> Tensor { try IntegerBinary.apply(self, other, .fmod) }
    public func fmod(_ other: Double) throws -> Tensor { try fmod(wrapped(other)) }
    public func fmod(_ other: Int) throws -> Tensor { try fmod(wrapped(other)) }

    public static func % (a: Tensor, b: Tensor) throws -> Tensor { try a.remainder(b) }
    public static func % (a: Tensor, b: Int) throws -> Tensor { try a.remainder(a.wrapped(b)) }
    public static func % (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a).remainder(b) }
    public static func % (a: Tensor, b: Double) throws -> Tensor { try a.remainder(a.wrapped(b)) }
    public static func % (a: Double, b: Tensor) throws -> Tensor { try b.wrapped(a).remainder(b) }

    /// Bitwise and (logical on bools); integers and bools only, as in PyTorch.
    public static func & (a: Tensor, b: Tensor) throws -> Tensor { try IntegerBinary.apply(a, b, .and) }
    public static func & (a: Tensor, b: Int) throws -> Tensor { try a & a.wrapped(b) }
    public static func & (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) & b }
    public static func & (a: Tensor, b: Bool) throws -> Tensor { try a & Tensor.scalar(b) }
    /// Bitwise or (logical on bools).
    public static func | (a: Tensor, b: Tensor) throws -> Tensor { try IntegerBinary.apply(a, b, .or) }
    public static func | (a: Tensor, b: Int) throws -> Tensor { try a | a.wrapped(b) }
    public static func | (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) | b }
    public static func | (a: Tensor, b: Bool) throws -> Tensor { try a | Tensor.scalar(b) }
    /// Bitwise exclusive or (on bools: true where they differ).
    public static func ^ (a: Tensor, b: Tensor) throws -> Tensor { try IntegerBinary.apply(a, b, .xor) }
    public static func ^ (a: Tensor, b: Int) throws -> Tensor { try a ^ a.wrapped(b) }
    public static func ^ (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) ^ b }
    public static func ^ (a: Tensor, b: Bool) throws -> Tensor { try a ^ Tensor.scalar(b) }
    /// a · 2^b on int64, wrapping; 0 for shifts outside 0...63.
    public static func << (a: Tensor, b: Tensor) throws -> Tensor { try IntegerBinary.apply(a, b, .lshift) }
    public static func << (a: Tensor, b: Int) throws -> Tensor { try a << a.wrapped(b) }
    public static func << (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) << b }
    /// Arithmetic right shift on int64; -1 or 0 for shifts outside 0...63.
    public static func >> (a: Tensor, b: Tensor) throws -> Tensor { try IntegerBinary.apply(a, b, .rshift) }
    public static func >> (a: Tensor, b: Int) throws -> Tensor { try a >> a.wrapped(b) }
    public static func >> (a: Int, b: Tensor) throws -> Tensor { try b.wrapped(a) >> b }
    /// Bitwise not on int64, logical not on bool (`~x`).
    public static prefix func ~ (x: Tensor) throws -> Tensor {
        if x.dtype == .float16 || x.dtype == .bfloat16 {
            // Named before the kernels widen it to float32.
            throw AutogradError.invalidArgument("\"bitwise_not_cpu\" not implemented for '\(x.dtype.scalarName)'")
        }
        return try BitwiseNot.apply(x)
    }

    /// PyTorch's `bitwise_and`, `bitwise_or`, `bitwise_xor`, `bitwise_not`,
    /// `bitwise_left_shift`, `bitwise_right_shift`.
    public func bitwiseAnd(_ other: Tensor) throws -> Tensor { try self & other }
    public func bitwiseOr(_ other: Tensor) throws -> Tensor { try self | other }
    public func bitwiseXor(_ other: Tensor) throws -> Tensor { try self ^ other }
    public func bitwiseNot() throws -> Tensor { try ~self }
    public func bitwiseLeftShift(_ other: Tensor) throws -> Tensor { try self << other }
    public func bitwiseRightShift(_ other: Tensor) throws -> Tensor { try self >> other }
}
