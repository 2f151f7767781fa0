import Foundation
import Testing
@testable import Autograd

/// Reference values produced by PyTorch (scripts/fixtures/*.py, run by hand)
/// and committed under Tests/AutogradTests/Fixtures/<name>.json:
///
/// ```json
/// {"generator": "torch 2.15.0", "cases": [
///   {"name": "tanh_f64_2x3", "op": "tanh", "dtype": "float64",
///    "inputs": [{"shape": [2, 3], "data": [...], "dtype": "float64", "requires_grad": true}],
///    "args": {"dim": 1},                                 // op parameters, free-form
///    "outputs": [{"shape": [2, 3], "data": [...], "dtype": "float64"}],
///    "grad_outputs": [{"shape": [2, 3], "data": [...]}],  // dL/dy fed to backward
///    "grads": [{"shape": [2, 3], "data": [...]}, null]}   // dL/dx per input; null: none
/// ]}
/// ```
/// Values are numbers, or the strings "nan", "inf", "-inf".
struct FixtureTensor: Decodable {
    var shape: [Int]
    var data: [Double]
    var dtype: String?
    var requires_grad: Bool?

    enum CodingKeys: String, CodingKey { case shape, data, dtype, requires_grad }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        dtype = try c.decodeIfPresent(String.self, forKey: .dtype)
        requires_grad = try c.decodeIfPresent(Bool.self, forKey: .requires_grad)
        var values = try c.nestedUnkeyedContainer(forKey: .data)
        var out = [Double]()
        while !values.isAtEnd {
            if let d = try? values.decode(Double.self) { out.append(d); continue }
            switch try values.decode(String.self) {
            case "nan": out.append(.nan)
            case "inf": out.append(.infinity)
            case "-inf": out.append(-.infinity)
            case let s: throw DecodingError.dataCorruptedError(in: values, debugDescription: "bad number \(s)")
            }
        }
        data = out
    }

    /// The tensor, in the fixture's dtype unless `dtype` overrides it.
    func tensor(_ dtype: DType? = nil, requiresGrad: Bool? = nil) throws -> Tensor {
        let dt = dtype ?? self.dtype.flatMap(DType.init(rawValue:)) ?? .float32
        if dt == .int64 { return try Tensor(indices: data.map { Int($0) }, shape: shape) }
        return try Tensor(data, shape: shape, dtype: dt, requiresGrad: requiresGrad ?? (self.requires_grad ?? false))
    }
}

/// A value in a case's free-form "args".
enum FixtureValue: Decodable {
    case number(Double), string(String), bool(Bool), list([FixtureValue]), null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .list(try c.decode([FixtureValue].self)) }
    }
    var double: Double? { if case .number(let d) = self { d } else { nil } }
    var int: Int? { double.map { Int($0) } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var ints: [Int]? { if case .list(let l) = self { l.compactMap(\.int) } else { nil } }
}

struct FixtureCase: Decodable, CustomTestStringConvertible {
    var name: String
    var op: String
    var dtype: String
    var inputs: [FixtureTensor]
    var args: [String: FixtureValue]?
    var outputs: [FixtureTensor]
    var grad_outputs: [FixtureTensor?]?
    var grads: [FixtureTensor?]?

    var testDescription: String { name }
    var dtypeValue: DType { DType(rawValue: dtype) ?? .float32 }
    func arg(_ key: String) -> FixtureValue? { args?[key] }

    /// The inputs as tensors (floating inputs require grad unless the fixture says otherwise).
    func inputTensors() throws -> [Tensor] { try inputs.map { try $0.tensor() } }
}

struct FixtureFile: Decodable {
    var cases: [FixtureCase]
}

enum Fixtures {
    /// The cases of Fixtures/<name>.json.
    static func load(_ name: String) -> [FixtureCase] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else {
            Issue.record("fixture file \(name).json is missing")
            return []
        }
        do { return try JSONDecoder().decode(FixtureFile.self, from: data).cases }
        catch { Issue.record("fixture file \(name).json does not decode: \(error)"); return [] }
    }
}

/// Tolerances for comparing against PyTorch: 1e-6 relative in float32 and
/// 1e-12 in float64 (absolute floors for values near zero).
func tolerance(_ dtype: DType) -> (rtol: Double, atol: Double) {
    dtype == .float64 ? (1e-12, 1e-12) : (1e-6, 1e-6)
}

/// Expects `actual` to match `expected` in shape and, elementwise,
/// |a - e| <= atol + rtol * |e| (NaN matches NaN, infinities match exactly).
func expectClose(_ actual: Tensor?, _ expected: FixtureTensor?, rtol: Double, atol: Double,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let expected else {
        #expect(actual == nil || actual!.toArray().allSatisfy { $0 == 0 },
                "\(what): expected no gradient", sourceLocation: sourceLocation)
        return
    }
    guard let actual else {
        Issue.record("\(what): missing (expected shape \(expected.shape))", sourceLocation: sourceLocation)
        return
    }
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    expectClose(actual.toArray(), expected.data, rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
}

func expectClose(_ actual: [Double], _ expected: [Double], rtol: Double, atol: Double, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || Swift.abs(a - e) <= atol + rtol * Swift.abs(e)
        if !ok {
            Issue.record("\(what): element \(i) is \(a), expected \(e)", sourceLocation: sourceLocation)
            return
        }
    }
}

/// Feeds the fixture's dL/dy through backward and compares each input's
/// gradient with PyTorch's, on both backward paths: the fused C kernels
/// (createGraph false) and the differentiable formula used when the backward
/// itself is recorded (createGraph true). `run` rebuilds the op's output.
func expectGradientsMatch(_ c: FixtureCase, _ xs: [Tensor], gradOutput g: FixtureTensor, grads: [FixtureTensor?],
                          rtol: Double, atol: Double, _ run: (FixtureCase, [Tensor]) throws -> Tensor,
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
    let diff = xs.filter(\.requiresGrad)
    for createGraph in [false, true] {
        let y = try run(c, xs)
        let gs = try grad(outputs: [y], inputs: diff, gradOutputs: [try g.tensor(y.dtype)],
                          createGraph: createGraph, allowUnused: true)
        var k = 0
        for (i, x) in xs.enumerated() where x.requiresGrad {
            expectClose(gs[k], grads[i], rtol: rtol, atol: atol, "\(c.name) grad \(i) createGraph=\(createGraph)",
                        sourceLocation: sourceLocation)
            k += 1
        }
    }
}
