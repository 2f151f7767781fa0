#ifndef AG_SORT_H
#define AG_SORT_H
// Sorting and selection along one axis, float and double, on the
// [outer, n, inner] view of ag_reduce_dims.h: element (o, j, i) is at
// x[(o * n + j) * inner + i].

#include "ag_types.h"

/// A stable sort of each slice along the axis, keeping its first k entries
/// (k = n: a full sort; k < n: top-k). values and indices have outer * k *
/// inner elements: values[o, j, i] = x[o, indices[o, j, i], i]. Ascending puts
/// NaN last, descending puts it first (NaN counts as the largest value, as in
/// PyTorch); equal values keep their order. `work_v` and `work_i` are scratch
/// space of 2 * n elements each. 0 <= k <= n.
void ag_sort_forward_f32(const float *x, float *values, int64_t *indices, int64_t outer, int64_t n, int64_t k,
                         int64_t inner, bool descending, float *work_v, int64_t *work_i);
void ag_sort_forward_f64(const double *x, double *values, int64_t *indices, int64_t outer, int64_t n, int64_t k,
                         int64_t inner, bool descending, double *work_v, int64_t *work_i);

/// Selection by index along the axis: out[o, j, i] = x[o, index[o, j, i], i],
/// with x of outer * n * inner and index / out of outer * k * inner elements
/// (PyTorch's gather along one dimension). An index outside [0, n) gives 0.
void ag_sort_gather_f32(const float *x, const int64_t *index, float *out, int64_t outer, int64_t n, int64_t k, int64_t inner);
void ag_sort_gather_f64(const double *x, const int64_t *index, double *out, int64_t outer, int64_t n, int64_t k, int64_t inner);

/// The backward of ag_sort_gather: gx (outer * n * inner, overwritten) is zero
/// except gx[o, index[o, j, i], i] += g[o, j, i] (PyTorch's scatter_add).
/// Indices outside [0, n) are skipped.
void ag_sort_scatter_add_f32(const int64_t *index, const float *g, float *gx, int64_t outer, int64_t n, int64_t k, int64_t inner);
void ag_sort_scatter_add_f64(const int64_t *index, const double *g, double *gx, int64_t outer, int64_t n, int64_t k, int64_t inner);

#endif
