#include "ag_nn.h"
#include <stddef.h>
#include <math.h>
#include <tgmath.h>

// Softmax-style kernels walk "lanes": the n elements x[o*n*inner + j*inner + i]
// for one (o, i). The last dimension (inner == 1) takes a stride-1 copy of the
// lane function, which the compiler vectorises.

#define AG_SOFTMAX(T, SFX)                                                                      \
static inline void softmax_lane_##SFX(const T *x, T *y, int64_t n, int64_t s, int is_log) {        \
    T mx = -INFINITY;                                                                           \
    for (int64_t j = 0; j < n; j++) { const T v = x[j * s]; mx = (v > mx || v != v) ? v : mx; } \
    if (isinf(mx) && mx < 0) mx = 0; /* all -inf: exp(-inf - 0) = 0 */                          \
    double sum = 0;                                                                             \
    if (is_log) {                                                                                  \
        for (int64_t j = 0; j < n; j++) sum += (double)exp(x[j * s] - mx);                      \
        /* (x - max) - log(sum), not x - (max + log(sum)): no rounding of max + log(sum).      \
           The sum is rounded to T before its log, as PyTorch's is (it adds in T): a row       \
           like [-200, -220] gives log_softmax 0, not -2e-9, in float32. */                   \
        const T ls = (T)log((T)sum);                                                            \
        for (int64_t j = 0; j < n; j++) y[j * s] = (x[j * s] - mx) - ls;                        \
    } else {                                                                                    \
        for (int64_t j = 0; j < n; j++) { const T e = exp(x[j * s] - mx); y[j * s] = e; sum += (double)e; } \
        const T r = (T)(1.0 / sum);                                                             \
        for (int64_t j = 0; j < n; j++) y[j * s] *= r;                                          \
    }                                                                                           \
}                                                                                               \
static inline void softmax_back_lane_##SFX(const T *y, const T *gy, T *gx, int64_t n, int64_t s, int is_log) { \
    double acc = 0;                                                                             \
    if (is_log) {                                                                                  \
        for (int64_t j = 0; j < n; j++) acc += (double)gy[j * s];                               \
        const T a = (T)acc;                                                                     \
        for (int64_t j = 0; j < n; j++) gx[j * s] = gy[j * s] - exp(y[j * s]) * a;             \
    } else {                                                                                    \
        for (int64_t j = 0; j < n; j++) acc += (double)gy[j * s] * (double)y[j * s];            \
        const T a = (T)acc;                                                                     \
        for (int64_t j = 0; j < n; j++) gx[j * s] = y[j * s] * (gy[j * s] - a);                 \
    }                                                                                           \
}                                                                                               \
static void softmax_all_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, int is_log) { \
    for (int64_t o = 0; o < outer; o++) {                                                       \
        const int64_t base = o * n * inner;                                                     \
        if (inner == 1) softmax_lane_##SFX(x + base, y + base, n, 1, is_log);                      \
        else for (int64_t i = 0; i < inner; i++) softmax_lane_##SFX(x + base + i, y + base + i, n, inner, is_log); \
    }                                                                                           \
}                                                                                               \
static void softmax_back_all_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, int is_log) { \
    for (int64_t o = 0; o < outer; o++) {                                                       \
        const int64_t base = o * n * inner;                                                     \
        if (inner == 1) softmax_back_lane_##SFX(y + base, gy + base, gx + base, n, 1, is_log);     \
        else for (int64_t i = 0; i < inner; i++)                                                \
            softmax_back_lane_##SFX(y + base + i, gy + base + i, gx + base + i, n, inner, is_log); \
    }                                                                                           \
}                                                                                               \
void ag_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) {      \
    softmax_all_##SFX(x, y, outer, n, inner, 0);                                                \
}                                                                                               \
void ag_log_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) {  \
    softmax_all_##SFX(x, y, outer, n, inner, 1);                                                \
}                                                                                               \
void ag_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    softmax_back_all_##SFX(y, gy, gx, outer, n, inner, 0);                                      \
}                                                                                               \
void ag_log_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    softmax_back_all_##SFX(y, gy, gx, outer, n, inner, 1);                                      \
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
