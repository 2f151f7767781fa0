#include "ag_nn.h"
#include "row_sums.h"
#include "ag_math.h"
#include "ag_parallel.h"
#include <stddef.h>
#include <math.h>
#include <tgmath.h>

// Softmax-style kernels walk "lanes": the n elements x[o*n*inner + j*inner + i]
// for one (o, i). A lane of the last dimension (inner == 1) is contiguous and
// takes row functions written for the vectoriser: the vectorisable exp of
// ag_math.h and sums kept in AG_SM_LANES partial sums, in the dtype, as
// PyTorch's vectorised kernels add (a row [-200, -220] sums to exactly 1 in
// float32, so its log_softmax is 0, as PyTorch's). Rows are split over the
// cores.

#define AG_SOFTMAX(T, SFX)                                                                      \
AG_ROW_MAX(row_max_##SFX, T)                                                                   \
/* Sums of a contiguous row's terms TERM(j) in AG_SM_LANES partial sums. */                    \
AG_LANE_SUM(exp_sum_##SFX, T, (const T *restrict x, T mx), ag_exp_t(x[j] - mx))                  \
AG_LANE_SUM(exp_store_sum_##SFX, T, (const T *restrict x, T *restrict e, T mx), (e[j] = ag_exp_t(x[j] - mx))) \
AG_LANE_SUM(plain_sum_##SFX, T, (const T *restrict a), a[j])                                     \
AG_LANE_SUM(dot_sum_##SFX, T, (const T *restrict a, const T *restrict b), a[j] * b[j])           \
AG_VECTOR_CLONES static void softmax_row_##SFX(const T *restrict x, T *restrict y, int64_t n, int is_log) { \
    const T mx = row_max_##SFX(x, n, 1);                                                        \
    if (is_log) {                                                                               \
        /* (x - max) - log(sum), not x - (max + log(sum)): no rounding of max + log(sum) */     \
        const T ls = log(exp_sum_##SFX(n, x, mx));                                              \
        for (int64_t j = 0; j < n; j++) y[j] = (x[j] - mx) - ls;                                \
    } else {                                                                                    \
        const T r = 1 / exp_store_sum_##SFX(n, x, y, mx);                                       \
        for (int64_t j = 0; j < n; j++) y[j] *= r;                                              \
    }                                                                                           \
}                                                                                               \
AG_VECTOR_CLONES static void softmax_back_row_##SFX(const T *restrict y, const T *restrict gy, T *restrict gx, \
                                                    int64_t n, int is_log) {                    \
    if (is_log) {                                                                               \
        const T a = plain_sum_##SFX(n, gy);                                                     \
        for (int64_t j = 0; j < n; j++) gx[j] = gy[j] - ag_exp_t(y[j]) * a;                     \
    } else {                                                                                    \
        const T a = dot_sum_##SFX(n, gy, y);                                                    \
        for (int64_t j = 0; j < n; j++) gx[j] = y[j] * (gy[j] - a);                             \
    }                                                                                           \
}                                                                                               \
/* A strided lane (inner > 1): sums in one accumulator, in the dtype. */                        \
static inline void softmax_lane_##SFX(const T *x, T *y, int64_t n, int64_t s, int is_log) {     \
    const T mx = row_max_##SFX(x, n, s);                                                        \
    T sum = 0;                                                                                  \
    for (int64_t j = 0; j < n; j++) { const T e = ag_exp_t(x[j * s] - mx); if (!is_log) y[j * s] = e; sum += e; } \
    if (is_log) {                                                                               \
        const T ls = log(sum);                                                                  \
        for (int64_t j = 0; j < n; j++) y[j * s] = (x[j * s] - mx) - ls;                        \
    } else {                                                                                    \
        const T r = 1 / sum;                                                                    \
        for (int64_t j = 0; j < n; j++) y[j * s] *= r;                                          \
    }                                                                                           \
}                                                                                               \
static inline void softmax_back_lane_##SFX(const T *y, const T *gy, T *gx, int64_t n, int64_t s, int is_log) { \
    T acc = 0;                                                                                  \
    if (is_log) {                                                                               \
        for (int64_t j = 0; j < n; j++) acc += gy[j * s];                                       \
        for (int64_t j = 0; j < n; j++) gx[j * s] = gy[j * s] - ag_exp_t(y[j * s]) * acc;       \
    } else {                                                                                    \
        for (int64_t j = 0; j < n; j++) acc += gy[j * s] * y[j * s];                            \
        for (int64_t j = 0; j < n; j++) gx[j * s] = y[j * s] * (gy[j * s] - acc);               \
    }                                                                                           \
}                                                                                               \
typedef struct { const T *x; const T *g; T *y; int64_t n, inner; int is_log, backward; } sm_##SFX##_args; \
/* Lanes [b, e) of outer * inner, forward or backward. */                                       \
static void sm_range_##SFX(void *p, int64_t b, int64_t e) {                                     \
    const sm_##SFX##_args *a = p;                                                               \
    const int64_t n = a->n, inner = a->inner;                                                   \
    for (int64_t k = b; k < e; k++) {                                                           \
        const int64_t base = (k / inner) * n * inner + k % inner;                               \
        if (a->backward) {                                                                      \
            if (inner == 1) softmax_back_row_##SFX(a->x + base, a->g + base, a->y + base, n, a->is_log); \
            else softmax_back_lane_##SFX(a->x + base, a->g + base, a->y + base, n, inner, a->is_log); \
        } else {                                                                                \
            if (inner == 1) softmax_row_##SFX(a->x + base, a->y + base, n, a->is_log);          \
            else softmax_lane_##SFX(a->x + base, a->y + base, n, inner, a->is_log);             \
        }                                                                                       \
    }                                                                                           \
}                                                                                               \
static void sm_run_##SFX(const T *x, const T *g, T *y, int64_t outer, int64_t n, int64_t inner, \
                         int is_log, int backward) {                                            \
    sm_##SFX##_args a = { x, g, y, n, inner, is_log, backward };                                \
    const int64_t lanes = outer * inner;                                                        \
    if (lanes == 0 || n == 0) return;                                                           \
    ag_parallel_for(lanes, n >= AG_GRAIN_ELEMENTWISE ? 1 : AG_GRAIN_ELEMENTWISE / n, sm_range_##SFX, &a); \
}                                                                                               \
void ag_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) {      \
    sm_run_##SFX(x, NULL, y, outer, n, inner, 0, 0);                                            \
}                                                                                               \
void ag_log_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) {  \
    sm_run_##SFX(x, NULL, y, outer, n, inner, 1, 0);                                            \
}                                                                                               \
void ag_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    sm_run_##SFX(y, gy, gx, outer, n, inner, 0, 1);                                             \
}                                                                                               \
void ag_log_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    sm_run_##SFX(y, gy, gx, outer, n, inner, 1, 1);                                             \
}

