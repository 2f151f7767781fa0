#ifndef AG_REDUCE_DIMS_H
#define AG_REDUCE_DIMS_H
// Reductions and scans along dimensions, float and double.
//
// The layout: a contiguous tensor seen as [outer, n, inner], reduced (or
// scanned) along the middle axis. Element (o, j, i) is x[(o * n + j) * inner + i];
// a reduced value (o, i) is y[o * inner + i]. Reducing several dimensions: when
// they are consecutive they merge into the middle axis (n = the product of
// their sizes); otherwise the caller first copies the tensor with
// `ag_reduce_permute_*` so that the reduced dimensions come last, and reduces
// with inner = 1. Any of outer, n, inner may be 0. Float inputs are
// accumulated in double. `gy` / `y` have outer * inner elements, `x` / `gx`
// outer * n * inner. No buffer may alias another. Large calls split the
// slices (o, i) over the cores (ag_parallel.h). When inner > 1, blocks of up
// to 16 neighbouring slices (o, i..i+15) are computed together, reading row j
// of all of them before row j + 1 (memory in order, not one cache line per
// element down a column); when inner == 1, blocks of up to 8 neighbouring
// rows are computed side by side (their chains of adds or compares overlap).
// Each slice still sees its elements in the same order, with its own
// accumulators, so results are bit for bit those of one slice at a time on
// one thread, whatever the thread count or blocking.

#include "ag_types.h"

/// y = x permuted: y's dimension k is x's dimension perm[k] (PyTorch's
/// `x.permute(perm).contiguous()`). `shape` is x's shape; ndim <= AG_MAX_DIMS.
void ag_reduce_permute_f32(const float *x, float *y, int32_t ndim, const int64_t *shape, const int64_t *perm);
void ag_reduce_permute_f64(const double *x, double *y, int32_t ndim, const int64_t *shape, const int64_t *perm);
void ag_reduce_permute_i64(const int64_t *x, int64_t *y, int32_t ndim, const int64_t *shape, const int64_t *perm);

/// int64 prod and cumsum over [outer, n, inner] (wrapping around on overflow,
/// as PyTorch's): y[o, i] = prod_j x[o, j, i]; cumsum keeps x's shape.
void ag_prod_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner);
void ag_cumsum_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner);
/// y[j] = prod_{k <= j} x[k] over [outer, n, inner], wrapping (int64) or
/// accumulated in double and rounded at each j (float32, as PyTorch's acc_type).
void ag_cumprod_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner);
void ag_cumprod_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner);
void ag_cumprod_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner);

/// mask[k] = 1 where x[k] == 0, else 0, over n elements (for masking a
/// division by a zero norm or deviation when a backward is recorded).
void ag_reduce_zero_mask_f32(const float *x, float *mask, int64_t n);
void ag_reduce_zero_mask_f64(const double *x, double *mask, int64_t n);

/// y = prod_j x[j].
/// Backward (PyTorch's prod_backward): when no element of the whole x is zero,
/// gx = gy * (y / x); otherwise gx[j] = gy * prod_{k != j} x[k] (exclusive
/// products from both sides, exact with zeros).
void ag_prod_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner);
void ag_prod_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner);
void ag_prod_backward_f32(const float *x, const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner);
void ag_prod_backward_f64(const double *x, const double *y, const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner);

/// The products of the others: p[j] = prod_{k != j} x[k] along the axis (same
/// shape as x). Its backward: gx[k] = sum_{j != k} gp[j] * prod_{m != j, k} x[m]
/// (O(n^2) per slice; used only when differentiating prod twice).
void ag_prod_others_forward_f32(const float *x, float *p, int64_t outer, int64_t n, int64_t inner);
void ag_prod_others_forward_f64(const double *x, double *p, int64_t outer, int64_t n, int64_t inner);
void ag_prod_others_backward_f32(const float *x, const float *gp, float *gx, int64_t outer, int64_t n, int64_t inner);
void ag_prod_others_backward_f64(const double *x, const double *gp, double *gx, int64_t outer, int64_t n, int64_t inner);

/// y = sum_j (x[j] - mean)^2 / max(0, n - correction), two passes.
/// Backward: gx = gy * 2 (x - mean) / (n - correction).
void ag_var_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_var_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_var_backward_f32(const float *x, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_var_backward_f64(const double *x, const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner, double correction);

/// y = sqrt(var). Backward: gx = gy * (x - mean) / ((n - correction) * y), and
/// 0 where y == 0 (PyTorch's std_backward).
void ag_std_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_std_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_std_backward_f32(const float *x, const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, double correction);
void ag_std_backward_f64(const double *x, const double *y, const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner, double correction);

/// y = m + log sum_j exp(x[j] - m), m = max_j x[j] (0 when m is infinite, as
/// PyTorch). Backward: gx = gy * exp(x - y).
void ag_logsumexp_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner);
void ag_logsumexp_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner);
void ag_logsumexp_backward_f32(const float *x, const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner);
void ag_logsumexp_backward_f64(const double *x, const double *y, const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner);

/// The largest (smallest) value along the axis and the index j of its first
/// occurrence; a NaN wins (the first NaN). Requires n > 0. `indices` may be
/// NULL. The gradient is a scatter to the index (see ag_sort.h).
void ag_max_dim_forward_f32(const float *x, float *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner);
void ag_max_dim_forward_f64(const double *x, double *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner);
void ag_min_dim_forward_f32(const float *x, float *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner);
void ag_min_dim_forward_f64(const double *x, double *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner);

/// Where the extreme value y sits, for PyTorch's amax / max() backward:
/// mask[j] = 1 where x[j] == y (where x[j] is NaN when y is), else 0, and
/// count = the number of such j; the gradient is gx = (gy / count) * mask,
/// split evenly among ties.
void ag_extreme_mask_f32(const float *x, const float *y, float *mask, float *count, int64_t outer, int64_t n, int64_t inner);
void ag_extreme_mask_f64(const double *x, const double *y, double *mask, double *count, int64_t outer, int64_t n, int64_t inner);

/// y[j] = sum_{k <= j} x[k]. Backward (reversed cumsum): gx[j] = sum_{k >= j} gy[k].
/// Here y and gy have the full outer * n * inner elements.
void ag_cumsum_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner);
void ag_cumsum_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner);
void ag_cumsum_backward_f32(const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner);
void ag_cumsum_backward_f64(const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner);

/// The vector p-norm y = (sum_j |x[j]|^p)^(1/p); p = 0 counts non-zeros,
/// p = inf / -inf is max / min |x|. Backward as PyTorch's norm_backward:
/// p = 0: 0; p = 1: gy * sign x; p = 2: gy * x / y; p = +-inf: gy * sign x *
/// share (ties split evenly); else gy * sign x * |x|^(p-1) / y^(p-1). Where
/// y == 0 the gradient is 0.
void ag_norm_forward_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, double p);
void ag_norm_forward_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner, double p);
void ag_norm_backward_f32(const float *x, const float *y, const float *gy, float *gx, int64_t outer, int64_t n, int64_t inner, double p);
void ag_norm_backward_f64(const double *x, const double *y, const double *gy, double *gx, int64_t outer, int64_t n, int64_t inner, double p);

#endif
