#include "ag_reduce.h"
#include "ag_parallel.h"
#include <stdatomic.h>
#include <string.h>

// Blocks of 8 lanes summed in double: exact enough for float inputs and
// vectorisable; the tail is added last. Large inputs are split over the
// cores (one chunk each, so the result depends only on n and the thread
// count) and the chunk sums added under a compare-and-swap.
#define AG_SUM_ALL(T, SFX)                                                      \
static double sum_block_##SFX(const T *x, int64_t n) {                          \
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                  \
    int64_t i = 0;                                                              \
    for (; i + 8 <= n; i += 8)                                                  \
        for (int k = 0; k < 8; k++) lane[k] += (double)x[i + k];                \
    double s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7])); \
    for (; i < n; i++) s += (double)x[i];                                       \
    return s;                                                                   \
}                                                                               \
typedef struct { const T *x; _Atomic double total; } sum_##SFX##_args;          \
AG_VECTOR_CLONES static void sum_range_##SFX(void *p, int64_t b, int64_t e) {   \
    sum_##SFX##_args *a = p;                                                    \
    double part = sum_block_##SFX(a->x + b, e - b);                             \
    double old = atomic_load(&a->total);                                        \
    while (!atomic_compare_exchange_weak(&a->total, &old, old + part)) {}       \
}                                                                               \
double ag_sum_all_##SFX(const T *x, int64_t n) {                                \
    if (n < 4 * AG_GRAIN_ELEMENTWISE) return sum_block_##SFX(x, n);             \
    sum_##SFX##_args a = { x, 0.0 };                                            \
    ag_parallel_for(n, 4 * AG_GRAIN_ELEMENTWISE, sum_range_##SFX, &a);          \
    return atomic_load(&a.total);                                               \
}
AG_SUM_ALL(float, f32)
AG_SUM_ALL(double, f64)

#define AG_SUM_TO(T, SFX)                                                       \
void ag_sum_to_##SFX(const T *in, T *out, int64_t out_numel, const ag_broadcast *bc) { \
    memset(out, 0, (size_t)out_numel * sizeof(T));                              \
    const int32_t nd = bc->ndim;                                                \
    const int64_t n = bc->numel;                                                \
    if (nd == 0) { out[0] = in[0]; return; }                                    \
    int64_t idx[AG_MAX_DIMS] = {0};                                             \
    const int64_t inner = bc->shape[nd - 1], s = bc->stride_a[nd - 1];          \
    int64_t off = 0;                                                            \
    for (int64_t o = 0; o < n; o += inner) {                                    \
        const T *pi = in + o;                                                   \
        if (s) { T *po = out + off; for (int64_t j = 0; j < inner; j++) po[j] += pi[j]; } \
        else { T acc = 0; for (int64_t j = 0; j < inner; j++) acc += pi[j]; out[off] += acc; } \
        for (int32_t d = nd - 2; d >= 0; d--) {                                 \
            idx[d]++; off += bc->stride_a[d];                                   \
            if (idx[d] < bc->shape[d]) break;                                   \
            off -= idx[d] * bc->stride_a[d]; idx[d] = 0;                        \
        }                                                                       \
    }                                                                           \
}
AG_SUM_TO(float, f32)
AG_SUM_TO(double, f64)
