import Foundation
import Testing
import Autograd
import AutogradExamples

// The parity set (Sources/AutogradExamples/Parity/): ports of public PyTorch
// custom-Function examples, checked against the originals run by PyTorch
// (scripts/fixtures/parity.py → Fixtures/parity.json) and by finite
// differences in float64. Plain `import Autograd`: with `@testable`, the
// library's internal `Exp`, `Sinh` and `Square` ops would clash with the
// ports of the same names.

/// A parity.json case: the common fixture fields plus second gradients.
struct ParityCase: Decodable, CustomTestStringConvertible {
    var name: String
    var op: String
    var dtype: String
    var inputs: [FixtureTensor]
    var args: [String: FixtureValue]?
    var outputs: [FixtureTensor]
    var grad_outputs: [FixtureTensor?]
    var grads: [FixtureTensor?]
    var second_grad_outputs: [FixtureTensor]?
    var second_grads: [FixtureTensor?]?
    var second_grads_v: [FixtureTensor]?

    var testDescription: String { name }
    var dtypeValue: DType { DType(rawValue: dtype) ?? .float32 }
    func arg(_ key: String) -> FixtureValue? { args?[key] }

    static func load() -> [ParityCase] {
        struct File: Decodable { var cases: [ParityCase] }
        guard let url = Bundle.module.url(forResource: "parity", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else {
            Issue.record("Fixtures/parity.json is missing or does not decode")
            return []
        }
        return file.cases
    }
}

/// Applies the port a fixture case names to its inputs.
private func run(_ c: ParityCase, _ xs: [Tensor]) throws -> [Tensor] {
    let x = xs[0]
    switch c.op {
    case "custom_tanh": return [try CustomTanh.apply(x)]
    case "custom_tanh_composed": return [try CustomTanhComposed.apply(x)]
    case "custom_func":
        return [try CustomTanhWithArguments.apply(x, c.arg("image_size")?.int ?? 28,
                                                  c.arg("activation_function")?.string ?? "tanh")]
    case "legendre_polynomial3": return [try LegendrePolynomial3.apply(x)]
    case "my_relu": return [try MyReLU.apply(x)]
    case "mul_constant": return [try MulConstant.apply(x, c.arg("constant")?.double ?? 0)]
    case "linear": return [try LinearFunction.apply(x, xs[1], xs.count > 2 ? xs[2] : nil as Tensor?)]
    case "square": return [try Square.apply(x)]
    case "exp": return [try Exp.apply(x)]
    case "cube": return [try Cube.apply(x)]
    case "sinh": return try Sinh.apply(x)
    case "sinh_first": return [try Sinh.sinh(x)]
    case "sort": return try SortWithIndices.apply(x)
    case "mul_inplace": return [try MulInPlace.apply(x * 1, c.arg("factor")?.double ?? 0)]  // on a copy, as x.clone()
    default: throw AutogradError.invalidArgument("no such parity op \(c.op)")
    }
}

/// 1e-6 relative in float32 and 1e-12 in float64 (absolute floors near zero).
private func tol(_ c: ParityCase) -> (rtol: Double, atol: Double) {
    c.dtypeValue == .float64 ? (1e-12, 1e-12) : (1e-6, 1e-6)
}

/// The tensors of `fixture`, nil where it has none.
private func tensors(_ fixture: [FixtureTensor?], _ dtype: DType, requiresGrad: Bool = false) throws -> [Tensor?] {
    try fixture.map { try $0?.tensor(dtype, requiresGrad: requiresGrad) }
}

@Suite struct ParityTests {
    static let cases = ParityCase.load()

