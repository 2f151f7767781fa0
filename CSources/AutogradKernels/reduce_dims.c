#include "ag_reduce_dims.h"
#include <math.h>
#include <stddef.h>
#include <tgmath.h>

// Every kernel walks the [outer, n, inner] view (see ag_reduce_dims.h): for a
// slice (o, i), element j is at base + j * inner with base = o * n * inner + i,
// and its reduced value at o * inner + i. One macro per op generates the float
// and double versions; sums accumulate in double.

#define AG_FOR_SLICES(outer, n, inner)                                          \
    for (int64_t o = 0; o < (outer); o++)                                       \
        for (int64_t i = 0; i < (inner); i++)

#define AG_BASE (o * n * inner + i)
#define AG_OUT  (o * inner + i)

// ---- permute -----------------------------------------------------------------

#define AG_PERMUTE(T, SFX)                                                      \
void ag_reduce_permute_##SFX(const T *x, T *y, int32_t ndim, const int64_t *shape, const int64_t *perm) { \
    int64_t xstride[AG_MAX_DIMS], ystride[AG_MAX_DIMS], yshape[AG_MAX_DIMS], idx[AG_MAX_DIMS]; \
    int64_t count = 1;                                                          \
    for (int32_t d = ndim - 1; d >= 0; d--) { xstride[d] = count; count *= shape[d]; } \
    for (int32_t d = 0; d < ndim; d++) {                                        \
        yshape[d] = shape[perm[d]]; ystride[d] = xstride[perm[d]]; idx[d] = 0;  \
    }                                                                           \
    if (count == 0) return;                                                     \
    if (ndim == 0) { y[0] = x[0]; return; }                                     \
    int64_t off = 0;                                                            \
    const int64_t last = ndim - 1, len = yshape[last], s = ystride[last];       \
    for (int64_t k = 0; k < count; k += len) {                                  \
        for (int64_t j = 0; j < len; j++) y[k + j] = x[off + j * s];            \
        for (int32_t d = (int32_t)last - 1; d >= 0; d--) {                      \
            idx[d]++; off += ystride[d];                                        \
            if (idx[d] < yshape[d]) break;                                      \
            off -= idx[d] * ystride[d]; idx[d] = 0;                             \
        }                                                                       \
    }                                                                           \
}
AG_PERMUTE(float, f32)
AG_PERMUTE(double, f64)

#define AG_ZERO_MASK(T, SFX)                                                    \
void ag_reduce_zero_mask_##SFX(const T *x, T *mask, int64_t n) {                \
    for (int64_t k = 0; k < n; k++) mask[k] = x[k] == 0 ? (T)1 : (T)0;          \
}
AG_ZERO_MASK(float, f32)
AG_ZERO_MASK(double, f64)

// ---- prod --------------------------------------------------------------------

#define AG_PROD(T, SFX)                                                         \
void ag_prod_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; double acc = 1;                               \
        for (int64_t j = 0; j < n; j++) acc *= (double)s[j * inner];            \
        y[AG_OUT] = (T)acc;                                                     \
    }                                                                           \
}                                                                               \
void ag_prod_others_forward_##SFX(const T *x, T *p, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *ps = p + AG_BASE; double acc = 1;          \
        for (int64_t j = 0; j < n; j++) { ps[j * inner] = (T)acc; acc *= (double)s[j * inner]; } \
        acc = 1;                                                                \
        for (int64_t j = n - 1; j >= 0; j--) { ps[j * inner] *= (T)acc; acc *= (double)s[j * inner]; } \
    }                                                                           \
}                                                                               \
void ag_prod_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    const int64_t total = outer * n * inner;                                    \
    bool zero = false;                                                          \
    for (int64_t k = 0; k < total && !zero; k++) zero = x[k] == 0;              \
    if (zero) ag_prod_others_forward_##SFX(x, gx, outer, n, inner);             \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *g = gx + AG_BASE;                          \
        const T go = gy[AG_OUT], yo = y[AG_OUT];                                \
        if (zero) { for (int64_t j = 0; j < n; j++) g[j * inner] = go * g[j * inner]; } \
        else { for (int64_t j = 0; j < n; j++) g[j * inner] = go * (yo / s[j * inner]); } \
    }                                                                           \
}                                                                               \
void ag_prod_others_backward_##SFX(const T *x, const T *gp, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE, *g = gp + AG_BASE; T *out = gx + AG_BASE;     \
        for (int64_t k = 0; k < n; k++) {                                       \
            /* sum over j != k of g[j] * prod_{m != j, k} x[m], by the running \
               recurrence acc = acc * x[j] + g[j] * prod_{m < j, m != k} x[m]. */ \
            T acc = 0, left = 1;                                                \
            for (int64_t j = 0; j < n; j++) {                                   \
                if (j == k) continue;                                           \
                acc = acc * s[j * inner] + g[j * inner] * left;                 \
                left *= s[j * inner];                                           \
            }                                                                   \
            out[k * inner] = acc;                                               \
        }                                                                       \
    }                                                                           \
}
AG_PROD(float, f32)
AG_PROD(double, f64)

