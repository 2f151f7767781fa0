import Testing
@testable import Autograd

private let inPlaceOps: Set = ["add_", "sub_", "mul_", "div_", "fill_", "zero_", "copy_", "clamp_", "add_into_plain"]

/// The graph each in-place fixture case runs (scripts/fixtures/nn_ops.py):
/// y = x * 1.5; y.<op>_(other or scalar); z = y * x.
private func run(_ c: FixtureCase, _ xs: [Tensor]) throws -> Tensor {
    if c.op == "add_into_plain" {
        let y = try Tensor.zeros([2, 3], dtype: xs[0].dtype)
        try y.add_(xs[0])
        return try y * y
    }
    let x = xs[0]
    let y = try x * 1.5
    let scalar = c.arg("scalar")?.double
    let tensor = c.arg("operand")?.string == "tensor"
    switch c.op {
    case "add_": if tensor { try y.add_(xs[1]) } else { try y.add_(scalar!) }
    case "sub_": if tensor { try y.sub_(xs[1]) } else { try y.sub_(scalar!) }
    case "mul_": if tensor { try y.mul_(xs[1]) } else { try y.mul_(scalar!) }
    case "div_": if tensor { try y.div_(xs[1]) } else { try y.div_(scalar!) }
    case "fill_": try y.fill_(scalar!)
    case "zero_": try y.zero_()
    case "copy_": try y.copy_(xs[1])
    case "clamp_": try y.clamp_(min: c.arg("min")?.double, max: c.arg("max")?.double)
    default: throw AutogradError.invalidArgument("no such fixture op \(c.op)")
    }
    return try y * x
}

private func randn(_ shape: [Int], seed: UInt64, low: Double = -1, high: Double = 1) throws -> Tensor {
    try Tensor.rand(shape, low: low, high: high, dtype: .float64, generator: Generator(seed: seed)).requiresGrad()
}

@Suite struct InPlaceOpTests {
    @Test(arguments: Fixtures.load("nn_ops").filter { inPlaceOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws {
        try checkNNFixture(c, tolerance(c.dtypeValue).rtol, tolerance(c.dtypeValue).atol, run)
    }

    @Test func fixtureCoversEveryInPlaceOp() {
        let ops = Set(Fixtures.load("nn_ops").map(\.op))
        #expect(inPlaceOps.isSubset(of: ops))
    }

    // MARK: values, version counter, no recording

    @Test func mutatesStorageAndBumpsVersion() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let alias = try x.reshape([6])
        try x.add_(try Tensor([10, 20, 30]))
        #expect(x.toArray() == [11, 22, 33, 14, 25, 36])
        #expect(alias.toArray() == x.toArray())   // shares storage
        try x.sub_(1).mul_(2).div_(4)
        #expect(x.toArray() == [5, 10.5, 16, 6.5, 12, 17.5])
        try x.clamp_(min: 6, max: 16)
        #expect(x.toArray() == [6, 10.5, 16, 6.5, 12, 16])
        try x.copy_(try Tensor([1, -1, 0.5], dtype: .float64))
        #expect(x.toArray() == [1, -1, 0.5, 1, -1, 0.5])
        try x.fill_(7)
        #expect(x.toArray() == [7, 7, 7, 7, 7, 7])
        try x.zero_()
        #expect(x.toArray() == [0, 0, 0, 0, 0, 0])
        #expect(x.version == 8)
        #expect(x.gradFn == nil && !x.requiresGrad)
    }

    @Test func integerTensorsFillCopyAndComputeInPlace() throws {
        let i = try Tensor(indices: [1, 2, 3])
        try i.fill_(4)
        #expect(try i.ints() == [4, 4, 4])
        try i.copy_(try Tensor(indices: [7, 8, 9]))
        #expect(try i.ints() == [7, 8, 9])
        try i.zero_()
        #expect(try i.ints() == [0, 0, 0])
        // int64 arithmetic in place stays int64, as PyTorch's; a float result cannot be cast back.
        try i.add_(16_777_217)
        try i.mul_(2)
        #expect(try i.ints() == [33_554_434, 33_554_434, 33_554_434])
        #expect(throws: AutogradError.invalidArgument("result type Float can't be cast to the desired output type Long")) {
            try i.add_(0.5)
        }
    }

    /// torch 2.15 passes no gradient on the bounds themselves (values from it).
    @Test func clampGradientIsZeroOnTheBounds() throws {
        let x = try Tensor([0, 1, 1.5, 2, 3], requiresGrad: true)
        let y = try x * 1
        try y.clamp_(min: 1, max: 2)
        try y.sum().backward()
        #expect(x.grad!.toArray() == [0, 0, 1, 0, 0])
        let x2 = try Tensor([0, 1, 2, 3], requiresGrad: true)
        let y2 = try x2 * 1
        try y2.clamp_(min: 1)
        try y2.sum().backward()
        #expect(x2.grad!.toArray() == [0, 0, 1, 1])
    }

    @Test func clampKeepsNaN() throws {
        let x = try Tensor([.nan, -3, 3])
        try x.clamp_(min: -1, max: 1)
        let v = x.toArray()
        #expect(v[0].isNaN && v[1] == -1 && v[2] == 1)
    }

    // MARK: autograd rules