    /// Outputs, first gradients (the fixture's grad_outputs fed to backward)
    /// and, for the twice-differentiable ports, second gradients.
    @Test(arguments: cases)
    func matchesPyTorch(_ c: ParityCase) throws {
        let (rtol, atol) = tol(c)
        let xs = try c.inputs.map { try $0.tensor() }
        let second = c.second_grads != nil
        let outs = try run(c, xs)
        try #require(outs.count == c.outputs.count, "\(c.name): output count")
        for (k, (o, e)) in zip(outs, c.outputs).enumerated() {
            expectClose(o, e, rtol: rtol, atol: atol, "\(c.name) output \(k)")
            #expect(o.dtype.rawValue == e.dtype, "\(c.name) output \(k) dtype")
            #expect(o.requiresGrad == (c.grad_outputs[k] != nil), "\(c.name) output \(k) requiresGrad")
        }
        let vs = try tensors(c.grad_outputs, c.dtypeValue, requiresGrad: second)
        let wrt = xs.filter(\.requiresGrad)
        let gs = try grad(outputs: outs.filter(\.requiresGrad), inputs: wrt, gradOutputs: vs.compactMap { $0 },
                          createGraph: second, allowUnused: true)
        var it = gs.makeIterator()
        for (i, x) in xs.enumerated() {
            let g = x.requiresGrad ? it.next()! : nil
            expectClose(g, c.grads[i], rtol: rtol, atol: atol, "\(c.name) grad \(i)")
        }
        guard let us = c.second_grad_outputs, let want = c.second_grads, let wantV = c.second_grads_v else { return }
        let firsts = gs.compactMap { $0 }
        let ss = try grad(outputs: firsts, inputs: wrt + vs.compactMap { $0 },
                          gradOutputs: try us.map { try $0.tensor(c.dtypeValue) }, allowUnused: true)
        var si = ss.makeIterator()
        for (i, x) in xs.enumerated() {
            let s = x.requiresGrad ? si.next()! : nil
            expectClose(s, want[i], rtol: rtol, atol: atol, "\(c.name) second grad \(i)")
        }
        for (k, e) in wantV.enumerated() {
            expectClose(si.next() ?? nil, e, rtol: rtol, atol: atol, "\(c.name) second grad of grad_output \(k)")
        }
    }

    // MARK: Finite differences (float64)

    /// Each port as a function of float64 tensors, and whether its backward
    /// is twice differentiable (the C-kernel ones are `onceDifferentiable`).
    static let ports: [(name: String, inputs: [[Int]], twice: Bool, f: @Sendable ([Tensor]) throws -> [Tensor])] = [
        ("CustomTanh", [[6]], false, { [try CustomTanh.apply($0[0])] }),
        ("CustomTanhWithArguments tanh", [[2, 4]], false, { [try CustomTanhWithArguments.apply($0[0], 2, "tanh")] }),
        ("CustomTanhWithArguments relu", [[9]], false, { [try CustomTanhWithArguments.apply($0[0], 3, "relu")] }),
        ("LegendrePolynomial3", [[2, 3]], false, { [try LegendrePolynomial3.apply($0[0])] }),
        ("MyReLU", [[7]], false, { [try MyReLU.apply($0[0])] }),
        ("MulConstant", [[2, 3]], true, { [try MulConstant.apply($0[0], -1.5)] }),
        ("LinearFunction", [[3, 4], [2, 4], [2]], true, { [try LinearFunction.apply($0[0], $0[1], $0[2])] }),
        ("LinearFunction no bias", [[3, 4], [2, 4]], true, { [try LinearFunction.apply($0[0], $0[1], nil as Tensor?)] }),
        ("Square", [[2, 3]], true, { [try Square.apply($0[0])] }),
        ("Exp", [[2, 3]], true, { [try Exp.apply($0[0])] }),
        ("Sinh", [[5]], true, { try Sinh.apply($0[0]) }),
        ("sinh", [[2, 3]], true, { [try Sinh.sinh($0[0])] }),
        ("Cube", [[2, 3]], true, { [try Cube.apply($0[0])] }),
        ("CubeBackward", [[4], [4]], false, { [try CubeBackward.apply($0[0], $0[1])] }),
        ("SortWithIndices", [[6]], false, { try SortWithIndices.apply($0[0]) }),
        ("MulInPlace", [[2, 3]], true, { [try MulInPlace.apply($0[0] * 1, 2.5)] }),
    ]

