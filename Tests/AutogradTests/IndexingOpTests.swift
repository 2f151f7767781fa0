import Testing
@testable import Autograd

// Slicing and indexing ops (x[i], slice, narrow, indexSelect, gather,
// scatterAdd, indexAdd, maskedFill) against PyTorch
// (scripts/fixtures/shape_ops.py), by gradcheck, and on bad input. The
// float32 tolerance is the default one: the only arithmetic is the
// accumulation of repeated indices, a few terms at most.

private let indexingOps: Set<String> = ["narrow", "select", "slice", "index_select", "gather", "scatter_add",
                                         "index_add", "masked_fill"]

@Suite struct IndexingOpTests {
    @Test(arguments: Fixtures.load("shape_ops").filter { indexingOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws { try checkShapeFixture(c) }

    @Test func fixtureCoversEveryIndexingOp() {
        let ops = Set(Fixtures.load("shape_ops").map(\.op))
        #expect(indexingOps.isSubset(of: ops))
    }

    static func mask() throws -> Tensor { try Tensor([1, 0, 0, 1, 1, 0], shape: [2, 3], dtype: .bool) }
    static var differentiable: [(String, [[Int]], ([Tensor]) throws -> Tensor)] { [
        ("x[i]", [[3, 2]], { $0[0][-2] }),
        ("slice", [[3, 7]], { try $0[0].slice(dim: 1, start: 1, end: -1, step: 2) }),
        ("narrow", [[4, 3]], { try $0[0].narrow(dim: 0, start: 1, length: 2) }),
        ("indexSelect", [[4, 3]], { try $0[0].indexSelect(dim: 0, index: Tensor(indices: [3, 0, 3])) }),
        ("gather", [[3, 4]], { try $0[0].gather(dim: 1, index: Tensor(indices: [0, 3, 3, 1, 2, 2], shape: [3, 2])) }),
        ("scatterAdd", [[2, 3], [2, 2]], {
            try $0[0].scatterAdd(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: $0[1])
        }),
        ("scatterAdd larger src", [[2, 3], [3, 4]], {
            try $0[0].scatterAdd(dim: 0, index: Tensor(indices: [1, 0], shape: [1, 2]), src: $0[1])
        }),
        ("indexAdd", [[4, 2], [3, 2]], {
            try $0[0].indexAdd(dim: 0, index: Tensor(indices: [1, 3, 1]), source: $0[1], alpha: 0.5)
        }),
        ("maskedFill", [[3]], { try $0[0].maskedFill(mask: IndexingOpTests.mask(), value: 2) }),
        // Products make the second derivative non-trivial.
        ("gather squared", [[3, 4]], { xs in
            let g = try xs[0].gather(dim: 0, index: Tensor(indices: [2, 0, 1, 1], shape: [1, 4]))
            return try g * g
        }),
        ("slice squared", [[5]], { xs in let s = try xs[0].slice(start: 1, step: 3); return try s * s }),
    ] }

    @Test(arguments: differentiable.indices)
    func gradcheckAndGradgradcheck(_ i: Int) throws {
        let (name, shapes, f) = Self.differentiable[i]
        let inputs = try shapes.enumerated().map { try shapeOpLeaf($1, seed: UInt64($0 + 7)) }
        #expect(try gradcheck(f, inputs: inputs), "\(name)")
        #expect(try gradgradcheck(f, inputs: inputs), "\(name)")
    }

    @Test func slicingSemantics() throws {
        let x = try Tensor((0..<10).map(Double.init), shape: [2, 5])
        #expect(x[1].toArray() == [5, 6, 7, 8, 9])
        #expect(x[-2].shape == [5])
        #expect(try x.slice(dim: 1, start: 1, end: 5, step: 2).toArray() == [1, 3, 6, 8])
        #expect(try x.slice(dim: -1, start: -2).toArray() == [3, 4, 8, 9])
        let whole = try x.slice(dim: 1, start: -10, end: 10)
        #expect(whole.sharesStorage(with: x) && whole.shape == x.shape && whole.base === x)
        #expect(try x.slice(dim: 1, start: 4, end: 2).shape == [2, 0])
        #expect(try x.slice(dim: 1, end: -1, step: 3).toArray() == [0, 3, 5, 8])
        #expect(try x.narrow(dim: 1, start: -1, length: 1).toArray() == [4, 9])
        #expect(try x[0][2].item() == 2)
    }

    @Test func indexingSemantics() throws {
        let x = try Tensor((0..<6).map(Double.init), shape: [2, 3])
        #expect(try x.indexSelect(dim: 1, index: Tensor(indices: [2, 2, 0])).toArray() == [2, 2, 0, 5, 5, 3])
        #expect(try x.indexSelect(dim: 0, index: Tensor(indices: [1], shape: [])).shape == [1, 3])
        #expect(try x.gather(dim: 1, index: Tensor(indices: [1, 1, 1, 1, 1], shape: [1, 5])).toArray() == [1, 1, 1, 1, 1])
        let sa = try Tensor.zeros([2, 3]).scatterAdd(dim: 0, index: Tensor(indices: [1, 0, 1], shape: [3, 1]),
                                                     src: Tensor.ones([3, 1]))
        #expect(sa.toArray() == [1, 0, 0, 2, 0, 0])
        let ia = try Tensor.zeros([2, 3]).indexAdd(dim: 1, index: Tensor(indices: [0, 0]), source: Tensor.ones([2, 2]), alpha: 2)
        #expect(ia.toArray() == [4, 0, 0, 4, 0, 0])
        let m = try Tensor.zeros([3]).maskedFill(mask: Tensor([1, 1, 1, 1, 1, 1], shape: [2, 3], dtype: .bool), value: 1)
        #expect(m.shape == [2, 3] && m.toArray() == [1, 1, 1, 1, 1, 1])
        #expect(try x.gather(dim: 0, index: Tensor(indices: [], shape: [0, 3])).shape == [0, 3])
    }

    @Test func scatterAddGradientIsPaddedToSource() throws {
        let x = try Tensor.zeros([2, 3]).requiresGrad()
        let src = try Tensor((0..<12).map(Double.init), shape: [3, 4], requiresGrad: true)
        let y = try x.scatterAdd(dim: 1, index: Tensor(indices: [0, 1, 1, 0], shape: [2, 2]), src: src)
        try y.sum().backward()
        #expect(src.grad?.toArray() == [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
        #expect(x.grad?.toArray() == [1, 1, 1, 1, 1, 1])
    }

    @Test func indexTensorsGetNoGradient() throws {
        let x = try shapeOpLeaf([4])
        let i = try Tensor(indices: [1, 1])
        let y = try x.indexSelect(dim: 0, index: i)
        #expect(y.requiresGrad && !i.requiresGrad)
        try y.sum().backward()
        #expect(x.grad?.toArray() == [0, 2, 0, 0])
        #expect(i.grad == nil)
    }

    @Test func badSliceInput() throws {
        let x = try Tensor.zeros([2, 3])
        expectShapeOpError("index 5 is out of bounds for dimension 0 with size 2") { try x.at(5) }
        expectShapeOpError("index -3 is out of bounds for dimension 0 with size 2") { try x.at(-3) }
        expectShapeOpError("invalid index of a 0-dim tensor.") { try Tensor.zeros([]).at(0) }
        expectShapeOpError("slice step cannot be zero") { try x.slice(dim: 1, step: 0) }
        expectShapeOpError("step must be greater than zero") { try x.slice(dim: 1, step: -1) }
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.slice(dim: 2) }
        expectShapeOpError("start (2) + length (2) exceeds dimension size (3).") { try x.narrow(dim: 1, start: 2, length: 2) }
        expectShapeOpError("start out of range (expected to be in range of [-3, 3], but got 4)") { try x.narrow(dim: 1, start: 4, length: 0) }
        expectShapeOpError("narrow(): length must be non-negative.") { try x.narrow(dim: 1, start: 0, length: -1) }
        expectShapeOpError("narrow() cannot be applied to a 0-dim tensor.") { try Tensor.zeros([]).narrow(dim: 0, start: 0, length: 1) }
    }

    @Test func badIndexInput() throws {
        let x = try Tensor.zeros([2, 3])
        let i5 = try Tensor(indices: [5]), neg = try Tensor(indices: [-1])
        expectShapeOpError("index 5 is out of bounds for dimension 1 with size 3") { try x.indexSelect(dim: 1, index: i5) }
        expectShapeOpError("index -1 is out of bounds for dimension 1 with size 3") { try x.indexSelect(dim: 1, index: neg) }
        expectShapeOpError("Expected dtype int64 for index") { try x.indexSelect(dim: 1, index: Tensor([1])) }
        expectShapeOpError("index_select(): Index is supposed to be a vector") { try x.indexSelect(dim: 1, index: Tensor(indices: [1], shape: [1, 1])) }
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.indexSelect(dim: 2, index: i5) }
        expectShapeOpError("index 5 is out of bounds for dimension 1 with size 3") { try x.gather(dim: 1, index: Tensor(indices: [5], shape: [1, 1])) }
        expectShapeOpError("Index tensor must have the same number of dimensions as input tensor") { try x.gather(dim: 1, index: i5) }
        expectShapeOpError("Size does not match at dimension 0 expected index [3, 1] to be no larger than self [2, 3] apart from dimension 1") {
            try x.gather(dim: 1, index: Tensor(indices: [1, 1, 1], shape: [3, 1]))
        }
        expectShapeOpError("index -1 is out of bounds for dimension 1 with size 3") {
            try x.scatterAdd(dim: 1, index: Tensor(indices: [-1], shape: [1, 1]), src: Tensor.ones([1, 1]))
        }
        expectShapeOpError("Expected index [1, 2] to be no larger than self [2, 3] apart from dimension 1 and to be no larger size than src [1, 1]") {
            try x.scatterAdd(dim: 1, index: Tensor(indices: [1, 2], shape: [1, 2]), src: Tensor.ones([1, 1]))
        }
        expectShapeOpError("scatter(): Expected self.dtype to be equal to src.dtype") {
            try x.scatterAdd(dim: 1, index: Tensor(indices: [0], shape: [1, 1]), src: Tensor.ones([1, 1], dtype: .float64))
        }
        expectShapeOpError("index 5 is out of bounds for dimension 1 with size 3") { try x.indexAdd(dim: 1, index: i5, source: Tensor.ones([2, 1])) }
        expectShapeOpError("index_add_(): Number of indices (1) should be equal to source.size(dim): (2), for dim: 1") {
            try x.indexAdd(dim: 1, index: Tensor(indices: [1]), source: Tensor.ones([2, 2]))
        }
        expectShapeOpError("source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = [2, 3] source.shape = [3, 1]") {
            try x.indexAdd(dim: 1, index: Tensor(indices: [1]), source: Tensor.ones([3, 1]))
        }
        expectShapeOpError("masked_fill_ only supports boolean masks, but got mask with dtype float") {
            try x.maskedFill(mask: Tensor.ones([2, 3]), value: 1)
        }
        expectShapeOpError("The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0") {
            try x.maskedFill(mask: Tensor.ones([3, 3], dtype: .bool), value: 1)
        }
        // gather takes int64 too, as PyTorch's (no longer refused).
        #expect(try Tensor(indices: [1, 2]).gather(dim: 0, index: Tensor(indices: [1, 1, 0])).ints() == [2, 2, 1])
        expectShapeOpError("0-dim") { try Tensor.zeros([]).indexSelect(dim: 0, index: Tensor(indices: [0])) }
    }

    @Test func indexSelectCopiesLabels() throws {
        let labels = try Tensor(indices: [7, 1, 4, 9])
        let picked = try labels.indexSelect(dim: 0, index: try Tensor(indices: [3, 0, 0]))
        #expect(picked.dtype == .int64 && !picked.requiresGrad)
        #expect(try picked.ints() == [9, 7, 7])
    }
}
