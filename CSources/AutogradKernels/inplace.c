#include "ag_inplace.h"
#include <stddef.h>

// x is contiguous in the result shape; `other` steps by operand b's strides.
// Equal shapes and a scalar `other` take flat loops; otherwise rows of the
// last dimension advance an odometer over the outer dimensions.
#define AG_INPLACE(op, T, SFX, EXPR)                                                     \
void ag_##op##_inplace_##SFX(T *x, const T *other, const ag_broadcast *bc) {            \
    const int64_t n = bc->numel;                                                         \
    const int32_t nd = bc->ndim;                                                         \
    int same = 1, scalar = 1;                                                            \
    for (int32_t d = 0; d < nd; d++) {                                                   \
        if (bc->shape[d] == 1) continue;                                                 \
        if (bc->stride_b[d] == 0) same = 0; else scalar = 0;                             \
    }                                                                                    \
    if (same) { for (int64_t i = 0; i < n; i++) { const T y = other[i]; x[i] = (EXPR); } return; } \
    if (scalar) { const T y = other[0]; for (int64_t i = 0; i < n; i++) x[i] = (EXPR); return; } \
    int64_t idx[AG_MAX_DIMS] = {0};                                                      \
    const int64_t inner = bc->shape[nd - 1], sb = bc->stride_b[nd - 1];                  \
    int64_t ob = 0;                                                                      \
    for (int64_t o = 0; o < n; o += inner) {                                             \
        const T *pb = other + ob; T *px = x + o;                                         \
        if (sb) { for (int64_t j = 0; j < inner; j++) { const T y = pb[j]; px[j] = px[j] op##_OP y; } } \
        else    { const T y = pb[0]; for (int64_t j = 0; j < inner; j++) px[j] = px[j] op##_OP y; } \
        for (int32_t d = nd - 2; d >= 0; d--) {                                          \
            idx[d]++; ob += bc->stride_b[d];                                             \
            if (idx[d] < bc->shape[d]) break;                                            \
            ob -= idx[d] * bc->stride_b[d]; idx[d] = 0;                                  \
        }                                                                                \
    }                                                                                    \
}                                                                                        \
void ag_##op##_scalar_inplace_##SFX(T *x, double s, int64_t n) {                         \
    const T y = (T)s;                                                                    \
    for (int64_t i = 0; i < n; i++) x[i] = (EXPR);                                       \
}

#define add_OP +
#define sub_OP -
#define mul_OP *
#define div_OP /
#define AG_INPLACE_PAIR(op) AG_INPLACE(op, float, f32, x[i] op##_OP y) AG_INPLACE(op, double, f64, x[i] op##_OP y)

AG_INPLACE_PAIR(add)
AG_INPLACE_PAIR(sub)
AG_INPLACE_PAIR(mul)
AG_INPLACE_PAIR(div)

#define AG_CLAMP(T, SFX)                                                                 \
void ag_clamp_inplace_##SFX(T *x, bool has_lo, double lo, bool has_hi, double hi, T *mask, int64_t n) { \
    const T l = (T)lo, h = (T)hi;                                                        \
    if (mask) for (int64_t i = 0; i < n; i++)                                            \
        mask[i] = ((!has_lo || x[i] > l) && (!has_hi || x[i] < h)) ? (T)1 : (T)0;      \
    if (has_lo) for (int64_t i = 0; i < n; i++) x[i] = x[i] < l ? l : x[i];              \
    if (has_hi) for (int64_t i = 0; i < n; i++) x[i] = x[i] > h ? h : x[i];              \
}
AG_CLAMP(float, f32)
AG_CLAMP(double, f64)
