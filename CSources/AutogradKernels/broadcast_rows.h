#ifndef AG_BROADCAST_ROWS_H
#define AG_BROADCAST_ROWS_H
// Private to the kernels (not under include/): walking a broadcast result row
// by row, for kernels whose operands or outputs are not all of one type.

#include "ag_types.h"

/// Whether every operand of `bc` is laid out exactly like the (row-major)
/// result: no broadcast dimension and no other strides (a view's), so a
/// flat loop over `numel` elements serves.
static inline int ag_bc_same(const ag_broadcast *bc, const int64_t *stride_c) {
    int64_t expected = 1;
    for (int32_t d = bc->ndim - 1; d >= 0; d--) {
        if (bc->shape[d] == 1) continue;
        if (bc->stride_a[d] != expected || bc->stride_b[d] != expected || stride_c[d] != expected) return 0;
        expected *= bc->shape[d];
    }
    return 1;
}

/// Runs the body (the trailing arguments) once per row of the result's last dimension, with `o` the row's
/// result offset, `inner` its length, `oa`/`ob`/`oc` the offsets of operands
/// a, b (strides from `bc`) and c (strides `sc_`, e.g. another descriptor's
/// stride_a), and `sa`/`sb`/`sc` their steps along the row (0 for a broadcast
/// operand, 1 for a dense one, any other for a view).
#define AG_FOR_ROWS(bc, sc_, ...) do {                                              \
    const ag_broadcast *bc_ = (bc);                                                  \
    const int64_t *scs_ = (sc_);                                                     \
    const int32_t nd_ = bc_->ndim;                                                   \
    if (nd_ == 0) {                                                                  \
        const int64_t o = 0, inner = 1, oa = 0, ob = 0, oc = 0, sa = 0, sb = 0, sc = 0; \
        (void)sa; (void)sb; (void)sc; (void)oc; __VA_ARGS__;                                \
        break;                                                                       \
    }                                                                                \
    const int64_t inner = bc_->shape[nd_ - 1];                                       \
    if (inner == 0 || bc_->numel == 0) break;                                        \
    const int64_t sa = bc_->stride_a[nd_ - 1], sb = bc_->stride_b[nd_ - 1], sc = scs_[nd_ - 1]; \
    (void)sa; (void)sb; (void)sc;                                                    \
    int64_t idx_[AG_MAX_DIMS] = {0};                                                 \
    int64_t oa = 0, ob = 0, oc = 0;                                                  \
    (void)oa; (void)ob; (void)oc;                                                    \
    for (int64_t o = 0; o < bc_->numel; o += inner) {                                \
        __VA_ARGS__;                                                                        \
        for (int32_t d_ = nd_ - 2; d_ >= 0; d_--) {                                  \
            idx_[d_]++; oa += bc_->stride_a[d_]; ob += bc_->stride_b[d_]; oc += scs_[d_]; \
            if (idx_[d_] < bc_->shape[d_]) break;                                    \
            oa -= idx_[d_] * bc_->stride_a[d_]; ob -= idx_[d_] * bc_->stride_b[d_];  \
            oc -= idx_[d_] * scs_[d_]; idx_[d_] = 0;                                 \
        }                                                                            \
    }                                                                                \
} while (0)

#endif