    @Test(arguments: ports.indices)
    func gradcheckInFloat64(_ i: Int) throws {
        let port = Self.ports[i]
        let gen = Generator(seed: UInt64(100 + i))
        // Inputs away from 0 on MyReLU's and the relu variant's kink.
        let xs = try port.inputs.map { shape -> Tensor in
            let t = try Tensor.rand(shape, low: 0.1, high: 2, dtype: .float64, generator: gen)
            let sign = try Tensor.rand(shape, low: 0, high: 1, dtype: .float64, generator: gen)
            return try (t * (try sign.ge(0.5).to(.float64) * 2 - 1)).detach().requiresGrad()
        }
        #expect(try gradcheck(port.f, inputs: xs), "\(port.name)")
        if port.twice {
            #expect(try gradgradcheck(port.f, inputs: xs), "\(port.name) second order")
        } else {
            // A C backward is not recorded: its result is cut off from the
            // inputs (as PyTorch's once_differentiable outputs are), so the
            // second-order Jacobian comes out zero and gradgradcheck fails.
            #expect(throws: AutogradError.self) { try gradgradcheck(port.f, inputs: xs) }
        }
    }

    @Test func kernelBackwardsRefuseASecondDerivative() throws {
        let onceDifferentiable = AutogradError.graph(
            "trying to differentiate twice a function that was marked with @once_differentiable")
        let ports: [(Tensor) throws -> Tensor] = [
            { try LegendrePolynomial3.apply($0) }, { try MyReLU.apply($0) },
            { try CustomTanhWithArguments.apply($0, 2, "tanh") }, { try SortWithIndices.apply($0)[0] },
            { try CustomTanh.apply($0) },
        ]
        for f in ports {
            let x = try Tensor([0.5, -1.5, 2, 0.25], dtype: .float64, requiresGrad: true)
            let g = try grad(of: f(x).sum(), wrt: x, createGraph: true)!
            #expect(throws: onceDifferentiable) { try g.sum().backward() }
        }
    }

    // MARK: What each example is there to show

    /// The node's gradients for its inputs, as its backward returned them.
    private func gradInputs(of y: Tensor, _ gradOutput: Tensor? = nil) throws -> [Tensor?] {
        var seen: [Tensor?] = []
        y.gradFn?.registerHook { gradInputs, _ in seen = gradInputs; return nil }
        try y.backward(gradient: gradOutput ?? Tensor.ones(like: y))
        return seen
    }

