#ifndef AG_BINARY_WALK_H
#define AG_BINARY_WALK_H
// Private to the kernel files (not under include/): the walk every binary
// elementwise kernel shares (binary.c, integer.c).

#include "ag_types.h"
#include "ag_parallel.h"

// Walks the (contiguous) result in rows of its last dimension; the operands
// may have any strides (a transposed or sliced view is read in place). Rows
// whose operands step by 0 or 1 are loops the compiler vectorises; other rows
// step by the strides; the outer dimensions advance an odometer. Operands
// laid out like the result, and scalars, take flat parallel loops.
#define AG_BINARY(op, T, SFX, EXPR)                                                   \
typedef struct { const T *a, *b; T *out; int mode; } op##_##SFX##_args;               \
AG_VECTOR_CLONES static void op##_##SFX##_range(void *p, int64_t lo, int64_t hi) { \
    const op##_##SFX##_args *r = p;                                                   \
    const T *a = r->a, *b = r->b; T *out = r->out;                                    \
    if (r->mode == 0) { for (int64_t i = lo; i < hi; i++) { const T x = a[i], y = b[i]; out[i] = (EXPR); } } \
    else if (r->mode == 1) { const T y = b[0]; for (int64_t i = lo; i < hi; i++) { const T x = a[i]; out[i] = (EXPR); } } \
    else { const T x = a[0]; for (int64_t i = lo; i < hi; i++) { const T y = b[i]; out[i] = (EXPR); } } \
}                                                                                     \
void ag_##op##_forward_##SFX(const T *a, const T *b, T *out, const ag_broadcast *bc) { \
    const int64_t n = bc->numel;                                                      \
    const int32_t nd = bc->ndim;                                                      \
    int a_dense = 1, b_dense = 1, a_scalar = 1, b_scalar = 1;                         \
    int64_t dense = 1;                                                                \
    for (int32_t d = nd - 1; d >= 0; d--) {                                           \
        if (bc->shape[d] == 1) continue;                                              \
        if (bc->stride_a[d] != dense) a_dense = 0;                                    \
        if (bc->stride_b[d] != dense) b_dense = 0;                                    \
        if (bc->stride_a[d] != 0) a_scalar = 0;                                       \
        if (bc->stride_b[d] != 0) b_scalar = 0;                                       \
        dense *= bc->shape[d];                                                        \
    }                                                                                 \
    if ((a_dense && (b_dense || b_scalar)) || (a_scalar && b_dense)) {                \
        op##_##SFX##_args r = { a, b, out, b_dense && a_dense ? 0 : (b_scalar ? 1 : 2) }; \
        ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, op##_##SFX##_range, &r);             \
        return;                                                                       \
    }                                                                                 \
    int64_t idx[AG_MAX_DIMS] = {0};                                                   \
    const int64_t inner = bc->shape[nd - 1];                                          \
    const int64_t sa = bc->stride_a[nd - 1], sb = bc->stride_b[nd - 1];               \
    int64_t oa = 0, ob = 0;                                                           \
    for (int64_t o = 0; o < n; o += inner) {                                          \
        const T *pa = a + oa, *pb = b + ob; T *po = out + o;                          \
        if (sa == 1 && sb == 1) { for (int64_t j = 0; j < inner; j++) { const T x = pa[j], y = pb[j]; po[j] = (EXPR); } } \
        else if (sa == 1 && sb == 0) { const T y = pb[0]; for (int64_t j = 0; j < inner; j++) { const T x = pa[j]; po[j] = (EXPR); } } \
        else if (sa == 0 && sb == 1) { const T x = pa[0]; for (int64_t j = 0; j < inner; j++) { const T y = pb[j]; po[j] = (EXPR); } } \
        else if (sa == 0 && sb == 0) { const T x = pa[0], y = pb[0]; const T r = (EXPR); for (int64_t j = 0; j < inner; j++) po[j] = r; } \
        else { for (int64_t j = 0; j < inner; j++) { const T x = pa[j * sa], y = pb[j * sb]; po[j] = (EXPR); } } \
        for (int32_t d = nd - 2; d >= 0; d--) {                                       \
            idx[d]++; oa += bc->stride_a[d]; ob += bc->stride_b[d];                   \
            if (idx[d] < bc->shape[d]) break;                                         \
            oa -= idx[d] * bc->stride_a[d]; ob -= idx[d] * bc->stride_b[d]; idx[d] = 0; \
        }                                                                             \
    }                                                                                 \
}

#endif
