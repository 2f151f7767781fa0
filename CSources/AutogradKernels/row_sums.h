#ifndef AG_ROW_SUMS_H
#define AG_ROW_SUMS_H
// Private to the kernels (not under include/): reductions of one contiguous
// row written for the vectoriser (nn.c's softmax family, reduce_dims.c's
// logsumexp): AG_SM_LANES partial results, combined in order at the end, as
// PyTorch's vectorised kernels do (the sums stay in the row's dtype).

#include "ag_parallel.h"
#include <math.h>
#include <stdint.h>

#define AG_SM_LANES 16

/* T name(int64_t n, ARGS...): the sum of TERM over j < n, added in AG_SM_LANES
   partial sums (lane j % AG_SM_LANES) that are then added in order. */
#define AG_EXPAND_ARGS(...) __VA_ARGS__
#define AG_LANE_SUM(name, T, ARGS, TERM)                                                        \
AG_VECTOR_CLONES static T name(int64_t n, AG_EXPAND_ARGS ARGS) {                                  \
    T acc[AG_SM_LANES] = {0};                                                                   \
    int64_t j = 0;                                                                              \
    for (int64_t k_ = 0; k_ + AG_SM_LANES <= n; k_ += AG_SM_LANES)                              \
        for (int l = 0; l < AG_SM_LANES; l++) { j = k_ + l; acc[l] += (TERM); }                 \
    for (j = n - n % AG_SM_LANES; j < n; j++) acc[j % AG_SM_LANES] += (TERM);                   \
    T sum = 0;                                                                                  \
    for (int l = 0; l < AG_SM_LANES; l++) sum += acc[l];                                        \
    return sum;                                                                                 \
}


#define AG_ROW_MAX(name, T)                                                                     \
/* The max of a row (NaN wins); an all -inf row counts as 0: exp(-inf - 0) = 0. */              \
AG_VECTOR_CLONES static T name(const T *x, int64_t n, int64_t s) {                     \
    T m[AG_SM_LANES];                                                                           \
    for (int l = 0; l < AG_SM_LANES; l++) m[l] = -INFINITY;                                     \
    int64_t j = 0;                                                                              \
    if (s == 1)                                                                                 \
        for (; j + AG_SM_LANES <= n; j += AG_SM_LANES)                                          \
            for (int l = 0; l < AG_SM_LANES; l++) {                                             \
                const T v = x[j + l];                                                           \
                m[l] = (v > m[l] || v != v) ? v : m[l];                                         \
            }                                                                                   \
    T mx = -INFINITY;                                                                           \
    for (int l = 0; l < AG_SM_LANES; l++) mx = (m[l] > mx || m[l] != m[l]) ? m[l] : mx;         \
    for (; j < n; j++) { const T v = x[j * s]; mx = (v > mx || v != v) ? v : mx; }              \
    return (isinf(mx) && mx < 0) ? 0 : mx;                                                      \
}

#endif
