import Autograd

// Elementwise ops, activations and in-place ops, by name.

/// A comparison whose `b` is a tensor or a number (the result is a bool tensor).
private func comparison(_ name: String, _ t: @escaping @Sendable (Tensor, Tensor) throws -> Tensor,
                        _ s: @escaping @Sendable (Tensor, Double) throws -> Tensor) -> Op {
    binaryOp(name, t, s)
}

let elementwiseOps: [Op] = [
    binaryOp("add", { try $0 + $1 }, { try $0 + $1 }),
    binaryOp("sub", { try $0 - $1 }, { try $0 - $1 }),
    binaryOp("mul", { try $0 * $1 }, { try $0 * $1 }),
    binaryOp("div", { try $0 / $1 }, { try $0 / $1 }),
    binaryOp("pow", { try $0.pow($1) }, { try $0.pow($1) }),
    binaryOp("floor_divide", { try $0.floorDivide($1) }, { try $0.floorDivide($1) }),
    binaryOp("remainder", { try $0 % $1 }, { try $0 % $1 }),
    binaryOp("fmod", { try $0.fmod($1) }, { try $0.fmod($1) }),
    op("div_rounding(a, b: tensor|number, rounding_mode: string)") { a in
        let x = try a.tensor(0)
        let y = try a.isTensor(1) ? a.tensor(1) : (a.integralNumber(1) ?? Tensor.scalar(a.double(1)))
        let mode = try a.string(2)
        guard let m = RoundingMode(rawValue: mode) else {
            throw AutogradError.invalidArgument(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '\(mode)'")
        }
        return try x.div(y, roundingMode: m)
    },
    integerOp("bitwise_and") { try $0 & $1 },
    integerOp("bitwise_or") { try $0 | $1 },
    integerOp("bitwise_xor") { try $0 ^ $1 },
    integerOp("bitwise_left_shift") { try $0 << $1 },
    integerOp("bitwise_right_shift") { try $0 >> $1 },
    unaryOp("bitwise_not") { try ~$0 },
    op("maximum(a, b)") { try Tensor.maximum(try $0.tensor(0), try $0.tensor(1)) },
    op("minimum(a, b)") { try Tensor.minimum(try $0.tensor(0), try $0.tensor(1)) },
    op("where(condition, a: tensor|double, b: tensor|double)") { a in
        let c = try a.tensor(0)
        switch (a.isTensor(1), a.isTensor(2)) {
        case (true, true): return try Tensor.where(c, try a.tensor(1), try a.tensor(2))
        case (true, false): return try Tensor.where(c, try a.tensor(1), try a.double(2))
        case (false, true): return try Tensor.where(c, try a.double(1), try a.tensor(2))
        case (false, false): return try Tensor.where(c, try a.tensor(1), try a.tensor(2))  // names the problem
        }
    },
    comparison("lt", { try $0.lt($1) }, { try $0.lt($1) }),
    comparison("le", { try $0.le($1) }, { try $0.le($1) }),
    comparison("gt", { try $0.gt($1) }, { try $0.gt($1) }),
    comparison("ge", { try $0.ge($1) }, { try $0.ge($1) }),
    comparison("eq", { try $0.eq($1) }, { try $0.eq($1) }),
    comparison("ne", { try $0.ne($1) }, { try $0.ne($1) }),
    op("logical_and(a, b)") { try $0.tensor(0).logicalAnd(try $0.tensor(1)) },
    op("logical_or(a, b)") { try $0.tensor(0).logicalOr(try $0.tensor(1)) },
    unaryOp("logical_not") { try $0.logicalNot() },
    unaryOp("neg") { try $0.neg() },
    unaryOp("exp") { try $0.exp() },
    unaryOp("log") { try $0.log() },
    unaryOp("sqrt") { try $0.sqrt() },
    unaryOp("tanh") { try $0.tanh() },
    unaryOp("cosh") { try $0.cosh() },
    unaryOp("sinh") { try $0.sinh() },
    unaryOp("abs") { try $0.abs() },
    unaryOp("sign") { try $0.sign() },
    unaryOp("log1p") { try $0.log1p() },
    unaryOp("erf") { try $0.erf() },
    unaryOp("expm1") { try $0.expm1() },
    unaryOp("rsqrt") { try $0.rsqrt() },
    unaryOp("sin") { try $0.sin() },
    unaryOp("cos") { try $0.cos() },
    unaryOp("tan") { try $0.tan() },
    unaryOp("reciprocal") { try $0.reciprocal() },
    unaryOp("square") { try $0.square() },
    unaryOp("round") { try $0.round() },
    unaryOp("floor") { try $0.floor() },
    unaryOp("ceil") { try $0.ceil() },
    unaryOp("clone") { try $0.clone() },
    unaryOp("contiguous") { try $0.contiguous() },
    unaryOp("detach") { $0.detach() },
    op("to(x, dtype: string)") { try $0.tensor(0).to(try $0.dtype(1)) },
]

let activationOps: [Op] = [
    unaryOp("sigmoid") { try $0.sigmoid() },
    unaryOp("relu") { try $0.relu() },
    op("leaky_relu(x, negative_slope=0.01)") { try $0.tensor(0).leakyRelu(negativeSlope: try $0.double(1, 0.01)) },
    op("elu(x, alpha=1)") { try $0.tensor(0).elu(alpha: try $0.double(1, 1)) },
    op("gelu(x, approximate=\"none\")") { try $0.tensor(0).gelu(approximate: try $0.string(1, "none")) },
    op("softplus(x, beta=1, threshold=20)") {
        try $0.tensor(0).softplus(beta: try $0.double(1, 1), threshold: try $0.double(2, 20))
    },
    op("clamp(x, min=none, max=none)") {
        try $0.tensor(0).clamp(min: try $0.optionalDouble(1), max: try $0.optionalDouble(2))
    },
]

/// In-place ops return their first argument (a new handle to the same tensor).
let inPlaceOps: [Op] = [
    binaryOp("add_", { try $0.add_($1) }, { try $0.add_($1) }),
    binaryOp("sub_", { try $0.sub_($1) }, { try $0.sub_($1) }),
    binaryOp("mul_", { try $0.mul_($1) }, { try $0.mul_($1) }),
    binaryOp("div_", { try $0.div_($1) }, { try $0.div_($1) }),
    op("fill_(x, value: double)") { a in
        try a.tensor(0).fill_(try a.double(1))
    },
    unaryOp("zero_") { try $0.zero_() },
    op("copy_(x, src)") { try $0.tensor(0).copy_(try $0.tensor(1)) },
    op("clamp_(x, min=none, max=none)") {
        try $0.tensor(0).clamp_(min: try $0.optionalDouble(1), max: try $0.optionalDouble(2))
    },
]