// ---- var / std -------------------------------------------------------------

static inline double ag_mean_of_f32(const float *s, int64_t n, int64_t inner) {
    double acc = 0; for (int64_t j = 0; j < n; j++) acc += (double)s[j * inner];
    return acc / (double)n;
}
static inline double ag_mean_of_f64(const double *s, int64_t n, int64_t inner) {
    double acc = 0; for (int64_t j = 0; j < n; j++) acc += s[j * inner];
    return acc / (double)n;
}

#define AG_VAR(T, SFX)                                                          \
static double ag_var_of_##SFX(const T *s, int64_t n, int64_t inner, double correction) { \
    const double m = ag_mean_of_##SFX(s, n, inner);                             \
    double acc = 0;                                                             \
    for (int64_t j = 0; j < n; j++) { const double d = (double)s[j * inner] - m; acc += d * d; } \
    const double dof = (double)n - correction;                                  \
    return acc / (dof > 0 ? dof : 0);                                           \
}                                                                               \
void ag_var_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_FOR_SLICES(outer, n, inner) y[AG_OUT] = (T)ag_var_of_##SFX(x + AG_BASE, n, inner, correction); \
}                                                                               \
void ag_std_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_FOR_SLICES(outer, n, inner) y[AG_OUT] = (T)sqrt(ag_var_of_##SFX(x + AG_BASE, n, inner, correction)); \
}                                                                               \
void ag_var_backward_##SFX(const T *x, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *g = gx + AG_BASE;                          \
        const T m = (T)ag_mean_of_##SFX(s, n, inner);                           \
        const T c = (T)(2.0 / ((double)n - correction)) * gy[AG_OUT];           \
        for (int64_t j = 0; j < n; j++) g[j * inner] = c * (s[j * inner] - m);  \
    }                                                                           \
}                                                                               \
void ag_std_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *g = gx + AG_BASE;                          \
        const T m = (T)ag_mean_of_##SFX(s, n, inner);                           \
        const T yo = y[AG_OUT];                                                 \
        const T half = yo == 0 ? (T)0 : gy[AG_OUT] / (yo * 2);                  \
        const T c = (T)(2.0 / ((double)n - correction)) * half;                 \
        for (int64_t j = 0; j < n; j++) g[j * inner] = c * (s[j * inner] - m);  \
    }                                                                           \
}
AG_VAR(float, f32)
AG_VAR(double, f64)

// ---- logsumexp ---------------------------------------------------------------

#define AG_LOGSUMEXP(T, SFX)                                                    \
void ag_logsumexp_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE;                                               \
        T m = -INFINITY;                                                        \
        for (int64_t j = 0; j < n; j++) if (s[j * inner] > m || isnan(s[j * inner])) m = s[j * inner]; \
        if (isinf(m)) m = 0;                                                    \
        double acc = 0;                                                         \
        for (int64_t j = 0; j < n; j++) acc += (double)exp(s[j * inner] - m);   \
        y[AG_OUT] = log((T)acc) + m;                                            \
    }                                                                           \
}                                                                               \
void ag_logsumexp_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *g = gx + AG_BASE;                          \
        const T yo = y[AG_OUT], go = gy[AG_OUT];                                \
        for (int64_t j = 0; j < n; j++) g[j * inner] = go * exp(s[j * inner] - yo); \
    }                                                                           \
}
AG_LOGSUMEXP(float, f32)
AG_LOGSUMEXP(double, f64)

// ---- max / min along a dimension ---------------------------------------------

#define AG_EXTREME_DIM(NAME, CMP, T, SFX)                                       \
void ag_##NAME##_dim_forward_##SFX(const T *x, T *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner) { \
    if (n <= 0) return;                                                         \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE;                                               \
        T best = s[0]; int64_t at = 0;                                          \
        for (int64_t j = 1; j < n && !isnan(best); j++) {                       \
            const T v = s[j * inner];                                           \
            if (isnan(v) || v CMP best) { best = v; at = j; }                   \
        }                                                                       \
        values[AG_OUT] = best;                                                  \
        if (indices) indices[AG_OUT] = at;                                      \
    }                                                                           \
}
AG_EXTREME_DIM(max, >, float, f32)
AG_EXTREME_DIM(max, >, double, f64)
AG_EXTREME_DIM(min, <, float, f32)
AG_EXTREME_DIM(min, <, double, f64)