    @Test func leafThatRequiresGradIsRefusedWhileRecording() throws {
        let w = try Tensor([1, 2], requiresGrad: true)
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad is being used in an in-place operation.")) { try w.add_(1) }
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad is being used in an in-place operation.")) { try w.mul_(try Tensor([2, 2])) }
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad is being used in an in-place operation.")) { try w.zero_() }
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad is being used in an in-place operation.")) { try w.clamp_(min: 0) }
        #expect(throws: AutogradError.invalidArgument("a leaf Variable that requires grad is being used in an in-place operation.")) { try w.copy_(try Tensor([3, 4])) }
        #expect(w.toArray() == [1, 2] && w.version == 0)   // refused before writing
        #expect(AutogradError.leafInPlace.message == "a leaf Variable that requires grad has been used in an in-place operation.")
    }

    @Test func optimiserStepUnderNoGrad() throws {
        let w = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
        try (w * w).sum().backward()
        try withNoGrad {
            try w.sub_(try w.grad! * 0.25)
            try w.grad!.zero_()
        }
        #expect(w.toArray() == [0.5, 1])
        #expect(w.isLeaf && w.requiresGrad && w.version == 1)
        #expect(w.grad!.toArray() == [0, 0])
    }

    @Test func nonLeafHistoryIsRebased() throws {
        let x = try Tensor([1, 2, 3], dtype: .float64, requiresGrad: true)
        let y = try x * 2
        try y.mul_(try Tensor([1, 2, 3], dtype: .float64))   // y = 2x ⊙ c, through the rebased node
        #expect(y.gradFn?.name == "MulBackward")
        #expect(y.toArray() == [2, 8, 18])
        try y.sum().backward()
        #expect(x.grad!.toArray() == [2, 4, 6])
        let a = try Tensor([3], dtype: .float64, requiresGrad: true)
        let b = try Tensor.zeros([2, 1], dtype: .float64)
        try b.add_(a)                              // a plain tensor gains history
        #expect(b.requiresGrad && b.gradFn?.name == "AddBackward")
        try b.sum().backward()
        #expect(a.grad!.toArray() == [2])
    }

    @Test func savedTensorChangedInPlaceFailsBackward() throws {
        let a = try Tensor([1, 2], requiresGrad: true)
        let b = try a * 2
        let c = try b * b                  // saves b (output 0 of a Mul node)
        try b.add_(1)                      // version 0 -> 1
        #expect(b.version == 1)
        do {
            try c.sum().backward()
            Issue.record("backward should have thrown")
        } catch let e as AutogradError {
            #expect(e.message.hasPrefix(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of "))
            #expect(e.message.contains(", is at version 1; expected version 0 instead."))
        }
        // Saved as its own node's output: exp saves y, then y changes.
        let x = try Tensor([0.5], dtype: .float64, requiresGrad: true)
        let y = try x.exp()
        try y.mul_(2)
        #expect(throws: AutogradError.self) { try y.sum().backward() }
    }

    // MARK: finite differences (float64)

    @Test func gradientsThroughInPlaceOps() throws {
        let x = try randn([2, 3], seed: 1), o = try randn([3], seed: 2, low: 0.5, high: 1.5)
        let graphs: [(String, ([Tensor]) throws -> Tensor)] = [
            ("add_", { let y = try $0[0] * 1.5; try y.add_($0[1]); return try y * $0[0] }),
            ("sub_", { let y = try $0[0] * 1.5; try y.sub_($0[1]); return try y * $0[0] }),
            ("mul_", { let y = try $0[0] * 1.5; try y.mul_($0[1]); return try y * $0[0] }),
            ("div_", { let y = try $0[0] * 1.5; try y.div_($0[1]); return try y * $0[0] }),
            ("copy_", { let y = try $0[0] * 1.5; try y.copy_($0[1]); return try y * $0[0] }),
            ("mul_ self", { let y = try $0[0] * 1.5; try y.mul_(y); return try y + $0[1] }),
            ("div_ self", { let y = try $0[0] + 3; try y.div_(y); return try y * $0[1] }),
            ("scalars", { let y = try $0[0] * $0[1]; try y.add_(1).mul_(3).sub_(0.5).div_(2); return y }),
            ("clamp_", { let y = try $0[0] * $0[1]; try y.clamp_(min: -0.3, max: 0.4); return y }),
        ]
        for (name, f) in graphs {
            #expect(try gradcheck(f, inputs: [x, o]), "\(name)")
            #expect(try gradgradcheck(f, inputs: [x, o]), "\(name) second order")
        }
    }

    // MARK: bad input

    @Test func badShapesThrow() throws {
        let x = try Tensor([1, 2, 3])
        #expect(throws: AutogradError.invalidArgument("output with shape [3] doesn't match the broadcast shape [2, 3]")) {
            try x.add_(Tensor.zeros([2, 3]))
        }
        #expect(throws: AutogradError.invalidArgument("output with shape [3] doesn't match the broadcast shape [2, 3]")) {
            try x.copy_(Tensor.zeros([2, 3]))
        }
        #expect(throws: AutogradError.invalidArgument("mul_: The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0")) {
            try x.mul_(Tensor.zeros([2]))
        }
        #expect(throws: AutogradError.invalidArgument("clamp_: At least one of 'min' or 'max' must not be nil")) {
            try x.clamp_()
        }
        #expect(x.version == 0)
    }
}
