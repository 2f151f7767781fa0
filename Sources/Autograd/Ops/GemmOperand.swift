/// One operand of a matrix product as cblas reads it, in place when its
/// strides allow: each matrix (the last two dimensions of a 2-D or 3-D
/// tensor) row-major with rows `ld` elements apart (a slice of rows, or of
/// columns from the left), or column-major with columns `ld` apart (a
/// transposed view: cblas reads it as the transpose of a row-major matrix,
/// so the caller flips the transpose flag), and matrices `batchStride`
/// apart (0 for one matrix shared by the whole batch, a 2-D operand or an
/// expanded batch). Any other layout (both strides above 1, rows that
/// overlap) is read from a contiguous copy, as PyTorch's `mm` does.
struct GemmOperand {
    /// The tensor cblas reads: the operand itself, or a contiguous copy of it.
    let tensor: Tensor
    /// Whether each matrix is stored column-major (as its transpose).
    let columnMajor: Bool
    /// The distance between rows (columns, when `columnMajor`) of a matrix.
    let ld: Int64
    /// The distance between matrices of a 3-D operand.
    let batchStride: Int64

    /// `x` (rank 2 or 3, no dimension of size 0) as cblas can read it.
    init(_ x: Tensor) throws {
        let layout = GemmOperand.layout(x)
        let t = layout == nil ? try x.contiguousData : x
        let (columnMajor, ld) = layout ?? (false, t.shape[t.rank - 1])
        self.tensor = t
        self.columnMajor = columnMajor
        self.ld = Int64(ld)
        self.batchStride = t.rank == 3 && t.shape[0] > 1 ? Int64(t.strides[0]) : 0
    }

    /// How the last two dimensions of `x` lie in memory, if cblas can read
    /// them there: an r×c matrix with strides (s0, s1) is row-major when
    /// s1 = 1 and s0 ≥ c (lda = s0), column-major when s0 = 1 and s1 ≥ r
    /// (lda = s1). A dimension of size 1 takes any stride, so its stride
    /// decides nothing and the leading dimension is the least cblas accepts.
    static func layout(_ x: Tensor) -> (columnMajor: Bool, ld: Int)? {
        let st = x.strides
        let r = x.shape[x.rank - 2], c = x.shape[x.rank - 1]
        let s0 = st[x.rank - 2], s1 = st[x.rank - 1]
        let ld: Int, columnMajor: Bool
        if (c == 1 || s1 == 1) && (r == 1 || s0 >= c) {
            (columnMajor, ld) = (false, r == 1 ? c : s0)
        } else if (r == 1 || s0 == 1) && (c == 1 || s1 >= r) {
            (columnMajor, ld) = (true, c == 1 ? r : s1)
        } else {
            return nil
        }
        // cblas takes its leading dimensions as C ints.
        return ld <= Int(Int32.max) ? (columnMajor, ld) : nil
    }
}

extension Tensor {
    /// Self when a product reads it in place (cblas, or Gemm's products of
    /// an operand that repeats a row or column, as the expanded gradient
    /// of a sum does), else a contiguous copy (recorded, so a recorded
    /// backward stays differentiable): for a gradient that feeds both
    /// products of a backward, so that it is copied once rather than once
    /// per product.
    func readableByGemm() throws -> Tensor {
        GemmOperand.layout(self) != nil || Gemm.repeatsRowOrColumn(self) ? self : try contiguous()
    }
}
