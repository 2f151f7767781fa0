import Testing
import Autograd
import AutogradExamples

/// The demo's main job: an MLP with the custom C-kernel tanh reaches at least
/// 95% held-out accuracy on the UCI digits with the demo's defaults.
@Suite struct DigitsTrainingTests {
    @Test func reachesNinetyFivePercentHeldOut() throws {
        var training = DigitsTraining()
        training.verbose = false
        let accuracy = try training.run()
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
    }

    @Test func splitIsDeterministicAndComplete() throws {
        let a = try Digits(path: Digits.repositoryPath, seed: 7, dtype: .float32)
        let b = try Digits(path: Digits.repositoryPath, seed: 7, dtype: .float32)
        #expect(a.trainX.shape == [1438, 64] && a.testX.shape == [359, 64])
        #expect(try a.testY.ints() == b.testY.ints())
        #expect(a.trainX.toArray().allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
