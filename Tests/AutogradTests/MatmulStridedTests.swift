import Foundation
import Testing
import AutogradKernels
@testable import Autograd

// Matrix products of strided views: Gemm reads a transposed view, a slice of
// rows or a narrowed set of columns in place (a transpose flag and a leading
// dimension for cblas) and copies only other layouts. Every product here is
// checked against the same product of contiguous copies.

/// An r×c operand made as a view of a base tensor of another shape.
struct MatrixView: CustomTestStringConvertible, Sendable {
    let name: String
    /// Whether cblas reads it in place (false: Gemm copies it).
    let inPlace: Bool
    /// The base's shape for an r×c view.
    let baseShape: @Sendable (Int, Int) -> [Int]
    /// The r×c view of a base of that shape.
    let make: @Sendable (Tensor, Int, Int) throws -> Tensor
    var testDescription: String { name }

    static let all: [MatrixView] = [
        MatrixView(name: "contiguous", inPlace: true, baseShape: { [$0, $1] }, make: { x, _, _ in x }),
        MatrixView(name: "t()", inPlace: true, baseShape: { [$1, $0] }, make: { x, _, _ in try x.t() }),
        MatrixView(name: "transpose(0, 1)", inPlace: true, baseShape: { [$1, $0] }, make: { x, _, _ in try x.transpose(0, 1) }),
        MatrixView(name: "every other row", inPlace: true, baseShape: { [2 * $0, $1] },
                   make: { x, _, _ in try x.slice(dim: 0, step: 2) }),
        MatrixView(name: "narrowed columns", inPlace: true, baseShape: { [$0, $1 + 3] },
                   make: { x, _, c in try x.narrow(dim: 1, start: 2, length: c) }),
        MatrixView(name: "t() of narrowed columns", inPlace: true, baseShape: { [$1, $0 + 2] },
                   make: { x, r, _ in try x.narrow(dim: 1, start: 1, length: r).t() }),
        MatrixView(name: "every other row and column", inPlace: false, baseShape: { [2 * $0, 2 * $1] },
                   make: { x, _, _ in try x.slice(dim: 0, step: 2).slice(dim: 1, step: 2) }),
        MatrixView(name: "expanded row", inPlace: false, baseShape: { [1, $1] },
                   make: { x, r, c in try x.expand([r, c]) }),
    ]
}

private func randn(_ shape: [Int], _ dtype: DType, seed: UInt64) throws -> Tensor {
    try Tensor.randn(shape, dtype: dtype, generator: Generator(seed: seed)).requiresGrad()
}

private func expectClose(_ a: Tensor, _ b: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.shape == b.shape, "\(what): shape", sourceLocation: sourceLocation)
    let tol = a.dtype == .float64 ? 1e-12 : 1e-5
    expectClose(a.toArray(), b.toArray(), rtol: tol, atol: tol, what, sourceLocation: sourceLocation)
}

/// The value of `f(views)` and the gradients of the bases, against the same
/// with every view first copied (`contiguous()`, recorded, so its gradient
/// reaches the base the same way).
private func expectMatchesCopies(_ bases: [Tensor], _ views: ([Tensor]) throws -> [Tensor],
                                 _ f: ([Tensor]) throws -> Tensor, _ what: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let strided = try f(try views(bases))
    let dense = try f(try views(bases).map { try $0.contiguous() })
    expectClose(strided, dense, "\(what): value", sourceLocation: sourceLocation)
    let g = try Tensor.randn(strided.shape, dtype: strided.dtype, generator: Generator(seed: 99))
    let gs = try grad(outputs: [strided], inputs: bases, gradOutputs: [g])
    let gd = try grad(outputs: [dense], inputs: bases, gradOutputs: [g])
    for i in bases.indices {
        guard let s = gs[i], let d = gd[i] else {
            Issue.record("\(what): no gradient for input \(i)", sourceLocation: sourceLocation)
            continue
        }
        expectClose(s, d, "\(what): gradient of input \(i)", sourceLocation: sourceLocation)
    }
}