    @Test func nonTensorArgumentsGetNilGradients() throws {
        let x = try Tensor((0..<784).map { Double($0 % 7) - 3 }, shape: [1, 784], requiresGrad: true)
        let y = try CustomTanhWithArguments.apply(x)   // Python's defaults: 28, "tanh"
        #expect(y.gradFn?.name == "CustomTanhWithArgumentsBackward")
        let g = try gradInputs(of: y)
        #expect(g.count == 3 && g[0] != nil && g[1] == nil && g[2] == nil)
        #expect(throws: AutogradError.invalidArgument(
            "CustomTanhWithArguments: unknown activation_function 'gelu' (expected one of [\"tanh\", \"relu\"])")) {
            try CustomTanhWithArguments.apply(x, 28, "gelu")
        }
        #expect(throws: AutogradError.invalidArgument(
            "CustomTanhWithArguments: expected the last dimension to be image_size² = 9, got shape [1, 784]")) {
            try CustomTanhWithArguments.apply(x, imageSize: 3)
        }
        #expect(throws: AutogradError.invalidArgument("CustomTanhWithArguments.forward: argument 1 should be Int, got String")) {
            try CustomTanhWithArguments.apply(x, "28", "tanh")
        }
    }

    @Test func linearFunctionSkipsGradientsNobodyNeeds() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], requiresGrad: true)
        let w = try Tensor([1, 0, -1, 2, 1, 0], shape: [2, 3])   // frozen
        let b: Tensor? = nil
        let g = try gradInputs(of: try LinearFunction.apply(x, w, b))
        #expect(g.count == 3 && g[0] != nil && g[1] == nil && g[2] == nil)
        #expect(try x.grad!.floats() == [3, 1, -1, 3, 1, -1])
        #expect(w.grad == nil)
        let wrong = try Tensor([1, 2, 3, 4], shape: [2, 2])
        #expect(throws: AutogradError.invalidArgument("mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)")) {
            try LinearFunction.apply(x, wrong, b)
        }
    }

    @Test func sortIndicesAreNotDifferentiable() throws {
        let x = try Tensor([3, 1, 2], dtype: .float64, requiresGrad: true)
        let (values, indices) = try SortWithIndices.sort(x)
        #expect(try values.doubles() == [1, 2, 3] && indices.ints() == [1, 2, 0])
        #expect(values.requiresGrad && !indices.requiresGrad && indices.dtype == .int64)
        #expect(values.gradFn?.name == "SortWithIndicesBackward")
        try (values * Tensor([10, 20, 30], dtype: .float64)).sum().backward()
        #expect(try x.grad!.doubles() == [30, 10, 20])
        #expect(throws: AutogradError.invalidArgument("SortWithIndices: expected a 1-D tensor, got shape [1, 3]")) {
            try SortWithIndices.apply(x.reshape([1, 3]))
        }
    }

    @Test func inPlaceChangeIsMarkedDirty() throws {
        let x = try Tensor([1, -2, 3], requiresGrad: true)
        let a = try x * 1
        let before = a.version
        let y = try MulInPlace.apply(a, 2)
        #expect(y === a && a.version == before + 1, "the input itself is returned, one version on")
        #expect(a.gradFn?.name == "MulInPlaceBackward")
        #expect(try x.floats() == [1, -2, 3] && a.floats() == [2, -4, 6])
        try y.sum().backward()
        #expect(try x.grad!.floats() == [2, 2, 2])
        // As in PyTorch: a leaf that requires grad is refused ...
        #expect(throws: AutogradError.invalidArgument(
            "a leaf Variable that requires grad has been used in an in-place operation.")) {
            try MulInPlace.apply(x, 2)
        }
        // ... and a tensor saved for backward before the change is caught when unpacked.
        let b = try x * 1
        let s = try Square.apply(b)
        _ = try MulInPlace.apply(b, 3)
        #expect(throws: (any Error).self) { try s.sum().backward() }
        do { try s.sum().backward() } catch { #expect("\(error)".contains("is at version 1; expected version 0 instead")) }
        // Without grad nothing is recorded; the buffer still changes.
        let plain = try Tensor([1, 2])
        #expect(try MulInPlace.apply(plain, 2).gradFn == nil && plain.floats() == [2, 4])
    }

    @Test func cubeIsTwiceDifferentiableThroughItsNestedFunction() throws {
        // The reference: x³ at x = 2, first derivative 12, second 12.
        let x = try Tensor([2], dtype: .float64, requiresGrad: true)
        let y = try Cube.apply(x)
        #expect(y.gradFn?.name == "CubeBackward")
        let g = try grad(of: y, wrt: x, createGraph: true)!
        #expect(try g.doubles() == [12] && g.gradFn?.name == "CubeBackwardBackward")
        let gg = try grad(of: g, wrt: x, createGraph: true)!
        #expect(try gg.doubles() == [12])
        // CubeBackward's own backward is C: a third derivative throws.
        #expect(throws: AutogradError.self) { _ = try grad(of: gg, wrt: x) }
    }

    @Test func sinhSavesItsIntermediatesAsOutputs() throws {
        let x = try Tensor([0.5], dtype: .float64, requiresGrad: true)
        let outs = try Sinh.apply(x)
        #expect(outs.count == 3 && outs.allSatisfy { $0.gradFn?.name == "SinhBackward" })
        let g = try grad(of: Sinh.sinh(x), wrt: x, createGraph: true)!   // cosh
        let gg = try grad(of: g, wrt: x)!                                  // sinh
        #expect(Swift.abs(try g.item() - Foundation.cosh(0.5)) < 1e-15)
        #expect(Swift.abs(try gg.item() - Foundation.sinh(0.5)) < 1e-15)
    }

    @Test func kernelPortsNameThemselvesInErrors() throws {
        let i = try Tensor(indices: [1, 2])
        for (name, f) in [("LegendrePolynomial3", { try LegendrePolynomial3.apply($0) }),
                          ("MyReLU", { try MyReLU.apply($0) }), ("Cube", { try Cube.apply($0) })]
            as [(String, (Tensor) throws -> Tensor)] {
            #expect(throws: AutogradError.invalidArgument("\(name): expected a floating point tensor, got torch.int64")) {
                try f(i)
            }
        }
        #expect(throws: AutogradError.invalidArgument("MulConstant.forward: argument 1 should be Double, got String")) {
            try MulConstant.apply(try Tensor([1.0]), "2")
        }
    }
}
