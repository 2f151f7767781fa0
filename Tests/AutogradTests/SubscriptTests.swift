import Testing
@testable import Autograd

/// Subscripts and the in-place index ops beyond the PyTorch programs of
/// IndexingProgramTests: finite-difference gradients of first and second
/// order, the deferred errors of the non-throwing subscript, other dtypes,
/// and what copies and what views.
@Suite struct SubscriptTests {
    static func randn(_ shape: [Int], seed: UInt64) throws -> Tensor {
        try Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed)).requiresGrad()
    }
    static func ix(_ v: Int...) -> Tensor { try! Tensor(indices: v) }

    static var differentiable: [(String, [[Int]], ([Tensor]) throws -> Tensor)] { [
        ("x[1, 1...]", [[3, 4]], { $0[0][1, 1...] }),
        ("x[.stride(2), .newAxis]", [[5, 2]], { $0[0][.stride(2), .newAxis] }),
        ("x[idx] with repeats", [[4, 3]], { $0[0][ix(3, 0, 3)] }),
        ("x[rows, cols]", [[3, 4]], { $0[0][ix(0, 2, 2), ix(3, 1, 3)] }),
        ("x[idx, .all, idx]", [[3, 2, 4]], { $0[0][ix(0, 2), .all, ix(1, 1)] }),
        ("x[mask]", [[2, 3]], { x in x[0][try x[0].detach().gt(0)] }),
        ("x.t()[idx]", [[3, 4]], { try $0[0].t()[ix(1, 3)] }),
        ("x[.all, 1] = y", [[3, 4], [3]], { x in
            let b = try x[0] * 1
            b[.all, 1] = x[1]
            return b
        }),
        ("x[idx] = y", [[4, 2], [2, 2]], { x in
            let b = try x[0] * 1
            b[ix(3, 0)] = x[1]
            return b
        }),
        ("g[rows, target] -= y", [[3, 4], [3]], { x in
            let g = try x[0] * 1
            try g[ix(0, 1, 2), ix(3, 0, 3)] -= x[1]
            return try g * x[0]
        }),
        ("indexPut_ accumulate", [[4], [3]], { x in try (x[0] * 1).indexPut_([ix(1, 1, 2)], x[1], accumulate: true) }),
        ("indexPut", [[4], [3]], { x in try x[0].indexPut([ix(1, 3, 2)], x[1]) }),
        ("indexCopy_", [[3, 2], [2, 2]], { x in try (x[0] * 1).indexCopy_(dim: 0, index: ix(2, 0), source: x[1]) }),
        ("indexAdd_", [[3, 2], [3, 2]], { x in try (x[0] * 1).indexAdd_(dim: 0, index: ix(2, 0, 2), source: x[1], alpha: -0.5) }),
        ("scatter_ larger src", [[2, 3], [2, 3]], { x in
            try (x[0] * 1).scatter_(dim: 1, index: Tensor(indices: [2, 0], shape: [2, 1]), src: x[1])
        }),
        ("scatterAdd_", [[2, 3], [2, 2]], { x in
            try (x[0] * 1).scatterAdd_(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: x[1])
        }),
        ("scatterReduce_ mean", [[2, 3], [2, 2]], { x in
            try (x[0] * 1).scatterReduce_(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: x[1], reduce: "mean",
                                          includeSelf: false)
        }),
        ("scatterReduce_ amax", [[2, 3], [2, 2]], { x in
            try (x[0] * 1).scatterReduce_(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: x[1], reduce: "amax")
        }),
        ("scatterReduce amin without self", [[2, 3], [2, 2]], { x in
            try x[0].scatterReduce(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: x[1], reduce: "amin",
                                   includeSelf: false)
        }),
        ("scatterReduce_ prod", [[2, 3], [2, 2]], { x in
            try (x[0] * 1).scatterReduce_(dim: 1, index: Tensor(indices: [2, 2, 0, 1], shape: [2, 2]), src: x[1], reduce: "prod")
        }),
        ("maskedFill_", [[2, 3]], { x in try (x[0] * 1).maskedFill_(mask: Tensor([1, 0, 1], dtype: .bool), value: 2) }),
        ("maskedScatter_", [[4], [5]], { x in try (x[0] * 1).maskedScatter_(mask: Tensor([0, 1, 1, 0], dtype: .bool), source: x[1]) }),
    ] }

    @Test func gradientsAreFiniteDifferences() throws {
        for (k, (name, shapes, f)) in Self.differentiable.enumerated() {
            let xs = try shapes.enumerated().map { try Self.randn($0.element, seed: UInt64(10 * k + $0.offset)) }
            #expect(try gradcheck(f, inputs: xs), "\(name)")
            #expect(try gradgradcheck(f, inputs: xs), "\(name) second order")
        }
    }

    @Test func basicIndicesViewAdvancedCopy() throws {
        let x = try Tensor((0..<12).map(Double.init), shape: [3, 4])
        #expect(x[1, 1...].sharesStorage(with: x) && x[1, 1...].isView)
        #expect(x[.all].isView && x[.ellipsis].isView)
        #expect(x[.all, .stride(2)].strides == [4, 2])
        #expect(!x[Self.ix(0, 2)].sharesStorage(with: x))
        #expect(x[Self.ix(0, 2), Self.ix(1, 3)].toArray() == [1, 11])
        #expect(x[1..., ..<2].toArray() == [4, 5, 8, 9])
        #expect(x[(-1)...].toArray() == [8, 9, 10, 11])
    }

    @Test func subscriptErrorsAreDeferredNotLost() throws {
        let x = try Tensor.zeros([2, 3])
        // A failed read is a placeholder that throws from every op it reaches.
        let bad = x[5]
        #expect(bad.indexingError?.message == "index 5 is out of bounds for dimension 0 with size 2")
        #expect(throws: AutogradError.invalidArgument("index 5 is out of bounds for dimension 0 with size 2")) { try bad * 2 }
        #expect(throws: AutogradError.self) { try bad.sum(dim: 0) }
        #expect(throws: AutogradError.self) { try bad.item() }
        #expect(throws: AutogradError.self) { try bad * 2 }
        // A failed assignment leaves x unchanged and is thrown by the next op on x, once.
        x[0] = try Tensor.ones([4])
        #expect(x.toArray() == [0, 0, 0, 0, 0, 0])
        #expect(throws: AutogradError.self) { try x + 1 }
        #expect(x.indexingError == nil)
        #expect(try (x + 1).toArray() == [1, 1, 1, 1, 1, 1])
        // Assigning a failed read reports the read's error on the target.
        x[1] = x[7]
        #expect(x.indexingError?.message == "index 7 is out of bounds for dimension 0 with size 2")
        #expect(throws: AutogradError.self) { try x.sum() }
        // The throwing spellings throw at once.
        #expect(throws: AutogradError.self) { try x.at(.all, 3) }
        #expect(throws: AutogradError.self) { try x.assign(Tensor.ones([2]), at: .all, 0...) }
    }

    @Test func otherDTypes() throws {
        let labels = try Tensor(indices: [16_777_217, 5, 9, 2])
        labels[Self.ix(1, 3)] = .scalar(1 << 40)
        #expect(try labels.ints() == [16_777_217, 1 << 40, 9, 1 << 40])
        #expect(try labels[labels.gt(10)].ints() == [16_777_217, 1 << 40, 1 << 40])
        labels[0] = .scalar(2.7)
        #expect(try labels.ints()[0] == 2)
        let flags = try Tensor([1, 0, 1], dtype: .bool)
        flags[Self.ix(1)] = .scalar(true)
        #expect(flags.toArray() == [1, 1, 1])
        try flags.maskedFill_(mask: Tensor([1, 0, 0], dtype: .bool), value: 0)
        #expect(flags.toArray() == [0, 1, 1])
        let ints = try Tensor(indices: [1, 2, 3, 4])
        try ints.indexPut_([Self.ix(0, 0)], Tensor(indices: [10, 20]), accumulate: true)
        #expect(try ints.ints() == [31, 2, 3, 4])
        #expect(throws: AutogradError.self) { try flags.indexPut_([Self.ix(0)], Tensor([1], dtype: .bool), accumulate: true) }
    }

    @Test func nonzeroAndIndexPutWithNil() throws {
        let m = try Tensor([1, 0, 0, 1, 1, 0], shape: [2, 3], dtype: .bool)
        #expect(try m.nonzero().shape == [3, 2])
        #expect(try m.nonzero().ints() == [0, 0, 1, 0, 1, 1])
        #expect(try m.nonzero(asTuple: true).map { try $0.ints() } == [[0, 1, 1], [0, 0, 1]])
        #expect(try Tensor([0, 2.5, -1]).nonzero().ints() == [1, 2])
        let x = try Tensor.zeros([2, 3])
        try x.indexPut_([nil, Self.ix(2)], Tensor([5, 6], shape: [2, 1]))
        #expect(x.toArray() == [0, 0, 5, 0, 0, 6])
    }

    @Test func compoundAssignmentIsInPlace() throws {
        var x = try Tensor([1, 2, 3])
        let alias = x
        try x += 1
        try x *= Tensor([2, 2, 2])
        #expect(alias.toArray() == [4, 6, 8])
        let leaf = try Tensor([1.0, 2], requiresGrad: true)
        var l = leaf
        #expect(throws: AutogradError.leafInPlaceOp) { try l -= 1 }
    }

    @Test func scatterReduceRefusesWhatIsNotBuilt() throws {
        let x = try Tensor.zeros([3])
        #expect(throws: AutogradError.self) {
            try Tensor(indices: [1, 2]).scatterReduce_(dim: 0, index: Self.ix(0), src: Tensor(indices: [1]), reduce: "amax")
        }
        #expect(throws: AutogradError.self) { try x.scatterReduce_(dim: 0, index: Self.ix(0), src: Tensor([1]), reduce: "max") }
        #expect(throws: AutogradError.invalidArgument("index 3 is out of bounds for dimension 0 with size 3")) {
            try x.scatter_(dim: 0, index: Self.ix(3), value: 1)
        }
    }
}

/// masked_fill on int64 and bool tensors, out of place (PyTorch: any dtype).
@Test func maskedFillOfIntegers() throws {
    let labels = try Tensor(indices: [16_777_217, 5, 9])
    let m = try Tensor([0, 1, 0], dtype: .bool)
    #expect(try labels.maskedFill(mask: m, value: -100).ints() == [16_777_217, -100, 9])
    #expect(try labels.ints() == [16_777_217, 5, 9])
    #expect(try Tensor([1, 1, 0], dtype: .bool).maskedFill(mask: m, value: 0).toArray() == [1, 0, 0])
    #expect(try Tensor(indices: [1, 2]).maskedFill(mask: Tensor([1, 0, 0, 1], shape: [2, 2], dtype: .bool), value: 7).ints() == [7, 2, 1, 7])
    #expect(throws: AutogradError.invalidArgument("masked_fill_: value cannot be converted to type int64_t without overflow")) {
        try labels.maskedFill(mask: m, value: .nan)
    }
}
