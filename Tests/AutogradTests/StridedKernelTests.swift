import Testing
@testable import Autograd
import AutogradKernels

/// Ops that read views through their strides (no dense copy first) give
/// exactly what they give on dense copies of the same views, gradients too.
@Suite struct StridedKernelTests {
    static func views(_ dtype: DType) throws -> [(String, Tensor)] {
        let g = Generator(seed: 9)
        let m = try Tensor.randn([4, 6], dtype: dtype, generator: g)
        let c = try Tensor.randn([3, 4, 5], dtype: dtype, generator: g)
        return [
            ("t", try m.t()),                                       // [6, 4]
            ("column slice", try m.slice(dim: 1, start: 1, end: 5)), // [4, 4]
            ("row step", try m.slice(dim: 0, step: 2)),              // [2, 6]
            ("select", try c.select(dim: 1, index: 2)),              // [3, 5]
            ("permute", try c.permute(2, 0, 1)),                     // [5, 3, 4]
            ("expand", try m.select(dim: 0, index: 1).unsqueeze(dim: 0).expand(3, 6)), // [3, 6]
            ("diagonal", try m.diagonal()),                          // [4]
        ]
    }

    @Test(arguments: [DType.float32, .float64])
    func binaryOpsReadViews(_ dtype: DType) throws {
        let g = Generator(seed: 4)
        for (name, v) in try Self.views(dtype) {
            let dense = try v.copied()
            let other = try Tensor.randn(v.shape, dtype: dtype, generator: g)
            let row = try Tensor.randn([v.shape.last!], dtype: dtype, generator: g)
            for (op, f) in [("+", { try $0 + $1 }), ("-", { try $0 - $1 }), ("*", { try $0 * $1 }), ("/", { try $0 / $1 }),
                            ("lt", { try $0.lt($1) }), ("eq", { try $0.eq($1) }),
                            ("and", { try $0.gt(0).logicalAnd($1.lt(0.5)) })]
                as [(String, (Tensor, Tensor) throws -> Tensor)] {
                #expect(try f(v, other).toArray() == f(dense, other).toArray(), "\(name) \(op) dense")
                #expect(try f(other, v).toArray() == f(other, dense).toArray(), "dense \(op) \(name)")
                #expect(try f(v, row).toArray() == f(dense, row).toArray(), "\(name) \(op) row")
                #expect(try f(v, v).toArray() == f(dense, dense).toArray(), "\(name) \(op) itself")
                let s = v.scalarLike(1.5)
                #expect(try f(v, s).toArray() == f(dense, s).toArray(), "\(name) \(op) scalar")
            }
        }
    }

