import Testing
@testable import Autograd

// Shape ops (transpose, permute, t, mT, squeeze, unsqueeze, flatten, expand,
// cat, stack, split, chunk) against PyTorch (scripts/fixtures/shape_ops.py),
// by gradcheck, and on bad input. These ops only move values, so the float32
// tolerance is the default one.

/// Runs the fixture case's op on its inputs (the shared driver of
/// ShapeOpTests and IndexingOpTests).
func runShapeFixtureOp(_ c: FixtureCase, _ xs: [Tensor]) throws -> [Tensor] {
    func int(_ k: String) -> Int { c.arg(k)?.int ?? 0 }
    func optionalInt(_ k: String) -> Int? { c.arg(k)?.int }
    let x = xs[0]
    switch c.op {
    case "transpose": return [try x.transpose(int("dim0"), int("dim1"))]
    case "permute": return [try x.permute(c.arg("dims")?.ints ?? [])]
    case "t": return [try x.t()]
    case "mT": return [try x.mT]
    case "squeeze": return [try c.arg("dim") == nil ? x.squeeze() : x.squeeze(dim: int("dim"))]
    case "unsqueeze": return [try x.unsqueeze(dim: int("dim"))]
    case "flatten": return [try x.flatten(startDim: int("start"), endDim: int("end"))]
    case "expand": return [try x.expand(c.arg("sizes")?.ints ?? [])]
    case "cat": return [try Tensor.cat(xs, dim: int("dim"))]
    case "stack": return [try Tensor.stack(xs, dim: int("dim"))]
    case "split": return try x.split(int("size"), dim: int("dim"))
    case "split_sizes": return try x.split(sizes: c.arg("sizes")?.ints ?? [], dim: int("dim"))
    case "chunk": return try x.chunk(int("chunks"), dim: int("dim"))
    case "narrow": return [try x.narrow(dim: int("dim"), start: int("start"), length: int("length"))]
    case "select": return [try x.at(int("index"))]
    case "slice":
        return [try x.slice(dim: int("dim"), start: optionalInt("start"), end: optionalInt("end"), step: int("step"))]
    case "index_select": return [try x.indexSelect(dim: int("dim"), index: xs[1])]
    case "gather": return [try x.gather(dim: int("dim"), index: xs[1])]
    case "scatter_add": return [try x.scatterAdd(dim: int("dim"), index: xs[1], src: xs[2])]
    case "index_add":
        return [try x.indexAdd(dim: int("dim"), index: xs[1], source: xs[2], alpha: c.arg("alpha")?.double ?? 1)]
    case "masked_fill": return [try x.maskedFill(mask: xs[1], value: c.arg("value")?.double ?? 0)]
    default: throw AutogradError.invalidArgument("unknown fixture op \(c.op)")
    }
}

/// Forward values and input gradients (from the fixture's grad_outputs) vs PyTorch.
func checkShapeFixture(_ c: FixtureCase) throws {
    let xs = try c.inputTensors()
    let ys = try runShapeFixtureOp(c, xs)
    let (rtol, atol) = tolerance(c.dtypeValue)
    #expect(ys.count == c.outputs.count, "\(c.name): number of outputs")
    for (k, (y, e)) in zip(ys, c.outputs).enumerated() {
        expectClose(y, e, rtol: rtol, atol: atol, "\(c.name) output \(k)")
        #expect(y.dtype == c.dtypeValue, "\(c.name) output \(k) dtype")
    }
    let gradOutputs = try (c.grad_outputs ?? []).map { try $0!.tensor(c.dtypeValue, requiresGrad: false) }
    let diff = xs.filter(\.requiresGrad)
    let grads = try grad(outputs: ys, inputs: diff, gradOutputs: gradOutputs, allowUnused: true)
    var k = 0
    for (i, x) in xs.enumerated() where x.requiresGrad {
        expectClose(grads[k], c.grads?[i] ?? nil, rtol: rtol, atol: atol, "\(c.name) grad of input \(i)")
        #expect(grads[k]?.dtype == x.dtype, "\(c.name) grad \(i) dtype")
        k += 1
    }
}

/// Expects `body` to throw an AutogradError whose message contains `text`.
func expectShapeOpError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) {
    do {
        _ = try body()
        Issue.record("expected an error containing \"\(text)\"", sourceLocation: sourceLocation)
    } catch let e as AutogradError {
        #expect(e.message.contains(text), "got \"\(e.message)\"", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// A float64 leaf of standard normal values that requires grad.
func shapeOpLeaf(_ shape: [Int], seed: UInt64 = 1) throws -> Tensor {
    try Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed)).requiresGrad()
}

