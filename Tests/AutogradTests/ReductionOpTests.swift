import Foundation
import Testing
@testable import Autograd

/// Runs one case of Fixtures/reductions.json (scripts/fixtures/reductions.py)
/// through the op it names: returns the outputs.
func applyReductionFixture(_ c: FixtureCase, _ x: Tensor) throws -> [Tensor] {
    let keep = c.arg("keepDim")?.bool ?? false
    let dim = c.arg("dim")?.int, dims = c.arg("dims")?.ints
    let unbiased = c.arg("unbiased")?.bool ?? true
    switch c.op {
    case "mean": return [try x.mean(dims: dims!, keepDim: keep)]
    case "prod": return [try dim.map { try x.prod(dim: $0, keepDim: keep) } ?? x.prod()]
    case "var": return [try x.var(dims: dims, unbiased: unbiased, keepDim: keep)]
    case "std": return [try x.std(dims: dims, unbiased: unbiased, keepDim: keep)]
    case "logsumexp": return [try x.logsumexp(dims: dims!, keepDim: keep)]
    case "cumsum": return [try x.cumsum(dim: dim!)]
    case "cumprod": return [try x.cumprod(dim: dim!)]
    case "norm":
        let p: Double = switch c.arg("p") {
        case .string("inf"): .infinity
        case .string("-inf"): -.infinity
        case let v: v?.double ?? 2
        }
        return [try x.norm(p: p, dims: dims, keepDim: keep)]
    case "max_dim": let r = try x.max(dim: dim!, keepDim: keep); return [r.values, r.indices]
    case "min_dim": let r = try x.min(dim: dim!, keepDim: keep); return [r.values, r.indices]
    case "max_all": return [try x.max()]
    case "min_all": return [try x.min()]
    case "argmax": return [try x.argmax(dim: dim, keepDim: keep)]
    case "argmin": return [try x.argmin(dim: dim, keepDim: keep)]
    case "sort":
        let r = try x.sort(dim: dim!, descending: c.arg("descending")!.bool!)
        return [r.values, r.indices]
    case "argsort": return [try x.argsort(dim: dim!, descending: c.arg("descending")!.bool!)]
    case "topk":
        let r = try x.topk(c.arg("k")!.int!, dim: dim!, largest: c.arg("largest")!.bool!)
        return [r.values, r.indices]
    default: throw AutogradError.invalidArgument("unknown fixture op \(c.op)")
    }
}

