import Testing
import Dispatch
@testable import Autograd
import AutogradExamples

@Suite struct EngineTests {
    @Test func doubleBackwardOfCube() throws {
        let x = try Tensor(scalar: 2, dtype: .float64, requiresGrad: true)
        let y = try x.pow(3)
        let dy = try grad(of: y, wrt: x, createGraph: true)!
        #expect(try dy.item() == 12)          // 3x²
        #expect(dy.requiresGrad)
        try dy.backward()
        #expect(try x.grad!.item() == 12)     // 6x
    }

    @Test func doubleBackwardThroughBackward() throws {
        // d/dx of (dL/dx) for L = sum(tanh(x)²), against the closed form.
        let x = try Tensor([0.3, -1.2], dtype: .float64, requiresGrad: true)
        let L = try x.tanh().pow(2).sum()
        let g = try grad(of: L, wrt: x, createGraph: true)!
        try g.sum().backward()
        let expected = [0.3, -1.2].map { v -> Double in
            let t = Foundation_tanh(v), s = 1 - t * t
            return 2 * s * s - 4 * t * t * s   // d/dx (2 t (1 - t²))
        }
        expectClose(x.grad!.toArray(), expected, rtol: 1e-12, atol: 1e-12, "second derivative")
    }

    @Test func gradReturnsWithoutAccumulating() throws {
        let x = try Tensor([1, 2], requiresGrad: true), unused = try Tensor([5], requiresGrad: true)
        let y = try (x * x).sum()
        let gs = try grad(outputs: [y], inputs: [x, unused], retainGraph: true, allowUnused: true)
        #expect(gs[0]!.toArray() == [2, 4])
        #expect(gs[1] == nil)
        #expect(x.grad == nil)
        #expect(throws: AutogradError.self) { try grad(outputs: [y], inputs: [unused]) }
    }

