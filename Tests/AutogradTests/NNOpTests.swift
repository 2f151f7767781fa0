import Testing
@testable import Autograd

private let nnOps: Set = ["softmax", "log_softmax", "mse_loss", "cross_entropy", "nll_loss", "layer_norm"]

/// Runs the op a fixture case names (scripts/fixtures/nn_ops.py).
private func run(_ c: FixtureCase, _ xs: [Tensor]) throws -> Tensor {
    let reduction = c.arg("reduction")?.string ?? "mean"
    let ignore = c.arg("ignore_index")?.int ?? -100
    switch c.op {
    case "softmax": return try xs[0].softmax(dim: c.arg("dim")?.int ?? 0)
    case "log_softmax": return try xs[0].logSoftmax(dim: c.arg("dim")?.int ?? 0)
    case "mse_loss": return try xs[0].mseLoss(xs[1], reduction: reduction)
    case "cross_entropy": return try xs[0].crossEntropy(xs[1], reduction: reduction, ignoreIndex: ignore)
    case "nll_loss": return try xs[0].nllLoss(xs[1], reduction: reduction, ignoreIndex: ignore)
    case "layer_norm":
        return try xs[0].layerNorm(normalizedShape: c.arg("normalized_shape")?.ints ?? [],
                                   weight: xs.count > 1 ? xs[1] : nil, bias: xs.count > 2 ? xs[2] : nil,
                                   eps: c.arg("eps")?.double ?? 1e-5)
    default: throw AutogradError.invalidArgument("no such fixture op \(c.op)")
    }
}


/// Checks forward values and input gradients of one fixture case, through
/// both backward paths (the fused C kernels, and the composed formula used
/// when the backward pass is recorded).
func checkNNFixture(_ c: FixtureCase, _ rtol: Double, _ atol: Double,
                  _ run: (FixtureCase, [Tensor]) throws -> Tensor) throws {
    let xs = try c.inputTensors()
    let y = try run(c, xs)
    expectClose(y, c.outputs[0], rtol: rtol, atol: atol, "\(c.name) output")
    guard let g = c.grad_outputs?[0], let grads = c.grads else { return }
    try expectGradientsMatch(c, xs, gradOutput: g, grads: grads, rtol: rtol, atol: atol, run)
}

private func randn(_ shape: [Int], seed: UInt64, scale: Double = 1) throws -> Tensor {
    try (Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed)) * scale).detach().requiresGrad()
}