// The weight a loss gradient gives element (or row) i.
#define AG_LOSS_WEIGHT(gy, i, reduction, count)                                                 \
    ((reduction) == AG_REDUCTION_NONE ? (gy)[i]                                                 \
     : (reduction) == AG_REDUCTION_SUM ? (gy)[0] : (gy)[0] / (count))

#define AG_LOSSES(T, SFX)                                                                       \
void ag_mse_loss_forward_##SFX(const T *x, const T *t, T *out, int64_t n, int32_t reduction) {  \
    if (reduction == AG_REDUCTION_NONE) {                                                       \
        for (int64_t i = 0; i < n; i++) { const T d = x[i] - t[i]; out[i] = d * d; }            \
        return;                                                                                 \
    }                                                                                           \
    double sum = 0;                                                                             \
    for (int64_t i = 0; i < n; i++) { const T d = x[i] - t[i]; sum += (double)(d * d); }        \
    out[0] = (T)(reduction == AG_REDUCTION_MEAN ? sum / (double)n : sum);                       \
}                                                                                               \
void ag_mse_loss_backward_##SFX(const T *x, const T *t, const T *gy, T *gx, T *gt, int64_t n,   \
                                int32_t reduction) {                                            \
    const T count = (T)n;                                                                       \
    for (int64_t i = 0; i < n; i++) {                                                           \
        const T g = 2 * (x[i] - t[i]) * AG_LOSS_WEIGHT(gy, i, reduction, count);                \
        if (gx) gx[i] = g;                                                                      \
        if (gt) gt[i] = -g;                                                                     \
    }                                                                                           \
}                                                                                               \
static int64_t check_targets_##SFX(const int64_t *target, int64_t n, int64_t c, int64_t ignore, \
                                   int64_t *counted) {                                          \
    int64_t k = 0;                                                                              \
    for (int64_t i = 0; i < n; i++) {                                                           \
        if (target[i] == ignore) continue;                                                      \
        if (target[i] < 0 || target[i] >= c) return i;                                          \
        k++;                                                                                    \
    }                                                                                           \
    *counted = k;                                                                               \
    return -1;                                                                                  \
}                                                                                               \
int64_t ag_cross_entropy_forward_##SFX(const T *x, const int64_t *target, int64_t n, int64_t c, \
                                       int64_t ignore_index, int32_t reduction, T *out, T *lse) { \
    int64_t counted = 0;                                                                        \
    const int64_t bad = check_targets_##SFX(target, n, c, ignore_index, &counted);              \
    if (bad >= 0) return bad;                                                                   \
    double sum = 0;                                                                             \
    for (int64_t i = 0; i < n; i++) {                                                           \
        const T *row = x + i * c;                                                               \
        T mx = -INFINITY;                                                                       \
        for (int64_t j = 0; j < c; j++) mx = (row[j] > mx || row[j] != row[j]) ? row[j] : mx;   \
        if (isinf(mx) && mx < 0) mx = 0;                                                        \
        double s = 0;                                                                           \
        for (int64_t j = 0; j < c; j++) s += (double)exp(row[j] - mx);                          \
        lse[i] = (T)log((T)s);  /* the sum rounded to T first, as log_softmax's */              \
        const T l = target[i] == ignore_index ? (T)0 : lse[i] - (row[target[i]] - mx);          \
        if (reduction == AG_REDUCTION_NONE) out[i] = l; else sum += (double)l;                  \
    }                                                                                           \
    if (reduction != AG_REDUCTION_NONE)                                                         \
        out[0] = (T)(reduction == AG_REDUCTION_MEAN ? sum / (double)counted : sum);             \
    return -1;                                                                                  \
}                                                                                               \
void ag_cross_entropy_backward_##SFX(const T *x, const int64_t *target, const T *lse, const T *gy, \
                                     int64_t n, int64_t c, int64_t ignore_index, int32_t reduction, \
                                     T *gx) {                                                   \
    int64_t counted = 0;                                                                        \
    for (int64_t i = 0; i < n; i++) counted += target[i] != ignore_index;                       \
    for (int64_t i = 0; i < n; i++) {                                                           \
        const T *row = x + i * c;                                                               \
        T *grow = gx + i * c;                                                                   \
        if (target[i] == ignore_index) { for (int64_t j = 0; j < c; j++) grow[j] = 0; continue; } \
        const T w = AG_LOSS_WEIGHT(gy, i, reduction, (T)counted);                               \
        const T l = lse[i];                                                                     \
        T mx = -INFINITY;                                                                       \
        for (int64_t j = 0; j < c; j++) mx = (row[j] > mx || row[j] != row[j]) ? row[j] : mx;   \
        if (isinf(mx) && mx < 0) mx = 0;                                                        \
        for (int64_t j = 0; j < c; j++) grow[j] = w * exp((row[j] - mx) - l);                   \
        grow[target[i]] -= w;                                                                   \
    }                                                                                           \
}                                                                                               \
int64_t ag_nll_loss_forward_##SFX(const T *x, const int64_t *target, int64_t n, int64_t c,      \
                                  int64_t ignore_index, int32_t reduction, T *out) {            \
    int64_t counted = 0;                                                                        \
    const int64_t bad = check_targets_##SFX(target, n, c, ignore_index, &counted);              \
    if (bad >= 0) return bad;                                                                   \
    double sum = 0;                                                                             \
    for (int64_t i = 0; i < n; i++) {                                                           \
        const T l = target[i] == ignore_index ? (T)0 : -x[i * c + target[i]];                   \
        if (reduction == AG_REDUCTION_NONE) out[i] = l; else sum += (double)l;                  \
    }                                                                                           \
    if (reduction != AG_REDUCTION_NONE)                                                         \
        out[0] = (T)(reduction == AG_REDUCTION_MEAN ? sum / (double)counted : sum);             \
    return -1;                                                                                  \
}                                                                                               \
void ag_nll_loss_backward_##SFX(const int64_t *target, const T *gy, int64_t n, int64_t c,       \
                                int64_t ignore_index, int32_t reduction, T *gx) {               \
    int64_t counted = 0;                                                                        \
    for (int64_t i = 0; i < n; i++) counted += target[i] != ignore_index;                       \
    for (int64_t i = 0; i < n * c; i++) gx[i] = 0;                                              \
    for (int64_t i = 0; i < n; i++) {                                                           \
        if (target[i] == ignore_index) continue;                                                \
        gx[i * c + target[i]] = -AG_LOSS_WEIGHT(gy, i, reduction, (T)counted);                  \
    }                                                                                           \
}

