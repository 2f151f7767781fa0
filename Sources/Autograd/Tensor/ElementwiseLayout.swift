/// Where the elements of an elementwise op's result lie, as PyTorch's
/// TensorIterator lays them out: the result follows its operands' memory
/// order instead of always being row-major, so `x.t().exp()` is itself
/// transposed (its strides are x.t()'s) and every operand and the result
/// are walked in one order through memory.
///
/// The rule, from `TensorIteratorBase::compute_fast_setup_type` and
/// `reorder_dimensions`:
/// 1. Operands all of the result's shape, all non-overlapping and dense, with
///    one set of strides: the result takes those strides (all contiguous:
///    contiguous).
/// 2. Otherwise dimensions are sorted innermost first by the operands'
///    strides, the first operand that tells two dimensions apart deciding
///    (a broadcast dimension, stride 0, tells nothing; equal strides put the
///    smaller size inside), and the result is dense in that order.
struct ElementwiseLayout {
    /// The result's strides.
    let strides: [Int]
    /// The result's dimensions, outermost first in memory (walking them in
    /// this order walks the result contiguously).
    let order: [Int]
    /// Whether the result is row-major (order is 0, 1, ...).
    var isContiguous: Bool { order.indices.allSatisfy { order[$0] == $0 } }

    private init(strides: [Int], order: [Int]) {
        self.strides = strides
        self.order = order
    }

    /// The layout of a result of `shape` computed from operands with these
    /// strides (each already in the result's shape: 0 along a broadcast
    /// dimension) and these shapes (before broadcasting).
    init(shape: [Int], operandStrides: [[Int]], operandShapes: [[Int]]) {
        let n = shape.count
        let rowMajor = Shape.strides(shape)
        // 1. One dense layout shared by every operand of the result's shape.
        if let first = operandStrides.first, operandShapes.allSatisfy({ $0 == shape }),
           operandStrides.allSatisfy({ $0 == first }),
           first == rowMajor || ElementwiseLayout.isNonOverlappingAndDense(shape, first) {
            strides = first
            order = ElementwiseLayout.memoryOrder(shape, first)
            return
        }
        // 2. Insertion sort of the dims, innermost first (TensorIterator's perm_).
        var perm = Array((0..<n).reversed())
        func shouldSwap(_ d0: Int, _ d1: Int) -> Int {
            for s in operandStrides {
                let (s0, s1) = (s[d0], s[d1])
                if s0 == 0 || s1 == 0 { continue }
                if s0 < s1 { return -1 }
                if s0 > s1 { return 1 }
                if shape[d0] > shape[d1] { return 1 }
            }
            return 0
        }
        if n > 1 {
            for i in 1..<n {
                var d1 = i
                for d0 in stride(from: i - 1, through: 0, by: -1) {
                    let c = shouldSwap(perm[d0], perm[d1])
                    if c > 0 {
                        perm.swapAt(d0, d1)
                        d1 = d0
                    } else if c < 0 {
                        break
                    }
                }
            }
        }
        var st = [Int](repeating: 0, count: n)
        var running = 1
        for d in perm {
            st[d] = running
            running *= shape[d]
        }
        strides = st
        order = perm.reversed()
    }

    /// The layout of a unary op's result.
    init(of x: Tensor) {
        if x.isContiguous || x.count == 0 {
            self.init(strides: Shape.strides(x.shape), order: Array(x.shape.indices))
        } else {
            self.init(shape: x.shape, operandStrides: [x.strides], operandShapes: [x.shape])
        }
    }

    /// The dims of a dense layout, outermost first (larger strides first;
    /// among equal strides, which only size-1 dims share, the original order).
    static func memoryOrder(_ shape: [Int], _ strides: [Int]) -> [Int] {
        shape.indices.sorted { strides[$0] != strides[$1] ? strides[$0] > strides[$1] : $0 < $1 }
    }

    /// Whether some order of the dimensions makes these strides row-major:
    /// the elements fill a block of memory without gaps or overlaps
    /// (PyTorch's `is_non_overlapping_and_dense`).
    static func isNonOverlappingAndDense(_ shape: [Int], _ strides: [Int]) -> Bool {
        let dims = shape.indices.filter { shape[$0] != 1 }.sorted { strides[$0] < strides[$1] }
        var expected = 1
        for d in dims {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// A new, uninitialised tensor of `shape` in this layout.
    func allocate(_ shape: [Int], dtype: DType) throws -> Tensor {
        if isContiguous { return try Tensor(uninitializedShape: shape, dtype: dtype) }
        let n = Shape.count(shape)
        return Tensor(storage: try Storage.allocate(byteCount: n * dtype.byteSize), shape: shape, strides: strides,
                      offset: 0, dtype: dtype)
    }

    /// `values` (one per dimension) in memory order, outermost first.
    func ordered(_ values: [Int]) -> [Int] { order.map { values[$0] } }
}

extension Tensor {
    /// For a view that is not row-major but fills a block of memory without
    /// gaps or overlaps (t(), transpose, permute): its dims, outermost in
    /// memory first, in which order it is a row-major tensor. nil for a
    /// contiguous or empty tensor and for any other view (steps, expands).
    var denseMemoryOrder: [Int]? {
        guard !isContiguous, count > 0, ElementwiseLayout.isNonOverlappingAndDense(shape, strides) else { return nil }
        return ElementwiseLayout.memoryOrder(shape, strides)
    }

    /// This tensor with its dims in `order`: a view, shape and strides permuted.
    func permutedView(_ order: [Int]) -> Tensor {
        Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] },
               offset: storageOffset, dtype: dtype)
    }

    /// The inverse of `permutedView` for a contiguous tensor whose dim i is
    /// dim order[i] of a tensor of `shape`: that tensor, as a view.
    func unpermutedView(_ order: [Int], shape: [Int]) -> Tensor {
        let rowMajor = Shape.strides(order.map { shape[$0] })
        var st = [Int](repeating: 0, count: shape.count)
        for (i, d) in order.enumerated() { st[d] = rowMajor[i] }
        return Tensor(storage: storage, shape: shape, strides: st, offset: storageOffset, dtype: dtype)
    }
}
