#include "ag_shape.h"
#include <string.h>

// Every walk below is an odometer over the leading ndim-1 dimensions of
// `d->shape` with the last dimension as the inner loop. AG_ODOMETER_STEP
// advances the index, moving the given offsets by their strides; it leaves
// `k` < 0 once the walk is over.
#define AG_ODOMETER_STEP(d, idx, k, SRC_OFF, DST_OFF)                             \
    for (k = (d)->ndim - 2; k >= 0; k--) {                                        \
        idx[k]++; SRC_OFF += (d)->src_stride[k]; DST_OFF += (d)->dst_stride[k];   \
        if (idx[k] < (d)->shape[k]) break;                                        \
        SRC_OFF -= idx[k] * (d)->src_stride[k];                                   \
        DST_OFF -= idx[k] * (d)->dst_stride[k];                                   \
        idx[k] = 0;                                                               \
    }

static int ag_is_empty(const ag_strided *d) {
    for (int32_t k = 0; k < d->ndim; k++) if (d->shape[k] <= 0) return 1;
    return 0;
}

// dst[dst position] OP src[src position] along the walk `d`, a row (the last
// dimension) at a time. OP is `=` (copy; dense rows go through memcpy) or
// `+=` (add, in walk order, so repeated destinations accumulate).
#define AG_STRIDED_WALK(T, NAME, OP, MEMCPY_ROWS)                                 \
void NAME(const T *src, T *dst, const ag_strided *d) {                            \
    const int32_t nd = d->ndim;                                                   \
    if (nd == 0) { dst[d->dst_offset] OP src[d->src_offset]; return; }            \
    if (ag_is_empty(d)) return;                                                   \
    const int64_t n = d->shape[nd - 1];                                           \
    const int64_t ss = d->src_stride[nd - 1], ds = d->dst_stride[nd - 1];         \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int64_t so = d->src_offset, dso = d->dst_offset;                              \
    int32_t k;                                                                    \
    do {                                                                          \
        const T *s = src + so;                                                    \
        T *t = dst + dso;                                                         \
        if (MEMCPY_ROWS && ss == 1 && ds == 1) memcpy(t, s, (size_t)n * sizeof(T)); \
        else for (int64_t j = 0; j < n; j++) t[j * ds] OP s[j * ss];              \
        AG_ODOMETER_STEP(d, idx, k, so, dso)                                      \
    } while (k >= 0);                                                             \
}
AG_STRIDED_WALK(float, ag_strided_copy_f32, =, 1)
AG_STRIDED_WALK(double, ag_strided_copy_f64, =, 1)
AG_STRIDED_WALK(int64_t, ag_strided_copy_i64, =, 1)
AG_STRIDED_WALK(bool, ag_strided_copy_b8, =, 1)
AG_STRIDED_WALK(uint8_t, ag_strided_copy_u8, =, 1)
AG_STRIDED_WALK(uint16_t, ag_strided_copy_u16, =, 1)
AG_STRIDED_WALK(uint32_t, ag_strided_copy_u32, =, 1)
AG_STRIDED_WALK(float, ag_strided_add_f32, +=, 0)
AG_STRIDED_WALK(double, ag_strided_add_f64, +=, 0)

int64_t ag_index_check(const int64_t *index, int64_t n, int64_t size) {
    for (int64_t i = 0; i < n; i++)
        if (index[i] < 0 || index[i] >= size) return i;
    return -1;
}

// gather / scatter-add walk the index tensor's shape: the index (and gather's
// output) advance linearly, the other side by its strides.
#define AG_GATHER(T, SFX)                                                         \
void ag_gather_##SFX(const T *src, const int64_t *index, T *out, int64_t dim_stride, \
                     const ag_strided *d) {                                       \
    const int32_t nd = d->ndim;                                                   \
    if (nd == 0) { out[0] = src[d->src_offset + index[0] * dim_stride]; return; } \
    if (ag_is_empty(d)) return;                                                   \
    const int64_t n = d->shape[nd - 1], ss = d->src_stride[nd - 1];               \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int64_t so = d->src_offset, unused = 0, p = 0;                                \
    int32_t k;                                                                    \
    do {                                                                          \
        for (int64_t j = 0; j < n; j++, p++)                                      \
            out[p] = src[so + j * ss + index[p] * dim_stride];                    \
        AG_ODOMETER_STEP(d, idx, k, so, unused)                                   \
    } while (k >= 0);                                                             \
    (void)unused;                                                                 \
}
AG_GATHER(float, f32)
AG_GATHER(double, f64)
AG_GATHER(int64_t, i64)
AG_GATHER(bool, b8)