@Suite struct NNOpTests {
    @Test(arguments: Fixtures.load("nn_ops").filter { nnOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws {
        let (rtol, atol) = tolerance(c.dtypeValue)
        try checkNNFixture(c, rtol, atol, run)
    }

    @Test func fixtureCoversEveryNNOp() {
        let ops = Set(Fixtures.load("nn_ops").map(\.op))
        #expect(nnOps.isSubset(of: ops))
    }

    // MARK: finite differences (float64)

    @Test(arguments: [([5], 0), ([3, 4], 1), ([2, 3, 4], 1), ([2, 3, 4], 0)])
    func softmaxGradients(_ shape: [Int], _ dim: Int) throws {
        let x = try randn(shape, seed: UInt64(shape.count * 10 + dim))
        #expect(try gradcheck({ try $0[0].softmax(dim: dim) }, inputs: [x]))
        #expect(try gradgradcheck({ try $0[0].softmax(dim: dim) }, inputs: [x]))
        #expect(try gradcheck({ try $0[0].logSoftmax(dim: dim) }, inputs: [x]))
        #expect(try gradgradcheck({ try $0[0].logSoftmax(dim: dim) }, inputs: [x]))
    }

    @Test(arguments: ["mean", "sum", "none"])
    func mseLossGradients(_ reduction: String) throws {
        let x = try randn([3, 4], seed: 1), t = try randn([3, 4], seed: 2), b = try randn([4], seed: 3)
        #expect(try gradcheck({ try $0[0].mseLoss($0[1], reduction: reduction) }, inputs: [x, t]))
        #expect(try gradgradcheck({ try $0[0].mseLoss($0[1], reduction: reduction) }, inputs: [x, t]))
        #expect(try gradcheck({ try $0[0].mseLoss($0[1], reduction: reduction) }, inputs: [x, b]))
    }

    @Test(arguments: ["mean", "sum", "none"])
    func classificationLossGradients(_ reduction: String) throws {
        let x = try randn([4, 5], seed: 4, scale: 2)
        let t = try Tensor(indices: [1, 0, 4, 2])
        let ignored = try Tensor(indices: [1, -100, 4, 2])
        for target in [t, ignored] {
            #expect(try gradcheck({ try $0[0].crossEntropy(target, reduction: reduction) }, inputs: [x]))
            #expect(try gradgradcheck({ try $0[0].crossEntropy(target, reduction: reduction) }, inputs: [x]))
            #expect(try gradcheck({ try $0[0].logSoftmax(dim: 1).nllLoss(target, reduction: reduction) }, inputs: [x]))
            #expect(try gradgradcheck({ try $0[0].nllLoss(target, reduction: reduction) }, inputs: [x]))
        }
    }

    @Test func layerNormGradients() throws {
        let x = try randn([3, 4], seed: 5, scale: 2), w = try randn([4], seed: 6), b = try randn([4], seed: 7)
        let f: ([Tensor]) throws -> Tensor = { try $0[0].layerNorm(normalizedShape: [4], weight: $0[1], bias: $0[2]) }
        #expect(try gradcheck(f, inputs: [x, w, b]))
        #expect(try gradgradcheck(f, inputs: [x, w, b]))
        let x3 = try randn([2, 2, 3], seed: 8)
        #expect(try gradcheck({ try $0[0].layerNorm(normalizedShape: [2, 3], eps: 1e-3) }, inputs: [x3]))
        #expect(try gradgradcheck({ try $0[0].layerNorm(normalizedShape: [2, 3], eps: 1e-3) }, inputs: [x3]))
    }

    // MARK: numerics and the hot path

    @Test func softmaxIsStableForHugeInputs() throws {
        let x = try Tensor([1000, 1001, -1000, -.infinity], dtype: .float32)
        let y = try x.softmax(dim: 0).toArray(), ly = try x.logSoftmax(dim: 0).toArray()
        #expect(y.allSatisfy { $0.isFinite })
        #expect(Swift.abs(y.reduce(0, +) - 1) < 1e-6)
        #expect(ly[3] == -.infinity && ly[0].isFinite && ly[2] < -1999)
    }

    @Test func crossEntropyTrainingBatch() throws {
        // The training hot path: batch 128 x 10 classes, mean reduction, one
        // fused pass forward and one backward; gradient rows sum to zero.
        let g = Generator(seed: 42)
        let logits = try Tensor.randn([128, 10], generator: g).requiresGrad()
        let target = try Tensor(indices: (0..<128).map { ($0 * 7) % 10 })
        let loss = try logits.crossEntropy(target)
        try loss.backward()
        let grad = try #require(logits.grad).toArray()
        for row in 0..<128 {
            #expect(Swift.abs(grad[(row * 10)..<(row * 10 + 10)].reduce(0, +)) < 1e-7)
        }
        let reference = try logits.detach().logSoftmax(dim: 1).nllLoss(target)
        #expect(Swift.abs(try loss.item() - reference.item()) < 1e-6)
    }

    // MARK: dropout (statistics and gradient; not compared with PyTorch's RNG)

    @Test func dropoutStatisticsAndGradient() throws {
        let p = 0.3
        let x = try Tensor.rand([100, 100], low: 1, high: 2, dtype: .float64, generator: Generator(seed: 1)).requiresGrad()
        let y = try x.dropout(p: p, generator: Generator(seed: 9))
        let xs = x.toArray(), ys = y.toArray()
        let keep: Double = 1 - p
        let droppedFraction = Double(ys.filter { $0 == 0 }.count) / 10_000
        #expect(Swift.abs(droppedFraction - p) < 0.02)
        let scaledOK = zip(xs, ys).allSatisfy { (a: Double, b: Double) -> Bool in
            b == 0 || Swift.abs(b - a / keep) < 1e-12
        }
        #expect(scaledOK)
        let sumX: Double = xs.reduce(0, +), sumY: Double = ys.reduce(0, +)
        let ratio: Double = sumY / sumX
        #expect(Swift.abs(ratio - 1) < 0.03)
        try y.sum().backward()
        let gx = try #require(x.grad).toArray()
        let scale: Double = 1 / keep
        #expect(zip(gx, ys).allSatisfy { (g: Double, b: Double) -> Bool in g == (b == 0 ? 0 : scale) })
        // The same seed repeats the mask.
        let again = try x.detach().dropout(p: p, generator: Generator(seed: 9)).toArray()
        #expect(again == ys)
        #expect(try gradgradcheck({ try $0[0].dropout(p: 0.4, generator: Generator(seed: 3)) },
                                  inputs: [try randn([6], seed: 11)]))
    }

