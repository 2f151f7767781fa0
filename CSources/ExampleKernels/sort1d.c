#include "sort1d.h"

// a sorts before b: ordinary order, with NaN greater than every number.
#define SORT1D_LESS(a, b) ((a) < (b) || ((a) == (a) && (b) != (b)))

#define SORT1D_DEFINE(T, SUFFIX)                                                      \
void sort1d_forward_##SUFFIX(const T *x, T *values, int64_t *indices, int64_t n) {    \
    for (int64_t i = 0; i < n; i++) {                                                 \
        T v = x[i];                                                                   \
        int64_t j = i;                                                                \
        for (; j > 0 && SORT1D_LESS(v, values[j - 1]); j--) {                         \
            values[j] = values[j - 1];                                                \
            indices[j] = indices[j - 1];                                              \
        }                                                                             \
        values[j] = v;                                                                \
        indices[j] = i;                                                               \
    }                                                                                 \
}                                                                                     \
void sort1d_backward_##SUFFIX(const int64_t *indices, const T *dvalues, T *dx, int64_t n) { \
    for (int64_t i = 0; i < n; i++) dx[i] = 0;                                        \
    for (int64_t i = 0; i < n; i++) dx[indices[i]] += dvalues[i];                     \
}

SORT1D_DEFINE(float, f32)
SORT1D_DEFINE(double, f64)
