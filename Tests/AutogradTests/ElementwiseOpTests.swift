import Testing
@testable import Autograd

/// Runs the op a fixture case names (scripts/fixtures/elementwise.py).
private func run(_ c: FixtureCase, _ xs: [Tensor]) throws -> Tensor {
    let x = xs[0]
    let scalar = c.arg("scalar")?.double
    func compare(_ t: (Tensor) throws -> Tensor, _ s: (Double) throws -> Tensor) throws -> Tensor {
        if let scalar { return try s(scalar) }
        return try t(xs[1])
    }
    switch c.op {
    case "exp": return try x.exp()
    case "tanh": return try x.tanh()
    case "sinh": return try x.sinh()
    case "cosh": return try x.cosh()
    case "sign": return try x.sign()
    case "log1p": return try x.log1p()
    case "expm1": return try x.expm1()
    case "erf": return try x.erf()
    case "rsqrt": return try x.rsqrt()
    case "sin": return try x.sin()
    case "cos": return try x.cos()
    case "tan": return try x.tan()
    case "sigmoid": return try x.sigmoid()
    case "relu": return try x.relu()
    case "leaky_relu": return try x.leakyRelu(negativeSlope: c.arg("negative_slope")?.double ?? 0.01)
    case "elu": return try x.elu(alpha: c.arg("alpha")?.double ?? 1)
    case "gelu": return try x.gelu(approximate: c.arg("approximate")?.string ?? "none")
    case "softplus": return try x.softplus(beta: c.arg("beta")?.double ?? 1, threshold: c.arg("threshold")?.double ?? 20)
    case "clamp": return try x.clamp(min: c.arg("min")?.double, max: c.arg("max")?.double)
    case "round": return try x.round()
    case "floor": return try x.floor()
    case "ceil": return try x.ceil()
    case "reciprocal": return try x.reciprocal()
    case "square": return try x.square()
    case "pow": return try x.pow(xs[1])
    case "maximum": return try Tensor.maximum(x, xs[1])
    case "minimum": return try x.minimum(xs[1])
    case "where": return try Tensor.where(x, xs[1], xs[2])
    case "lt": return try compare(x.lt, x.lt)
    case "le": return try compare(x.le, x.le)
    case "gt": return try compare(x.gt, x.gt)
    case "ge": return try compare(x.ge, x.ge)
    case "eq": return try compare(x.eq, x.eq)
    case "ne": return try compare(x.ne, x.ne)
    case "logical_and": return try x.logicalAnd(xs[1])
    case "logical_or": return try x.logicalOr(xs[1])
    case "logical_not": return try x.logicalNot()
    case "to": return try x.to(DType(rawValue: c.arg("dtype")?.string ?? "") ?? .float32)
    default: throw AutogradError.invalidArgument("no such fixture op \(c.op)")
    }
}

@Suite struct ElementwiseOpTests {
    static let cases = Fixtures.load("elementwise")

