import Testing
@testable import Autograd
import AutogradExamples

/// The acceptance case of the PyTorch article: y = 4·tanh(x/4), X = [0, 4],
/// L = sum(y*y). Reference values from torch 2.15 (shared/reference).
@Suite struct SeedExampleTests {
    func run(_ dtype: DType, composed: Bool = false) throws -> (X: Tensor, y: Tensor, L: Tensor) {
        let X = try Tensor([0, 4], dtype: dtype, requiresGrad: true)
        let y = composed ? try CustomTanhComposed.apply(X) : try CustomTanh.apply(X)
        let L = try (y * y).sum()
        try L.backward()
        return (X, y, L)
    }

    @Test func float32MatchesPyTorch() throws {
        let (X, y, L) = try run(.float32)
        let g = try X.grad!.floats()
        #expect(g[0] == 0)
        #expect(Swift.abs(Double(g[1]) - 2.558800458908081) / 2.558800458908081 < 1e-6)
        #expect(Swift.abs(try y.scalar(at: 1) - 3.0463767051696777) / 3.0463767051696777 < 1e-6)
        #expect(Swift.abs(try L.item() - 9.280410766601562) / 9.280410766601562 < 1e-6)
    }

    @Test func float64MatchesPyTorch() throws {
        let (X, y, L) = try run(.float64)
        let g = try X.grad!.doubles()
        #expect(g[0] == 0)
        #expect(Swift.abs(g[1] - 2.558800033796898) / 2.558800033796898 < 1e-12)
        // The closed form: 8·tanh(1)·sech²(1).
        let closed = 8 * Foundation_tanh(1) / (Foundation_cosh(1) * Foundation_cosh(1))
        #expect(Swift.abs(g[1] - closed) < 1e-14)
        #expect(Swift.abs(try y.scalar(at: 1) - 3.0463766238230594) < 1e-14)
        #expect(Swift.abs(try L.item() - 9.280410534175582) < 1e-13)
    }

    @Test func composedVersionAgrees() throws {
        let (X, _, _) = try run(.float32, composed: true)
        #expect(Swift.abs(try X.grad!.scalar(at: 1) - 2.5587997436523438) / 2.5587997436523438 < 1e-6)
        let (X64, _, _) = try run(.float64, composed: true)
        #expect(Swift.abs(try X64.grad!.scalar(at: 1) - 2.558800033796898) < 1e-12)
    }

    @Test func gradPrintsLikePyTorch() throws {
        let (X, _, _) = try run(.float32)
        #expect("\(X.grad!)" == "tensor([0.0000, 2.5588])")
        #expect("\(X)" == "tensor([0., 4.], requires_grad=True)")
    }

    @Test func retainGraphAccumulates() throws {
        let X = try Tensor([0, 4], requiresGrad: true)
        let L = try (CustomTanh.apply(X) * CustomTanh.apply(X)).sum()
        try L.backward(retainGraph: true)
        try L.backward()
        #expect(Swift.abs(try X.grad!.scalar(at: 1) - 5.1176) < 1e-4)
        #expect(Swift.abs(try X.grad!.scalar(at: 1) - 2 * 2.558800458908081) < 1e-5)
        #expect("\(X.grad!)" == "tensor([0.0000, 5.1176])")
    }

    @Test func secondBackwardWithoutRetainFails() throws {
        let X = try Tensor([0, 4], requiresGrad: true)
        let y = try CustomTanh.apply(X)
        let L = try (y * y).sum()
        try L.backward()
        #expect(throws: AutogradError.backwardTwice) { try L.backward() }
        #expect(AutogradError.backwardTwice.message.hasPrefix(
            "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed)."))
    }

    @Test func gradcheckPassesInFloat64() throws {
        let x = try Tensor([-3, -0.5, 0, 0.7, 2, 5], dtype: .float64, requiresGrad: true)
        #expect(try gradcheck({ try CustomTanh.apply($0[0]) }, inputs: [x]))
        #expect(try gradgradcheck({ try CustomTanhComposed.apply($0[0]) }, inputs: [x]))
    }
}

import Foundation
private func Foundation_tanh(_ x: Double) -> Double { Foundation.tanh(x) }
private func Foundation_cosh(_ x: Double) -> Double { Foundation.cosh(x) }
