import Foundation
import Testing
@testable import Autograd

/// +, -, *, / (scripts/fixtures/promotion.py → Fixtures/promotion.json) and
/// the rounding divisions, remainders, bitwise ops and shifts
/// (scripts/fixtures/integers.py → Fixtures/integers.json) over every pair of
/// operand kinds (int64, float32, float64 and bool tensors, with dims or
/// 0-dim, and Swift Int, Double and Bool numbers) against PyTorch's result
/// dtype, values and errors.
@Suite struct PromotionTests {
    /// A JSON number kept exact: an integer as Int, else a Double ("nan", "inf" too).
    enum Num: Decodable {
        case int(Int), double(Double)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .int(i); return }
            if let d = try? c.decode(Double.self) { self = .double(d); return }
            switch try c.decode(String.self) {
            case "nan": self = .double(.nan)
            case "inf": self = .double(.infinity)
            default: self = .double(-.infinity)
            }
        }
        var double: Double { switch self { case .int(let i): Double(i); case .double(let d): d } }
    }
    struct Operand: Decodable {
        var tensor: [Num]?
        var shape: [Int]?
        var dtype: String?
        var number: Num?
        var kind: String?
    }
    struct Case: Decodable {
        var name: String
        var op: String
        var a: Operand
        /// Absent for a unary op.
        var b: Operand?
        var dtype: String?
        var shape: [Int]?
        var out: [Num]?
        var error: String?
    }
    struct File: Decodable { var cases: [Case] }

    static func load(_ name: String) -> [Case] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }
    static let cases: [Case] = load("promotion") + load("integers")

    enum Value { case tensor(Tensor), int(Int), double(Double) }

    static func value(_ o: Operand) throws -> Value {
        if let n = o.number {
            if o.kind == "bool" { return .tensor(Tensor.scalar(n.double != 0)) }
            if o.kind == "int", case .int(let i) = n { return .int(i) }
            return .double(n.double)
        }
        let shape = o.shape ?? []
        switch o.dtype {
        case "int64":
            return .tensor(try Tensor(indices: o.tensor!.map { if case .int(let i) = $0 { i } else { Int($0.double) } }, shape: shape))
        case "bool": return .tensor(try Tensor(o.tensor!.map(\.double), shape: shape, dtype: .bool))
        case "float64": return .tensor(try Tensor(o.tensor!.map(\.double), shape: shape, dtype: .float64))
        default: return .tensor(try Tensor(o.tensor!.map(\.double), shape: shape, dtype: DType(rawValue: o.dtype ?? "") ?? .float32))
        }
    }

    static func run(_ op: String, _ a: Value, _ b: Value) throws -> Tensor {
        typealias TT = (Tensor, Tensor) throws -> Tensor
        let f: [String: (TT, (Tensor, Int) throws -> Tensor, (Int, Tensor) throws -> Tensor,
                         (Tensor, Double) throws -> Tensor, (Double, Tensor) throws -> Tensor)] = [
            "add": ({ try $0 + $1 }, { try $0 + $1 }, { try $0 + $1 }, { try $0 + $1 }, { try $0 + $1 }),
            "sub": ({ try $0 - $1 }, { try $0 - $1 }, { try $0 - $1 }, { try $0 - $1 }, { try $0 - $1 }),
            "mul": ({ try $0 * $1 }, { try $0 * $1 }, { try $0 * $1 }, { try $0 * $1 }, { try $0 * $1 }),
            "div": ({ try $0 / $1 }, { try $0 / $1 }, { try $0 / $1 }, { try $0 / $1 }, { try $0 / $1 }),
            "remainder": ({ try $0 % $1 }, { try $0 % $1 }, { try $0 % $1 }, { try $0 % $1 }, { try $0 % $1 }),
            "bitwise_and": ({ try $0 & $1 }, { try $0 & $1 }, { try $0 & $1 }, { try $0 & Tensor.scalar($1) }, { try Tensor.scalar($0) & $1 }),
            "bitwise_or": ({ try $0 | $1 }, { try $0 | $1 }, { try $0 | $1 }, { try $0 | Tensor.scalar($1) }, { try Tensor.scalar($0) | $1 }),
            "bitwise_xor": ({ try $0 ^ $1 }, { try $0 ^ $1 }, { try $0 ^ $1 }, { try $0 ^ Tensor.scalar($1) }, { try Tensor.scalar($0) ^ $1 }),
            "lshift": ({ try $0 << $1 }, { try $0 << $1 }, { try $0 << $1 }, { try $0 << Tensor.scalar($1) }, { try Tensor.scalar($0) << $1 }),
            "rshift": ({ try $0 >> $1 }, { try $0 >> $1 }, { try $0 >> $1 }, { try $0 >> Tensor.scalar($1) }, { try Tensor.scalar($0) >> $1 }),
        ]
        // The ops that are methods: a number operand as a wrapped number (as Python's).
        let methods: [String: TT] = [
            "floor_divide": { try $0.floorDivide($1) },
            "div_trunc": { try $0.div($1, roundingMode: .trunc) },
            "div_floor": { try $0.div($1, roundingMode: .floor) },
            "fmod": { try $0.fmod($1) },
            "where": { try Tensor.where(Tensor([1, 0, 1, 0, 1, 0, 1], dtype: .bool), $0, $1) },
            "cat": { try Tensor.cat([$0, $1]) },
            "pow": { try $0.pow($1) },
            // A number is stacked as torch.full_like(a, number).
            "stack": { a, b in
                try Tensor.stack([a, b.isWrappedNumber ? Tensor.full(a.shape, b.item(), dtype: a.dtype) : b])
            },
            "add_": { try $0.clone().add_($1) },
            "sub_": { try $0.clone().sub_($1) },
            "mul_": { try $0.clone().mul_($1) },
            "div_": { try $0.clone().div_($1) },
        ]
        if let m = methods[op] {
            func tensor(_ v: Value) -> Tensor {
                switch v {
                case .tensor(let t): t
                case .int(let i): Tensor.scalar(i)
                case .double(let d): Tensor.scalar(d)
                }
            }
            return try m(tensor(a), tensor(b))
        }
        let k = f[op]!
        switch (a, b) {
        case (.tensor(let x), .tensor(let y)): return try k.0(x, y)
        case (.tensor(let x), .int(let y)): return try k.1(x, y)
        case (.int(let x), .tensor(let y)): return try k.2(x, y)
        case (.tensor(let x), .double(let y)): return try k.3(x, y)
        case (.double(let x), .tensor(let y)): return try k.4(x, y)
        default: throw AutogradError.invalidArgument("two numbers")
        }
    }

    /// The unary ops of integers.json, on tensors.
    static let unary: [String: @Sendable (Tensor) throws -> Tensor] = [
        "relu": { try $0.relu() }, "square": { try $0.square() }, "sign": { try $0.sign() }, "neg": { try -$0 },
        "abs": { try $0.abs() }, "bitwise_not": { try ~$0 }, "exp": { try $0.exp() }, "log": { try $0.log() },
        "sqrt": { try $0.sqrt() }, "tanh": { try $0.tanh() }, "sinh": { try $0.sinh() }, "cosh": { try $0.cosh() },
        "sigmoid": { try $0.sigmoid() }, "pow_2": { try $0.pow(2) }, "pow_0": { try $0.pow(0) },
        "pow_5": { try $0.pow(5) }, "pow_neg_1": { try $0.pow(-1) }, "pow_2_5": { try $0.pow(2.5) },
        "prod": { try $0.prod() }, "cumsum": { try $0.cumsum(dim: 0) }, "sum": { try $0.sum() },
        "cumprod": { try $0.cumprod(dim: 0) },
        "clamp_2_6": { try $0.clamp(min: 2, max: 6) }, "clamp_2_5": { try $0.clamp(min: 2.5) },
        "round": { try $0.round() }, "floor": { try $0.floor() },
    ]

    @Test func everyPairIsHere() { #expect(Self.cases.count >= 300) }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        do {
            let y: Tensor
            if let b = c.b {
                y = try Self.run(c.op, try Self.value(c.a), try Self.value(b))
            } else {
                guard case .tensor(let x) = try Self.value(c.a), let f = Self.unary[c.op] else {
                    Issue.record("\(name): no unary op \(c.op)")
                    return
                }
                y = try f(x)
            }
            guard c.error == nil else { Issue.record("\(name): expected PyTorch's error \(c.error!)"); return }
            #expect(y.dtype.rawValue == c.dtype, "\(name): dtype \(y.dtype)")
            #expect(y.shape == c.shape!, "\(name): shape")
            let want = c.out!
            if y.dtype == .int64 {
                #expect(try y.ints() == want.map { if case .int(let i) = $0 { i } else { Int($0.double) } }, "\(name)")
            } else {
                let got = y.toArray(), rtol = y.dtype == .float32 ? 1e-6 : 1e-15
                for (g, w) in zip(got, want.map(\.double)) where !(g == w || (g.isNaN && w.isNaN) || abs(g - w) <= rtol * abs(w)) {
                    Issue.record("\(name): \(got) vs PyTorch \(want.map(\.double))")
                    break
                }
            }
        } catch let e as AutogradError {
            guard let want = c.error else { Issue.record("\(name): unexpected error \(e.message)"); return }
            #expect(e.message == want, "\(name): \(e.message)")
        }
    }
}

/// maximum and minimum promote as the arithmetic ops (PyTorch:
/// maximum([16777217, -5], [3, 3]) = [16777217, 3] in int64; bools give bools).
@Test func maximumAndMinimumKeepIntegers() throws {
    let i = try Tensor(indices: [16_777_217, -5])
    let y = try Tensor.maximum(i, Tensor(indices: [3, 3]))
    #expect(y.dtype == .int64)
    #expect(try y.ints() == [16_777_217, 3])
    #expect(try Tensor.minimum(i, Tensor(indices: [3, 3])).ints() == [3, -5])
    #expect(try Tensor.maximum(i, Tensor([1.5, 2])).dtype == .float32)
    let b = try Tensor([1, 0], dtype: .bool)
    #expect(try Tensor.minimum(b, Tensor([1, 1], dtype: .bool)).toArray() == [1, 0])
    #expect(try Tensor.maximum(b, i).ints() == [16_777_217, 0])
    // Integer powers are exact int64, wrapping as PyTorch's (its values).
    #expect(try i.pow(i).ints() == [281_474_993_487_873, 0])
}
