import Autograd
import AutogradExamples
import AutogradKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One benchmark result: per-iteration times in seconds, plus extra figures.
struct Result {
    var name: String
    var detail: String
    var times: [Double]
    var extra: [String: Double] = [:]
    var median: Double { let s = times.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }
    var min: Double { times.min() ?? .nan }
}

/// The workloads of BENCHMARKS.md (float32, both cores).
struct Workloads {
    var repetitions: Int

    /// W1: the seed's custom tanh on 16 elements: apply, sum, backward.
    func w1() throws -> Result {
        let X = try Tensor((0..<16).map { Double($0) / 4 }, requiresGrad: true)
        let times = try measure(warmup: 2000, repetitions: repetitions, iterations: 20_000) {
            X.grad = nil
            try CustomTanh.apply(X).sum().backward()
        }
        return Result(name: "W1", detail: "custom tanh, 16 floats: apply + sum + backward", times: times)
    }

    /// W2: the custom tanh on 4,194,304 elements, forward then backward with a
    /// gradient of ones; `composed` uses the library-op version of the Function.
    func w2(composed: Bool) throws -> Result {
        let n = 4_194_304
        let X = try Tensor.randn([n], generator: Generator(seed: 1)).requiresGrad()
        let ones = try Tensor.ones([n])
        let times = try measure(warmup: 2, repetitions: repetitions, iterations: 5) {
            X.grad = nil
            let y = composed ? try CustomTanhComposed.apply(X) : try CustomTanh.apply(X)
            try y.backward(gradient: ones)
        }
        return Result(name: composed ? "W2c" : "W2", detail: "custom tanh on 4M floats, forward + backward, "
                      + (composed ? "composed of library ops" : "fused C kernels"), times: times)
    }

    /// The W3 model and data: batch 128, MLP 784→256→256→10 with the custom tanh.
    struct MLP {
        let model: Sequential
        let optimizer: SGD
        let x: Tensor, y: Tensor

        init() throws {
            let g = Generator(seed: 3)
            model = try Sequential(Linear(784, 256, generator: g), Activation(CustomTanh.self),
                               Linear(256, 256, generator: g), Activation(CustomTanh.self),
                               Linear(256, 10, generator: g))
            optimizer = SGD(model.parameters, learningRate: 0.01)
            x = try Tensor.randn([128, 784], generator: g)
            y = try Tensor(indices: (0..<128).map { ($0 * 7) % 10 })
        }

        func step() throws {
            optimizer.zeroGrad()
            try model(x).crossEntropy(y).backward()
            try optimizer.step()
        }
    }

    /// W3: one training step: forward, cross-entropy, backward, SGD update.
    func w3() throws -> Result {
        let mlp = try MLP()
        let times = try measure(warmup: 20, repetitions: repetitions, iterations: 50) { try mlp.step() }
        return Result(name: "W3", detail: "MLP 784-256-256-10, batch 128, custom tanh, cross-entropy, SGD step", times: times)
    }

    /// W4: 1024×1024 matmul forward and backward (three GEMMs), against
    /// OpenBLAS's own sgemm on the same sizes in the same run.
    func w4() throws -> Result {
        let n = 1024
        let g = Generator(seed: 4)
        let a = try Tensor.randn([n, n], generator: g).requiresGrad()
        let b = try Tensor.randn([n, n], generator: g).requiresGrad()
        let ones = try Tensor.ones([n, n])
        let times = try measure(warmup: 2, repetitions: repetitions, iterations: 3) {
            a.grad = nil; b.grad = nil
            try a.matmul(b).backward(gradient: ones)
        }
        let blasMedian = try threeProducts(a, b, iterations: 3)
        let flops = 3 * 2 * pow(Double(n), 3)
        var r = Result(name: "W4", detail: "1024x1024 matmul, forward + backward (3 GEMMs)", times: times)
        r.extra["gflops"] = flops / r.median / 1e9
        r.extra["openblas_gflops"] = flops / blasMedian / 1e9
        r.extra["fraction_of_openblas"] = blasMedian / r.median
        return r
    }