    /// An input named twice gets its gradient in both slots, as
    /// `torch.autograd.grad(y, [x, x])` gives `(tensor([2., 4.]), tensor([2., 4.]))`.
    @Test func inputNamedTwiceGetsBothSlots() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let a = try x * 1
        let y = try (a * a).sum()
        let gs = try grad(outputs: [y], inputs: [x, a, x, a], retainGraph: true)
        #expect(gs.map { $0!.toArray() } == [[2, 4], [2, 4], [2, 4], [2, 4]])
    }

    @Test func gradWithRespectToNonLeaf() throws {
        let x = try Tensor([1, 2], dtype: .float64, requiresGrad: true)
        let a = try x * 3
        let L = try (a * a).sum()
        let ga = try grad(of: L, wrt: a)!
        #expect(ga.toArray() == [6, 12])      // 2a
    }

    @Test func sharedSubexpressionsAccumulate() throws {
        let x = try Tensor([3], dtype: .float64, requiresGrad: true)
        let a = try x * x
        let L = try (a + a * x + x).sum()     // x² + x³ + x
        try L.backward()
        #expect(try x.grad!.item() == 2 * 3 + 3 * 9 + 1)
    }

    @Test func broadcastingGradientsAreSummed() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float64, requiresGrad: true)
        let b = try Tensor([10, 20, 30], dtype: .float64, requiresGrad: true)
        let c = try Tensor(scalar: 2, dtype: .float64, requiresGrad: true)
        try ((a * b + c) / c).sum().backward()
        #expect(b.grad!.shape == [3] && b.grad!.toArray() == [2.5, 3.5, 4.5])
        #expect(a.grad!.toArray() == [5, 10, 15, 5, 10, 15])
        #expect(try gradcheck({ try ($0[0] * $0[1] + $0[2]) / $0[2] }, inputs: [a, b, c]))
        #expect(try gradgradcheck({ try ($0[0] * $0[1] + $0[2]) / $0[2] }, inputs: [a, b, c]))
    }

    @Test func noGradRecordsNothing() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try withNoGrad { try CustomTanh.apply(x) * 2 }
        #expect(!y.requiresGrad && y.isLeaf)
        let z = try withNoGrad { try withGrad { try x * 2 } }
        #expect(z.requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func detachSharesStorage() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try x * 2
        let d = y.detach()
        #expect(!d.requiresGrad && d.isLeaf && d.storage === y.storage)
        try d.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 7 }
        #expect(y.toArray() == [7, 4] && y.version == 1)
    }

    @Test func hooksRunInPyTorchOrderAndMayReplace() throws {
        var log: [String] = []
        let x = try Tensor([1, 2], requiresGrad: true)
        x.registerHook { g in log.append("leaf"); return try g * 10 }
        let y = try x * 2
        y.registerHook { g in log.append("tensor"); return try g + 1 }
        y.gradFn!.registerPrehook { gs in log.append("pre"); return nil }
        y.gradFn!.registerHook { gin, gout in log.append("post"); return nil }
        try y.sum().backward()
        #expect(log == ["tensor", "pre", "post", "leaf"])
        #expect(x.grad!.toArray() == [40, 40])   // ((1 + 1) * 2) * 10
    }

    @Test func retainGradKeepsNonLeafGradient() throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let y = try x * 3
        y.retainGrad()
        try (y * y).sum().backward()
        #expect(y.grad!.toArray() == [6, 12])
    }

    @Test func requiresGradRules() throws {
        #expect(throws: AutogradError.invalidArgument("only Tensors of floating point dtype can require gradients")) {
            try Tensor(indices: [1, 2]).requiresGrad()
        }
        let x = try Tensor([1], requiresGrad: true)
        #expect(throws: AutogradError.self) { try (x * 2).requiresGrad(false) }
        #expect(throws: AutogradError.leafInPlace) {
            try x.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 0 }
        }
        try withNoGrad { try x.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 0 } }
    }

    @Test func graphMemoryIsReleased() throws {
        // A Function that saves its own output must not leak (no cycle), and
        // backward frees saved tensors.
        weak var weakY: Tensor?
        weak var weakNode: Context?
        let x = try Tensor([1, 2], requiresGrad: true)
        do {
            let y = try x.exp()          // Exp saves its output
            weakY = y
            weakNode = y.gradFn
            try y.sum().backward()
        }
        #expect(weakY == nil)
        #expect(weakNode == nil)
        do {
            let y = try x.exp()
            weakNode = y.gradFn
        }
        #expect(weakNode == nil)
    }

    @Test func deepChainsDoNotOverflowTheStack() throws {
        let x = try Tensor([1], dtype: .float64, requiresGrad: true)
        var y = x
        for _ in 0..<20_000 { y = try y * 1.0001 }
        try y.sum().backward()
        #expect(Swift.abs(try x.grad!.item() - Foundation_pow(1.0001, 20_000)) < 1e-9)
    }

    /// A deep graph is released without recursing node by node (PyTorch's
    /// deleteNode): built, differentiated and dropped on a thread with a
    /// 256 KiB stack, where a recursive release of 20,000 nodes overflowed.
    @Test func deepChainsAreReleasedOnASmallStack() throws {
        let done = DispatchSemaphore(value: 0)
        let result = ManagedCounter()
        let thread = Thread {
            do {
                let x = try Tensor([1], dtype: .float64, requiresGrad: true)
                var y = x
                for _ in 0..<20_000 { y = try y * 1.0001 }
                try y.sum().backward()
                if Swift.abs(try x.grad!.item() - Foundation_pow(1.0001, 20_000)) < 1e-9 { result.increment() }
            } catch {}
            done.signal()
        }
        thread.stackSize = 256 << 10
        thread.start()
        done.wait()
        #expect(result.value == 1)
    }

    @Test func independentGraphsOnSeveralThreads() throws {
        let failures = ManagedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                for _ in 0..<200 {
                    let X = try Tensor([0, 4], requiresGrad: true)
                    let L = i % 2 == 0
                        ? try (CustomTanh.apply(X) * CustomTanh.apply(X)).sum()
                        : try withNoGrad { try withGrad { try (CustomTanh.apply(X) * CustomTanh.apply(X)).sum() } }
                    try L.backward()
                    if Swift.abs(try X.grad!.scalar(at: 1) - 2.558800458908081) > 1e-5 { failures.increment() }
                }
            } catch { failures.increment() }
        }
        #expect(failures.value == 0)
    }
}

extension EngineTests {
    /// Large tensors on several threads at once: the kernels' thread pool is
    /// shared (a caller that finds it busy runs alone), so results must not
    /// depend on who got it.
    @Test func largeKernelsOnSeveralThreads() throws {
        let failures = ManagedCounter()
        let n = 200_000
        let values = (0..<n).map { Double($0 % 977) / 100 - 4.5 }
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                for _ in 0..<5 {
                    let x = try Tensor(values, dtype: .float64, requiresGrad: true)
                    let L = try (CustomTanhComposed.apply(x) * x).sum()
                    try L.backward()
                    let g = x.grad!.toArray()
                    for i in stride(from: 0, to: n, by: 9973) {
                        let v = values[i], t = Foundation.tanh(v / 4), c = Foundation.cosh(v / 4)
                        if Swift.abs(g[i] - (4 * t + v / (c * c))) > 1e-9 { failures.increment() }
                    }
                }
            } catch { failures.increment() }
        }
        #expect(failures.value == 0)
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = Lock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

import Foundation
private func Foundation_tanh(_ x: Double) -> Double { Foundation.tanh(x) }
private func Foundation_pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
