import Foundation
import Testing
@testable import Autograd

/// Fixtures/nn_modules.json (scripts/fixtures/nn_modules.py): a
/// Sequential(Linear(4,3), Tanh, Linear(3,2)) built by PyTorch, its output,
/// gradients of sum(y²), and parameters after 3 steps of each optimiser.
struct NNCase: Decodable {
    var x: FixtureTensor
    var state: [String: FixtureTensor]
    var y: FixtureTensor
    var loss: Double
    var grads: [String: FixtureTensor]
    var optim: [String: [[String: FixtureTensor]]]
}
struct NNFile: Decodable { var cases: [String: NNCase] }

let nnCases: [String: NNCase] = {
    guard let url = Bundle.module.url(forResource: "nn_modules", withExtension: "json", subdirectory: "Fixtures"),
          let data = try? Data(contentsOf: url),
          let file = try? JSONDecoder().decode(NNFile.self, from: data) else { return [:] }
    return file.cases
}()

@Suite struct ModuleOptimizerTests {
    /// The PyTorch model, loaded through loadStateDict.
    func model(_ c: NNCase, _ dtype: DType) throws -> Sequential {
        let m = Sequential(try Linear(4, 3, dtype: dtype, generator: Generator(seed: 9)), Activation.tanh,
                           try Linear(3, 2, dtype: dtype, generator: Generator(seed: 9)))
        try m.loadStateDict(c.state.mapValues { try $0.tensor(dtype) })
        return m
    }

    @Test(arguments: [DType.float32, .float64])
    func forwardAndGradientsMatchPyTorch(dtype: DType) throws {
        let c = try #require(nnCases[dtype.rawValue])
        let m = try model(c, dtype)
        #expect(m.namedParameters.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        let y = try m(c.x.tensor(dtype))
        let (rtol, atol) = tolerance(dtype)
        expectClose(y, c.y, rtol: rtol, atol: atol, "y")
        let L = try (y * y).sum()
        #expect(Swift.abs(try L.item() - c.loss) <= atol + rtol * Swift.abs(c.loss))
        try L.backward()
        for (name, p) in m.namedParameters { expectClose(p.grad, c.grads[name], rtol: rtol, atol: atol, "grad \(name)") }
        m.zeroGrad()
        #expect(m.parameters.allSatisfy { $0.grad == nil })
    }

    @Test(arguments: ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_wd"], [DType.float32, .float64])
    func optimizerStepsMatchPyTorch(name: String, dtype: DType) throws {
        let c = try #require(nnCases[dtype.rawValue])
        let m = try model(c, dtype)
        let ps = m.parameters
        let opt: any Optimizer = switch name {
        case "sgd": SGD(ps, learningRate: 0.1)
        case "sgd_momentum": SGD(ps, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)
        case "sgd_nesterov": SGD(ps, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case "adam": Adam(ps, learningRate: 0.01)
        default: Adam(ps, learningRate: 0.01, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.1)
        }
        let x = try c.x.tensor(dtype)
        let (rtol, atol) = dtype == .float64 ? (1e-12, 1e-12) : (1e-6, 1e-6)
        for expected in try #require(c.optim[name]) {
            opt.zeroGrad()
            let y = try m(x)
            try (y * y).sum().backward()
            try opt.step()
            for (pname, p) in m.namedParameters { expectClose(p, expected[pname], rtol: rtol, atol: atol, "\(name) \(pname)") }
        }
    }

    @Test func loadStateDictErrors() throws {
        let m = Sequential(try Linear(2, 2, generator: Generator(seed: 1)))
        #expect(throws: AutogradError.invalidArgument(
            "Error(s) in loading state_dict: Missing key(s) in state_dict: \"0.bias\". Unexpected key(s) in state_dict: \"0.b\".")) {
            try m.loadStateDict(["0.weight": Tensor.zeros([2, 2]), "0.b": Tensor.zeros([2])])
        }
        #expect(throws: AutogradError.invalidArgument(
            "Error(s) in loading state_dict: size mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from checkpoint, the shape in current model is torch.Size([2, 2]).")) {
            try m.loadStateDict(["0.weight": Tensor.zeros([3, 2]), "0.bias": Tensor.zeros([2])])
        }
    }

    @Test func linearRejectsWrongInputWidth() throws {
        let l = try Linear(3, 2, generator: Generator(seed: 1))
        #expect(throws: AutogradError.invalidArgument("mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)")) {
            try l(Tensor.zeros([4, 5]))
        }
    }
}

@Suite struct SafetensorsTests {
    func fixtureBytes() throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "sequential", withExtension: "safetensors", subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    @Test func loadsWhatPyTorchWrote() throws {
        let (tensors, metadata) = try Safetensors.decode(fixtureBytes())
        #expect(metadata == ["format": "pt"])
        #expect(Set(tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias", "extra.steps", "extra.scale"])
        #expect(try tensors["extra.steps"]!.ints() == [3, 1, 4])
        #expect(tensors["extra.scale"]!.dtype == .float64 && tensors["extra.scale"]!.toArray() == [0.5, 2.0])
        let c = try #require(nnCases["float32"])
        for (name, expected) in c.state { expectClose(tensors[name], expected, rtol: 0, atol: 0, name) }
        // ...into a model, through Module.load(from:).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seq-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let weights = tensors.filter { !$0.key.hasPrefix("extra") }
        try Safetensors.save(weights, to: path)
        let m = Sequential(try Linear(4, 3, generator: Generator(seed: 5)), Activation.tanh, try Linear(3, 2, generator: Generator(seed: 5)))
        try m.load(from: path)
        expectClose(try m(c.x.tensor(.float32)), c.y, rtol: 1e-6, atol: 1e-6, "y after load")
    }

    @Test func writesTheBytesPyTorchWrites() throws {
        let bytes = try fixtureBytes()
        let (tensors, metadata) = try Safetensors.decode(bytes)
        #expect(try Safetensors.encode(tensors, metadata: metadata) == bytes)
    }

    @Test func rejectsBadFiles() throws {
        #expect(throws: AutogradError.invalidArgument("safetensors: the file is shorter than its 8-byte header length")) {
            try Safetensors.decode([1, 2])
        }
        var bytes = try fixtureBytes()
        bytes.removeLast(4)
        #expect(throws: AutogradError.self) { try Safetensors.decode(bytes) }
        let header = Array("{\"t\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}".utf8)
        var f8 = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        f8 += [0]
        #expect(throws: AutogradError.invalidArgument(
            "safetensors: 't' has dtype F8_E4M3, which is not supported (F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)")) {
            try Safetensors.decode(f8)
        }
    }
}