    @Test func gradientsThroughStridedOperands() throws {
        let a = try Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 1)).requiresGrad()
        let b = try Tensor.randn([4, 3], dtype: .float64, generator: Generator(seed: 2)).requiresGrad()
        #expect(try gradcheck({ x in try x[0].t() * x[1] / (x[1].slice(dim: 1, start: 0, end: 1) + 3) - x[0].t() }, inputs: [a, b]))
        #expect(try gradgradcheck({ x in try x[0].t() * x[1] + x[0].t()[.all, .stride(2)].sum() }, inputs: [a, b]))
    }

    /// Unary ops read views in place (`map` over a strided walk) and lay
    /// their results out as PyTorch does: a dense view's result has the
    /// view's strides, any other is dense in the view's memory order.
    @Test(arguments: [DType.float32, .float64])
    func unaryOpsReadViewsAndKeepTheirLayout(_ dtype: DType) throws {
        let g = Generator(seed: 5)
        let big = try Tensor.randn([300, 700], dtype: dtype, generator: g)
        let views = try Self.views(dtype) + [
            ("big t", try big.t()),                                     // dense, flat
            ("big column step", try big.slice(dim: 1, step: 2)),        // rows of 350 gathered in chunks
            ("big t of row step", try big.slice(dim: 0, step: 3).t()),  // inner stride 2100
        ]
        for (name, v) in views {
            let dense = try v.copied()
            for (op, f) in [("exp", { try $0.exp() }), ("tanh", { try $0.tanh() }), ("neg", { try -$0 }),
                            ("sign", { try $0.sign() }), ("pow 3", { try $0.pow(3) }), ("gelu", { try $0.gelu() })]
                as [(String, (Tensor) throws -> Tensor)] {
                let y = try f(v)
                #expect(try y.toArray() == f(dense).toArray(), "\(op) of \(name)")
                let expected = ElementwiseLayout(of: v).strides
                #expect(y.strides == expected, "\(op) of \(name): strides \(y.strides)")
                if ElementwiseLayout.isNonOverlappingAndDense(v.shape, v.strides) {
                    #expect(y.strides == v.strides || v.isContiguous, "\(op) of \(name) keeps the view's strides")
                }
            }
        }
        // t()[::3] of a row-major matrix: its memory order is the base's, so
        // the result is dense with dimension 1 outermost, as in PyTorch.
        let y = try big.slice(dim: 0, step: 3).t().exp()
        #expect(y.strides == [1, 700] && !y.isContiguous)
    }

    /// Sums read a view dense in some order of its dims (t, permute) flat
    /// and others through a copy, with the same values either way and a
    /// contiguous result, as PyTorch's.
    @Test(arguments: [DType.float32, .float64])
    func sumsOverViews(_ dtype: DType) throws {
        for (name, v) in try Self.views(dtype) {
            let dense = try v.copied()
            let close = { (a: Tensor, b: Tensor, what: String) in
                expectClose(a.toArray(), b.toArray(), rtol: 1e-6, atol: 1e-6, "\(what) of \(name)")
                #expect(a.shape == b.shape && a.isContiguous, "\(what) of \(name): contiguous")
            }
            close(try v.sum(), try dense.sum(), "sum()")
            for d in v.shape.indices {
                close(try v.sum(dim: d), try dense.sum(dim: d), "sum(dim: \(d))")
                close(try v.sum(dim: d, keepDim: true), try dense.sum(dim: d, keepDim: true), "sum(dim: \(d), keepDim)")
                close(try v.mean(dim: d), try dense.mean(dim: d), "mean(dim: \(d))")
            }
            if v.rank == 3 {
                close(try v.sum(dims: [0, 2]), try dense.sum(dims: [0, 2]), "sum(dims: [0, 2])")
                close(try v.sumTo([1, v.shape[1], 1]), try dense.sumTo([1, v.shape[1], 1]), "sumTo")
            }
        }
        let ints = try Tensor((0..<12).map(Double.init), shape: [3, 4]).to(.int64).t()
        #expect(try ints.sum(dim: 1).toArray() == [12, 15, 18, 21] && ints.sum().toArray() == [66])
    }

    /// The reductions of ReductionLayout read dense views where they lie (in
    /// memory order) and others through a copy: values and gradients equal
    /// those of dense copies, reduced results are contiguous.
    @Test func layoutReductionsOverViews() throws {
        let ops: [(String, (Tensor, Int) throws -> Tensor)] = [
            ("prod", { try $0.prod(dim: $1) }), ("var", { try $0.var(dim: $1) }), ("std", { try $0.std(dim: $1) }),
            ("norm", { try $0.norm(dim: $1) }), ("logsumexp", { try $0.logsumexp(dim: $1) }),
            ("cumsum", { try $0.cumsum(dim: $1) }),
        ]
        for (name, v) in try Self.views(.float64) where v.rank >= 1 {
            for (op, f) in ops {
                for d in v.shape.indices {
                    let y = try f(v, d), yd = try f(v.copied(), d)
                    expectClose(y.toArray(), yd.toArray(), rtol: 1e-12, atol: 1e-12, "\(op)(dim: \(d)) of \(name)")
                    #expect(y.isContiguous, "\(op)(dim: \(d)) of \(name) is contiguous")
                }
            }
        }
        let a = try Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 21)).requiresGrad()
        for (_, f) in ops {
            #expect(try gradcheck({ try f($0[0].t(), 1) }, inputs: [a]))
            #expect(try gradcheck({ try f($0[0].t(), 0) }, inputs: [a]))
        }
        #expect(try gradgradcheck({ try $0[0].t().logsumexp(dim: 1) + $0[0].t().var(dim: 1) }, inputs: [a]))
    }

    @Test func gradientsThroughUnaryOpsOnViews() throws {
        let a = try Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 3)).requiresGrad()
        #expect(try gradcheck({ x in try x[0].t().tanh().exp() * x[0].t()[.stride(2)].sigmoid().sum() }, inputs: [a]))
        #expect(try gradgradcheck({ x in try x[0].permute(1, 0).pow(3).sinh() + x[0].t().abs() }, inputs: [a]))
    }

    /// Nine interleaved dims are more than a kernel walks: the op copies instead.
    @Test func manyInterleavedDimsFallBackToCopies() throws {
        let shape = [2, 2, 2, 2, 2, 2, 2, 2, 2]
        let x = try Tensor((0..<512).map(Double.init), shape: shape)
        let p = try x.permute(8, 7, 6, 5, 4, 3, 2, 1, 0)
        let y = try Tensor.ones(shape)
        #expect(try (p + y).toArray() == (p.copied() + y).toArray())
        let q = try x.slice(dim: 0, start: 0, end: 1).permute(8, 7, 6, 5, 4, 3, 2, 1, 0).expand(shape)
        #expect(try q.exp().toArray() == q.copied().exp().toArray())
    }
}