    @Test(arguments: cases)
    func matchesPyTorch(_ c: FixtureCase) throws {
        let xs = try c.inputTensors()
        let y = try run(c, xs)
        // The default 1e-6 (float32) / 1e-12 (float64) holds for every op here.
        let (rtol, atol) = tolerance(c.dtypeValue == .float64 ? .float64 : .float32)
        expectClose(y, c.outputs[0], rtol: rtol, atol: atol, "\(c.name) output")
        if let want = c.outputs[0].dtype { #expect(y.dtype.rawValue == want, "\(c.name) dtype") }
        guard let gos = c.grad_outputs, let g = gos[0], let grads = c.grads else {
            #expect(!y.requiresGrad, "\(c.name): a mask or integer output never requires grad")
            return
        }
        try expectGradientsMatch(c, xs, gradOutput: g, grads: grads, rtol: rtol, atol: atol, run)
    }

    // MARK: finite differences (float64)

    static let unary: [(String, @Sendable (Tensor) throws -> Tensor, ClosedRange<Double>)] = [
        ("log1p", { try $0.log1p() }, -0.5...2), ("expm1", { try $0.expm1() }, -2...2),
        ("erf", { try $0.erf() }, -2...2),
        ("rsqrt", { try $0.rsqrt() }, 0.5...3), ("sin", { try $0.sin() }, -3...3),
        ("cos", { try $0.cos() }, -3...3), ("tan", { try $0.tan() }, -1.2...1.2),
        ("sigmoid", { try $0.sigmoid() }, -4...4), ("relu", { try $0.relu() }, -2...2),
        ("leakyRelu", { try $0.leakyRelu(negativeSlope: 0.2) }, -2...2), ("elu", { try $0.elu(alpha: 0.7) }, -2...2),
        ("gelu", { try $0.gelu() }, -3...3), ("geluTanh", { try $0.gelu(approximate: "tanh") }, -3...3),
        ("softplus", { try $0.softplus() }, -4...4), ("softplusThreshold", { try $0.softplus(beta: 2, threshold: 1) }, -2...2),
        ("clamp", { try $0.clamp(min: -0.5, max: 0.7) }, -2...2), ("clampMax", { try $0.clamp(max: 0.3) }, -2...2),
        ("reciprocal", { try $0.reciprocal() }, 0.5...3), ("square", { try $0.square() }, -2...2),
        ("round", { try $0.round() }, -3...3), ("floor", { try $0.floor() }, -3...3), ("ceil", { try $0.ceil() }, -3...3),
    ]

    private static func input(_ shape: [Int], _ range: ClosedRange<Double>, seed: UInt64) throws -> Tensor {
        try Tensor.rand(shape, low: range.lowerBound, high: range.upperBound, dtype: .float64,
                        generator: Generator(seed: seed)).requiresGrad()
    }

    @Test(arguments: unary.indices)
    func unaryGradcheck(_ i: Int) throws {
        let (name, f, range) = Self.unary[i]
        for (k, shape) in [[5], [2, 3]].enumerated() {
            let x = try Self.input(shape, range, seed: UInt64(10 * i + k))
            #expect(try gradcheck({ try f($0[0]) }, inputs: [x]), "\(name) \(shape)")
            if !["round", "floor", "ceil"].contains(name) {
                #expect(try gradgradcheck({ try f($0[0]) }, inputs: [x]), "\(name) \(shape) second order")
            }
        }
    }

    static let binary: [(String, @Sendable (Tensor, Tensor) throws -> Tensor)] = [
        ("pow", { try $0.pow($1) }), ("maximum", { try Tensor.maximum($0, $1) }), ("minimum", { try $0.minimum($1) }),
        ("whereGtZero", { try Tensor.where($0.gt(1.0), $0, $1) }),
    ]

    @Test(arguments: binary.indices)
    func binaryGradcheck(_ i: Int) throws {
        let (name, f) = Self.binary[i]
        for (k, (sa, sb)) in [([2, 3], [2, 3]), ([3, 1], [4]), ([2, 3], [])].enumerated() {
            let a = try Self.input(sa, 0.3...2, seed: UInt64(100 + 10 * i + k))
            let b = try Self.input(sb, 0.3...2, seed: UInt64(200 + 10 * i + k))
            #expect(try gradcheck({ try f($0[0], $0[1]) }, inputs: [a, b]), "\(name) \(sa) \(sb)")
            #expect(try gradgradcheck({ try f($0[0], $0[1]) }, inputs: [a, b]), "\(name) \(sa) \(sb) second order")
        }
    }

    // MARK: edge cases

    @Test func maximumAndMinimumSplitTiesAndPassNaN() throws {
        let a = try Tensor([1, 2, .nan, 3], dtype: .float64, requiresGrad: true)
        let b = try Tensor([1, 5, 0, .nan], dtype: .float64, requiresGrad: true)
        let ops: [(Tensor, Tensor) throws -> Tensor] = [Tensor.maximum, Tensor.minimum]
        for op in ops {
            let y = try op(a, b)
            #expect(y.toArray()[0] == 1 && y.toArray()[2].isNaN && y.toArray()[3].isNaN)
            let gs = try grad(outputs: [y], inputs: [a, b], gradOutputs: [Tensor.ones([4], dtype: .float64)])
            let isMax = y.toArray()[1] == 5
            #expect(gs[0]!.toArray() == [0.5, isMax ? 0 : 1, 1, 1])
            #expect(gs[1]!.toArray() == [0.5, isMax ? 1 : 0, 1, 1])
        }
    }

    @Test func clampKeepsNaNAndStopsTheGradientAtTheBounds() throws {
        let x = try Tensor([.nan, -1, 0, 0.5, 1, 2], dtype: .float64, requiresGrad: true)
        let y = try x.clamp(min: 0, max: 1)
        let v = y.toArray()
        #expect(v[0].isNaN && Array(v[1...]) == [0, 0, 0.5, 1, 1])
        #expect(try grad(of: y.sum(), wrt: x)!.toArray() == [0, 0, 0, 1, 0, 0])
        // An absent bound lets the infinities on its side through.
        let inf = try Tensor([-.infinity, .infinity], dtype: .float64, requiresGrad: true)
        #expect(try grad(of: inf.clamp(max: 0.25).sum(), wrt: inf)!.toArray() == [1, 0])
        #expect(try grad(of: inf.clamp(min: 0.25).sum(), wrt: inf)!.toArray() == [0, 1])
        #expect(try x.clamp(min: .nan).toArray().allSatisfy(\.isNaN))
    }

    @Test func reluGradientIsZeroAtZero() throws {
        let x = try Tensor([-1, 0, 2], requiresGrad: true)
        #expect(try grad(of: x.relu().sum(), wrt: x)!.toArray() == [0, 0, 1])
        #expect(try grad(of: x.leakyRelu().sum(), wrt: x)!.floats() == [0.01, 0.01, 1])
    }

    @Test func masksNeverRequireGrad() throws {
        let x = try Tensor([1, 2, 3], requiresGrad: true)
        for m in [try x.lt(2.0), try x.ge(x), try x.eq(2.0).logicalNot(), try x.gt(0.0).logicalAnd(x.lt(3.0))] {
            #expect(m.dtype == .bool && !m.requiresGrad && m.gradFn == nil)
        }
        #expect(try x.gt(1.5).logicalOr(x.lt(1.5)).toArray() == [1, 1, 1])
    }

    @Test func castsEdgeValues() throws {
        let x = try Tensor([.nan, .infinity, -3.7, 3.7, 1e30], dtype: .float64)
        #expect(try x.to(.int64).ints() == [Int.min, Int.min, -3, 3, Int.min])
        #expect(try x.to(.float32).to(.int64).ints() == [Int.min, Int.min, -3, 3, Int.min])
        #expect(try x.to(.bool).toArray() == [1, 1, 1, 1, 1])
        let i = try Tensor(indices: [0, -2, 5])
        #expect(try i.to(.bool).to(.int64).ints() == [0, 1, 1])
        #expect(try i.to(.float64).doubles() == [0, -2, 5])
        #expect(try i.to(.bool).to(.float32).floats() == [0, 1, 1])
    }

    @Test func castGradientFlowsBetweenFloatTypes() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try x.to(.float64).square().sum()
        try y.backward()
        #expect(x.grad?.dtype == .float32)
        #expect(try x.grad?.floats() == [2, 4])
        #expect(!(try x.to(.int64)).requiresGrad)
    }

