import ArgumentParser
import Autograd
import AutogradExamples
import Foundation

@main
struct AutogradDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autograd-demo",
        abstract: "The PyTorch article's custom autograd Function, with C kernels, then an MLP trained with it.")

    @Option(help: "Training epochs.")
    var epochs = 30

    @Option(help: "SGD learning rate (momentum 0.9).")
    var learningRate = 0.02

    @Option(help: "Mini-batch size.")
    var batchSize = 32

    @Option(help: "Hidden units per layer.")
    var hidden = 128

    @Option(help: "Seed for initialisation, the train/held-out split and shuffling.")
    var seed: UInt64 = 0

    @Option(help: "float32 or float64.")
    var dtype: String = "float32"

    @Option(help: "The digits CSV (64 pixels and a label per row).")
    var data: String = AutogradDemo.defaultDataPath

    @Flag(help: "Skip the seed example.")
    var skipSeedExample = false

    @Flag(help: "Skip training.")
    var skipTraining = false

    mutating func validate() throws {
        guard DType(rawValue: dtype)?.isFloatingPoint == true else {
            throw ValidationError("--dtype must be float32 or float64, not \(dtype)")
        }
        guard epochs > 0, batchSize > 0, hidden > 0, learningRate > 0 else {
            throw ValidationError("--epochs, --batch-size, --hidden and --learning-rate must be positive")
        }
    }

    func run() throws {
        if !skipSeedExample { try runSeedExample() }
        if !skipTraining {
            try DigitsTraining(epochs: epochs, learningRate: learningRate, batchSize: batchSize, hidden: hidden,
                               seed: seed, dtype: DType(rawValue: dtype)!, dataPath: data).run()
        }
    }

    /// Data/digits/digits.csv in this repository (found from the source tree,
    /// so the demo runs from any directory), else relative to the working directory.
    static var defaultDataPath: String {
        FileManager.default.fileExists(atPath: Digits.repositoryPath) ? Digits.repositoryPath : "Data/digits/digits.csv"
    }
}
