#include "ag_index.h"

static int ag_walk_is_empty(int32_t nd, const int64_t *shape) {
    for (int32_t k = 0; k < nd; k++) if (shape[k] <= 0) return 1;
    return 0;
}

int32_t ag_index_offsets(const int64_t *index, int64_t *off, int64_t size, int64_t stride,
                         const ag_strided *d, int64_t *bad) {
    const int32_t nd = d->ndim;
    if (ag_walk_is_empty(nd, d->shape)) return 0;
    int64_t idx[AG_MAX_DIMS] = {0};
    int64_t so = d->src_offset, dso = d->dst_offset;
    const int64_t n = nd == 0 ? 1 : d->shape[nd - 1];
    const int64_t ss = nd == 0 ? 0 : d->src_stride[nd - 1], ds = nd == 0 ? 0 : d->dst_stride[nd - 1];
    for (;;) {
        for (int64_t j = 0; j < n; j++) {
            int64_t v = index[so + j * ss];
            if (v < -size || v >= size) { *bad = v; return 1; }
            off[dso + j * ds] += (v < 0 ? v + size : v) * stride;
        }
        int32_t k;
        for (k = nd - 2; k >= 0; k--) {
            idx[k]++; so += d->src_stride[k]; dso += d->dst_stride[k];
            if (idx[k] < d->shape[k]) break;
            so -= idx[k] * d->src_stride[k]; dso -= idx[k] * d->dst_stride[k];
            idx[k] = 0;
        }
        if (k < 0) return 0;
    }
}

// The three-operand odometer: STMT runs with `ap`, `bp`, `op` the current
// positions of a, b and the offsets; the last dimension is the inner loop.
#define AG_INDEX_WALK(NAME, TA, TB, STMT)                                         \
void NAME(TA *a, const TB *b, const int64_t *off, const ag_index_walk *d) {       \
    const int32_t nd = d->ndim;                                                   \
    if (ag_walk_is_empty(nd, d->shape)) return;                                   \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int64_t ao = d->a_offset, bo = d->b_offset, oo = 0;                           \
    const int64_t n = nd == 0 ? 1 : d->shape[nd - 1];                             \
    const int64_t sa = nd == 0 ? 0 : d->a_stride[nd - 1];                         \
    const int64_t sb = nd == 0 ? 0 : d->b_stride[nd - 1];                         \
    const int64_t so = nd == 0 ? 0 : d->off_stride[nd - 1];                       \
    for (;;) {                                                                    \
        for (int64_t j = 0; j < n; j++) {                                         \
            const int64_t ap = ao + j * sa, bp = bo + j * sb, op = oo + j * so;   \
            STMT;                                                                 \
        }                                                                         \
        int32_t k;                                                                \
        for (k = nd - 2; k >= 0; k--) {                                           \
            idx[k]++; ao += d->a_stride[k]; bo += d->b_stride[k]; oo += d->off_stride[k]; \
            if (idx[k] < d->shape[k]) break;                                      \
            ao -= idx[k] * d->a_stride[k]; bo -= idx[k] * d->b_stride[k];         \
            oo -= idx[k] * d->off_stride[k];                                      \
            idx[k] = 0;                                                           \
        }                                                                         \
        if (k < 0) return;                                                        \
    }                                                                             \
}

AG_INDEX_WALK(ag_index_get_8, uint64_t, uint64_t, a[ap] = b[bp + off[op]])
AG_INDEX_WALK(ag_index_get_4, uint32_t, uint32_t, a[ap] = b[bp + off[op]])
AG_INDEX_WALK(ag_index_get_1, uint8_t, uint8_t, a[ap] = b[bp + off[op]])
AG_INDEX_WALK(ag_index_put_8, uint64_t, uint64_t, a[ap + off[op]] = b[bp])
AG_INDEX_WALK(ag_index_put_4, uint32_t, uint32_t, a[ap + off[op]] = b[bp])
AG_INDEX_WALK(ag_index_put_1, uint8_t, uint8_t, a[ap + off[op]] = b[bp])
AG_INDEX_WALK(ag_index_put_add_f32, float, float, a[ap + off[op]] += b[bp])
AG_INDEX_WALK(ag_index_put_add_f64, double, double, a[ap + off[op]] += b[bp])
AG_INDEX_WALK(ag_index_put_add_i64, int64_t, int64_t, a[ap + off[op]] += b[bp])

// The larger (smaller) of the two, NaN winning, as torch.maximum / amax.
#define AG_PICK_MAX(x, y) (((x) != (x) || (y) != (y)) ? (x) + (y) : ((x) > (y) ? (x) : (y)))
#define AG_PICK_MIN(x, y) (((x) != (x) || (y) != (y)) ? (x) + (y) : ((x) < (y) ? (x) : (y)))
AG_INDEX_WALK(ag_index_put_max_f32, float, float, a[ap + off[op]] = AG_PICK_MAX(a[ap + off[op]], b[bp]))
AG_INDEX_WALK(ag_index_put_max_f64, double, double, a[ap + off[op]] = AG_PICK_MAX(a[ap + off[op]], b[bp]))
AG_INDEX_WALK(ag_index_put_min_f32, float, float, a[ap + off[op]] = AG_PICK_MIN(a[ap + off[op]], b[bp]))
AG_INDEX_WALK(ag_index_put_min_f64, double, double, a[ap + off[op]] = AG_PICK_MIN(a[ap + off[op]], b[bp]))
AG_INDEX_WALK(ag_index_put_mul_f32, float, float, a[ap + off[op]] *= b[bp])
AG_INDEX_WALK(ag_index_put_mul_f64, double, double, a[ap + off[op]] *= b[bp])

int64_t ag_count_true(const bool *mask, int64_t n) {
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++) c += mask[i] ? 1 : 0;
    return c;
}

void ag_nonzero(const bool *mask, int32_t ndim, const int64_t *shape, int64_t nnz, int64_t *out) {
    if (ag_walk_is_empty(ndim, shape)) return;
    int64_t coord[AG_MAX_DIMS] = {0};
    int64_t total = 1;
    for (int32_t k = 0; k < ndim; k++) total *= shape[k];
    for (int64_t i = 0, j = 0; i < total && j < nnz; i++) {
        if (mask[i]) {
            for (int32_t k = 0; k < ndim; k++) out[k * nnz + j] = coord[k];
            j++;
        }
        for (int32_t k = ndim - 1; k >= 0; k--) {
            if (++coord[k] < shape[k]) break;
            coord[k] = 0;
        }
    }
}
