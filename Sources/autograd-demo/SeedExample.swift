import Autograd
import AutogradExamples

/// The PyTorch article's custom autograd Function, y = 4·tanh(x/4), with its
/// forward and backward written as C kernels (CSources/ExampleKernels) and
/// wrapped by a Swift Function type (Sources/AutogradExamples/CustomTanh.swift).
func runSeedExample() throws {
    print("== The seed example: a custom Function with C kernels ==")
    print("y = 4·tanh(x/4) (forward saves x; backward returns dL/dy · 1/cosh²(x/4))")
    print("X = [0, 4], L = sum(y*y), L.backward()\n")

    let X = try Tensor([0, 4], requiresGrad: true)
    let y = try CustomTanh.apply(X)
    let L = try (y * y).sum()
    try L.backward(retainGraph: true)
    print("X      = \(X)")
    print("y      = \(y)")
    print("L      = \(L)")
    print("X.grad = \(X.grad!)        PyTorch prints tensor([0.0000, 2.5588])")
    print("X.grad[1] = \(try X.grad!.scalar(at: 1)) (float32; PyTorch: 2.558800458908081)")

    try L.backward()
    print("a second backward (retainGraph) accumulates: X.grad = \(X.grad!)")

    let X64 = try Tensor([0, 4], dtype: .float64, requiresGrad: true)
    try (CustomTanh.apply(X64) * CustomTanh.apply(X64)).sum().backward()
    print("float64: X.grad[1] = \(try X64.grad!.scalar(at: 1)) (= 8·tanh(1)·sech²(1); PyTorch: 2.558800033796898)")

    let ok = try gradcheck({ try CustomTanh.apply($0[0]) },
                           inputs: [try Tensor([-3, -1, 0, 2, 5], dtype: .float64, requiresGrad: true)])
    print("gradcheck(CustomTanh) in float64: \(ok ? "passed" : "failed")\n")
}
