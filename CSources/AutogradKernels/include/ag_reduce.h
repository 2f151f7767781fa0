#ifndef AG_REDUCE_H
#define AG_REDUCE_H
// Reductions.

#include "ag_types.h"

/// Sum of all n elements, accumulated in double (pairwise within blocks).
double ag_sum_all_f32(const float *x, int64_t n);
double ag_sum_all_f64(const double *x, int64_t n);

/// Sums `in` (the result shape of `bc`) down to a smaller shape that
/// broadcasts to it: out[j] = sum of in[i] over all i whose operand-a index is
/// j (operand a's strides are 0 along reduced dimensions). `out` has
/// `out_numel` elements and is overwritten. This is the backward of expand and
/// of every broadcasting binary op. Each output adds its inputs in row-major
/// order in T; large inputs are split over the cores by output, so results do
/// not depend on the thread count.
void ag_sum_to_f32(const float *in, float *out, int64_t out_numel, const ag_broadcast *bc);
void ag_sum_to_f64(const double *in, double *out, int64_t out_numel, const ag_broadcast *bc);
/// The same for int64 tensors, passed as uint64_t: the sums wrap around on overflow, as PyTorch's.
void ag_sum_to_u64(const uint64_t *in, uint64_t *out, int64_t out_numel, const ag_broadcast *bc);
/// Sum of all n int64 elements, wrapping around on overflow.
int64_t ag_sum_all_i64(const int64_t *x, int64_t n);

#endif