#define AG_SCATTER_ADD(T, SFX)                                                    \
void ag_scatter_add_##SFX(T *dst, const int64_t *index, const T *src, int64_t dim_stride, \
                          const ag_strided *d) {                                  \
    const int32_t nd = d->ndim;                                                   \
    if (nd == 0) { dst[d->dst_offset + index[0] * dim_stride] += src[d->src_offset]; return; } \
    if (ag_is_empty(d)) return;                                                   \
    const int64_t n = d->shape[nd - 1];                                           \
    const int64_t ss = d->src_stride[nd - 1], ds = d->dst_stride[nd - 1];         \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int64_t so = d->src_offset, dso = d->dst_offset, p = 0;                       \
    int32_t k;                                                                    \
    do {                                                                          \
        for (int64_t j = 0; j < n; j++, p++)                                      \
            dst[dso + j * ds + index[p] * dim_stride] += src[so + j * ss];        \
        AG_ODOMETER_STEP(d, idx, k, so, dso)                                      \
    } while (k >= 0);                                                             \
}
AG_SCATTER_ADD(float, f32)
AG_SCATTER_ADD(double, f64)

#define AG_INDEX_SELECT(T, SFX)                                                   \
void ag_index_select_##SFX(const T *src, const int64_t *index, int64_t n_index, T *out, \
                           int64_t outer, int64_t dim_size, int64_t inner) {      \
    for (int64_t o = 0; o < outer; o++) {                                         \
        const T *s = src + o * dim_size * inner;                                  \
        T *t = out + o * n_index * inner;                                         \
        for (int64_t j = 0; j < n_index; j++)                                     \
            memcpy(t + j * inner, s + index[j] * inner, (size_t)inner * sizeof(T)); \
    }                                                                             \
}
AG_INDEX_SELECT(float, f32)
AG_INDEX_SELECT(double, f64)
AG_INDEX_SELECT(int64_t, i64)
AG_INDEX_SELECT(bool, b8)

#define AG_INDEX_ADD(T, SFX)                                                      \
void ag_index_add_##SFX(T *dst, const int64_t *index, int64_t n_index, const T *src, double alpha, \
                        int64_t outer, int64_t dim_size, int64_t inner) {         \
    const T a = (T)alpha;                                                         \
    for (int64_t o = 0; o < outer; o++) {                                         \
        T *t = dst + o * dim_size * inner;                                        \
        const T *s = src + o * n_index * inner;                                   \
        for (int64_t j = 0; j < n_index; j++) {                                   \
            T *row = t + index[j] * inner;                                        \
            const T *from = s + j * inner;                                        \
            if (alpha == 1.0) for (int64_t i = 0; i < inner; i++) row[i] += from[i]; \
            else for (int64_t i = 0; i < inner; i++) row[i] += a * from[i];       \
        }                                                                         \
    }                                                                             \
}
AG_INDEX_ADD(float, f32)
AG_INDEX_ADD(double, f64)

#define AG_MASKED_FILL(T, SFX)                                                    \
void ag_masked_fill_##SFX(const T *x, const bool *mask, double value, T *out,     \
                          const ag_broadcast *bc) {                               \
    const T v = (T)value;                                                         \
    const int32_t nd = bc->ndim;                                                  \
    if (nd == 0) { out[0] = mask[0] ? v : x[0]; return; }                         \
    if (bc->numel == 0) return;                                                   \
    const int64_t n = bc->shape[nd - 1];                                          \
    const int64_t sa = bc->stride_a[nd - 1], sb = bc->stride_b[nd - 1];           \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int64_t oa = 0, ob = 0;                                                       \
    for (int64_t p = 0; p < bc->numel; p += n) {                                  \
        const T *xa = x + oa;                                                     \
        const bool *mb = mask + ob;                                               \
        for (int64_t j = 0; j < n; j++) out[p + j] = mb[j * sb] ? v : xa[j * sa]; \
        for (int32_t k = nd - 2; k >= 0; k--) {                                   \
            idx[k]++; oa += bc->stride_a[k]; ob += bc->stride_b[k];               \
            if (idx[k] < bc->shape[k]) break;                                     \
            oa -= idx[k] * bc->stride_a[k]; ob -= idx[k] * bc->stride_b[k];       \
            idx[k] = 0;                                                           \
        }                                                                         \
    }                                                                             \
}
AG_MASKED_FILL(float, f32)
AG_MASKED_FILL(double, f64)