#define AG_MASK(T, SFX)                                                         \
void ag_extreme_mask_##SFX(const T *x, const T *y, T *mask, T *count, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *out = mask + AG_BASE;                      \
        const T yo = y[AG_OUT];                                                 \
        int64_t c = 0;                                                          \
        for (int64_t j = 0; j < n; j++) {                                       \
            const T v = s[j * inner];                                           \
            const bool hit = isnan(yo) ? isnan(v) : v == yo;                    \
            out[j * inner] = hit ? (T)1 : (T)0; c += hit;                       \
        }                                                                       \
        count[AG_OUT] = (T)c;                                                   \
    }                                                                           \
}
AG_MASK(float, f32)
AG_MASK(double, f64)

// ---- cumsum ------------------------------------------------------------------

#define AG_CUMSUM(T, SFX)                                                       \
void ag_cumsum_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *d = y + AG_BASE; double acc = 0;           \
        for (int64_t j = 0; j < n; j++) { acc += (double)s[j * inner]; d[j * inner] = (T)acc; } \
    }                                                                           \
}                                                                               \
void ag_cumsum_backward_##SFX(const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = gy + AG_BASE; T *d = gx + AG_BASE; double acc = 0;         \
        for (int64_t j = n - 1; j >= 0; j--) { acc += (double)s[j * inner]; d[j * inner] = (T)acc; } \
    }                                                                           \
}
AG_CUMSUM(float, f32)
AG_CUMSUM(double, f64)

// ---- norm --------------------------------------------------------------------

#define AG_NORM(T, SFX)                                                         \
void ag_norm_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double p) { \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE;                                               \
        double acc;                                                             \
        if (isinf(p)) {                                                         \
            acc = p > 0 ? 0 : INFINITY;                                         \
            for (int64_t j = 0; j < n; j++) {                                   \
                const double v = fabs((double)s[j * inner]);                    \
                if (isnan(v) || (p > 0 ? v > acc : v < acc)) acc = v;           \
                if (isnan(acc)) break;                                          \
            }                                                                   \
        } else if (p == 0) {                                                    \
            acc = 0; for (int64_t j = 0; j < n; j++) acc += s[j * inner] != 0;  \
        } else if (p == 1) {                                                    \
            acc = 0; for (int64_t j = 0; j < n; j++) acc += fabs((double)s[j * inner]); \
        } else if (p == 2) {                                                    \
            acc = 0;                                                            \
            for (int64_t j = 0; j < n; j++) { const double v = s[j * inner]; acc += v * v; } \
            acc = sqrt(acc);                                                    \
        } else {                                                                \
            acc = 0;                                                            \
            for (int64_t j = 0; j < n; j++) acc += pow(fabs((double)s[j * inner]), p); \
            acc = pow(acc, 1.0 / p);                                            \
        }                                                                       \
        y[AG_OUT] = (T)acc;                                                     \
    }                                                                           \
}                                                                               \
void ag_norm_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double p) { \
    const T e = (T)p;                                                           \
    AG_FOR_SLICES(outer, n, inner) {                                            \
        const T *s = x + AG_BASE; T *g = gx + AG_BASE;                          \
        const T yo = y[AG_OUT], go = gy[AG_OUT];                                \
        T share = 0; /* inf-norm: the gradient split among the ties */          \
        if (isinf(p)) {                                                         \
            int64_t c = 0;                                                      \
            for (int64_t j = 0; j < n; j++) { const T a = fabs(s[j * inner]); c += a == yo || isnan(a); } \
            share = go / (T)c;                                                  \
        }                                                                       \
        for (int64_t j = 0; j < n; j++) {                                       \
            const T v = s[j * inner];                                           \
            const T sg = (T)((v > 0) - (v < 0));                                \
            T r;                                                                \
            if (p == 0) r = 0;                                                  \
            else if (p == 1) r = sg * go;                                       \
            else if (p == 2) r = yo == 0 ? 0 : go * (v / yo);                   \
            else if (isinf(p)) r = (fabs(v) == yo || isnan(v)) ? sg * share : 0; \
            else if (p < 1) r = (v == 0 ? 0 : sg * pow(fabs(v), e - 1)) * go * pow(yo, 1 - e); \
            else if (p < 2) r = yo == 0 ? 0 : sg * pow(fabs(v), e - 1) * (go / pow(yo, e - 1)); \
            else r = yo == 0 ? 0 : v * pow(fabs(v), e - 2) * (go / pow(yo, e - 1)); \
            g[j * inner] = r;                                                   \
        }                                                                       \
    }                                                                           \
}
AG_NORM(float, f32)
AG_NORM(double, f64)
