import Foundation
import Testing
@testable import Autograd

/// The storage types (uint8, int8, int16, int32, float16, bfloat16) against
/// PyTorch (scripts/fixtures/dtypes.py → Fixtures/dtypes.json): every cast
/// between the ten dtypes, the binary ops over every pair of dtypes and with
/// Swift numbers, unary ops and reductions, and gradients through the half
/// types. Integer results are exact; float16 and bfloat16 results are
/// bit-exact for casts and arithmetic (both round once from float32) and
/// within one unit in the last place of the type for the transcendental
/// functions, whose float32 kernels differ from PyTorch's by an ulp of float32,
/// and for two reduced-precision kernels of PyTorch that round to the half
/// type at intermediate steps where this library rounds once from float32:
/// prod (PyTorch rounds each partial product) and floor division (its
/// vectorised bfloat16 path rounds a - fmod(a, b) before dividing).
@Suite struct StorageTypeTests {
    typealias Case = PromotionTests.Case
    static let cases: [Case] = PromotionTests.load("dtypes")

    typealias Binary = @Sendable (Tensor, PromotionTests.Value) throws -> Tensor
    static func number(_ v: PromotionTests.Value, _ a: Tensor) -> Tensor {
        switch v {
        case .tensor(let t): t
        case .int(let i): a.wrapped(i)
        case .double(let d): a.wrapped(d)
        }
    }
    static let binary: [String: Binary] = [
        "add": { a, b in switch b { case .int(let i): try a + i; case .double(let d): try a + d; case .tensor(let t): try a + t } },
        "sub": { a, b in switch b { case .int(let i): try a - i; case .double(let d): try a - d; case .tensor(let t): try a - t } },
        "mul": { a, b in switch b { case .int(let i): try a * i; case .double(let d): try a * d; case .tensor(let t): try a * t } },
        "div": { a, b in switch b { case .int(let i): try a / i; case .double(let d): try a / d; case .tensor(let t): try a / t } },
        "floor_divide": { a, b in
            switch b { case .int(let i): try a.floorDivide(i); case .double(let d): try a.floorDivide(d); case .tensor(let t): try a.floorDivide(t) }
        },
        "remainder": { a, b in try a.remainder(number(b, a)) },
        "bitwise_and": { a, b in try a & number(b, a) },
        "bitwise_xor": { a, b in try a ^ number(b, a) },
        "lshift": { a, b in try a << number(b, a) },
        "pow": { a, b in switch b { case .int(let i): try a.pow(Double(i)); case .double(let d): try a.pow(d); case .tensor(let t): try a.pow(t) } },
        "maximum": { a, b in try Tensor.maximum(a, number(b, a)) },
        "lt": { a, b in switch b { case .double(let d): try a.lt(d); case .int(let i): try a.lt(Double(i)); case .tensor(let t): try a.lt(t) } },
        "eq": { a, b in try a.eq(number(b, a)) },
        "where": { a, b in try Tensor.where(Tensor([1, 0, 1, 0, 1], dtype: .bool), a, number(b, a)) },
        "cat": { a, b in try Tensor.cat([a, number(b, a)]) },
    ]
    static let unary: [String: @Sendable (Tensor) throws -> Tensor] = [
        "neg": { try -$0 }, "abs": { try $0.abs() }, "square": { try $0.square() }, "sign": { try $0.sign() },
        "relu": { try $0.relu() }, "exp": { try $0.exp() }, "log": { try $0.log() }, "sqrt": { try $0.sqrt() },
        "tanh": { try $0.tanh() }, "sigmoid": { try $0.sigmoid() }, "sin": { try $0.sin() },
        "bitwise_not": { try ~$0 }, "round": { try $0.round() }, "floor": { try $0.floor() },
        "sum": { try $0.sum() }, "prod": { try $0.prod() }, "mean": { try $0.mean() },
        "cumsum": { try $0.cumsum(dim: 0) }, "cumprod": { try $0.cumprod(dim: 0) },
        "max": { try $0.max() }, "min": { try $0.min() },
        "argmax": { try $0.argmax() }, "sort": { try $0.sort().values }, "sort_indices": { try $0.sort().indices },
        "max_dim": { try $0.max(dim: 0).values }, "max_dim_indices": { try $0.max(dim: 0).indices },
        "clamp": { try $0.clamp(min: -3, max: 100) }, "softmax": { try $0.softmax(dim: 0) },
        "matmul": { try $0.reshape([1, 5]).matmul($0.reshape([5, 1])) },
        "reshape_t": { try $0.reshape([5, 1]).t().contiguous() },
        "flip_index": { try $0[Tensor(indices: [4, 0, 2])] }, "masked": { try $0[$0.gt(0)] },
        "nonzero": { try $0.nonzero() }, "mul_": { try $0.clone().mul_(3) }, "add_": { try $0.clone().add_($0) },
        "fill_": { try $0.clone().fill_(7) },
    ]
    /// d(sum(f(x, w)))/dx, as dtypes.py's grad cases compute it.
    static let grads: [String: @Sendable (Tensor, Tensor) throws -> Tensor] = [
        "mul": { try $0 * $1 }, "div": { try $0 / $1 }, "exp": { try ($0 * $1).exp() },
        "tanh": { try $0.tanh() * $1 }, "matmul": { try $0.reshape([2, 2]).matmul($1.reshape([2, 2])) },
        "softmax": { try $0.softmax(dim: 0) * $1 }, "pow": { try $0.pow(3) * $1 },
    ]
    static let transcendental: Set<String> = ["exp", "log", "sqrt", "tanh", "sigmoid", "sin", "softmax", "pow"]
    static let halfIntermediateRounding: Set<String> = ["prod", "cumprod", "floor_divide"]

