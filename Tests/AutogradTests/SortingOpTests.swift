import Testing
@testable import Autograd

private let sortingOps: Set = ["max_dim", "min_dim", "max_all", "min_all", "argmax", "argmin", "sort", "argsort", "topk"]

@Suite struct SortingOpTests {
    @Test(arguments: Fixtures.load("reductions").filter { sortingOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws {
        try checkReductionFixture(c)
    }

    // MARK: finite differences (float64)

    @Test(arguments: ["maxDim", "minDimKeep", "maxAll", "minAll", "sort", "sortDesc", "sortDim0", "topk", "topkSmallest", "sortLong"])
    func gradcheckAndGradgradcheck(_ op: String) throws {
        let f: (Tensor) throws -> Tensor = switch op {
        case "maxDim": { try $0.max(dim: 1).values }
        case "minDimKeep": { try $0.min(dim: -3, keepDim: true).values }
        case "maxAll": { try $0.max() }
        case "minAll": { try $0.min() }
        case "sort": { try $0.sort().values }
        case "sortDesc": { try $0.sort(dim: 1, descending: true).values }
        case "sortDim0": { try $0.sort(dim: 0).values }
        case "topk": { try $0.topk(2, dim: 1).values }
        case "topkSmallest": { try $0.topk(3, dim: -1, largest: false).values }
        default: { try $0.sort(dim: 1).values }
        }
        let x = try distinctInput(op == "sortLong" ? [2, 40, 3] : [2, 3, 4])
        #expect(try gradcheck({ try f($0[0]) }, inputs: [x]))
        #expect(try gradgradcheck({ try f($0[0]) }, inputs: [x]))
    }

    @Test func multipleOutputsGradcheck() throws {
        // Both outputs returned: the int64 indices are skipped by gradcheck.
        let x = try distinctInput([3, 4])
        #expect(try gradcheck({ xs in let r = try xs[0].max(dim: 0); return [r.values, r.indices] }, inputs: [x]))
        #expect(try gradcheck({ xs in let r = try xs[0].topk(2); return [r.values, r.indices] }, inputs: [x]))
    }

    @Test func indicesAreNotDifferentiable() throws {
        let x = try distinctInput([3, 4])
        let m = try x.max(dim: 1), s = try x.sort(), t = try x.topk(2)
        for (v, i) in [(m.values, m.indices), (s.values, s.indices), (t.values, t.indices)] {
            #expect(v.requiresGrad && v.gradFn != nil)
            #expect(i.dtype == .int64 && !i.requiresGrad)
        }
        #expect(m.values.gradFn?.name == "MaxBackward")
        #expect(t.values.gradFn?.name == "TopkBackward")
        #expect(try x.argsort().requiresGrad == false && x.argmax().requiresGrad == false)
    }

    @Test func tiesSplitGradientAndSortIsStable() throws {
        let x = try Tensor([3, 1, 3, 3, 0], dtype: .float64, requiresGrad: true)
        let g = try grad(of: x.max(), wrt: x)!
        expectClose(g.toArray(), [1.0 / 3, 0, 1.0 / 3, 1.0 / 3, 0], rtol: 1e-15, atol: 0, "max() ties")
        let h = try grad(of: x.min(), wrt: x)!
        #expect(h.toArray() == [0, 0, 0, 0, 1])
        // Along a dim, the first occurrence wins and takes the whole gradient.
        let m = try x.max(dim: 0)
        #expect(try m.indices.item() == 0)
        #expect(try grad(of: m.values, wrt: x)!.toArray() == [1, 0, 0, 0, 0])
        #expect(try x.sort().indices.ints() == [4, 1, 0, 2, 3])
        #expect(try x.sort(descending: true).indices.ints() == [0, 2, 3, 1, 4])
        #expect(try x.argsort(descending: true).ints() == [0, 2, 3, 1, 4])
    }

    @Test func nanCountsAsLargest() throws {
        let x = try Tensor([1, .nan, 3], dtype: .float32)
        #expect(try x.max().item().isNaN)
        #expect(try x.max(dim: 0).indices.item() == 1)
        #expect(try x.min(dim: 0).indices.item() == 1)
        #expect(try x.sort().indices.ints() == [0, 2, 1])
        #expect(try x.sort(descending: true).indices.ints() == [1, 2, 0])
        #expect(try x.topk(2).indices.ints() == [1, 2])
        #expect(try x.argmax().item() == 1)
    }

    @Test func int64Inputs() throws {
        let x = try Tensor(indices: [4, -2, 9, 7], shape: [2, 2])
        let s = try x.sort(dim: 1)
        #expect(s.values.dtype == .int64)
        #expect(try s.values.ints() == [-2, 4, 7, 9])
        #expect(try s.indices.ints() == [1, 0, 1, 0])
        #expect(try x.max().ints() == [9])
        #expect(try x.min(dim: 0).values.ints() == [4, -2])
        #expect(try x.argmax(dim: 1).ints() == [0, 0])
        #expect(try x.argmin().item() == 1)
        #expect(try x.topk(1, dim: 0).values.ints() == [9, 7])
    }

    @Test func shapesOfArgmaxAndKeepDim() throws {
        let x = try distinctInput([2, 3, 4])
        #expect(try x.argmax().shape == [])
        #expect(try x.argmax(keepDim: true).shape == [1, 1, 1])
        #expect(try x.argmin(dim: 1, keepDim: true).shape == [2, 1, 4])
        #expect(try x.max(dim: 2).values.shape == [2, 3])
        #expect(try x.topk(0, dim: 1).values.shape == [2, 0, 4])
        let s = try Tensor(scalar: 4, dtype: .float64, requiresGrad: true)
        let r = try s.max(dim: 0, keepDim: true)
        #expect(r.values.shape == [])
        #expect(try r.indices.item() == 0)
        #expect(try grad(of: s.sort().values, wrt: s)!.item() == 1)
        #expect(try s.topk(0).values.item() == 4)
    }

    // MARK: bad input

    @Test func badInputsThrowPyTorchMessages() throws {
        let x = try Tensor.zeros([2, 3])
        func message(_ f: () throws -> Any) -> String? {
            do { _ = try f(); return nil } catch { return "\(error)" }
        }
        #expect(message { try x.max(dim: 2) } == "max: Dimension out of range (expected to be in range of [-2, 1], but got 2)")
        #expect(message { try x.sort(dim: -3) } == "sort: Dimension out of range (expected to be in range of [-2, 1], but got -3)")
        #expect(message { try x.topk(4) } == "topk: selected index k out of range")
        #expect(message { try x.topk(-1) } == "topk: selected index k out of range")
        let e = try Tensor.zeros([0, 3])
        #expect(message { try e.max() } == "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        #expect(message { try e.min() } == "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        #expect(message { try e.max(dim: 0) } == "max(): Expected reduction dim 0 to have non-zero size.")
        #expect(message { try e.argmax() } == "argmax(): Expected reduction dim to be specified for input.numel() == 0.")
        #expect(message { try e.argmin(dim: 0) } == "argmin(): Expected reduction dim 0 to have non-zero size.")
        #expect(try e.max(dim: 1).values.shape == [0])
        let b = try Tensor([1, 0], dtype: .bool)
        #expect(message { try b.sort() } == "sort: torch.bool is not supported")
    }
}
