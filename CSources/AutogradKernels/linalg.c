#include "ag_linalg.h"
#include <cblas.h>

#define AG_GEMM(T, SFX, CBLAS)                                                                     \
void ag_gemm_##SFX(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,           \
                   const T *a, int64_t lda, int64_t stride_a, const T *b, int64_t ldb,             \
                   int64_t stride_b, T beta, T *c, int64_t batch) {                                \
    if (m == 0 || n == 0) return;                                                                  \
    for (int64_t i = 0; i < batch; i++)                                                            \
        CBLAS(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,                                  \
              trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,                  \
              a + i * stride_a, (int)lda, b + i * stride_b, (int)ldb, beta, c + i * m * n, (int)n); \
}
AG_GEMM(float, f32, cblas_sgemm)
AG_GEMM(double, f64, cblas_dgemm)
