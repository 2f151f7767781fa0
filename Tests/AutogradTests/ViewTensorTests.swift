import Testing
@testable import Autograd

/// The tensor model: which ops are views (shared storage, O(1) windows with
/// PyTorch's strides and offsets), when reshape copies, and reading strided
/// tensors from Swift.
@Suite struct ViewTensorTests {
    let m = try! Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float64)

    @Test func viewOpsShareStorageWithPyTorchsStrides() throws {
        let t = try m.t()
        #expect(t.sharesStorage(with: m) && t.base === m && t.strides == [1, 4] && !t.isContiguous)
        let s = try m.slice(dim: 1, start: 1, step: 2)
        #expect(s.sharesStorage(with: m) && s.strides == [4, 2] && s.storageOffset == 1)
        #expect(s.toArray() == [1, 3, 5, 7, 9, 11])
        let e = try m[0].expand(2, 4)
        #expect(e.strides == [0, 1] && e.sharesStorage(with: m))
        let d = try m.diagonal()
        #expect(d.strides == [5] && d.toArray() == [0, 5, 10])
        let u = try m[1].unfold(dimension: 0, size: 2, step: 2)
        #expect(u.shape == [2, 2] && u.strides == [2, 1] && u.storageOffset == 4 && u.toArray() == [4, 5, 6, 7])
        // A view of a view records the root base.
        #expect(try m.t()[1].base === m)
        #expect(try m.stride(0) == 4 && m.storageOffset == 0 && m.isContiguous && !m.isView)
    }

    @Test func reshapeCopiesExactlyWhenPyTorchDoes() throws {
        let t = try m.t()
        #expect(try t.reshape([12]).sharesStorage(with: m) == false)
        #expect(try t.reshape([2, 2, 3]).sharesStorage(with: m))   // splits the stride-4 dim: a view
        #expect(try t.unsqueeze(dim: 0).sharesStorage(with: m))
        #expect(try m.reshape([2, 6]).sharesStorage(with: m))
        #expect(try m.slice(dim: 0, start: 1).reshape([8]).sharesStorage(with: m))    // rows are contiguous
        #expect(try t.reshape([12]).toArray() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(throws: AutogradError.self) { try t.view([12]) }
    }

    @Test func contiguousAndCloneCopyAndRecord() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .float64, requiresGrad: true)
        let c = try x.t().contiguous()
        #expect(c.isContiguous && !c.sharesStorage(with: x) && c.gradFn?.name == "CloneBackward")
        #expect(try x.contiguous() === x)
        try (c * c).sum().backward()
        #expect(x.grad?.toArray() == [2, 4, 6, 8, 10, 12])
    }

    @Test func stridedTensorsReadInRowMajorOrder() throws {
        let t = try m.t()
        #expect(try t.doubles() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(try t.scalar(at: 1, 2) == 9)
        #expect(try t.withUnsafeBufferPointer(as: Double.self) { Array($0) } == t.toArray())
        let b = try m * 1
        try b.t().withUnsafeMutableBufferPointer(as: Double.self) { p in p[1] = -1 }   // b[1][0]
        #expect(try b.scalar(at: 1, 0) == -1)
    }

    @Test func hugeStepsGiveOneElementWithoutOverflow() throws {
        let s = try m.slice(dim: 0, step: Int.max)
        #expect(s.shape == [1, 4] && s.toArray() == [0, 1, 2, 3])
        let u = try m.unfold(dimension: 0, size: 2, step: Int.max)
        #expect(u.shape == [1, 4, 2] && u.toArray() == [0, 4, 1, 5, 2, 6, 3, 7])
    }

    @Test func aliasOfAStridedTensorKeepsRowMajorOrder() throws {
        #expect(try m.t().alias(shape: [12]).toArray() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
    }

    @Test func asStridedChecksTheStorage() throws {
        #expect(throws: AutogradError.self) { try m.asStrided(size: [4, 4], stride: [4, 1]) }
        #expect(throws: AutogradError.self) { try m.asStrided(size: [2], stride: [Int.max]) }
        let w = try m.asStrided(size: [2, 2], stride: [1, 4], storageOffset: 2)
        #expect(w.toArray() == [2, 6, 3, 7])
    }

    @Test func stridedGradientsCheckNumerically() throws {
        let x = try Tensor.randn([3, 4], dtype: .float64, generator: Generator(seed: 7)).requiresGrad()
        try #require(try gradcheck({ try $0[0].t().matmul($0[0].slice(dim: 1, start: 1, step: 2)).exp() }, inputs: [x]))
        try #require(try gradgradcheck({ i in
            let b = try i[0] * 1
            try b.slice(dim: 1, start: 1, step: 2).mul_(b.slice(dim: 1, end: 2) + 1)
            try b.t()[1].add_(i[0].select(dim: 1, index: 0))
            return try b.pow(2)
        }, inputs: [x]))
        try #require(try gradgradcheck({ try $0[0].clone().t().diagonal() * $0[0].unfold(dimension: 1, size: 2, step: 1).sum() }, inputs: [x]))
    }

    /// A custom Function receives a contiguous stand-in for a strided input;
    /// a view it returns of that stand-in comes back as the same view of the input.
    @Test func customFunctionViewsOfStridedInputs() throws {
        enum Diagonal: UnaryFunction {
            static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.diagonal() }
            static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { nil }
        }
        enum Flat: UnaryFunction {
            static func forward(_ ctx: Context, _ x: Tensor) throws -> Tensor { try x.reshape([x.count]) }
            static func backward(_ ctx: Context, _ g: Tensor) throws -> Tensor? { g }
        }
        let base = try Tensor((0..<9).map(Double.init), shape: [3, 3])
        let xt = try base.t()
        let d = try Diagonal.apply(xt)
        #expect(d.sharesStorage(with: base) && d.strides == [4] && d.toArray() == [0, 4, 8])
        let n = try base.slice(dim: 1, start: 1)      // strides [3, 1], offset 1
        let dn = try Diagonal.apply(n.t())
        #expect(dn.sharesStorage(with: base) && dn.storageOffset == 1 && dn.toArray() == [1, 5])
        // A flattening of a transposed tensor runs across its dims: no strides say it, so it stays a copy.
        let f = try Flat.apply(xt)
        #expect(!f.sharesStorage(with: base) && f.toArray() == [0, 3, 6, 1, 4, 7, 2, 5, 8])
    }
}
