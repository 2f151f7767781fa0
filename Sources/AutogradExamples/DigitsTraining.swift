import Autograd
import Foundation

/// Trains an MLP on the digits whose activation is the seed's custom tanh
/// (C kernels), with cross-entropy and SGD with momentum; prints a line per
/// epoch and the held-out accuracy.
public struct DigitsTraining {
    public var epochs: Int
    public var learningRate: Double
    public var batchSize: Int
    public var hidden: Int
    public var seed: UInt64
    public var dtype: DType
    public var dataPath: String
    /// Prints a line per epoch when true.
    public var verbose = true

    public init(epochs: Int = 30, learningRate: Double = 0.02, batchSize: Int = 32, hidden: Int = 128,
                seed: UInt64 = 0, dtype: DType = .float32, dataPath: String = Digits.repositoryPath) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.hidden = hidden
        self.seed = seed
        self.dtype = dtype
        self.dataPath = dataPath
    }

    /// Returns the final held-out accuracy.
    @discardableResult
    public func run() throws -> Double {
        let data = try Digits(path: dataPath, seed: seed, dtype: dtype)
        let g = Generator(seed: seed)
        let model = try Sequential(
            Linear(64, hidden, dtype: dtype, generator: g), Activation(CustomTanh.self),
            Linear(hidden, hidden, dtype: dtype, generator: g), Activation(CustomTanh.self),
            Linear(hidden, 10, dtype: dtype, generator: g))
        let optimizer = SGD(model.parameters, learningRate: learningRate, momentum: 0.9)
        let n = data.trainX.shape[0]
        if verbose { print("== Training an MLP with the custom C-kernel tanh on the UCI digits ==")
        print("\(n) training and \(data.testX.shape[0]) held-out 8×8 images; 64 → \(hidden) → \(hidden) → 10, \(dtype.rawValue), "
              + "SGD(lr \(learningRate), momentum 0.9), batch \(batchSize), seed \(seed)") }
        var rng = SplitMix(seed: seed &+ 1)
        var accuracy = 0.0
        let start = Date()
        for epoch in 1...epochs {
            let t0 = Date()
            let order = try Tensor(indices: Array(0..<n).shuffled(using: &rng))
            var totalLoss = 0.0
            for b in stride(from: 0, to: n, by: batchSize) {
                let idx = try order.narrow(dim: 0, start: b, length: min(batchSize, n - b))
                let x = try data.trainX.indexSelect(dim: 0, index: idx)
                let y = try data.trainY.indexSelect(dim: 0, index: idx)
                optimizer.zeroGrad()
                let loss = try model(x).crossEntropy(y)
                try loss.backward()
                try optimizer.step()
                totalLoss += try loss.item() * Double(idx.count)
            }
            let trainAccuracy = try Self.accuracy(model, data.trainX, data.trainY)
            accuracy = try Self.accuracy(model, data.testX, data.testY)
            let ms = Date().timeIntervalSince(t0) * 1000
            if verbose { print(String(format: "epoch %3d/%d  loss %.4f  train acc %5.1f%%  held-out acc %5.1f%%  %6.1f ms",
                         epoch, epochs, totalLoss / Double(n), trainAccuracy * 100, accuracy * 100, ms)) }
        }
        if verbose { print(String(format: "held-out accuracy: %.1f%% after %d epochs (%.2f s)", accuracy * 100, epochs,
                     Date().timeIntervalSince(start))) }
        return accuracy
    }

    /// The fraction of rows whose largest logit is the label.
    public static func accuracy(_ model: any Module, _ x: Tensor, _ y: Tensor) throws -> Double {
        try withNoGrad {
            let predicted = try model(x).argmax(dim: 1)
            return try predicted.eq(y).to(.float64).mean().item()
        }
    }
}
