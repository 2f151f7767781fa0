import Testing
import Autograd

/// Backward passes on several threads at once. The data are small integers,
/// so every sum is exact and a single lost or doubled update shows.
@Suite struct ConcurrentBackwardTests {
    static let threads = 4

    /// Independent graphs into one shared leaf (Hogwild-style): thread t's
    /// loss is sum(x * (t + 1)), so x.grad ends as passes · (1 + 2 + 3 + 4).
    @Test(arguments: [DType.float32, .float64])
    func sharedLeafSumsExactly(dtype: DType) throws {
        let passes = stressPasses(2_000)
        let x = try Tensor(Array(repeating: 1, count: 1_024), dtype: dtype, requiresGrad: true)
        let failures = onThreads(Self.threads) { t in
            for _ in 0..<passes { try (x * Double(t + 1)).sum().backward() }
        }
        #expect(failures.isEmpty, "\(failures)")
        let expected = Double(passes * (1...Self.threads).reduce(0, +))
        let g = try #require(x.grad).toArray()
        #expect(g.count == 1_024)
        #expect(g.allSatisfy { $0 == expected }, "\(g.filter { $0 != expected }.count) of 1024 elements wrong")
    }

    /// Independent graphs on every thread, each with its own leaf, through
    /// a custom Function and library ops: each thread's gradient is exactly
    /// its own, however the passes interleave.
    @Test func independentGraphsStayIndependent() throws {
        let passes = stressPasses(500)
        let wrong = Counter()
        let failures = onThreads(Self.threads) { t in
            let x = try Tensor((0..<16).map { Double(($0 + t) % 5) }, dtype: .float64, requiresGrad: true)
            for p in 0..<passes {
                let k = Double(p % 3 + 1)
                let loss = try (Square.apply(x) * k + x).sum()   // d/dx = 2kx + 1
                try loss.backward()
                let expected = (0..<16).map { 2 * k * Double(($0 + t) % 5) + 1 }
                if x.grad?.toArray() != expected { wrong.increment() }
                x.grad = nil
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(wrong.value == 0)
    }

    /// y = x², saving x: dL/dx = dL/dy · 2x.
    enum Square: UnaryFunction {
        static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor {
            ctx.saveForBackward(x)
            return try x * x
        }
        static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? {
            try g * 2 * ctx.savedTensors[0]
        }
    }

    /// One graph, backward on every thread with retainGraph: each pass keeps
    /// its own gradient buffers, so the leaf gets exactly threads · passes
    /// times the one-pass gradient d/dx sum(3x² + x) = 6x + 1.
    @Test func sharedGraphWithRetainGraph() throws {
        let passes = stressPasses(500)
        let x = try Tensor((0..<64).map { Double($0 % 7) }, dtype: .float64, requiresGrad: true)
        let h = try x * 3
        let loss = try (h * x + x).sum()   // two paths into x, a node with two inputs
        let failures = onThreads(Self.threads) { _ in
            for _ in 0..<passes { try loss.backward(retainGraph: true) }
        }
        #expect(failures.isEmpty, "\(failures)")
        let n = Double(Self.threads * passes)
        #expect(try #require(x.grad).toArray() == (0..<64).map { n * (6 * Double($0 % 7) + 1) })
    }

    /// `grad(outputs:inputs:)` on a shared graph from every thread: each call
    /// returns the exact one-pass gradient and nothing accumulates.
    @Test func sharedGraphGradReturnsEachPassOwnResult() throws {
        let passes = stressPasses(500)
        let x = try Tensor([1, 2, 3, 4], dtype: .float64, requiresGrad: true)
        let loss = try (x * x * x).sum()
        let wrong = Counter()
        let failures = onThreads(Self.threads) { _ in
            for _ in 0..<passes {
                let g = try grad(of: loss, wrt: x, retainGraph: true)
                if g?.toArray() != [3, 12, 27, 48] { wrong.increment() }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(wrong.value == 0)
        #expect(x.grad == nil)
    }

    /// Without retainGraph, passes over one graph race to free it: each
    /// either completes exactly or throws PyTorch's "backward through the
    /// graph a second time", and none crashes.
    @Test func sharedGraphWithoutRetainGraphFailsCleanly() throws {
        for _ in 0..<stressPasses(200) {
            let x = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
            let loss = try (x * x).sum()
            let done = Counter()
            let failures = onThreads(Self.threads) { _ in
                do {
                    try loss.backward()
                    done.increment()
                } catch AutogradError.graph(let message) where message.hasPrefix("Trying to backward through the graph a second time") {}
            }
            #expect(failures.isEmpty, "\(failures)")
            #expect(done.value >= 1)
            #expect(try #require(x.grad).toArray() == [2, 4].map { Double(done.value) * $0 })
        }
    }

    /// A leaf hook runs on whichever thread's pass reaches the leaf; its
    /// replacement gradient is what accumulates.
    @Test func hooksOnSeveralThreads() throws {
        let passes = stressPasses(1_000)
        let x = try Tensor([1, 1, 1], dtype: .float64, requiresGrad: true)
        let calls = Counter()
        x.registerHook { g in calls.increment(); return try g * 2 }
        let failures = onThreads(Self.threads) { t in
            for _ in 0..<passes { try (x * Double(t + 1)).sum().backward() }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(calls.value == Self.threads * passes)
        let expected = 2 * Double(passes * (1...Self.threads).reduce(0, +))
        #expect(try #require(x.grad).toArray() == [expected, expected, expected])
    }

    /// Non-leaf gradients kept with retainGrad on a shared graph.
    @Test func retainGradOnSeveralThreads() throws {
        let passes = stressPasses(500)
        let x = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
        let h = try x * 2
        h.retainGrad()
        let loss = try (h * 3).sum()
        let failures = onThreads(Self.threads) { _ in
            for _ in 0..<passes { try loss.backward(retainGraph: true) }
        }
        #expect(failures.isEmpty, "\(failures)")
        let n = Double(Self.threads * passes)
        #expect(try #require(h.grad).toArray() == [3 * n, 3 * n])
        #expect(try #require(x.grad).toArray() == [6 * n, 6 * n])
    }

    /// A shared view whose base changed in place: every thread reads the
    /// view's regenerated node at once and backward through it.
    @Test func sharedViewAfterInPlaceChange() throws {
        let passes = stressPasses(500)
        let a = try Tensor([1, 2, 3, 4], dtype: .float64, requiresGrad: true)
        let b = try a * 1
        let v = try b.narrow(dim: 0, start: 1, length: 2)
        try b.mul_(2)   // v's node is regenerated when next read
        let failures = onThreads(Self.threads) { _ in
            for _ in 0..<passes { try v.sum().backward(retainGraph: true) }
        }
        #expect(failures.isEmpty, "\(failures)")
        let n = Double(Self.threads * passes)
        #expect(try #require(a.grad).toArray() == [0, 2 * n, 2 * n, 0])
    }
}