    @Test func dropoutIdentityAndExtremes() throws {
        let x = try Tensor([1, 2, 3], requiresGrad: true)
        #expect(try x.dropout(p: 0.5, training: false) === x)
        #expect(try x.dropout(p: 0) === x)
        let zeros = try x.dropout(p: 1, generator: Generator(seed: 0))
        #expect(zeros.toArray() == [0, 0, 0])
        #expect(zeros.gradFn?.name == "NativeDropoutBackward")
        #expect(throws: AutogradError.invalidArgument("dropout probability has to be between 0 and 1, but got 1.5")) {
            try x.dropout(p: 1.5)
        }
    }

    // MARK: bad input

    @Test func badInputsThrowPyTorchMessages() throws {
        let x = try Tensor([Double](repeating: 0.5, count: 12), shape: [3, 4])
        func expectMessage(_ message: String, _ body: () throws -> Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: AutogradError.invalidArgument(message), sourceLocation: sourceLocation) { _ = try body() }
        }
        expectMessage("Target 5 is out of bounds.") { try x.crossEntropy(try Tensor(indices: [0, 5, 1])) }
        expectMessage("Target -1 is out of bounds.") { try x.nllLoss(try Tensor(indices: [0, -1, 1])) }
        expectMessage("Target 4 is out of bounds.") { try x.crossEntropy(try Tensor(indices: [4, 0, 0]), reduction: "none") }
        expectMessage("Expected input batch_size (3) to match target batch_size (2).") {
            try x.crossEntropy(try Tensor(indices: [0, 1]))
        }
        expectMessage("cross_entropy: expected target dtype to be int64 (Long), but got torch.float32") {
            try x.crossEntropy(try Tensor([0, 1, 2]))
        }
        expectMessage("avg is not a valid value for reduction") { try x.crossEntropy(try Tensor(indices: [0, 1, 2]), reduction: "avg") }
        expectMessage("avg is not a valid value for reduction") { try x.mseLoss(x, reduction: "avg") }
        expectMessage("mse_loss: The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0") {
            try x.mseLoss(Tensor.zeros([2, 4]))
        }
        expectMessage("softmax: Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.softmax(dim: 2) }
        expectMessage("log_softmax: Dimension out of range (expected to be in range of [-2, 1], but got -3)") { try x.logSoftmax(dim: -3) }
        expectMessage("\"softmax_lastdim_kernel_impl\" not implemented for 'Long'") { try Tensor(indices: [1, 2]).softmax(dim: 0) }
        expectMessage("Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[3, 4]") {
            try x.layerNorm(normalizedShape: [5])
        }
        expectMessage("Given normalized_shape=[3, 4, 5], expected input with shape [*, 3, 4, 5], but got input of size[3, 4]") {
            try x.layerNorm(normalizedShape: [3, 4, 5])
        }
        expectMessage("Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]") {
            try x.layerNorm(normalizedShape: [4], weight: Tensor.ones([3]))
        }
        expectMessage("Expected bias to be of same shape as normalized_shape, but got bias of shape [3] and normalized_shape = [4]") {
            try x.layerNorm(normalizedShape: [4], bias: Tensor.ones([3]))
        }
        expectMessage("cross_entropy: expected input of shape [N, C] or [C], got [2, 3, 2]") {
            try Tensor.zeros([2, 3, 2]).crossEntropy(try Tensor(indices: [0, 1]))
        }
    }
}
