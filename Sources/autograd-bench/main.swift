import Autograd
import AutogradExamples

let X = try Tensor((0..<16).map { Double($0) / 4 }, requiresGrad: true)
let times = try measure(warmup: 1000, repetitions: Int(CommandLine.arguments.dropFirst().first ?? "10")!, iterations: 2000) {
    X.grad = nil
    let y = try CustomTanh.apply(X)
    try y.sum().backward()
}
let sorted = times.sorted()
print("W1 median \(sorted[sorted.count / 2] * 1e6) us, min \(sorted[0] * 1e6) us")
