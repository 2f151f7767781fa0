#ifndef AG_INPLACE_H
#define AG_INPLACE_H
// In-place arithmetic: kernels that overwrite their first buffer (PyTorch's
// add_, sub_, mul_, div_, clamp_). Filling and copying use ag_fill and
// ag_expand (ag_memory.h), which write into any buffer they are given.

#include "ag_types.h"

/// x = x <op> other, where `other` is broadcast to x's shape: `bc` describes
/// x's shape as the result, with x as operand a and `other` as operand b.
#define AG_DECLARE_INPLACE(op)                                                                   \
    void ag_##op##_inplace_f32(float *x, const float *other, const ag_broadcast *bc);           \
    void ag_##op##_inplace_f64(double *x, const double *other, const ag_broadcast *bc);         \
    void ag_##op##_scalar_inplace_f32(float *x, double s, int64_t n);                           \
    void ag_##op##_scalar_inplace_f64(double *x, double s, int64_t n);

AG_DECLARE_INPLACE(add)  // x += other
AG_DECLARE_INPLACE(sub)  // x -= other
AG_DECLARE_INPLACE(mul)  // x *= other
AG_DECLARE_INPLACE(div)  // x /= other

/// x = min(max(x, lo), hi), a bound applying only when its `has_` flag is set
/// (NaN stays NaN). When `mask` is not NULL it first receives 1 where
/// lo <= x <= hi (the bounds that apply) and 0 elsewhere: the gradient mask.
void ag_clamp_inplace_f32(float *x, bool has_lo, double lo, bool has_hi, double hi, float *mask, int64_t n);
void ag_clamp_inplace_f64(double *x, bool has_lo, double lo, bool has_hi, double hi, double *mask, int64_t n);

#endif