    @Test func whereWithScalarsAndIntegers() throws {
        let x = try Tensor([-1, 2, -3], dtype: .float64, requiresGrad: true)
        let y = try Tensor.where(x.gt(0.0), x, 0.0)
        #expect(y.toArray() == [0, 2, 0] && y.dtype == .float64)
        #expect(try grad(of: y.sum(), wrt: x)!.toArray() == [0, 1, 0])
        let i = try Tensor.where(Tensor([1, 0], dtype: .bool), Tensor(indices: [7, 8]), Tensor(indices: [9]))
        #expect(i.dtype == .int64)
        #expect(try i.ints() == [7, 9])
        #expect(try Tensor(indices: [1, 2, 3]).lt(2.5).toArray() == [1, 1, 0])
        #expect(try Tensor(indices: [4, 4]).round().ints() == [4, 4])
        #expect(try Tensor(indices: [1, 4]).sigmoid().dtype == .float32)
    }

    @Test func emptyAndScalarTensors() throws {
        let e = try Tensor.zeros([0, 3])
        #expect(try e.sigmoid().shape == [0, 3] && e.relu().shape == [0, 3])
        #expect(try e.lt(Tensor.zeros([3])).shape == [0, 3])
        #expect(try Tensor.where(e.gt(0.0), e, 1.0).shape == [0, 3])
        let s = try Tensor(scalar: 4, dtype: .float64)
        #expect(try s.rsqrt().item() == 0.5 && s.pow(Tensor(scalar: 0.5, dtype: .float64)).item() == 2)
    }