/// Compares a case's outputs and input gradient with PyTorch's: the fixture's
/// grad_outputs are fed through backward.
func checkReductionFixture(_ c: FixtureCase, rtol: Double? = nil, atol: Double? = nil) throws {
    let x = try c.inputs[0].tensor()
    let outs = try applyReductionFixture(c, x)
    let tol = tolerance(c.dtypeValue)
    let (rt, at) = (rtol ?? tol.rtol, atol ?? tol.atol)
    #expect(outs.count == c.outputs.count, "\(c.name): output count")
    for (k, (o, e)) in zip(outs, c.outputs).enumerated() {
        #expect(o.dtype == (e.dtype.flatMap(DType.init(rawValue:)) ?? o.dtype), "\(c.name): output \(k) dtype")
        expectClose(o, e, rtol: rt, atol: at, "\(c.name) output \(k)")
        if o.dtype == .int64 { #expect(!o.requiresGrad, "\(c.name): an index output requires grad") }
    }
    guard let gos = c.grad_outputs, let grads = c.grads else { return }
    var ys: [Tensor] = [], gs: [Tensor?] = []
    for (o, g) in zip(outs, gos) {
        guard let g else { continue }
        ys.append(o)
        gs.append(try g.tensor(c.dtypeValue))
    }
    let gx = try grad(outputs: ys, inputs: [x], gradOutputs: gs, allowUnused: true)[0]
    expectClose(gx, grads[0], rtol: rt, atol: at, "\(c.name) grad")
}

private let reductionOps: Set = ["mean", "prod", "var", "std", "logsumexp", "cumsum", "cumprod", "norm"]

/// A float64 input of `shape` that requires grad, with distinct values (and
/// distinct magnitudes) in [-2, 2], none within 0.1 of zero.
func distinctInput(_ shape: [Int], seed: Double = 0) throws -> Tensor {
    let values = (0..<Shape.count(shape)).map { i -> Double in
        let v = 2 * Foundation.sin(Double(i) * 2.3 + 0.5 + seed)
        return Swift.abs(v) < 0.1 ? v + 0.3 : v
    }
    return try Tensor(values, shape: shape, dtype: .float64, requiresGrad: true)
}

@Suite struct ReductionOpTests {
    @Test(arguments: Fixtures.load("reductions").filter { reductionOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws {
        try checkReductionFixture(c)
    }

    // MARK: finite differences (float64)

    @Test(arguments: [
        ("mean", [2, 3, 4]), ("prod", [3, 4]), ("prodDim", [2, 3, 4]), ("var", [2, 3, 4]), ("varPop", [3, 4]),
        ("std", [2, 3, 4]), ("logsumexp", [2, 3, 4]), ("logsumexpAll", [3, 4]), ("cumsum", [3, 4]),
        ("cumprod", [3, 4]), ("cumprodZeros", [3, 5]),
        ("norm2", [2, 3, 4]), ("norm1", [3, 4]), ("norm3", [3, 4]), ("norm1.5", [2, 3, 4]), ("norm0.5", [3, 4]),
        ("normInf", [3, 4]), ("normNegInf", [2, 3, 4]), ("normDims", [2, 3, 4]),
    ])
    func gradcheckAndGradgradcheck(_ op: String, _ shape: [Int]) throws {
        let f: (Tensor) throws -> Tensor = switch op {
        case "mean": { try $0.mean(dims: [0, 2], keepDim: true) }
        case "prod": { try $0.prod() }
        case "prodDim": { try $0.prod(dim: 1) }
        case "var": { try $0.var(dims: [0, 2]) }
        case "varPop": { try $0.var(dim: 1, unbiased: false, keepDim: true) }
        case "std": { try $0.std(dims: [2, 0], keepDim: true) }
        case "logsumexp": { try $0.logsumexp(dims: [0, 2]) }
        case "logsumexpAll": { try $0.logsumexp(dims: []) }
        case "cumsum": { try $0.cumsum(dim: -1) }
        case "cumprod": { try $0.cumprod(dim: 0) }
        case "cumprodZeros": { try $0.cumprod(dim: 1) }
        case "norm2": { try $0.norm() }
        case "norm1": { try $0.norm(p: 1, dim: 1) }
        case "norm3": { try $0.norm(p: 3, dim: 0, keepDim: true) }
        case "norm1.5": { try $0.norm(p: 1.5, dims: [0, 2]) }
        case "norm0.5": { try $0.norm(p: 0.5, dim: 1) }
        case "normInf": { try $0.norm(p: .infinity, dim: 1) }
        case "normNegInf": { try $0.norm(p: -.infinity, dims: [0, 2]) }
        default: { try $0.norm(p: 2, dims: [0, 2], keepDim: true) }
        }
        var x = try distinctInput(shape)
        if op == "cumprodZeros" {
            // One zero, two zeros and a leading zero in the slices: the gradient's special cases.
            x = try Tensor([1.5, 0.7, 0, -1.2, 0.9, 1.1, 0, -0.8, 0, 1.3, 0, 0.6, -1.4, 1.2, 0.8],
                           shape: [3, 5], dtype: .float64, requiresGrad: true)
        }
        #expect(try gradcheck({ try f($0[0]) }, inputs: [x]))
        #expect(try gradgradcheck({ try f($0[0]) }, inputs: [x]))
    }

    /// The backward written with recorded ops (createGraph, for double
    /// backward) gives the same gradient as the fused C backward.
    @Test(arguments: ["prod", "prodZeros", "var", "std", "logsumexp", "norm2", "norm1", "norm3", "norm1.5", "norm0.5",
                      "normInf", "norm0", "normZeroSlice", "max", "cumsum"])
    func recordedBackwardMatchesFused(_ op: String) throws {
        var x = try distinctInput([3, 4])
        if op == "prodZeros" || op == "normZeroSlice" {
            x = try Tensor([1.5, 0, -2, 0.5, 0, 0, 0, 0, -0.5, 1.1, 0, 0.3], shape: [3, 4], dtype: .float64, requiresGrad: true)
        }
        let f: (Tensor) throws -> Tensor = switch op {
        case "prod", "prodZeros": { try $0.prod(dim: 1) }
        case "var": { try $0.var(dim: 0, keepDim: true) }
        case "std": { try $0.std(dims: [0, 1]) }
        case "logsumexp": { try $0.logsumexp(dim: 1) }
        case "norm1": { try $0.norm(p: 1, dim: 1) }
        case "norm3": { try $0.norm(p: 3, dim: 1) }
        case "norm1.5": { try $0.norm(p: 1.5, dim: 0) }
        case "norm0.5": { try $0.norm(p: 0.5, dim: 1) }
        case "normInf": { try $0.norm(p: .infinity, dim: 1) }
        case "norm0": { try $0.norm(p: 0, dim: 1) }
        case "max": { try $0.max() }
        case "cumsum": { try $0.cumsum(dim: 0) }
        default: { try $0.norm(dim: 1) }
        }
        let y = try f(x)
        let v = try Tensor((0..<y.count).map { Double($0) * 0.37 - 0.5 }, shape: y.shape, dtype: .float64)
        let fused = try grad(of: y, wrt: x, gradOutput: v, retainGraph: true)!
        let recorded = try grad(of: y, wrt: x, gradOutput: v, createGraph: true)!
        expectClose(recorded.toArray(), fused.toArray(), rtol: 1e-12, atol: 1e-12, "\(op): recorded vs fused backward")
    }

    @Test func prodWithZerosMatchesFiniteDifferencesTwice() throws {
        // One zero in a slice: the gradient there is the product of the others.
        let x = try Tensor([1.5, 0, -2, 0.5, 3, -1.25, 0.75, 2, -0.5, 1.1, 0, 0], shape: [3, 4],
                           dtype: .float64, requiresGrad: true)
        #expect(try gradcheck({ try $0[0].prod(dim: 1) }, inputs: [x]))
        #expect(try gradgradcheck({ try $0[0].prod(dim: 1) }, inputs: [x]))
        let y = try Tensor([2, 0, 3, -1], dtype: .float64, requiresGrad: true)
        #expect(try gradcheck({ try $0[0].prod() }, inputs: [y]))
        #expect(try gradgradcheck({ try $0[0].prod() }, inputs: [y]))
        let g = try grad(of: y.prod(), wrt: y)!
        #expect(g.toArray() == [0, -6, 0, 0])
    }

    @Test func zeroNormAndConstantStdHaveZeroGradient() throws {
        let x = try Tensor.zeros([3], dtype: .float64).requiresGrad()
        #expect(try grad(of: x.norm(), wrt: x)!.toArray() == [0, 0, 0])
        #expect(try grad(of: x.norm(p: 3), wrt: x)!.toArray() == [0, 0, 0])
        #expect(try grad(of: x.std(), wrt: x)!.toArray() == [0, 0, 0])
        // Recorded (create_graph) backward gives the same zeros, not NaN.
        let g = try grad(of: x.std(), wrt: x, createGraph: true)!
        #expect(g.toArray() == [0, 0, 0])
        let h = try grad(of: x.norm(), wrt: x, createGraph: true)!
        #expect(h.toArray() == [0, 0, 0])
    }

    @Test func logsumexpIsStable() throws {
        let x = try Tensor([1000, 1000, -1000], dtype: .float32)
        let y = try x.logsumexp(dim: 0).item()
        #expect(Swift.abs(y - (1000 + 0.6931471805599453)) < 1e-3)
        let allNegInf = try Tensor([-.infinity, -.infinity], dtype: .float64).logsumexp(dim: 0)
        #expect(try allNegInf.item() == -.infinity)
        let empty = try Tensor.zeros([0, 3], dtype: .float64).logsumexp(dim: 0)
        #expect(empty.toArray() == [-.infinity, -.infinity, -.infinity])
    }

    @Test func existingSumAndMeanStillWork() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float64, requiresGrad: true)
        #expect(try x.sum().item() == 21)
        #expect(try x.sum(dim: 1).toArray() == [6, 15])
        #expect(try x.sum(dims: [0], keepDim: true).shape == [1, 3])
        #expect(try x.mean().item() == 3.5)
        #expect(try x.mean(dim: -1).toArray() == [2, 5])
        #expect(try x.mean(dims: []).shape == [])
    }

    @Test func nonAdjacentDimsUsePermutedLayout() throws {
        let x = try distinctInput([2, 3, 4, 5])
        let layout = try ReductionLayout(x, dims: [3, 1], op: "var")
        #expect(layout.permutation != nil && layout.outer == 8 && layout.n == 15 && layout.inner == 1)
        let adjacent = try ReductionLayout(x, dims: [1, 2], op: "var")
        #expect(adjacent.permutation == nil && adjacent.outer == 2 && adjacent.n == 12 && adjacent.inner == 5)
        // A size-1 kept dim between reduced ones does not force a copy.
        let y = try Tensor.zeros([2, 1, 3], dtype: .float64)
        #expect(try ReductionLayout(y, dims: [0, 2], op: "var").permutation == nil)
        // Reducing over [1, 3] equals reducing 3 then 1.
        let a = try x.logsumexp(dims: [1, 3]).toArray()
        let b = try x.logsumexp(dim: 3).logsumexp(dim: 1).toArray()
        expectClose(a, b, rtol: 1e-12, atol: 1e-12, "logsumexp over [1, 3]")
        #expect(try gradcheck({ try $0[0].std(dims: [1, 3]) }, inputs: [x]))
    }

    @Test func emptyAndEdgeShapes() throws {
        let e = try Tensor.zeros([0, 3], dtype: .float64)
        #expect(try e.prod(dim: 0).toArray() == [1, 1, 1])
        #expect(try e.norm(dim: 0).toArray() == [0, 0, 0])
        #expect(try e.var(dim: 0).toArray().allSatisfy(\.isNaN))
        #expect(try e.cumsum(dim: 0).shape == [0, 3])
        let one = try Tensor([5], dtype: .float64)
        #expect(try one.var().item().isNaN)               // n - 1 = 0 degrees of freedom
        #expect(try one.var(unbiased: false).item() == 0)
        let s = try Tensor(scalar: 2, dtype: .float64)
        #expect(try s.prod().item() == 2 && s.cumsum(dim: 0).item() == 2 && s.norm().item() == 2)
    }

    // MARK: bad input

    @Test func badInputsThrowPyTorchMessages() throws {
        let x = try Tensor.zeros([2, 3])
        func message(_ f: () throws -> Tensor) -> String? {
            do { _ = try f(); return nil } catch { return "\(error)" }
        }
        #expect(message { try x.mean(dim: 2) } == "mean: Dimension out of range (expected to be in range of [-2, 1], but got 2)")
        #expect(message { try x.var(dims: [0, -2]) } == "dim 0 appears multiple times in the list of dims")
        #expect(message { try x.logsumexp(dims: [1, 1]) } == "dim 1 appears multiple times in the list of dims")
        #expect(message { try x.cumsum(dim: 3) } == "cumsum: Dimension out of range (expected to be in range of [-2, 1], but got 3)")
        #expect(message { try x.prod(dim: -3) } == "prod: Dimension out of range (expected to be in range of [-2, 1], but got -3)")
        #expect(message { try x.norm(dims: [5]) } == "linalg.vector_norm: Dimension out of range (expected to be in range of [-2, 1], but got 5)")
        let i = try Tensor(indices: [1, 2])
        #expect(message { try i.mean(dims: [0]) } == "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long")
        #expect(message { try i.var() } == "std and var only support floating point and complex dtypes")
        #expect(message { try i.std() } == "std and var only support floating point and complex dtypes")
        #expect(message { try i.norm() } == "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long")
        // prod and cumsum of integers are int64, as PyTorch's (no longer refused).
        #expect(try i.prod().dtype == .int64 && i.prod().ints() == [2])
        #expect(try i.cumsum(dim: 0).ints() == [1, 3])
        let e = try Tensor.zeros([0, 3])
        #expect(message { try e.norm(p: .infinity) } == "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity")
        #expect(message { try e.norm(p: -1, dim: 0) } == "linalg.vector_norm cannot compute the -1 norm on the dimension 0 because this dimension is empty and the operation does not have an identity")
        #expect(try e.norm(p: .infinity, dim: 1).shape == [0])
        #expect(message { try i.logsumexp(dim: 0) } == "logsumexp: expected a floating point tensor, got torch.int64")
    }
}

/// The mean of no elements is NaN (0 / 0), as PyTorch's; of integers, PyTorch's error.
@Test func meanOfNothingIsNaN() throws {
    #expect(try Tensor.zeros([0]).mean().item().isNaN)
    #expect(try Tensor.zeros([0, 3]).mean(dim: 0).toArray().allSatisfy(\.isNaN))
    #expect(throws: AutogradError.invalidArgument(
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long")) {
        try Tensor(indices: [1, 2]).mean()
    }
}