@Suite struct MatmulStridedTests {
    /// The products run on OpenBLAS (loaded at run time, CI installs it),
    /// not on the built-in loops, unless the environment asks for those; on
    /// x86-64 with AVX2 the kernels are at least Haswell's, never the SSE3
    /// ones OpenBLAS falls back to on CPUs it does not know.
    @Test func productsRunOnOpenBLAS() {
        guard ProcessInfo.processInfo.environment["AUTOGRAD_BLAS"] == nil,
              ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return }
        let kernels = String(cString: ag_blas_kernels())
        #expect(kernels != "none (built-in loops)")
        #if arch(x86_64)
        #expect(kernels != "Prescott", "OpenBLAS chose its SSE3 kernels")
        #endif
    }

    static let pairs: [(MatrixView, MatrixView)] = MatrixView.all.flatMap { a in MatrixView.all.map { (a, $0) } }

    @Test(arguments: pairs.indices, [DType.float32, .float64])
    func matrixProductOfViews(_ i: Int, _ dtype: DType) throws {
        let (va, vb) = Self.pairs[i]
        let (m, k, n) = (4, 5, 3)
        let a = try randn(va.baseShape(m, k), dtype, seed: 1), b = try randn(vb.baseShape(k, n), dtype, seed: 2)
        let views = { (x: [Tensor]) in [try va.make(x[0], m, k), try vb.make(x[1], k, n)] }
        #expect(try views([a, b]).map(\.shape) == [[m, k], [k, n]])
        try expectMatchesCopies([a, b], views, { try $0[0].matmul($0[1]) }, "\(va.name) @ \(vb.name) \(dtype)")
        try expectMatchesCopies([a, b], views, { try $0[0].mm($0[1]) }, "mm \(va.name), \(vb.name) \(dtype)")
    }

    @Test(arguments: MatrixView.all)
    func operandIsReadInPlaceExactlyWhenCblasCanTakeIt(_ v: MatrixView) throws {
        let x = try v.make(try randn(v.baseShape(4, 5), .float32, seed: 3), 4, 5)
        let operand = try GemmOperand(x)
        #expect((operand.tensor === x) == v.inPlace, "\(v.name)")
        #expect(operand.tensor.sharesStorage(with: x) == v.inPlace)
        // The products get their operands as they are, not as contiguous stand-ins.
        #expect(Gemm._layout == .strided && Addmm._layout == .strided)
    }

    @Test func operandLayouts() throws {
        let x = try Tensor.zeros([6, 8])
        let t = try GemmOperand(try x.t())
        #expect(t.columnMajor && t.ld == 8)
        let rows = try GemmOperand(try x.slice(dim: 0, step: 3))
        #expect(!rows.columnMajor && rows.ld == 24)
        let cols = try GemmOperand(try x.narrow(dim: 1, start: 2, length: 3).t())
        #expect(cols.columnMajor && cols.ld == 8)
        // A single row or column takes any stride along its size-1 dimension.
        let column = try GemmOperand(try x.select(dim: 1, index: 2).unsqueeze(dim: 0))
        #expect(column.tensor.isContiguous == false && column.columnMajor && column.ld == 8)
        let batch = try GemmOperand(try Tensor.zeros([3, 4, 5]).mT)
        #expect(batch.columnMajor && batch.ld == 5 && batch.batchStride == 20)
        let shared = try GemmOperand(try Tensor.zeros([1, 4, 5]).expand([3, 4, 5]))
        #expect(!shared.columnMajor && shared.ld == 5 && shared.batchStride == 0 && shared.tensor.isContiguous == false)
    }

    @Test(arguments: [DType.float32, .float64])
    func batchedProductsOfViews(_ dtype: DType) throws {
        let (bs, m, k, n) = (3, 4, 5, 2)
        // mT of each matrix, transpose(1, 2), and a permute that moves the batch.
        let a = try randn([bs, k, m], dtype, seed: 4), b = try randn([bs, n, k], dtype, seed: 5)
        try expectMatchesCopies([a, b], { [try $0[0].mT, try $0[1].transpose(1, 2)] },
                                { try $0[0].matmul($0[1]) }, "mT @ transpose(1, 2) \(dtype)")
        try expectMatchesCopies([a, b], { [try $0[0].mT, try $0[1].transpose(1, 2)] },
                                { try $0[0].bmm($0[1]) }, "bmm of views \(dtype)")
        let p = try randn([m, bs, k], dtype, seed: 6)
        try expectMatchesCopies([p, b], { [try $0[0].permute(1, 0, 2), try $0[1].mT] },
                                { try $0[0].bmm($0[1]) }, "bmm of permute(1, 0, 2) \(dtype)")
        // A 2-D transposed view shared by the batch, on either side.
        let w = try randn([n, k], dtype, seed: 7), c = try randn([k, m], dtype, seed: 8)
        try expectMatchesCopies([a, w], { [try $0[0].mT, try $0[1].t()] },
                                { try $0[0].matmul($0[1]) }, "batch @ t() \(dtype)")
        try expectMatchesCopies([c, b], { [try $0[0].t(), try $0[1].mT] },
                                { try $0[0].matmul($0[1]) }, "t() @ batch \(dtype)")
        // An expanded batch (stride 0) and every other matrix of a batch.
        let one = try randn([1, m, k], dtype, seed: 9), many = try randn([2 * bs, k, n], dtype, seed: 10)
        try expectMatchesCopies([one, many], { [try $0[0].expand([bs, m, k]), try $0[1].slice(dim: 0, step: 2)] },
                                { try $0[0].bmm($0[1]) }, "expanded @ every other matrix \(dtype)")
        // Four dimensions: a transposed view whose batch dimensions fold into one.
        let four = try randn([2, 3, k, m], dtype, seed: 11), rhs = try randn([2, 3, k, n], dtype, seed: 12)
        try expectMatchesCopies([four, rhs], { [try $0[0].mT, $0[1]] },
                                { try $0[0].matmul($0[1]) }, "4-D mT @ 4-D \(dtype)")
    }

    @Test(arguments: [DType.float32, .float64])
    func vectorsAndAddmmOfViews(_ dtype: DType) throws {
        let a = try randn([5, 4], dtype, seed: 13), v = try randn([10], dtype, seed: 14)
        try expectMatchesCopies([a, v], { [try $0[0].t(), try $0[1].slice(dim: 0, step: 2)] },
                                { try $0[0].matmul($0[1]) }, "t() @ strided vector \(dtype)")
        try expectMatchesCopies([a, v], { [try $0[0].narrow(dim: 1, start: 1, length: 2).t(), try $0[1].slice(dim: 0, step: 2)] },
                                { try $0[1].matmul($0[0].t()) }, "strided vector @ view \(dtype)")
        let u = try randn([10], dtype, seed: 27)
        try expectMatchesCopies([v, u], { [try $0[0].slice(dim: 0, step: 2), try $0[1].slice(dim: 0, start: 1, step: 2)] },
                                { try $0[0].dot($0[1]) }, "dot of strided vectors \(dtype)")
        try expectMatchesCopies([v, a], { [try $0[0].slice(dim: 0, step: 3), try $0[1].select(dim: 1, index: 2)] },
                                { try $0[0].outer($0[1]) }, "outer of strided vectors \(dtype)")
        // addmm with a transposed weight (a linear layer) and a strided bias.
        let x = try randn([5, 3], dtype, seed: 15), bias = try randn([2, 8], dtype, seed: 16)
        try expectMatchesCopies([bias, x, a], { [try $0[0].select(dim: 0, index: 1).slice(dim: 0, step: 2), try $0[1].t(), $0[2]] },
                                { try Tensor.addmm($0[0], $0[1], $0[2], beta: 0.5, alpha: 2) }, "addmm of views \(dtype)")
        let bias2 = try randn([5, 3], dtype, seed: 26)
        try expectMatchesCopies([bias2, x, a],
                                { [try $0[0].t(), try $0[1].slice(dim: 0, step: 2), try $0[2].t().narrow(dim: 0, start: 0, length: 3)] },
                                { try Tensor.addmm($0[0], $0[1], $0[2]) }, "addmm of a transposed bias and sliced operands \(dtype)")
    }

    @Test func gradcheckThroughViews() throws {
        let a = try randn([3, 4], .float64, seed: 17), b = try randn([6, 2], .float64, seed: 18)
        // (a.t() @ b[::2]).t(): the transposes as flags, a sliced operand, a transposed result.
        let f: ([Tensor]) throws -> Tensor = { try $0[0].t().matmul($0[1].slice(dim: 0, step: 2)).t() }
        #expect(try gradcheck(f, inputs: [a, b]))
        #expect(try gradgradcheck(f, inputs: [a, b]))
        let x = try randn([2, 4, 3], .float64, seed: 19), y = try randn([2, 2, 4], .float64, seed: 20)
        let g: ([Tensor]) throws -> Tensor = { try $0[0].mT.bmm($0[1].mT).transpose(0, 1) }
        #expect(try gradcheck(g, inputs: [x, y]))
        #expect(try gradgradcheck(g, inputs: [x, y]))
        let bias = try randn([2, 3], .float64, seed: 21)
        let h: ([Tensor]) throws -> Tensor = {
            try Tensor.addmm($0[0].t(), $0[1].select(dim: 0, index: 1).t(), $0[2].narrow(dim: 0, start: 1, length: 4), alpha: 3)
        }
        #expect(try gradcheck(h, inputs: [bias, x, b]))
        #expect(try gradgradcheck(h, inputs: [bias, x, b]))
    }

    @Test func gradientsComeInTheirOperandsLayout() throws {
        // As PyTorch's mm backward: the gradient of a transposed view is a
        // transposed product, so the transpose's backward makes it contiguous.
        let a = try randn([5, 4], .float64, seed: 28), b = try randn([6, 5], .float64, seed: 29)
        let at = try a.t(), bt = try b.t()
        let y = try at.matmul(bt)
        let g = try Tensor.randn(y.shape, dtype: .float64, generator: Generator(seed: 30))
        let grads = try grad(outputs: [y], inputs: [at, bt], gradOutputs: [g], retainGraph: true)
        #expect(grads[0]?.strides == at.strides && grads[1]?.strides == bt.strides)
        let leaves = try grad(outputs: [y], inputs: [a, b], gradOutputs: [g])
        #expect(leaves[0]?.isContiguous == true && leaves[1]?.isContiguous == true)
        expectClose(try #require(leaves[0]), try bt.matmul(g.t()).detach(), "dL/da = bᵀ·gᵀ")
    }

    @Test func theIssueWorkloadMatchesItsCopies() throws {
        // W6 of autograd-bench on a small size: (a.t() @ b).transpose(0, 1).sum(1).
        let a = try randn([7, 5], .float32, seed: 22), b = try randn([7, 6], .float32, seed: 23)
        try expectMatchesCopies([a, b], { [try $0[0].t(), $0[1]] },
                                { try $0[0].matmul($0[1]).transpose(0, 1).sum(dim: 1) }, "W6")
    }

    @Test func inPlaceChangeOfABaseAfterTheProductIsCaught() throws {
        let a = try randn([3, 3], .float64, seed: 24), b = try randn([3, 2], .float64, seed: 25)
        let base = try a * 1
        let y = try base.t().matmul(b)
        try base.mul_(2)
        #expect(throws: AutogradError.self) { try y.sum().backward() }
        // Untouched, the same product's gradient is that of its copy.
        let fresh = try (try a * 1).t().matmul(b)
        try fresh.sum().backward()
        let expected = try Tensor.ones([3, 2], dtype: .float64).matmul(try b.detach().t()).t()
        expectClose(try #require(a.grad), expected, "a.grad")
    }
}

/// Products with an operand that repeats a row or column (stride 0 in a
/// matrix dimension), large enough that Gemm takes them apart into sums and
/// matrix-vector products (Gemm+RepeatedOperand.swift): values and
/// gradients equal those of the full products of contiguous copies.
@Suite struct RepeatedOperandProductTests {
    static let n = 40   // 40³ multiply-adds, above Gemm.repeatedOperandMinimumWork

    /// An n×n operand that repeats a row, a column or one value, possibly
    /// seen transposed, from a base of its own shape.
    static let repeated: [(name: String, base: [Int], make: @Sendable (Tensor) throws -> Tensor)] = [
        ("rows all alike", [1, n], { try $0.expand([n, n]) }),
        ("columns all alike", [n, 1], { try $0.expand([n, n]) }),
        ("one value", [1, 1], { try $0.expand([n, n]) }),
        ("t() of rows all alike", [1, n], { try $0.expand([n, n]).t() }),
        ("t() of columns all alike", [n, 1], { try $0.expand([n, n]).t() }),
    ]

    @Test(arguments: repeated.indices, [DType.float32, .float64])
    func eitherOperandRepeats(_ i: Int, _ dtype: DType) throws {
        let (name, base, make) = Self.repeated[i]
        let n = Self.n
        let r = try randn(base, dtype, seed: 11), x = try randn([n, n], dtype, seed: 12)
        #expect(Gemm.repeatsRowOrColumn(try make(r)))
        try expectMatchesCopies([r, x], { [try make($0[0]), $0[1]] }, { try $0[0].matmul($0[1]) },
                                "\(name) @ x \(dtype)")
        try expectMatchesCopies([x, r], { [$0[0], try make($0[1])] }, { try $0[0].matmul($0[1]) },
                                "x @ \(name) \(dtype)")
        try expectMatchesCopies([x, r], { [try $0[0].t(), try make($0[1])] }, { try $0[0].mm($0[1]) },
                                "x.t() @ \(name) \(dtype)")
        try expectMatchesCopies([r, r], { [try make($0[0]), try make($0[1])] }, { try $0[0].matmul($0[1]) },
                                "\(name) @ \(name) \(dtype)")
    }

    @Test(arguments: [DType.float32, .float64])
    func batchedAndBroadcast(_ dtype: DType) throws {
        let (bs, n) = (3, Self.n)
        let x = try randn([bs, n, n], dtype, seed: 13), row = try randn([bs, 1, n], dtype, seed: 14)
        let w = try randn([n, 1], dtype, seed: 15)
        try expectMatchesCopies([x, row], { [$0[0], try $0[1].expand([bs, n, n])] },
                                { try $0[0].bmm($0[1]) }, "bmm, rows alike per matrix \(dtype)")
        try expectMatchesCopies([row, x], { [try $0[0].expand([bs, n, n]).mT, $0[1]] },
                                { try $0[0].matmul($0[1]) }, "matmul, mT of rows alike \(dtype)")
        try expectMatchesCopies([x, w], { [$0[0], try $0[1].expand([n, n])] },
                                { try $0[0].matmul($0[1]) }, "batch @ shared columns alike \(dtype)")
    }

    /// The gradient of a sum of a product is an expanded tensor: W6's
    /// program, whose backward's two products both take it apart.
    @Test(arguments: [DType.float32, .float64])
    func sumOfTransposedProduct(_ dtype: DType) throws {
        let n = Self.n
        let a = try randn([n, n], dtype, seed: 16), b = try randn([n, n], dtype, seed: 17)
        try expectMatchesCopies([a, b], { [try $0[0].t(), $0[1]] },
                                { try $0[0].matmul($0[1]).transpose(0, 1).sum(dim: 1) }, "W6 \(dtype)")
        try expectMatchesCopies([a, b], { $0 }, { try $0[0].matmul($0[1]).sum() }, "(a @ b).sum() \(dtype)")
        try expectMatchesCopies([a, b], { $0 }, { try $0[0].matmul($0[1]).mean(dim: 0) }, "mean over rows \(dtype)")
    }

    @Test func gradgradcheckThroughRepeatedOperands() throws {
        let (m, n) = (8, 64)   // 8·64·64 multiply-adds: just enough, and few inputs to perturb
        let a = try randn([m, n], .float64, seed: 18), v = try randn([1, n], .float64, seed: 19)
        // Second derivatives: the backward's products (of the expanded gradient) are themselves recorded.
        #expect(try gradgradcheck({ try ($0[0].matmul($0[1].expand([n, n])) * $0[0]).sum(dim: 0) }, inputs: [a, v]))
    }
}