#define AG_DROPOUT_NORM(T, SFX)                                                                 \
void ag_dropout_forward_##SFX(const T *x, const T *u, double p, T *mask, T *y, int64_t n) {     \
    const T scale = (T)(1.0 / (1.0 - p)), tp = (T)p;                                            \
    for (int64_t i = 0; i < n; i++) { const T m = u[i] >= tp ? scale : (T)0; mask[i] = m; y[i] = x[i] * m; } \
}                                                                                               \
void ag_dropout_backward_##SFX(const T *mask, const T *gy, T *gx, int64_t n) {                  \
    for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * mask[i];                                    \
}                                                                                               \
void ag_layer_norm_forward_##SFX(const T *x, const T *w, const T *b, double eps, int64_t m,     \
                                 int64_t n, T *y, T *mean, T *rstd) {                           \
    for (int64_t i = 0; i < m; i++) {                                                           \
        const T *row = x + i * n;                                                               \
        T *out = y + i * n;                                                                     \
        double s = 0;                                                                           \
        for (int64_t j = 0; j < n; j++) s += (double)row[j];                                    \
        const double mu = n > 0 ? s / (double)n : 0;                                            \
        double v = 0;                                                                           \
        for (int64_t j = 0; j < n; j++) { const double d = (double)row[j] - mu; v += d * d; }   \
        const double r = 1.0 / sqrt((n > 0 ? v / (double)n : 0) + eps);                         \
        mean[i] = (T)mu; rstd[i] = (T)r;                                                        \
        for (int64_t j = 0; j < n; j++) {                                                       \
            T h = (T)(((double)row[j] - mu) * r);                                               \
            if (w) h *= w[j];                                                                   \
            if (b) h += b[j];                                                                   \
            out[j] = h;                                                                         \
        }                                                                                       \
    }                                                                                           \
}                                                                                               \
void ag_layer_norm_backward_##SFX(const T *x, const T *w, const T *mean, const T *rstd,         \
                                  const T *gy, int64_t m, int64_t n, T *gx, T *gw, T *gb) {     \
    if (gw) for (int64_t j = 0; j < n; j++) gw[j] = 0;                                          \
    if (gb) for (int64_t j = 0; j < n; j++) gb[j] = 0;                                          \
    for (int64_t i = 0; i < m; i++) {                                                           \
        const T *row = x + i * n, *g = gy + i * n;                                              \
        const T mu = mean[i], r = rstd[i];                                                      \
        if (gw) for (int64_t j = 0; j < n; j++) gw[j] += g[j] * (row[j] - mu) * r;              \
        if (gb) for (int64_t j = 0; j < n; j++) gb[j] += g[j];                                  \
        if (!gx) continue;                                                                      \
        double sh = 0, shx = 0;                                                                 \
        for (int64_t j = 0; j < n; j++) {                                                       \
            const double h = (double)g[j] * (w ? (double)w[j] : 1.0);                           \
            sh += h; shx += h * ((double)row[j] - (double)mu) * (double)r;                      \
        }                                                                                       \
        const double mh = sh / (double)n, mhx = shx / (double)n;                                \
        T *out = gx + i * n;                                                                    \
        for (int64_t j = 0; j < n; j++) {                                                       \
            const double h = (double)g[j] * (w ? (double)w[j] : 1.0);                           \
            const double xh = ((double)row[j] - (double)mu) * (double)r;                        \
            out[j] = (T)((double)r * (h - mh - xh * mhx));                                      \
        }                                                                                       \
    }                                                                                           \
}

AG_SOFTMAX(float, f32)
AG_SOFTMAX(double, f64)
AG_LOSSES(float, f32)
AG_LOSSES(double, f64)
AG_DROPOUT_NORM(float, f32)
AG_DROPOUT_NORM(double, f64)
