import Testing
@testable import Autograd

/// Input that once crashed (found by the C API's fuzz test): each now throws
/// an error that names what was wrong.
@Suite struct BadInputTests {
    @Test func creationRejectsImpossibleShapes() throws {
        #expect(throws: AutogradError.invalidArgument("zeros: Trying to create tensor with negative dimension -2: [3, -2]")) {
            try Tensor.zeros([3, -2])
        }
        #expect(throws: AutogradError.self) { try Tensor.ones([Int.max, 4]) }
        #expect(throws: AutogradError.self) { try Tensor.empty([1 << 40, 1 << 30]) }
        // More than the machine's memory: PyTorch's allocator message, not a crash.
        #expect(throws: AutogradError.invalidArgument(
            "zeros: DefaultCPUAllocator: not enough memory: you tried to allocate 4398046511104 bytes.")) {
            try Tensor.zeros([1 << 40])
        }
        // No elements, but strides beyond an Int (reading them trapped): PyTorch's refusal.
        #expect(throws: AutogradError.invalidArgument("zeros: Stride calculation overflowed")) {
            try Tensor.zeros([0, 1 << 40, 1 << 40])
        }
        #expect(throws: AutogradError.invalidArgument("randn: torch.int64 is not a floating point dtype")) {
            try Tensor.randn([2], dtype: .int64, generator: Generator(seed: 0))
        }
    }

    /// Memory the system refuses (a dense copy of a 64 TiB expanded view,
    /// which a view may describe but no machine here can allocate) is
    /// PyTorch's allocator error from every op that allocates, not a crash.
    @Test func refusedAllocationThrows() throws {
        let x = try Tensor([1, 2]).reshape([2, 1]).expand([2, 1 << 43])
        let refused = AutogradError.invalidArgument("DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                                    + "70368744177664 bytes. Error code 12 (Cannot allocate memory)")
        #expect(throws: refused) { try x.contiguous() }
        #expect(throws: refused) { try x * 2 }
        #expect(throws: refused) { try x.exp() }
        #expect(throws: refused) { try x.reshape([-1]) }
        let w = try Tensor([1, 2], requiresGrad: true)
        #expect(throws: refused) { try (w.reshape([2, 1]).expand([2, 1 << 43]) + 1).sum() }
        // The view itself still works, and memory is still there afterwards.
        #expect(try x.narrow(dim: 1, start: 0, length: 2).toArray() == [1, 1, 2, 2])
        #expect(try (Tensor.ones([1 << 16]) * 2).sum().item() == 131072)
    }

    /// An empty tensor's strides are PyTorch's: a size of 0 counts as 1.
    @Test func stridesOfEmptyTensors() throws {
        #expect(try Tensor.zeros([2, 0, 3]).strides == [3, 3, 1])
        #expect(try Tensor.zeros([0, 4]).strides == [4, 1])
        #expect(try Tensor.zeros([3, 0]).strides == [1, 1])
        #expect(try Tensor.zeros([0, 1 << 20, 1 << 20]).strides == [1 << 40, 1 << 20, 1])
    }

    @Test func int64FillOutOfRange() throws {
        #expect(throws: AutogradError.invalidArgument("full: value cannot be converted to type int64_t without overflow")) {
            try Tensor.full([2], 1e300, dtype: .int64)
        }
        let labels = try Tensor(indices: [1, 2])
        #expect(throws: AutogradError.invalidArgument("fill_: value cannot be converted to type int64_t without overflow")) {
            try labels.fill_(-1e20)
        }
        #expect(try labels.ints() == [1, 2])   // refused before writing
        let truncated = try Tensor.full([2], -3.7, dtype: .int64)
        #expect(try truncated.ints() == [-3, -3])
    }

    @Test func splitWithHugeSizes() throws {
        let x = try Tensor([1, 2, 3, 4])
        let pieces = try x.split(Int.max, dim: 0)
        #expect(pieces.count == 1 && pieces[0].toArray() == [1, 2, 3, 4])
        #expect(throws: AutogradError.self) { try x.split(sizes: [Int.max, Int.max, 2], dim: 0) }
        let chunks = try x.chunk(Int.max, dim: 0)
        #expect(chunks.count == 4)   // pieces of ceil(4 / Int.max) = 1, as PyTorch
        #expect(throws: AutogradError.self) { try x.expand(to: [Int.max, 4]) }
    }

    @Test func normOfAScalarWithADim() throws {
        let s = try Tensor(scalar: 2, dtype: .float64)
        let n1 = try s.norm(p: -1, dims: [-1]), n2 = try s.norm(p: .infinity, dims: [0])
        let n3 = try s.norm(p: -1e30, dims: [-1])   // |2|^-1e30 underflows to 0: PyTorch gives inf too
        #expect(try n1.item() == 2)
        #expect(try n2.item() == 2)
        #expect(try n3.item() == .infinity)
    }

    @Test func manyDimensionsBroadcastWhenTheyMerge() throws {
        let shape = [2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2]   // 11 dims
        let a = try Tensor((0..<64).map(Double.init), shape: shape, dtype: .float64, requiresGrad: true)
        let sum = try a + a                               // same shapes: one flat loop
        #expect(sum.toArray() == (0..<64).map { 2 * Double($0) })
        let b = try Tensor([10, 20], dtype: .float64)       // broadcast along the last dim only
        #expect(try (a * b).shape == shape)
        // Nine interleaved broadcast dimensions cannot be walked: an error, not a crash.
        let c = try Tensor.ones([2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
        let d = try Tensor.ones([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2])
        #expect(throws: AutogradError.self) { try c + d }
    }

    /// Inputs that ended the process (issue 10's list): each throws now.
    @Test func sizesThatOverflowAndValuesInt64CannotHold() throws {
        #expect(throws: AutogradError.invalidArgument("zeros: Storage size calculation overflowed with sizes=[\(Int.max)]")) {
            try Tensor.zeros([Int.max])
        }
        #expect(throws: AutogradError.self) { try Tensor.zeros([4]).asStrided(size: [Int.max], stride: [Int.max]) }
        #expect(throws: AutogradError.invalidArgument("start (1) + length (\(Int.max)) exceeds dimension size (4).")) {
            try Tensor.zeros([4]).narrow(dim: 0, start: 1, length: Int.max)
        }
        #expect(throws: AutogradError.invalidArgument("cannot convert float NaN to integer")) { try Tensor([.nan], dtype: .int64) }
        #expect(throws: AutogradError.invalidArgument("value cannot be converted to type int64_t without overflow")) {
            try Tensor([1e19], dtype: .int64)
        }
        #expect(try Tensor([-2.7, 3.9], dtype: .int64).ints() == [-2, 3])
        // Broadcasts whose result the allocator refuses: its message, not a crash.
        let tall = try Tensor.zeros([1 << 20, 1]), wide = try Tensor.zeros([1, 1 << 22])
        #expect(throws: AutogradError.self) { try tall.lt(wide) }
        #expect(throws: AutogradError.self) { try tall.to(.bool).logicalAnd(wide.to(.bool)) }
        #expect(throws: AutogradError.self) { try Tensor.where(wide.to(.bool), tall, Tensor.zeros([1])) }
        #expect(throws: AutogradError.self) { try Tensor.zeros([3]).maskedFill(mask: Tensor.zeros([1 << 40, 1], dtype: .bool), value: 1) }
        let one = try Tensor.zeros([1, 1, 1, 1])
        #expect(throws: AutogradError.self) { try one.expand([1 << 32, 1, 1, 1]).matmul(one.expand([1, 1 << 32, 1, 1])) }
    }
}