    // MARK: errors

    @Test func badArgumentsThrowPyTorchsMessages() throws {
        let x = try Tensor([1, 2, 3])
        #expect(throws: AutogradError.invalidArgument("approximate argument must be either none or tanh.")) {
            try x.gelu(approximate: "fast")
        }
        #expect(throws: AutogradError.invalidArgument("torch.clamp: At least one of 'min' or 'max' must not be None")) {
            try x.clamp()
        }
        #expect(throws: AutogradError.invalidArgument(
            "where expected condition to be a boolean tensor, but got a tensor with dtype Float")) {
            try Tensor.where(x, x, x)
        }
        let msg = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"
        let four = try Tensor.zeros([4])
        #expect(throws: AutogradError.invalidArgument("pow: \(msg)")) { try x.pow(four) }
        #expect(throws: AutogradError.invalidArgument("maximum: \(msg)")) { try x.maximum(four) }
        #expect(throws: AutogradError.invalidArgument("lt: \(msg)")) { try x.lt(four) }
        #expect(throws: AutogradError.invalidArgument("logical_and: \(msg)")) { try x.logicalAnd(four) }
        #expect(throws: AutogradError.invalidArgument("where: \(msg)")) { try Tensor.where(x.gt(0.0), x, four) }
        let longs = try Tensor(indices: [1, -2])
        #expect(throws: AutogradError.invalidArgument("leakyRelu: \"leaky_relu_cpu\" not implemented for 'Long'")) {
            try longs.leakyRelu()
        }
        #expect(throws: AutogradError.invalidArgument("elu: \"elu_cpu\" not implemented for 'Long'")) { try longs.elu() }
        #expect(throws: AutogradError.invalidArgument("softplus: \"softplus_cpu\" not implemented for 'Long'")) {
            try longs.softplus()
        }
    }
}

/// float32 exp at the bottom of its range: subnormal results, then 0
/// (PyTorch: exp(-100) = 3.7835059e-44, exp(-103.9) = 1.4e-45, exp(-104) = 0).
@Test func float32ExpReachesSubnormalsAndZero() throws {
    let y = try Tensor([-87.5, -100, -103.9, -104, 88.72, 88.73]).exp().toArray()
    #expect(abs(y[0] - 9.982351397596697e-39) <= 1e-6 * 9.98e-39)
    #expect(abs(y[1] - 3.783505853677006e-44) <= 1.5e-45)
    #expect(y[2] == 1.401298464324817e-45 && y[3] == 0)
    #expect(abs(y[4] - 3.3931806003874245e+38) <= 1e-6 * 3.4e38 && y[5] == .infinity)
}
