import Autograd
import AutogradExamples
import Foundation
import ToolSupport

@main
struct AutogradDemo: Tool {
    static let name = "autograd-demo"
    static let abstract = "The PyTorch article's custom autograd Function, with C kernels, then an MLP trained with it."
    static var flags: [Flag<Self>] {
        [.option("epochs", \.epochs, help: "Training epochs."),
         .option("learning-rate", \.learningRate, help: "SGD learning rate (momentum 0.9)."),
         .option("batch-size", \.batchSize, help: "Mini-batch size."),
         .option("hidden", \.hidden, help: "Hidden units per layer."),
         .option("seed", \.seed, help: "Seed for initialisation, the train/held-out split and shuffling."),
         .option("dtype", \.dtype, help: "float32 or float64."),
         .option("data", \.data, help: "The digits CSV (64 pixels and a label per row)."),
         .flag("skip-seed-example", \.skipSeedExample, help: "Skip the seed example."),
         .flag("skip-training", \.skipTraining, help: "Skip training.")]
    }

    var epochs = 30
    var learningRate = 0.02
    var batchSize = 32
    var hidden = 128
    var seed: UInt64 = 0
    var dtype: String = "float32"
    var data: String = AutogradDemo.defaultDataPath
    var skipSeedExample = false
    var skipTraining = false

    func validate() throws(UsageError) {
        guard DType(rawValue: dtype)?.isFloatingPoint == true else {
            throw UsageError("--dtype must be float32 or float64, not \(dtype)")
        }
        guard epochs > 0, batchSize > 0, hidden > 0, learningRate > 0 else {
            throw UsageError("--epochs, --batch-size, --hidden and --learning-rate must be positive")
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
