import Foundation
import Testing
@testable import Autograd

/// Ops whose formulas must stay accurate at large magnitudes (softplus,
/// logsigmoid, BCE on logits and probabilities, logsumexp, log_softmax,
/// softmax, cross_entropy), from -1e4 to 1e4, against PyTorch's values and
/// gradients (scripts/fixtures/stability.py → Fixtures/stability.json).
@Suite struct StabilityTests {
    struct Case: Decodable {
        var name: String
        var op: String
        var dtype: String
        var shape: [Int]
        var x: [PromotionTests.Num]
        var t: [PromotionTests.Num]
        var out_shape: [Int]
        var out: [PromotionTests.Num]
        var grad: [PromotionTests.Num]
    }
    struct File: Decodable { var cases: [Case] }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "stability", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }()

    static let weights = (0..<15).map { 0.5 + 0.1 * Double($0) }

    static func run(_ op: String, _ x: Tensor, _ t: Tensor) throws -> Tensor {
        let w = try Tensor(weights, dtype: x.dtype)
        switch op {
        case "softplus": return try x.softplus()
        case "softplus_beta2_threshold5": return try x.softplus(beta: 2, threshold: 5)
        case "logsigmoid": return try x.logSigmoid()
        case "bce_with_logits": return try x.binaryCrossEntropyWithLogits(t, reduction: "none")
        case "bce_with_logits_weights":
            return try x.binaryCrossEntropyWithLogits(t, weight: w, posWeight: Tensor(weights.reversed(), dtype: x.dtype),
                                                      reduction: "none")
        case "bce_with_logits_mean": return try x.binaryCrossEntropyWithLogits(t)
        case "bce_with_logits_sum": return try x.binaryCrossEntropyWithLogits(t, reduction: "sum")
        case "logsumexp_rows": return try x.logsumexp(dim: 1)
        case "log_softmax_rows": return try x.logSoftmax(dim: 1)
        case "softmax_rows": return try x.softmax(dim: 1)
        case "cross_entropy_rows": return try x.crossEntropy(t, reduction: "none")
        case "bce": return try x.binaryCrossEntropy(t, reduction: "none")
        case "bce_weight_mean": return try x.binaryCrossEntropy(t, weight: w)
        default: throw AutogradError.invalidArgument("no op \(op)")
        }
    }

    /// How many units in the last place of `want` (in the case's dtype) `got` is off.
    static func ulps(_ got: Double, _ want: Double, float32: Bool) -> Double {
        if got == want || (got.isNaN && want.isNaN) { return 0 }
        if !got.isFinite || !want.isFinite { return .infinity }
        let ulp = float32 ? Double(Float(want).ulp) : want.ulp
        return Swift.abs(got - want) / Swift.max(ulp, float32 ? Double(Float.leastNonzeroMagnitude) : Double.leastNonzeroMagnitude)
    }

    @Test func everyCaseIsHere() { #expect(Self.cases.count == 26) }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let dtype: DType = c.dtype == "float32" ? .float32 : .float64
        let x = try Tensor(c.x.map(\.double), shape: c.shape, dtype: dtype, requiresGrad: true)
        let t = c.op == "cross_entropy_rows"
            ? try Tensor(indices: c.t.map { Int($0.double) })
            : try Tensor(c.t.map(\.double), shape: c.t.count == c.x.count ? c.shape : [c.t.count], dtype: dtype)
        let y = try Self.run(c.op, x, t)
        #expect(y.shape == c.out_shape, "\(name): shape")
        let coef = try Tensor((1...max(y.count, 1)).map(Double.init), shape: y.shape, dtype: dtype)
        try (y * coef).sum().backward()
        let f32 = dtype == .float32
        for (what, got, want) in [("out", y.toArray(), c.out.map(\.double)), ("grad", x.grad!.toArray(), c.grad.map(\.double))] {
            // Row ops mix the row's elements (sums, then differences such as
            // g - softmax·Σg that cancel): their error is in ulps of the
            // largest magnitude in the case. Elementwise ops, each element's.
            let scale = Self.rowOps.contains(c.op) ? want.filter(\.isFinite).map(Swift.abs).max() ?? 0 : nil
            let off = zip(got, want).enumerated().filter {
                let (g, w) = $0.element
                if let scale, g.isFinite && w.isFinite {
                    return Swift.abs(g - w) > 4 * (f32 ? Double(Float(scale).ulp) : scale.ulp)
                }
                return Self.ulps(g, w, float32: f32) > 2
            }
            #expect(off.isEmpty, "\(name) \(what) at \(off.map { "[\($0.offset)] \($0.element.0) vs PyTorch \($0.element.1)" })")
        }
    }

    /// The ops over rows (softmax and its relatives), whose sums PyTorch adds
    /// in its vector width's order: within 4 ulps of the case's largest
    /// magnitude. Every other op: within 2 ulps of each element (PyTorch's
    /// vectorised exp and log are within 1 ulp, and so are libm's).
    static let rowOps: Set<String> = ["logsumexp_rows", "log_softmax_rows", "softmax_rows", "cross_entropy_rows"]
}

/// The binary cross-entropies' gradients (float64, finite differences),
/// second derivatives, and refusals with PyTorch's messages.
@Suite struct BinaryCrossEntropyTests {
    @Test func gradcheckBothForms() throws {
        let x = try Tensor([-2.5, 0.3, 1.7, -0.4], dtype: .float64, requiresGrad: true)
        let t = try Tensor([0.0, 1.0, 0.25, 0.5], dtype: .float64, requiresGrad: true)
        let w = try Tensor([0.5, 1.5, 1.0, 2.0], dtype: .float64), p = try Tensor([3.0, 0.5, 1.0, 2.0], dtype: .float64)
        for reduction in ["none", "mean", "sum"] {
            #expect(try gradcheck({ try $0[0].binaryCrossEntropyWithLogits($0[1], weight: w, posWeight: p, reduction: reduction) },
                                  inputs: [x, t]))
            #expect(try gradgradcheck({ try $0[0].binaryCrossEntropyWithLogits($0[1], reduction: reduction) }, inputs: [x, t]))
        }
        let prob = try Tensor([0.1, 0.6, 0.35, 0.9], dtype: .float64, requiresGrad: true)
        #expect(try gradcheck({ try $0[0].binaryCrossEntropy($0[1], weight: w, reduction: "sum") }, inputs: [prob, t]))
        #expect(try gradgradcheck({ try $0[0].binaryCrossEntropy($0[1]) }, inputs: [prob, t]))
        #expect(try gradgradcheck({ try $0[0].logSigmoid() }, inputs: [x]))
    }

    @Test func refusals() throws {
        let x = try Tensor([0.5, 1.5])
        #expect { try x.binaryCrossEntropy(Tensor([0, 1])) } throws: {
            ($0 as? AutogradError)?.message == "all elements of input should be between 0 and 1"
        }
        #expect { try Tensor([0.5, .nan]).binaryCrossEntropy(Tensor([0, 1])) } throws: {
            ($0 as? AutogradError)?.message == "all elements of input should be between 0 and 1"
        }
        #expect { try x.binaryCrossEntropyWithLogits(Tensor([0, 1, 1])) } throws: {
            ($0 as? AutogradError)?.message == "Target size (torch.Size([3])) must be the same as input size (torch.Size([2]))"
        }
        #expect { try x.binaryCrossEntropyWithLogits(Tensor([0, 1]), reduction: "avg") } throws: {
            ($0 as? AutogradError)?.message == "avg is not a valid value for reduction"
        }
    }
}
