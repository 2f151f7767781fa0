#include "ag_sort.h"
#include <math.h>
#include <string.h>

// A bottom-up merge sort of (value, index) pairs per slice: copy the slice into
// the first half of the scratch buffers, merge runs of width 1, 2, 4, ...
// between the two halves, then write the first k pairs out. Taking from the
// left run unless the right element strictly comes first keeps it stable.

#define AG_SORT(T, SFX)                                                         \
static inline bool ag_before_##SFX(T a, T b, bool descending) {                 \
    if (descending) return a > b || (isnan(a) && !isnan(b));                    \
    return a < b || (isnan(b) && !isnan(a));                                    \
}                                                                               \
void ag_sort_forward_##SFX(const T *x, T *values, int64_t *indices, int64_t outer, int64_t n, int64_t k, \
                           int64_t inner, bool descending, T *work_v, int64_t *work_i) { \
    for (int64_t o = 0; o < outer; o++)                                         \
    for (int64_t i = 0; i < inner; i++) {                                       \
        const T *s = x + o * n * inner + i;                                     \
        T *av = work_v, *bv = work_v + n;                                       \
        int64_t *ai = work_i, *bi = work_i + n;                                 \
        for (int64_t j = 0; j < n; j++) { av[j] = s[j * inner]; ai[j] = j; }    \
        for (int64_t width = 1; width < n; width *= 2) {                        \
            for (int64_t lo = 0; lo < n; lo += 2 * width) {                     \
                const int64_t mid = lo + width < n ? lo + width : n;            \
                const int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;     \
                int64_t l = lo, r = mid, d = lo;                                \
                while (l < mid && r < hi) {                                     \
                    if (ag_before_##SFX(av[r], av[l], descending)) { bv[d] = av[r]; bi[d++] = ai[r++]; } \
                    else { bv[d] = av[l]; bi[d++] = ai[l++]; }                  \
                }                                                               \
                while (l < mid) { bv[d] = av[l]; bi[d++] = ai[l++]; }           \
                while (r < hi) { bv[d] = av[r]; bi[d++] = ai[r++]; }            \
            }                                                                   \
            T *tv = av; av = bv; bv = tv;                                       \
            int64_t *ti = ai; ai = bi; bi = ti;                                 \
        }                                                                       \
        T *ov = values + o * k * inner + i;                                     \
        int64_t *oi = indices + o * k * inner + i;                              \
        for (int64_t j = 0; j < k; j++) { ov[j * inner] = av[j]; oi[j * inner] = ai[j]; } \
    }                                                                           \
}                                                                               \
void ag_sort_gather_##SFX(const T *x, const int64_t *index, T *out, int64_t outer, int64_t n, int64_t k, int64_t inner) { \
    for (int64_t o = 0; o < outer; o++)                                         \
    for (int64_t j = 0; j < k; j++)                                             \
    for (int64_t i = 0; i < inner; i++) {                                       \
        const int64_t at = (o * k + j) * inner + i, src = index[at];            \
        out[at] = (src >= 0 && src < n) ? x[(o * n + src) * inner + i] : (T)0;  \
    }                                                                           \
}                                                                               \
void ag_sort_scatter_add_##SFX(const int64_t *index, const T *g, T *gx, int64_t outer, int64_t n, int64_t k, int64_t inner) { \
    memset(gx, 0, (size_t)(outer * n * inner) * sizeof(T));                     \
    for (int64_t o = 0; o < outer; o++)                                         \
    for (int64_t j = 0; j < k; j++)                                             \
    for (int64_t i = 0; i < inner; i++) {                                       \
        const int64_t at = (o * k + j) * inner + i, dst = index[at];            \
        if (dst >= 0 && dst < n) gx[(o * n + dst) * inner + i] += g[at];        \
    }                                                                           \
}
AG_SORT(float, f32)
AG_SORT(double, f64)
