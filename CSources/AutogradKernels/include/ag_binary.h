#ifndef AG_BINARY_H
#define AG_BINARY_H
// Elementwise binary ops with NumPy broadcasting: out = a <op> b over the
// result shape described by `bc` (see ag_types.h). `out` is contiguous; the
// forward kernels read a and b through any element strides in `bc` (a
// transposed or sliced view in place), not only 0 and the dense ones. Their backward passes are
// written with these same forward kernels plus ag_sum_to (ag_reduce.h):
//   add: ga = sum_to(gy),     gb = sum_to(gy)
//   sub: ga = sum_to(gy),     gb = -sum_to(gy)
//   mul: ga = sum_to(gy * b), gb = sum_to(gy * a)
//   div: ga = sum_to(gy / b), gb = -sum_to(gy * a / b^2)
//   pow: ga = sum_to(gy * b * a^(b-1)), gb = sum_to(gy * a^b * ln a)

#include "ag_types.h"

#define AG_DECLARE_BINARY(op)                                                                   \
    void ag_##op##_forward_f32(const float *a, const float *b, float *out, const ag_broadcast *bc); \
    void ag_##op##_forward_f64(const double *a, const double *b, double *out, const ag_broadcast *bc);

AG_DECLARE_BINARY(add)
AG_DECLARE_BINARY(sub)
AG_DECLARE_BINARY(mul)
AG_DECLARE_BINARY(div)
AG_DECLARE_BINARY(pow)
AG_DECLARE_BINARY(maximum)
AG_DECLARE_BINARY(minimum)

/// int64 add, sub and mul over the same walk, wrapping around on overflow as PyTorch does.
void ag_add_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);
void ag_sub_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);
void ag_mul_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);
/// int64 maximum and minimum over the same walk.
void ag_maximum_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);
void ag_minimum_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);

#endif