/// The public kernel helpers and index checks read a strided tensor's
/// elements, not the memory after its first one.
@Test func kernelHelpersReadViewsElementByElement() throws {
    let m = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    #expect(try m.t().map(ag_neg_forward_f32, ag_neg_forward_f64).toArray() == [-1, -4, -2, -5, -3, -6])
    let big = try Tensor(indices: [0, 9, 1, 9, 2, 9])
    let every2 = try big.slice(step: 2)  // [0, 1, 2]: valid indices of a size-3 dim, stored among 9s
    #expect(try Tensor([10, 20, 30]).indexSelect(dim: 0, index: every2).toArray() == [10, 20, 30])
    let odd = try big.slice(start: 1, step: 2)  // [9, 9, 9]
    #expect(throws: AutogradError.invalidArgument("index 9 is out of bounds for dimension 0 with size 3")) {
        try Tensor([10, 20, 30]).indexSelect(dim: 0, index: odd)
    }
}

/// out= arguments: PyTorch's refusals and casts; a strided out (a column) is written in place.
@Test func outArguments() throws {
    let a = try Tensor([1, 2, 3]), b = try Tensor([10, 20, 30])
    let buf = try Tensor.zeros([3, 2])
    let column = try buf.select(dim: 1, index: 1)
    try Tensor.mul(a, b, out: column)
    #expect(buf.toArray() == [0, 10, 0, 40, 0, 90])
    let ints = try Tensor(indices: [1, 2, 3])
    let f = try Tensor.zeros([3])
    try Tensor.add(ints, ints, out: f)
    #expect(f.toArray() == [2, 4, 6])
    #expect(throws: AutogradError.invalidArgument("result type Float can't be cast to the desired output type Long")) {
        try Tensor.add(a, b, out: ints)
    }
    let w = try Tensor([1.0, 2, 3], requiresGrad: true)
    #expect(throws: AutogradError.invalidArgument(
        "add(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")) {
        try Tensor.add(w, b, out: f)
    }
    try withNoGrad { try Tensor.add(w, b, out: f) }
    #expect(f.toArray() == [11, 22, 33])
    #expect(throws: AutogradError.self) { try Tensor.cat([a, b], out: f) }
    let c6 = try Tensor.zeros([6])
    try Tensor.cat([a, b], out: c6)
    #expect(c6.toArray() == [1, 2, 3, 10, 20, 30])
}
