import Testing
import Autograd

/// Ordinary Swift concurrency around tensors, as a user writes it in the
/// Swift 6 language mode: it has to compile without `@unchecked` boxes, and
/// give the numbers a single thread gives.

/// A batch crossing task boundaries.
struct Batch: Sendable {
    let x: Tensor
    let y: Tensor
}

/// A global constant tensor (needs Tensor: Sendable).
let globalScale = try! Tensor([2], dtype: .float64)

/// An actor that owns a model and its optimiser and trains on batches sent to it.
actor Trainer {
    let model: Linear
    let optimizer: SGD

    init(seed: UInt64) throws {
        model = try Linear(3, 1, dtype: .float64, generator: Generator(seed: seed))
        optimizer = SGD(model.parameters, learningRate: 0.1)
    }

    /// One step; returns the loss (a tensor leaves the actor).
    func step(_ batch: Batch) throws -> Tensor {
        optimizer.zeroGrad()
        let loss = try model(batch.x).mseLoss(batch.y)
        try loss.backward()
        try optimizer.step()
        return loss.detach()
    }

    func weights() -> Tensor { model.weight.detach() }
}

@Suite struct ConcurrencyPatternTests {
    static func batch(_ i: Int) throws -> Batch {
        let x = try Tensor((0..<12).map { Double(($0 + i) % 5) - 2 }, shape: [4, 3], dtype: .float64)
        let y = try Tensor((0..<4).map { Double(($0 * 3 + i) % 4) - 1.5 }, shape: [4, 1], dtype: .float64)
        return Batch(x: x, y: y)
    }

    @Test func globalTensorIsReadable() throws {
        #expect(try (globalScale * 3).item() == 6)
    }

    /// A task group: each child computes the gradient of its chunk's loss,
    /// and the parent sums them; equal to the gradient of the whole sum.
    @Test func taskGroupOfGradients() async throws {
        let w = try Tensor([0.5, -1, 2], dtype: .float64, requiresGrad: true)
        let total = try await withThrowingTaskGroup(of: Tensor.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let b = try Self.batch(i)
                    let loss = try (b.x.matmul(w) - b.y.reshape([4])).pow(2).sum()
                    return try #require(try grad(of: loss, wrt: w))
                }
            }
            var sum = try Tensor.zeros([3], dtype: .float64)
            for try await g in group { sum = try sum + g }
            return sum
        }
        var whole = try Tensor(scalar: 0, dtype: .float64)
        for i in 0..<8 {
            let b = try Self.batch(i)
            whole = try whole + (b.x.matmul(w) - b.y.reshape([4])).pow(2).sum()
        }
        let expected = try #require(try grad(of: whole, wrt: w)).toArray()
        let got = total.toArray()
        for k in 0..<3 { #expect(Swift.abs(got[k] - expected[k]) < 1e-12) }
    }

    /// An actor owning a model, fed by an AsyncStream of batches from a
    /// producer task; the same steps on the same model outside gives the same weights.
    @Test func actorTrainsFromAnAsyncStream() async throws {
        let trainer = try Trainer(seed: 7)
        let (stream, continuation) = AsyncStream<Batch>.makeStream()
        let producer = Task {
            for i in 0..<10 { continuation.yield(try Self.batch(i)) }
            continuation.finish()
        }
        var losses: [Double] = []
        for await b in stream { losses.append(try await trainer.step(b).item()) }
        try await producer.value

        let model = try Linear(3, 1, dtype: .float64, generator: Generator(seed: 7))
        let optimizer = SGD(model.parameters, learningRate: 0.1)
        var expectedLosses: [Double] = []
        for i in 0..<10 {
            optimizer.zeroGrad()
            let loss = try model(try Self.batch(i).x).mseLoss(try Self.batch(i).y)
            try loss.backward()
            try optimizer.step()
            expectedLosses.append(try loss.item())
        }
        #expect(losses == expectedLosses)
        #expect(await trainer.weights().toArray() == model.weight.toArray())
    }

    /// Grad mode follows the task: a task started inside `withNoGrad`
    /// inherits it, `Task.detached` does not, and the async `withNoGrad`
    /// holds across suspension points.
    @Test func gradModeIsTaskLocal() async throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let inherited = withNoGrad { Task { try (x * 2).requiresGrad } }
        #expect(try await inherited.value == false)
        let detached = withNoGrad { Task.detached { try (x * 2).requiresGrad } }
        #expect(try await detached.value == true)

        let (before, after, child) = try await withNoGrad {
            let before = try (x * 2).requiresGrad
            await Task.yield()
            try await Task.sleep(nanoseconds: 1_000)
            let after = try (x * 2).requiresGrad
            async let child = (x * 3).requiresGrad
            return (before, after, try await child)
        }
        #expect(!before && !after && !child)

        let nested = try await withNoGrad {
            try await withGrad {
                await Task.yield()
                return try (x * 2).requiresGrad
            }
        }
        #expect(nested)
        let syncInsideAsync = try await withNoGrad {
            await Task.yield()
            return try withGrad { try (x * 2).requiresGrad }
        }
        #expect(syncInsideAsync)
        #expect(try (x * 2).requiresGrad)
        #expect(GradMode.isEnabled)
    }

    /// A task group started inside withNoGrad: every child computes without recording.
    @Test func taskGroupInheritsNoGrad() async throws {
        let x = try Tensor([1, 2], requiresGrad: true)
        let flags = await withNoGrad {
            await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { (try? (x * 2).requiresGrad) ?? true } }
                var out: [Bool] = []
                for await f in group { out.append(f) }
                return out
            }
        }
        #expect(flags == [false, false, false, false])
    }
}