    static func run(_ c: Case) throws -> Tensor {
        guard case .tensor(let a) = try PromotionTests.value(c.a) else { throw AutogradError.invalidArgument("number first") }
        if c.op.hasPrefix("to_") { return try a.to(DType(rawValue: String(c.op.dropFirst(3)))!) }
        if c.op.hasPrefix("grad_") {
            guard case .tensor(let w) = try PromotionTests.value(c.b!) else { throw AutogradError.invalidArgument("w") }
            let x = a.detach()
            x.requiresGrad = true
            try grads[String(c.op.dropFirst(5))]!(x, w).sum().backward()
            return x.grad!
        }
        if let b = c.b { return try binary[c.op]!(a, try PromotionTests.value(b)) }
        return try unary[c.op]!(a)
    }

    @Test func everyCaseIsHere() { #expect(Self.cases.count >= 1500) }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(_ name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        do {
            let y = try Self.run(c)
            guard c.error == nil else { Issue.record("\(name): expected PyTorch's error \(c.error!), got \(y)"); return }
            #expect(y.dtype.rawValue == c.dtype, "\(name): dtype \(y.dtype)")
            #expect(y.shape == c.shape!, "\(name): shape \(y.shape)")
            let want = c.out!.map(\.double), got = y.toArray()
            guard want.count == got.count else { return }
            // One unit in the last place of the result type at w (0 for exact cases).
            func ulp(_ w: Double) -> Double {
                let op = c.op.hasPrefix("grad_") ? String(c.op.dropFirst(5)) : c.op
                let half = y.dtype == .float16 || y.dtype == .bfloat16
                guard Self.transcendental.contains(op) || c.op.hasPrefix("grad_")
                        || (half && Self.halfIntermediateRounding.contains(op)) else { return 0 }
                switch y.dtype {
                case .float16: return Swift.max(Swift.abs(w), 6.103515625e-05) * 0x1p-10
                case .bfloat16: return Swift.max(Swift.abs(w), 1.1754943508222875e-38) * 0x1p-7
                case .float32: return Swift.abs(w) * 0x1p-22
                default: return 0
                }
            }
            for (g, w) in zip(got, want) where !(g == w || (g.isNaN && w.isNaN) || Swift.abs(g - w) <= ulp(w)) {
                Issue.record("\(name): \(got) vs PyTorch \(want)")
                break
            }
        } catch let e as AutogradError {
            guard let want = c.error else { Issue.record("\(name): unexpected error \(e.message)"); return }
            #expect(e.message == want, "\(name): \(e.message)")
        }
    }
}

