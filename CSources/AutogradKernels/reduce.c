#include "ag_reduce.h"
#include "ag_parallel.h"
#include "parallel_parts.h"
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

// Sum-to: each output element adds up its inputs in the input's row-major
// order. Large inputs are split along one kept dimension (one that the output
// has, preferring the longest): each thread owns the outputs whose index
// along it lies in its range and walks just those inputs, in the same order,
// so every output's sum is bit-identical to the single-threaded walk. A
// reduction to a single element stays on one thread.
typedef struct {
    const void *in; void *out;
    const ag_broadcast *bc;
    int32_t split;                      // the dimension split between threads
    int64_t in_stride[AG_MAX_DIMS];     // the input's (contiguous) strides
} ag_sum_to_args;

#define AG_SUM_TO(T, SFX)                                                       \
/* Adds the inputs whose index along a->split is in [b, e) into their outputs. */ \
AG_VECTOR_CLONES static void sum_to_range_##SFX(void *ctx, int64_t b, int64_t e) { \
    const ag_sum_to_args *a = ctx;                                              \
    const ag_broadcast *bc = a->bc;                                             \
    const int32_t nd = bc->ndim, k = a->split;                                  \
    const T *in = (const T *)a->in + b * a->in_stride[k];                       \
    T *out = (T *)a->out + b * bc->stride_a[k];                                 \
    int64_t shape[AG_MAX_DIMS], idx[AG_MAX_DIMS] = {0}, rows = 1;               \
    for (int32_t d = 0; d < nd; d++) shape[d] = bc->shape[d];                   \
    shape[k] = e - b;                                                           \
    for (int32_t d = 0; d < nd - 1; d++) rows *= shape[d];                      \
    const int64_t inner = shape[nd - 1], s = bc->stride_a[nd - 1];              \
    int64_t ioff = 0, ooff = 0;                                                 \
    for (int64_t r = 0; r < rows; r++) {                                        \
        const T *pi = in + ioff;                                                \
        if (s) { T *po = out + ooff; for (int64_t j = 0; j < inner; j++) po[j] += pi[j]; } \
        else { T acc = 0; for (int64_t j = 0; j < inner; j++) acc += pi[j]; out[ooff] += acc; } \
        for (int32_t d = nd - 2; d >= 0; d--) {                                 \
            idx[d]++; ioff += a->in_stride[d]; ooff += bc->stride_a[d];         \
            if (idx[d] < shape[d]) break;                                       \
            ioff -= idx[d] * a->in_stride[d]; ooff -= idx[d] * bc->stride_a[d]; idx[d] = 0; \
        }                                                                       \
    }                                                                           \
}                                                                               \
void ag_sum_to_##SFX(const T *in, T *out, int64_t out_numel, const ag_broadcast *bc) { \
    memset(out, 0, (size_t)out_numel * sizeof(T));                              \
    const int32_t nd = bc->ndim;                                                \
    if (nd == 0) { out[0] = in[0]; return; }                                    \
    ag_sum_to_args a = { in, out, bc, 0, {0} };                                 \
    int64_t stride = 1; int32_t split = -1;                                     \
    for (int32_t d = nd - 1; d >= 0; d--) {                                     \
        a.in_stride[d] = stride; stride *= bc->shape[d];                        \
        if (bc->stride_a[d] != 0 && (split < 0 || bc->shape[d] >= bc->shape[split])) split = d; \
    }                                                                           \
    if (split < 0) { sum_to_range_##SFX(&a, 0, bc->shape[0]); return; }         \
    a.split = split;                                                            \
    /* Bounds at multiples of 16 outputs keep threads off each other's lines.   \
       Rows added into outputs in vectors are bound by memory, not the core:    \
       count their elements as 1/16 of one (as parallel from 4M elements). */   \
    const int64_t step = bc->stride_a[split];                                   \
    const int64_t work = bc->stride_a[nd - 1] ? bc->numel / 16 : bc->numel;     \
    ag_parallel_parts(bc->shape[split], work, step >= 16 ? 1 : (16 + step - 1) / step, \
                      sum_to_range_##SFX, &a);                                  \
}
AG_SUM_TO(float, f32)
AG_SUM_TO(double, f64)
// int64 sums wrap around on overflow, as PyTorch's: added as uint64_t (the same
// two's-complement bits, with no undefined overflow).
AG_SUM_TO(uint64_t, u64)

int64_t ag_sum_all_i64(const int64_t *x, int64_t n) {
    uint64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += (uint64_t)x[i];
    return (int64_t)s;
}
