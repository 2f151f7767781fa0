#ifndef SORT1D_H
#define SORT1D_H
// Kernels of SortWithIndices: ascending sort of a 1-D buffer that also
// returns where each value came from (the index output PyTorch's
// mark_non_differentiable example returns). A stable insertion sort: small,
// no allocation, meant for short vectors. NaN sorts last, as in torch.sort.

#include <stdint.h>

/// values = x sorted ascending; indices[i] = the position in x of values[i]
void sort1d_forward_f32(const float *x, float *values, int64_t *indices, int64_t n);
void sort1d_forward_f64(const double *x, double *values, int64_t *indices, int64_t n);

/// dL/dx: zeros, then dx[indices[i]] += dL/dvalues[i]   (index_add_)
void sort1d_backward_f32(const int64_t *indices, const float *dvalues, float *dx, int64_t n);
void sort1d_backward_f64(const int64_t *indices, const double *dvalues, double *dx, int64_t n);

#endif