/// A checkpoint with one tensor of each dtype, written by
/// safetensors.torch.save_file (scripts/fixtures/dtypes.py): it loads with
/// PyTorch's values, and writing it back gives the file byte for byte.
@Test func halfAndIntegerCheckpointsLoadAndRoundTrip() throws {
    let url = try #require(Bundle.module.url(forResource: "dtypes", withExtension: "safetensors", subdirectory: "Fixtures"))
    let bytes = [UInt8](try Data(contentsOf: url))
    let (tensors, metadata) = try Safetensors.decode(bytes)
    #expect(metadata == ["format": "pt"])
    #expect(tensors.count == DType.allCases.count)
    for d in DType.allCases {
        let t = try #require(tensors["t.\(d.rawValue)"])
        #expect(t.dtype == d && t.shape == [3, 4])
        let k = (0..<12).map(Double.init)
        let want: [Double]
        if d.isFloatingPoint { want = k.map { $0 / 8 - 1 } }
        else if d == .bool { want = k.map { Int($0) % 3 == 0 ? 1 : 0 } }
        else { want = try Tensor(indices: k.map { Int($0) * 37 - 100 }).to(d).toArray() }
        #expect(t.toArray() == want, "\(d)")
    }
    #expect(try Safetensors.encode(tensors, metadata: metadata) == bytes)
}

/// What a PyTorch user sees: printing, creation's refusals, gradients in the
/// half types, in-place changes, conversions through views.
@Test func storageTypesBehaveAsPyTorch() throws {
    // Printing (dtype= shown for every type but float32, int64 and bool).
    #expect(try Tensor([1, 2.5], dtype: .float16).description == "tensor([1.0000, 2.5000], dtype=torch.float16)")
    #expect(try Tensor([200, 3], dtype: .uint8).description == "tensor([200,   3], dtype=torch.uint8)")
    // torch.tensor's checks: signed overflow is refused, uint8 wraps, half overflows to inf.
    #expect(throws: AutogradError.invalidArgument("value cannot be converted to type int8 without overflow")) {
        try Tensor([300], dtype: .int8)
    }
    #expect(try Tensor([-1, 255.7], dtype: .uint8).toArray() == [255, 255])
    #expect(try Tensor([70000], dtype: .float16).item() == .infinity)
    #expect(throws: AutogradError.invalidArgument("fill_: value cannot be converted to type c10::Half without overflow")) {
        try Tensor.zeros([2], dtype: .float16).fill_(1e6)
    }
    #expect(throws: AutogradError.invalidArgument("full: value cannot be converted to type uint8_t without overflow")) {
        try Tensor.full([2], 300, dtype: .uint8)
    }
    // A float16 leaf gets a float16 gradient: d/dx sum(x * x) = 2x.
    let x = try Tensor([0.1, -3], dtype: .float16, requiresGrad: true)
    try (x * x).sum().backward()
    #expect(x.grad?.dtype == .float16)
    #expect(x.grad?.toArray() == [0.199951171875, -6])
    #expect(try (x * x).gradFn?.name == "MulBackward")  // the node of the op itself, no cast node around it
    // In place through a view of an int8 tensor: wraps as PyTorch's int8 does.
    let i = try Tensor([100, 1, 2, 3], dtype: .int8)
    try i.narrow(dim: 0, start: 0, length: 2).add_(100)
    #expect(i.toArray() == [-56, 101, 2, 3])
    // Conversions read views through their strides.
    let m = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .bfloat16).t()
    #expect(try m.to(.int32).toArray() == [1, 4, 2, 5, 3, 6])
    // Ops that save their output read it rounded, as PyTorch's; differentiating them twice is refused.
    let h = try Tensor([0.3], dtype: .float16, requiresGrad: true)
    let g = try #require(try grad(of: h.tanh().sum(), wrt: h, createGraph: true))
    #expect(g.dtype == .float16)
    #expect(try g.item() == 0.9150390625)  // 1 - tanh(0.3)² with tanh rounded to float16 first, as PyTorch gives
    #expect(throws: AutogradError.self) { try g.sum().backward() }
}
