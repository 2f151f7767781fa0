import Testing
@testable import Autograd
import AutogradExamples

@Test func seedFloat32() throws {
    let X = try Tensor([0, 4], requiresGrad: true)
    let y = try CustomTanh.apply(X)
    let L = try (y * y).sum()
    try L.backward()
    let g = try X.grad!.floats()
    print(g, try y.floats(), try L.item())
    #expect(abs(Double(g[1]) - 2.558800458908081) / 2.558800458908081 < 1e-6)
}