/// PyTorch's refusals: a dim listed twice in a reduction, matrix products of two dtypes; integer products.
@Test func repeatedDimsAndMixedProductDTypes() throws {
    let x = try Tensor.ones([2, 2])
    let d = try Tensor.ones([2, 2], dtype: .float64), i = try Tensor(indices: [1, 2, 3, 4], shape: [2, 2])
    #expect(throws: AutogradError.invalidArgument("dim 0 appears multiple times in the list of dims")) { try x.sum(dims: [0, 0]) }
    #expect(throws: AutogradError.invalidArgument("dim 1 appears multiple times in the list of dims")) { try x.sum(dims: [1, -1]) }
    #expect(throws: AutogradError.invalidArgument("expected m1 and m2 to have the same dtype, but got: float != double")) { try x.mm(d) }
    #expect(throws: AutogradError.invalidArgument("expected m1 and m2 to have the same dtype, but got: long int != float")) { try i.matmul(x) }
    #expect(throws: AutogradError.invalidArgument("expected scalar type Float but found Double")) {
        try x.unsqueeze(dim: 0).bmm(d.unsqueeze(dim: 0))
    }
    #expect(throws: AutogradError.invalidArgument("dot : expected both vectors to have same dtype, but found Float and Double")) {
        try x[0].dot(d[0])
    }
    #expect(throws: AutogradError.invalidArgument("self and mat2 must have the same dtype, but got Float and Double")) {
        try Tensor.addmm(x, x, d)
    }
    // Integer products are exact, wrapping as PyTorch's ([[1, 2], [3, 4]]² = [[7, 10], [15, 22]]).
    #expect(try i.mm(i).ints() == [7, 10, 15, 22])
    let big = try Tensor(indices: [1 << 62, 3], shape: [1, 2]), col = try Tensor(indices: [4, 5], shape: [2, 1])
    #expect(try big.matmul(col).ints() == [15])
    #expect(throws: AutogradError.invalidArgument("\"addmm_impl_cpu_\" not implemented for 'Bool'")) {
        try Tensor.ones([2, 2], dtype: .bool).mm(Tensor.ones([2, 2], dtype: .bool))
    }
    #expect(try x[0].outer(d[0]).dtype == .float64)
}

/// Integer and bool tensors sum to int64, exactly and wrapping around on
/// overflow (PyTorch: [T, F, T].sum() = 2, [2^62, 2^62].sum() = -2^63).
@Test func integerSums() throws {
    let mask = try Tensor([1, 0, 1], dtype: .bool)
    #expect(try mask.sum().dtype == .int64 && mask.sum().ints() == [2])
    let m = try Tensor(indices: [1, 2, 3, 4], shape: [2, 2])
    #expect(try m.sum(dim: 0).ints() == [4, 6])
    #expect(try Tensor(indices: [1 << 62, 1 << 62]).sum().ints() == [Int.min])
    #expect(try Tensor(indices: [16_777_217, 1]).sum().ints() == [16_777_218])
    let bools = try Tensor([1, 0, 1, 1], shape: [2, 2], dtype: .bool)
    #expect(try bools.sum(dim: 1, keepDim: true).ints() == [1, 2])
    #expect(try Tensor.zeros([0], dtype: .int64).sum().ints() == [0])
}
