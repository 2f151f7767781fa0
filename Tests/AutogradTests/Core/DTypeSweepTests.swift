import Testing
@testable import Autograd

/// Every dtype through a broad list of ops, on tensors of awkward shapes
/// (0-dim, empty, strided, requiring grad), with backward where the result
/// is floating: each call may throw, none may end the process or misread
/// memory (debug builds assert each kernel pointer's element type). A crash
/// names the op and input through the test's last output line.
@Suite struct DTypeSweepTests {
    typealias Op = (name: String, run: @Sendable (Tensor, Tensor) throws -> Tensor)

    static let ops: [Op] = [
        ("neg", { a, _ in try -a }), ("abs", { a, _ in try a.abs() }), ("exp", { a, _ in try a.exp() }),
        ("log", { a, _ in try a.log() }), ("sqrt", { a, _ in try a.sqrt() }), ("tanh", { a, _ in try a.tanh() }),
        ("sigmoid", { a, _ in try a.sigmoid() }), ("relu", { a, _ in try a.relu() }), ("gelu", { a, _ in try a.gelu() }),
        ("sign", { a, _ in try a.sign() }), ("round", { a, _ in try a.round() }), ("square", { a, _ in try a.square() }),
        ("pow", { a, _ in try a.pow(3) }), ("clamp", { a, _ in try a.clamp(min: -1, max: 2) }),
        ("add", { a, b in try a + b }), ("sub", { a, b in try a - b }), ("mul", { a, b in try a * b }),
        ("div", { a, b in try a / b }), ("floorDivide", { a, b in try a.floorDivide(b) }), ("rem", { a, b in try a % b }),
        ("and", { a, b in try a & b }), ("shift", { a, b in try a << b }), ("powT", { a, b in try a.pow(b) }),
        ("maximum", { a, b in try Tensor.maximum(a, b) }), ("lt", { a, b in try a.lt(b) }), ("eq", { a, b in try a.eq(b) }),
        ("where", { a, b in try Tensor.where(a.gt(0), a, b) }), ("cat", { a, b in try Tensor.cat([a, b]) }),
        ("stack", { a, b in try Tensor.stack([a, b]) }), ("matmul", { a, b in try a.matmul(b) }),
        ("sum", { a, _ in try a.sum() }), ("sumDim", { a, _ in try a.sum(dims: [0]) }), ("mean", { a, _ in try a.mean() }),
        ("prod", { a, _ in try a.prod() }), ("cumsum", { a, _ in try a.cumsum(dim: 0) }),
        ("cumprod", { a, _ in try a.cumprod(dim: -1) }), ("max", { a, _ in try a.max() }),
        ("maxDim", { a, _ in try a.max(dim: 0).values }), ("argmax", { a, _ in try a.argmax() }),
        ("sort", { a, _ in try a.sort().values }), ("topk", { a, _ in try a.topk(1).values }),
        ("softmax", { a, _ in try a.softmax(dim: 0) }), ("logsumexp", { a, _ in try a.logsumexp(dim: 0) }),
        ("var", { a, _ in try a.var(dim: 0) }), ("norm", { a, _ in try a.norm() }),
        ("reshape", { a, _ in try a.reshape([-1]) }), ("t", { a, _ in try a.t().contiguous() }),
        ("expand", { a, _ in try a.unsqueeze(dim: 0).expand([2] + a.shape).contiguous() }),
        ("narrow", { a, _ in try a.narrow(dim: 0, start: 0, length: 1) }), ("stepSlice", { a, _ in try a.slice(dim: 0, step: 2) }),
        ("index", { a, _ in try a[Tensor(indices: [0, 0])] }), ("mask", { a, _ in try a[a.gt(0)] }),
        ("gather", { a, _ in try a.gather(dim: 0, index: Tensor.zeros(like: a).to(.int64)) }),
        ("maskedFill", { a, _ in try a.maskedFill(mask: a.gt(0), value: 1) }),
        ("to", { a, b in try a.to(b.dtype) }), ("clone", { a, _ in try a.clone() }),
        ("add_", { a, b in try a.clone().add_(b) }), ("mul_", { a, _ in try a.clone().mul_(2) }),
        ("clamp_", { a, _ in try a.clone().clamp_(min: 0) }), ("fill_", { a, _ in try a.clone().fill_(1) }),
        ("copy_", { a, b in try a.clone().copy_(b) }), ("indexPut", { a, b in
            let c = try a.clone()
            try c.indexPut_([try Tensor(indices: [0])], try b.sum())
            return c
        }),
        ("mse", { a, b in try a.mseLoss(b) }), ("describe", { a, _ in _ = a.description; return a }),
    ]

    static func inputs(_ d: DType) throws -> [Tensor] {
        let v: [Double] = [1.5, -2, 0, 3, 0.25, -0.5]
        var out = [
            try Tensor(v, shape: [2, 3], dtype: d),
            try Tensor([2], shape: [], dtype: d),
            try Tensor([], shape: [0, 3], dtype: d),
            try Tensor(v, shape: [3, 2], dtype: d).t(),
        ]
        if d.isFloatingPoint { out.append(try Tensor(v, shape: [2, 3], dtype: d, requiresGrad: true) * 1) }
        return out
    }

    @Test(arguments: DType.allCases)
    func everyOpOnEveryDType(_ d: DType) throws {
        var ran = 0, threw = 0
        for x in try Self.inputs(d) {
            for other in [DType.float32, .int64, d, .float16, .uint8] {
                let y = try Tensor([0.5, 2, -1, 1, 3, -0.25], shape: [2, 3], dtype: other)
                for op in Self.ops {
                    do {
                        let r = try op.run(x, y)
                        if r.requiresGrad && r.count > 0 { try r.sum().backward() }
                        _ = r.toArray()
                        ran += 1
                    } catch is AutogradError {
                        threw += 1
                    }
                }
            }
        }
        // Most calls are computed, not refused.
        #expect(ran > threw, "\(d): \(ran) ran, \(threw) refused")
    }
}