private let shapeOps: Set<String> = ["transpose", "permute", "t", "mT", "squeeze", "unsqueeze", "flatten",
                                      "expand", "cat", "stack", "split", "split_sizes", "chunk"]

@Suite struct ShapeOpTests {
    @Test(arguments: Fixtures.load("shape_ops").filter { shapeOps.contains($0.op) })
    func matchesPyTorch(_ c: FixtureCase) throws { try checkShapeFixture(c) }

    @Test func fixtureCoversEveryShapeOp() {
        let ops = Set(Fixtures.load("shape_ops").map(\.op))
        #expect(shapeOps.isSubset(of: ops))
    }

    static var differentiable: [(String, [[Int]], ([Tensor]) throws -> Tensor)] { [
        ("transpose", [[2, 3, 4]], { try $0[0].transpose(0, 2) }),
        ("permute", [[2, 3, 4]], { try $0[0].permute(1, 2, 0) }),
        ("t", [[3, 2]], { try $0[0].t() }),
        ("mT", [[2, 2, 3]], { try $0[0].mT }),
        ("squeeze", [[1, 3, 1]], { try $0[0].squeeze() }),
        ("unsqueeze", [[2, 3]], { try $0[0].unsqueeze(dim: 1) }),
        ("flatten", [[2, 3, 2]], { try $0[0].flatten(startDim: 1) }),
        ("broadcastTo", [[3, 1]], { try $0[0].broadcastTo([2, -1, 4]) }),
        ("cat", [[2, 3], [1, 3]], { try Tensor.cat($0, dim: 0) }),
        ("cat dim 1", [[2, 1], [2, 3], [2, 2]], { try Tensor.cat($0, dim: -1) }),
        ("stack", [[2, 3], [2, 3]], { try Tensor.stack($0, dim: 1) }),
        ("split", [[5, 2]], { xs in try Tensor.cat(try xs[0].split(2).map { try $0 * $0 }, dim: 0) }),
        ("chunk", [[2, 7]], { xs in try Tensor.stack(try xs[0].chunk(3, dim: 1).map { try $0.sum() }) }),
    ] }

    @Test(arguments: differentiable.indices)
    func gradcheckAndGradgradcheck(_ i: Int) throws {
        let (name, shapes, f) = Self.differentiable[i]
        let inputs = try shapes.enumerated().map { try shapeOpLeaf($1, seed: UInt64($0 + 1)) }
        #expect(try gradcheck(f, inputs: inputs), "\(name)")
        #expect(try gradgradcheck(f, inputs: inputs), "\(name)")
    }

    @Test func aliasesShareStorage() throws {
        let x = try Tensor((0..<6).map(Double.init), shape: [2, 1, 3])
        for y in [try x.squeeze(), try x.unsqueeze(dim: 0), try x.flatten(), try x.permute(1, 0, 2)] {
            #expect(y.storage === x.storage)
        }
        let t = try x.transpose(0, 2)
        #expect(t.sharesStorage(with: x))
        #expect(!t.isContiguous && t.strides == [1, 3, 3])
        #expect(t.shape == [3, 1, 2])
        #expect(t.toArray() == [0, 3, 1, 4, 2, 5])
    }

    @Test func nonFloatingDtypesMoveToo() throws {
        let i = try Tensor(indices: [0, 1, 2, 3, 4, 5], shape: [2, 3])
        #expect(try i.t().ints() == [0, 3, 1, 4, 2, 5])
        let b = try Tensor([1, 0, 0, 1], shape: [2, 2], dtype: .bool)
        let c = try Tensor.cat([b, b.t()], dim: 1)
        #expect(c.dtype == .bool && c.shape == [2, 4] && c.toArray() == [1, 0, 1, 0, 0, 1, 0, 1])
        #expect(try Tensor.stack([i, i]).shape == [2, 2, 3])
    }

    @Test func catPromotesDtypes() throws {
        let a = try Tensor([1, 2], requiresGrad: true)
        let b = try Tensor([3], dtype: .float64, requiresGrad: true)
        let y = try Tensor.cat([a, b])
        #expect(y.dtype == .float64 && y.toArray() == [1, 2, 3])
        try (y * y).sum().backward()
        #expect(a.grad?.dtype == .float32 && a.grad?.toArray() == [2, 4])
        #expect(b.grad?.toArray() == [6])
    }

    @Test func splitGradientWithUnusedPieces() throws {
        let x = try shapeOpLeaf([6, 2])
        let pieces = try x.chunk(3)
        try (pieces[1] * 2).sum().backward()
        #expect(x.grad?.toArray() == [0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0])
    }

