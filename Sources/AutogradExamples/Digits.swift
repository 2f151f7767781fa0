import Autograd
import Foundation

/// The UCI handwritten digits (Data/digits/digits.csv): 1,797 8×8 images with
/// pixels 0–16 and labels 0–9, split into a training and a held-out set.
public struct Digits {
    public var trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor

    /// Reads the CSV, scales pixels to [0, 1], shuffles with `seed` and holds
    /// out `testFraction` of the images.
    public init(path: String, seed: UInt64, testFraction: Double = 0.2, dtype: DType) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AutogradError.invalidArgument("cannot read the digits data set at \(path)")
        }
        var pixels: [Double] = [], labels: [Int] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: ",").compactMap { Double($0) }
            guard fields.count == 65 else {
                throw AutogradError.invalidArgument("\(path):\(n + 1): expected 65 numbers, got \(fields.count)")
            }
            pixels += fields[0..<64].map { $0 / 16 }
            labels.append(Int(fields[64]))
        }
        var order = Array(labels.indices)
        var rng = SplitMix(seed: seed)
        order.shuffle(using: &rng)
        let nTest = Int(Double(order.count) * testFraction)
        func take(_ idx: ArraySlice<Int>) throws -> (Tensor, Tensor) {
            let x = idx.flatMap { pixels[($0 * 64)..<($0 * 64 + 64)] }
            return (try Tensor(x, shape: [idx.count, 64], dtype: dtype), try Tensor(indices: idx.map { labels[$0] }))
        }
        (testX, testY) = try take(order[..<nTest])
        (trainX, trainY) = try take(order[nTest...])
    }

    /// Data/digits/digits.csv in this repository, found from this source file.
    public static var repositoryPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data/digits/digits.csv").path
    }
}

/// A seeded generator for shuffling (splitmix64).
public struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
