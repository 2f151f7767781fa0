import Testing
@testable import Autograd

private let linalgOps: Set = ["matmul", "mm", "bmm", "dot", "outer", "addmm"]

/// Runs the op a fixture case names (scripts/fixtures/nn_ops.py).
private func run(_ c: FixtureCase, _ xs: [Tensor]) throws -> Tensor {
    switch c.op {
    case "matmul": return try xs[0].matmul(xs[1])
    case "mm": return try xs[0].mm(xs[1])
    case "bmm": return try xs[0].bmm(xs[1])
    case "dot": return try xs[0].dot(xs[1])
    case "outer": return try xs[0].outer(xs[1])
    case "addmm":
        return try Tensor.addmm(xs[0], xs[1], xs[2], beta: c.arg("beta")?.double ?? 1, alpha: c.arg("alpha")?.double ?? 1)
    default: throw AutogradError.invalidArgument("no such fixture op \(c.op)")
    }
}


private func randn(_ shape: [Int], seed: UInt64) throws -> Tensor {
    try Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed)).requiresGrad()
}

@Suite struct LinalgOpTests {
    @Test(arguments: Fixtures.load("nn_ops").filter { linalgOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws {
        let (rtol, atol) = tolerance(c.dtypeValue)
        try checkNNFixture(c, rtol, atol, run)
    }

    @Test func fixtureCoversEveryLinalgOp() {
        let ops = Set(Fixtures.load("nn_ops").map(\.op))
        #expect(linalgOps.isSubset(of: ops))
    }

    static let matmulShapes: [([Int], [Int])] = [
        ([3], [3]), ([2, 3], [3, 4]), ([3], [3, 2]), ([2, 3], [3]), ([2, 2, 3], [2, 3, 2]),
        ([2, 2, 3], [3, 2]), ([2, 3], [2, 3, 2]), ([3], [2, 3, 2]), ([2, 2, 3], [3]), ([2, 1, 2, 3], [3, 3, 2]),
    ]

    @Test(arguments: matmulShapes.indices)
    func matmulGradients(_ i: Int) throws {
        let (sa, sb) = Self.matmulShapes[i]
        let a = try randn(sa, seed: UInt64(2 * i)), b = try randn(sb, seed: UInt64(2 * i + 1))
        #expect(try gradcheck({ try $0[0].matmul($0[1]) }, inputs: [a, b]), "\(sa) \(sb)")
        #expect(try gradgradcheck({ try $0[0].matmul($0[1]) }, inputs: [a, b]), "\(sa) \(sb) second order")
    }

    @Test func namedProductGradients() throws {
        let (m1, m2) = (try randn([3, 2], seed: 1), try randn([2, 4], seed: 2))
        #expect(try gradcheck({ try $0[0].mm($0[1]) }, inputs: [m1, m2]))
        let (b1, b2) = (try randn([2, 3, 2], seed: 3), try randn([2, 2, 4], seed: 4))
        #expect(try gradcheck({ try $0[0].bmm($0[1]) }, inputs: [b1, b2]))
        #expect(try gradgradcheck({ try $0[0].bmm($0[1]) }, inputs: [b1, b2]))
        let (u, v) = (try randn([5], seed: 5), try randn([5], seed: 6))
        #expect(try gradcheck({ try $0[0].dot($0[1]) }, inputs: [u, v]))
        #expect(try gradgradcheck({ try $0[0].dot($0[1]) }, inputs: [u, v]))
        let w = try randn([3], seed: 7)
        #expect(try gradcheck({ try $0[0].outer($0[1]) }, inputs: [u, w]))
        #expect(try gradgradcheck({ try $0[0].outer($0[1]) }, inputs: [u, w]))
    }

    @Test(arguments: [[4], [3, 4], [1, 4], [3, 1], []])
    func addmmGradients(_ biasShape: [Int]) throws {
        let bias = try randn(biasShape, seed: 8), a = try randn([3, 2], seed: 9), b = try randn([2, 4], seed: 10)
        #expect(try gradcheck({ try Tensor.addmm($0[0], $0[1], $0[2]) }, inputs: [bias, a, b]))
        #expect(try gradgradcheck({ try $0[0].addmm($0[1], $0[2], beta: 0.5, alpha: -2) }, inputs: [bias, a, b]))
    }

    @Test func edgeShapes() throws {
        // k = 0: the product is zeros (addmm: beta * bias).
        let e = try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3]))
        #expect(e.shape == [2, 3] && e.toArray().allSatisfy { $0 == 0 })
        let bias = try Tensor([1, 2, 3])
        #expect(try bias.addmm(Tensor.zeros([2, 0]), Tensor.zeros([0, 3]), beta: 2).toArray() == [2, 4, 6, 2, 4, 6])
        // Mixed dtypes are PyTorch's error (outer promotes, as PyTorch's does).
        #expect(throws: AutogradError.invalidArgument("dot : expected both vectors to have same dtype, but found Float and Double")) {
            try Tensor([1, 2]).dot(try Tensor([3, 4], dtype: .float64))
        }
        let p = try Tensor([1, 2], dtype: .float64).dot(try Tensor([3, 4], dtype: .float64))
        let value = try p.item()
        #expect(p.dtype == .float64 && p.shape == [] && value == 11)
        #expect(try Tensor([1, 2]).outer(try Tensor([3, 4, 5])).toArray() == [3, 4, 5, 6, 8, 10])
        // A batch of size zero.
        #expect(try Tensor.zeros([0, 2, 3]).matmul(Tensor.zeros([3, 4])).shape == [0, 2, 4])
    }

    // MARK: bad input

    @Test func badInputsThrowPyTorchMessages() throws {
        func expectMessage(_ message: String, _ body: () throws -> Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: AutogradError.invalidArgument(message), sourceLocation: sourceLocation) { _ = try body() }
        }
        let v3 = try Tensor.zeros([3]), v4 = try Tensor.zeros([4])
        expectMessage("both arguments to matmul need to be at least 1D, but they are 0D and 1D") {
            try Tensor(scalar: 2).matmul(v3)
        }
        expectMessage("inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively") {
            try v3.matmul(v4)
        }
        expectMessage("size mismatch, got input (2), mat (2x3), vec (4)") { try Tensor.zeros([2, 3]).matmul(v4) }
        expectMessage("size mismatch, got input (8), mat (8x3), vec (4)") { try Tensor.zeros([2, 4, 3]).matmul(v4) }
        expectMessage("mm: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)") { try v3.matmul(Tensor.zeros([4, 2])) }
        expectMessage("mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)") {
            try Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        expectMessage("mm: mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)") {
            try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        expectMessage("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].") {
            try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([2, 4, 4]))
        }
        expectMessage("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].") {
            try Tensor.zeros([2, 3]).matmul(Tensor.zeros([2, 4, 5]))
        }
        expectMessage("matmul: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0") {
            try Tensor.zeros([2, 2, 3]).matmul(Tensor.zeros([3, 3, 4]))
        }
        expectMessage("mm: self must be a matrix, got 1-D tensor") { try v3.mm(Tensor.zeros([3, 3])) }
        expectMessage("mm: mat2 must be a matrix, got 1-D tensor") { try Tensor.zeros([3, 3]).mm(v3) }
        expectMessage("batch1 must be a 3D tensor") { try Tensor.zeros([2, 3]).bmm(Tensor.zeros([2, 3, 4])) }
        expectMessage("batch2 must be a 3D tensor") { try Tensor.zeros([2, 2, 3]).bmm(Tensor.zeros([2, 3])) }
        expectMessage("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].") {
            try Tensor.zeros([2, 2, 3]).bmm(Tensor.zeros([3, 3, 4]))
        }
        expectMessage("1D tensors expected, but got 2D and 1D tensors") { try Tensor.zeros([2, 3]).dot(v3) }
        expectMessage("outer: Expected 1-D argument self, but got 2-D") { try Tensor.zeros([2, 3]).outer(v3) }
        expectMessage("outer: Expected 1-D argument vec2, but got 2-D") { try v3.outer(Tensor.zeros([2, 3])) }
        expectMessage("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]") {
            try Tensor.addmm(v3, Tensor.zeros([2, 3]), Tensor.zeros([3, 4]))
        }
        expectMessage("addmm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x4)") {
            try Tensor.addmm(Tensor.zeros([2, 4]), Tensor.zeros([2, 3]), Tensor.zeros([2, 4]))
        }
        expectMessage("addmm: mat1 must be a matrix, got 1-D tensor") {
            try Tensor.addmm(Tensor.zeros([2, 4]), v3, Tensor.zeros([3, 4]))
        }
    }
}