    @Test func edgeCases() throws {
        let s = try Tensor(scalar: 2)
        #expect(try s.t().shape == [] && s.transpose(0, -1).shape == [])
        #expect(try s.flatten().shape == [1])
        #expect(try s.unsqueeze(dim: 0).shape == [1])
        #expect(try s.squeeze(dim: 0).shape == [])
        let x = try Tensor.zeros([2, 3])
        #expect(try x.squeeze(dim: 1).shape == [2, 3])
        #expect(try x.expand(4, -1, -1).shape == [4, 2, 3])
        #expect(try x.sumToSize([1, 3]).shape == [1, 3])
        #expect(try Tensor.zeros([0, 2]).chunk(3).map(\.shape) == [[0, 2], [0, 2], [0, 2]])
        #expect(try Tensor.zeros([5]).chunk(3).map(\.shape) == [[2], [2], [1]])
        #expect(try Tensor.zeros([6]).chunk(4).map(\.shape) == [[2], [2], [2]])
        #expect(try Tensor.cat([Tensor.zeros([0]), Tensor.zeros([0])]).shape == [0])
    }

    @Test func moreThanEightDimensions() throws {
        let x = try Tensor((0..<512).map(Double.init), shape: [Int](repeating: 2, count: 9))
        // Coalescable: moving a block of dims keeps runs contiguous.
        let y = try x.permute([1, 2, 3, 4, 5, 6, 7, 8, 0])
        #expect(y.toArray()[0..<3] == [0, 256, 1])
        // Not coalescable: a view all the same, read one leading index at a time.
        let r = try x.permute(Array((0..<9).reversed()))
        #expect(r.sharesStorage(with: x))
        let bitReversed = (0..<512).map { i in (0..<9).reduce(0) { $0 | (((i >> $1) & 1) << (8 - $1)) } }
        #expect(r.toArray() == bitReversed.map(Double.init))
    }

    @Test func badInput() throws {
        let x = try Tensor.zeros([2, 3])
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.transpose(0, 2) }
        expectShapeOpError("permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1") { try x.permute(0) }
        expectShapeOpError("permute(): duplicate dims are not allowed.") { try x.permute(0, 0) }
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try x.permute(0, 2) }
        expectShapeOpError("t() expects a tensor with <= 2 dimensions, but self is 3D") { try Tensor.zeros([2, 2, 2]).t() }
        expectShapeOpError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.") { try Tensor.zeros([3]).mT }
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 3)") { try x.squeeze(dim: 3) }
        expectShapeOpError("Dimension out of range (expected to be in range of [-3, 2], but got 3)") { try x.unsqueeze(dim: 3) }
        expectShapeOpError("flatten() has invalid args: start_dim cannot come after end_dim") { try x.flatten(startDim: 1, endDim: 0) }
        expectShapeOpError("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0") { try x.expand(-1, 2, 3) }
        expectShapeOpError("expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)") { try x.expand(3) }
        expectShapeOpError("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]") { try x.broadcastTo([2, 4]) }
    }

    @Test func badJoinInput() throws {
        let x = try Tensor.zeros([2, 3])
        expectShapeOpError("Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list.") {
            try Tensor.cat([x, Tensor.zeros([3, 3])], dim: 1)
        }
        expectShapeOpError("Dimension out of range (expected to be in range of [-2, 1], but got 2)") { try Tensor.cat([x, x], dim: 2) }
        expectShapeOpError("torch.cat(): expected a non-empty list of Tensors") { try Tensor.cat([]) }
        expectShapeOpError("Tensors must have same number of dimensions: got 2 and 1") { try Tensor.cat([x, Tensor.zeros([3])]) }
        expectShapeOpError("zero-dimensional tensor (at position 1) cannot be concatenated") { try Tensor.cat([x, Tensor.zeros([])]) }
        expectShapeOpError("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1") {
            try Tensor.stack([x, Tensor.zeros([3, 2])])
        }
        expectShapeOpError("stack expects a non-empty TensorList") { try Tensor.stack([]) }
        expectShapeOpError("Dimension out of range (expected to be in range of [-3, 2], but got 3)") { try Tensor.stack([x, x], dim: 3) }
        expectShapeOpError("split_size can only be 0 if dimension size is 0, but got dimension size of 3") { try x.split(0, dim: 1) }
        expectShapeOpError("split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 1), but got split_sizes=[1, 1]") {
            try x.split(sizes: [1, 1], dim: 1)
        }
        expectShapeOpError("chunk expects `chunks` to be greater than 0, got: 0") { try x.chunk(0, dim: 1) }
        expectShapeOpError("split expects at least a 1-dimensional tensor") { try Tensor.zeros([]).split(1) }
    }
}