    /// W6: transposes feeding a product and its result:
    /// `(a.t() @ b).transpose(0, 1).sum(1)` on 512×512, forward + backward
    /// (a and b require grad; the gradient of the [512] result is ones).
    func w6() throws -> Result {
        let n = 512
        let g = Generator(seed: 6)
        let a = try Tensor.randn([n, n], generator: g).requiresGrad()
        let b = try Tensor.randn([n, n], generator: g).requiresGrad()
        let ones = try Tensor.ones([n])
        let times = try measure(warmup: 3, repetitions: repetitions, iterations: 10) {
            a.grad = nil; b.grad = nil
            try a.t().matmul(b).transpose(0, 1).sum(dim: 1).backward(gradient: ones)
        }
        let blasMedian = try threeProducts(a, b, iterations: 10)
        var r = Result(name: "W6", detail: "(a.t() @ b).transpose(0, 1).sum(1), 512x512, forward + backward", times: times)
        r.extra["gflops"] = 3 * 2 * pow(Double(n), 3) / r.median / 1e9
        r.extra["openblas_3_gemms_ms"] = blasMedian * 1e3
        r.extra["fraction_in_gemm"] = blasMedian / r.median
        return r
    }

    /// The median time of three n×n products straight through cblas_sgemm
    /// (A·B, A·Bᵀ, Aᵀ·B: what forward + backward of one product runs), in
    /// seconds, for comparison with a workload in the same run.
    func threeProducts(_ a: Tensor, _ b: Tensor, iterations: Int) throws -> Double {
        let n = a.shape[0], nn = Int64(n)
        let pa = try a.floats(), pb = try b.floats()
        var pc = [Float](repeating: 0, count: n * n)
        let blas = measure(warmup: 2, repetitions: repetitions, iterations: iterations) {
            ag_gemm_f32(false, false, nn, nn, nn, 1, pa, nn, 0, pb, nn, 0, 0, &pc, 1)
            ag_gemm_f32(false, true, nn, nn, nn, 1, pa, nn, 0, pb, nn, 0, 0, &pc, 1)
            ag_gemm_f32(true, false, nn, nn, nn, 1, pa, nn, 0, pb, nn, 0, 0, &pc, 1)
        }
        return blas.sorted()[blas.count / 2]
    }

    /// W7: a strided slice feeding elementwise work: `(x[:, ::2] * 3).sum()`
    /// on 1024×1024, forward + backward (x requires grad).
    func w7() throws -> Result {
        let x = try Tensor.randn([1024, 1024], generator: Generator(seed: 7)).requiresGrad()
        let times = try measure(warmup: 5, repetitions: repetitions, iterations: 20) {
            x.grad = nil
            try (x.slice(dim: 1, step: 2) * 3).sum().backward()
        }
        return Result(name: "W7", detail: "(x[:, ::2] * 3).sum(), 1024x1024, forward + backward", times: times)
    }

    /// W8–W11: a row op over the last dim of a [4096, 1024] float32 tensor,
    /// forward and backward (softmax, logSoftmax, logsumexp, var).
    func rowOp(_ name: String, _ detail: String, _ f: (Tensor) throws -> Tensor) throws -> Result {
        let g = Generator(seed: 8)
        let x = try Tensor.randn([4096, 1024], generator: g).requiresGrad()
        let y0 = try f(x)
        let gy = try Tensor.randn(y0.shape, generator: g)
        let times = try measure(warmup: 2, repetitions: repetitions, iterations: 5) {
            x.grad = nil
            try f(x).backward(gradient: gy)
        }
        return Result(name: name, detail: "\(detail) over the last dim of [4096, 1024], forward + backward", times: times)
    }
    func w8() throws -> Result { try rowOp("W8", "softmax", { try $0.softmax(dim: -1) }) }
    func w9() throws -> Result { try rowOp("W9", "logSoftmax", { try $0.logSoftmax(dim: -1) }) }
    func w10() throws -> Result { try rowOp("W10", "logsumexp", { try $0.logsumexp(dim: -1) }) }
    func w11() throws -> Result { try rowOp("W11", "var", { try $0.var(dim: -1) }) }

    /// W5: peak resident memory over 1,000 W3 steps, and the growth after the first 100.
    func w5() throws -> Result {
        let mlp = try MLP()
        var rssAt100 = 0.0
        let t0 = nowNanos()
        for i in 1...1000 {
            try mlp.step()
            if i == 100 { rssAt100 = residentMiB("VmRSS") }
        }
        let seconds = Double(nowNanos() - t0) / 1e9
        let rss = residentMiB("VmRSS")
        return Result(name: "W5", detail: "1,000 W3 steps: peak RSS and growth after step 100", times: [seconds / 1000],
                      extra: ["peak_rss_mib": residentMiB("VmHWM"), "rss_step100_mib": rssAt100,
                              "rss_step1000_mib": rss, "growth_mib": rss - rssAt100])
    }
}

/// A field of /proc/self/status (VmRSS, VmHWM), in MiB.
func residentMiB(_ field: String) -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return .nan }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix(field + ":") {
            let kb = Double(s.split(separator: " ").compactMap { Double($0) }.first ?? .nan)
            return kb / 1024
        }
    }
    return .nan
}
