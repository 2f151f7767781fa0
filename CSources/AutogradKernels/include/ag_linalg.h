#ifndef AG_LINALG_H
#define AG_LINALG_H
// Matrix products through a CBLAS loaded at run time (cblas_sgemm /
// cblas_dgemm): $AUTOGRAD_BLAS if set, else OpenBLAS, with plain loops as the
// last resort (AUTOGRAD_BLAS=none chooses them). OpenBLAS's kernels are chosen from the CPU's feature bits
// (OPENBLAS_CORETYPE, unless the environment sets it): see linalg.c.

#include "ag_types.h"

/// C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b] for b in 0..<batch, with
/// row-major matrices, op(X) = X or X^T (trans_a / trans_b: transposes are
/// flags, never copies). op(A) is m x k, op(B) is k x n, C is m x n and dense.
/// A as stored has rows lda elements apart (lda >= max(1, its columns: k, or
/// m when trans_a)), B likewise with ldb (>= max(1, n, or k when trans_b)),
/// so a transposed view or a slice of rows is read in place. Matrix b of the
/// batch starts stride_a (stride_b) elements after matrix b-1; a batch stride
/// of 0 reuses the same matrix for every b (a broadcast operand).
void ag_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
                 int64_t stride_b, float beta, float *c, int64_t batch);
/// c[b] = a[b] · b[b] for row-major int64 matrices [m, k] · [k, n], b < batch
/// (a batch stride of 0 shares one matrix), wrapping on overflow.
void ag_gemm_i64(const int64_t *a, int64_t stride_a, const int64_t *b, int64_t stride_b, int64_t *c,
                 int64_t m, int64_t n, int64_t k, int64_t batch);
void ag_gemm_f64(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                 const double *a, int64_t lda, int64_t stride_a, const double *b, int64_t ldb,
                 int64_t stride_b, double beta, double *c, int64_t batch);

/// The kernels the products run on: OpenBLAS's core name ("SkylakeX",
/// "Haswell", ...), "cblas" for another CBLAS, or "none (built-in loops)".
/// Loads the BLAS if no product has yet.
const char *ag_blas_kernels(void);

#endif
