/// Matrix products with an operand that repeats one row or one column: a
/// stride of 0 in one of its matrix dimensions, as an expanded gradient has
/// (the backward of `sum`, `mean` or `expand`: `(x @ w).sum()` hands both
/// products of its backward a matrix of ones). cblas cannot read such an
/// operand, and copying it to run a full O(m·n·k) product computes the same
/// row or column over and over, so the product is taken apart instead, in
/// O(m·k + k·n + m·n):
///   op(B) rows all v   (B[k, j] = v[j]):  C[i, j] = (Σ_k A[i, k]) · v[j]
///   op(A) columns all u (A[i, k] = u[i]): C[i, j] = u[i] · (Σ_k B[k, j])
///   op(B) columns all w (B[k, j] = w[k]): C[i, j] = (A·w)[i] for every j
///   op(A) rows all u    (A[i, k] = u[k]): C[i, j] = (uᵀ·B)[j] for every i
/// The sums are the reduction kernels', the matrix-vector products Gemm's
/// with n = 1 or m = 1 (cblas's gemv cases), the results made dense for C.
extension Gemm {
    /// Below this many multiply-adds the plain product is cheaper than the
    /// extra tensors of taking it apart.
    static let repeatedOperandMinimumWork = 1 << 15

    /// Whether `x` repeats a row or a column of its matrices: a stride of 0
    /// along one of its last two dimensions, of size above 1.
    static func repeatsRowOrColumn(_ x: Tensor) -> Bool {
        guard x.rank >= 2 else { return false }
        let r = x.rank
        return (x.shape[r - 2] > 1 && x.strides[r - 2] == 0) || (x.shape[r - 1] > 1 && x.strides[r - 1] == 0)
    }

    /// op(A)·op(B) when one operand repeats a row or column and the product
    /// is big enough to gain from it; nil to take the full product.
    static func productOfRepeated(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool,
                                  m: Int, n: Int, k: Int, into outShape: [Int]) throws -> Tensor? {
        guard m * n * k >= repeatedOperandMinimumWork, repeatsRowOrColumn(a) || repeatsRowOrColumn(b) else { return nil }
        let opA = ta ? try a.mT : a, opB = tb ? try b.mT : b
        let (sai, sak) = (opA.strides[opA.rank - 2], opA.strides[opA.rank - 1])
        let (sbk, sbj) = (opB.strides[opB.rank - 2], opB.strides[opB.rank - 1])
        let product: Tensor
        if sbk == 0 {
            let v = try opB.narrow(dim: -2, start: 0, length: 1)                 // [..., 1, n]
            product = try opA.sum(dim: -1, keepDim: true) * v                    // [..., m, 1]·[..., 1, n]
        } else if sak == 0 {
            let u = try opA.narrow(dim: -1, start: 0, length: 1)                 // [..., m, 1]
            product = try u * opB.sum(dim: -2, keepDim: true)                    // ·[..., 1, n]
        } else if sbj == 0 {
            let w = try opB.narrow(dim: -1, start: 0, length: 1)                 // [..., k, 1]
            product = try gemm(opA, w, false, false)                            // [..., m, 1]
        } else if sai == 0 {
            let u = try opA.narrow(dim: -2, start: 0, length: 1)                 // [..., 1, k]
            product = try gemm(u, opB, false, false)                            // [..., 1, n]
        } else {
            return nil
        }
        if product.shape == outShape && product.isContiguous { return product }
        let c = try Tensor(uninitializedShape: outShape, dtype: a.dtype)
        Tensor.copyElements(from: try product.expand(outShape), into: c)
        return c
    }
}
