#ifndef AG_COMPARE_H
#define AG_COMPARE_H
// Comparisons, logical ops and `where` (the kernels behind masks), and casts
// between every pair of the four element types. Masks are `bool` buffers
// (one byte per element, Swift's Bool). Broadcasting kernels take the result
// shape and operand strides in an ag_broadcast (ag_types.h). None of these
// has a gradient except `where`, whose backward is `where` again:
//   where: ga = where(cond, gy, 0),  gb = where(cond, 0, gy)   (then sum_to)

#include "ag_types.h"

/// out = a <op> b (lt, le, gt, ge, eq, ne), broadcast. NaN compares unequal
/// (so `ne` is true for it and the others false), as in IEEE and PyTorch.
#define AG_DECLARE_COMPARE(op)                                                                      \
    void ag_##op##_forward_f32(const float *a, const float *b, bool *out, const ag_broadcast *bc);   \
    void ag_##op##_forward_f64(const double *a, const double *b, bool *out, const ag_broadcast *bc); \
    void ag_##op##_forward_i64(const int64_t *a, const int64_t *b, bool *out, const ag_broadcast *bc);
AG_DECLARE_COMPARE(lt)
AG_DECLARE_COMPARE(le)
AG_DECLARE_COMPARE(gt)
AG_DECLARE_COMPARE(ge)
AG_DECLARE_COMPARE(eq)
AG_DECLARE_COMPARE(ne)

/// out = a && b, a || b (broadcast); y = !x (n elements).
void ag_logical_and_forward(const bool *a, const bool *b, bool *out, const ag_broadcast *bc);
void ag_logical_or_forward(const bool *a, const bool *b, bool *out, const ag_broadcast *bc);
void ag_logical_not_forward(const bool *x, bool *y, int64_t n);

/// out = cond ? a : b over the result shape of `bc` (a and b's strides);
/// `bc_cond->stride_a` gives cond's strides in that same result shape.
#define AG_DECLARE_WHERE(T, SFX)                                                                  \
    void ag_where_forward_##SFX(const bool *cond, const T *a, const T *b, T *out,                 \
                                const ag_broadcast *bc, const ag_broadcast *bc_cond);
AG_DECLARE_WHERE(float, f32)
AG_DECLARE_WHERE(double, f64)
AG_DECLARE_WHERE(int64_t, i64)
AG_DECLARE_WHERE(bool, bool)

/// out[i] = in[i] converted (f32 <-> f64 is ag_cast_f32_f64 / ag_cast_f64_f32
/// in ag_memory.h). Floating to int64 truncates toward zero; NaN, infinities
/// and values outside int64's range give INT64_MIN (what x86 and so PyTorch
/// on x86 give, without C's undefined behaviour). To bool: x != 0 (NaN is
/// true). From bool: 0 or 1.
void ag_cast_f32_i64(const float *in, int64_t *out, int64_t n);
void ag_cast_f64_i64(const double *in, int64_t *out, int64_t n);
void ag_cast_i64_f32(const int64_t *in, float *out, int64_t n);
void ag_cast_i64_f64(const int64_t *in, double *out, int64_t n);
void ag_cast_f32_bool(const float *in, bool *out, int64_t n);
void ag_cast_f64_bool(const double *in, bool *out, int64_t n);
void ag_cast_i64_bool(const int64_t *in, bool *out, int64_t n);
void ag_cast_bool_f32(const bool *in, float *out, int64_t n);
void ag_cast_bool_f64(const bool *in, double *out, int64_t n);
void ag_cast_bool_i64(const bool *in, int64_t *out, int64_t n);

#endif
