#include "ag_reduce_dims.h"
#include "parallel_parts.h"
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <tgmath.h>

// Every kernel walks the [outer, n, inner] view (see ag_reduce_dims.h): for a
// slice (o, i), element j is at base + j * inner with base = o * n * inner + i,
// and its reduced value at o * inner + i. One macro per op generates the float
// and double versions; sums accumulate in double.
//
// Slices are independent: a kernel is a body run once per slice, and the
// slices (numbered o * inner + i) are split over the cores in contiguous
// ranges (parallel_parts.h). Each slice is computed by one thread exactly as
// a single thread computes it, so results do not depend on the thread count.

/// A slice kernel's arguments; each kernel uses the fields it needs.
typedef struct {
    const void *x, *y, *gy;   // inputs: the tensor, its reduced value, a gradient
    void *out, *out2;         // outputs
    int64_t *indices;
    int64_t outer, n, inner;
    double param;             // correction, p, or a flag
} ag_slices;

/// Defines the range function NAME over slices [begin, end): the body (the
/// variadic argument) runs once per slice with o, i, n, inner, param, indices
/// and the T-typed buffers x, y, gy, out, out2 in scope; it must not
/// `continue` or `break` the slice loop itself.
#define AG_SLICE_RANGE(NAME, T, ...)                                            \
static void NAME(void *ctx, int64_t begin, int64_t end) {                       \
    const ag_slices *args = ctx;                                                \
    const int64_t n = args->n, inner = args->inner;                             \
    const double param = args->param; int64_t *indices = args->indices;         \
    const T *x = args->x, *y = args->y, *gy = args->gy;                         \
    T *out = args->out, *out2 = args->out2;                                     \
    (void)param; (void)indices; (void)x; (void)y; (void)gy; (void)out; (void)out2; \
    int64_t o = begin / inner, i = begin % inner;                               \
    for (int64_t slice = begin; slice < end; slice++) {                         \
        __VA_ARGS__                                                             \
        if (++i == inner) { i = 0; o++; }                                       \
    }                                                                           \
}

/// Runs RANGE over every slice of the public kernel's (outer, n, inner), with
/// the designated initialisers given for the other fields of ag_slices; COST
/// weighs an element's work (1: arithmetic; more for exp, pow) against the grain.
#define AG_RUN_SLICES(RANGE, COST, ...)                                         \
    do {                                                                        \
        ag_slices args_ = { .outer = outer, .n = n, .inner = inner, __VA_ARGS__ }; \
        ag_parallel_parts(outer * inner, outer * n * inner * (COST), 1, RANGE, &args_); \
    } while (0)

/// The cost of an element of exp, log or pow (AG_RUN_SLICES).
#define AG_COST_TRANSCENDENTAL 8

#define AG_BASE (o * n * inner + i)
#define AG_OUT  (o * inner + i)

// ---- permute -----------------------------------------------------------------

// Split by rows of y (its last dimension): row r starts at the x offset of
// r's index in y's leading dimensions.
typedef struct {
    const void *x; void *y;
    int32_t ndim;
    int64_t shape[AG_MAX_DIMS], stride[AG_MAX_DIMS];   // y's shape, x's strides in it
} ag_permute_args;

#define AG_PERMUTE(T, SFX)                                                      \
static void permute_rows_##SFX(void *ctx, int64_t begin, int64_t end) {         \
    const ag_permute_args *a = ctx;                                             \
    const T *x = a->x; T *y = a->y;                                             \
    const int32_t last = a->ndim - 1;                                           \
    const int64_t len = a->shape[last], s = a->stride[last];                    \
    int64_t idx[AG_MAX_DIMS], off = 0, r = begin;                               \
    for (int32_t d = last - 1; d >= 0; d--) {                                   \
        idx[d] = r % a->shape[d]; r /= a->shape[d]; off += idx[d] * a->stride[d]; \
    }                                                                           \
    for (int64_t row = begin; row < end; row++) {                               \
        T *dst = y + row * len;                                                 \
        for (int64_t j = 0; j < len; j++) dst[j] = x[off + j * s];              \
        for (int32_t d = last - 1; d >= 0; d--) {                               \
            idx[d]++; off += a->stride[d];                                      \
            if (idx[d] < a->shape[d]) break;                                    \
            off -= idx[d] * a->stride[d]; idx[d] = 0;                           \
        }                                                                       \
    }                                                                           \
}                                                                               \
void ag_reduce_permute_##SFX(const T *x, T *y, int32_t ndim, const int64_t *shape, const int64_t *perm) { \
    ag_permute_args a = { x, y, ndim, {0}, {0} };                               \
    int64_t xstride[AG_MAX_DIMS], count = 1;                                    \
    for (int32_t d = ndim - 1; d >= 0; d--) { xstride[d] = count; count *= shape[d]; } \
    for (int32_t d = 0; d < ndim; d++) { a.shape[d] = shape[perm[d]]; a.stride[d] = xstride[perm[d]]; } \
    if (count == 0) return;                                                     \
    if (ndim == 0) { y[0] = x[0]; return; }                                     \
    ag_parallel_parts(count / a.shape[ndim - 1], count, 1, permute_rows_##SFX, &a); \
}
AG_PERMUTE(float, f32)
AG_PERMUTE(double, f64)

#define AG_ZERO_MASK(T, SFX)                                                    \
typedef struct { const T *x; T *mask; } zero_mask_##SFX##_args;                 \
static void zero_mask_##SFX(void *ctx, int64_t b, int64_t e) {                  \
    const zero_mask_##SFX##_args *a = ctx;                                      \
    for (int64_t k = b; k < e; k++) a->mask[k] = a->x[k] == 0 ? (T)1 : (T)0;    \
}                                                                               \
void ag_reduce_zero_mask_##SFX(const T *x, T *mask, int64_t n) {                \
    zero_mask_##SFX##_args a = { x, mask };                                     \
    ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, zero_mask_##SFX, &a);              \
}
AG_ZERO_MASK(float, f32)
AG_ZERO_MASK(double, f64)

// ---- prod --------------------------------------------------------------------

#define AG_PROD(T, SFX)                                                         \
/* ps[j] = prod_{k != j} s[k]: exclusive products from both sides. */           \
static inline void others_##SFX(const T *s, T *ps, int64_t n, int64_t inner) {  \
    double acc = 1;                                                             \
    for (int64_t j = 0; j < n; j++) { ps[j * inner] = (T)acc; acc *= (double)s[j * inner]; } \
    acc = 1;                                                                    \
    for (int64_t j = n - 1; j >= 0; j--) { ps[j * inner] *= (T)acc; acc *= (double)s[j * inner]; } \
}                                                                               \
AG_SLICE_RANGE(prod_fwd_##SFX, T,                                               \
    const T *s = x + AG_BASE; double acc = 1;                                   \
    for (int64_t j = 0; j < n; j++) acc *= (double)s[j * inner];                \
    out[AG_OUT] = (T)acc;                                                       \
)                                                                               \
void ag_prod_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(prod_fwd_##SFX, 1, .x = x, .out = y);                         \
}                                                                               \
AG_SLICE_RANGE(prod_others_fwd_##SFX, T, others_##SFX(x + AG_BASE, out + AG_BASE, n, inner);) \
void ag_prod_others_forward_##SFX(const T *x, T *p, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(prod_others_fwd_##SFX, 1, .x = x, .out = p);                  \
}                                                                               \
/* Whether x has a zero, each thread looking at the others' finding between blocks. */ \
typedef struct { const T *x; atomic_bool found; } any_zero_##SFX##_args;        \
static void any_zero_##SFX(void *ctx, int64_t b, int64_t e) {                   \
    any_zero_##SFX##_args *a = ctx;                                             \
    for (int64_t k = b; k < e; k += 4096) {                                     \
        if (atomic_load_explicit(&a->found, memory_order_relaxed)) return;      \
        const int64_t stop = e - k < 4096 ? e : k + 4096;                       \
        for (int64_t m = k; m < stop; m++)                                      \
            if (a->x[m] == 0) { atomic_store_explicit(&a->found, true, memory_order_relaxed); return; } \
    }                                                                           \
}                                                                               \
/* param != 0: x has a zero, so g = go * (the others' product). */              \
AG_SLICE_RANGE(prod_bwd_##SFX, T,                                               \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    const T go = gy[AG_OUT], yo = y[AG_OUT];                                    \
    if (param != 0) {                                                           \
        others_##SFX(s, g, n, inner);                                           \
        for (int64_t j = 0; j < n; j++) g[j * inner] = go * g[j * inner];       \
    } else { for (int64_t j = 0; j < n; j++) g[j * inner] = go * (yo / s[j * inner]); } \
)                                                                               \
void ag_prod_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    any_zero_##SFX##_args z = { x, false };                                     \
    ag_parallel_for(outer * n * inner, AG_GRAIN_ELEMENTWISE, any_zero_##SFX, &z); \
    const bool zero = atomic_load(&z.found);                                    \
    AG_RUN_SLICES(prod_bwd_##SFX, 1, .x = x, .y = y, .gy = gy, .out = gx, .param = zero); \
}                                                                               \
AG_SLICE_RANGE(prod_others_bwd_##SFX, T,                                        \
    const T *s = x + AG_BASE, *g = gy + AG_BASE; T *dst = out + AG_BASE;        \
    for (int64_t k = 0; k < n; k++) {                                           \
        /* sum over j != k of g[j] * prod_{m != j, k} x[m], by the running      \
           recurrence acc = acc * x[j] + g[j] * prod_{m < j, m != k} x[m]. */   \
        T acc = 0, left = 1;                                                    \
        for (int64_t j = 0; j < n; j++) {                                       \
            if (j == k) continue;                                               \
            acc = acc * s[j * inner] + g[j * inner] * left;                     \
            left *= s[j * inner];                                               \
        }                                                                       \
        dst[k * inner] = acc;                                                   \
    }                                                                           \
)                                                                               \
void ag_prod_others_backward_##SFX(const T *x, const T *gp, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(prod_others_bwd_##SFX, n, /* O(n^2) per slice */ .x = x, .gy = gp, .out = gx); \
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

// param: the correction.
#define AG_VAR(T, SFX)                                                          \
static double ag_var_of_##SFX(const T *s, int64_t n, int64_t inner, double correction) { \
    const double m = ag_mean_of_##SFX(s, n, inner);                             \
    double acc = 0;                                                             \
    for (int64_t j = 0; j < n; j++) { const double d = (double)s[j * inner] - m; acc += d * d; } \
    const double dof = (double)n - correction;                                  \
    return acc / (dof > 0 ? dof : 0);                                           \
}                                                                               \
AG_SLICE_RANGE(var_fwd_##SFX, T, out[AG_OUT] = (T)ag_var_of_##SFX(x + AG_BASE, n, inner, param);) \
AG_SLICE_RANGE(std_fwd_##SFX, T, out[AG_OUT] = (T)sqrt(ag_var_of_##SFX(x + AG_BASE, n, inner, param));) \
void ag_var_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(var_fwd_##SFX, 1, .x = x, .out = y, .param = correction);     \
}                                                                               \
void ag_std_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(std_fwd_##SFX, 1, .x = x, .out = y, .param = correction);     \
}                                                                               \
AG_SLICE_RANGE(var_bwd_##SFX, T,                                                \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    const T m = (T)ag_mean_of_##SFX(s, n, inner);                               \
    const T c = (T)(2.0 / ((double)n - param)) * gy[AG_OUT];                    \
    for (int64_t j = 0; j < n; j++) g[j * inner] = c * (s[j * inner] - m);      \
)                                                                               \
void ag_var_backward_##SFX(const T *x, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(var_bwd_##SFX, 1, .x = x, .gy = gy, .out = gx, .param = correction); \
}                                                                               \
AG_SLICE_RANGE(std_bwd_##SFX, T,                                                \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    const T m = (T)ag_mean_of_##SFX(s, n, inner);                               \
    const T yo = y[AG_OUT];                                                     \
    const T half = yo == 0 ? (T)0 : gy[AG_OUT] / (yo * 2);                      \
    const T c = (T)(2.0 / ((double)n - param)) * half;                          \
    for (int64_t j = 0; j < n; j++) g[j * inner] = c * (s[j * inner] - m);      \
)                                                                               \
void ag_std_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(std_bwd_##SFX, 1, .x = x, .y = y, .gy = gy, .out = gx, .param = correction); \
}
AG_VAR(float, f32)
AG_VAR(double, f64)

// ---- logsumexp ---------------------------------------------------------------

#define AG_LOGSUMEXP(T, SFX)                                                    \
AG_SLICE_RANGE(logsumexp_fwd_##SFX, T,                                          \
    const T *s = x + AG_BASE;                                                   \
    T m = -INFINITY;                                                            \
    for (int64_t j = 0; j < n; j++) if (s[j * inner] > m || isnan(s[j * inner])) m = s[j * inner]; \
    if (isinf(m)) m = 0;                                                        \
    double acc = 0;                                                             \
    for (int64_t j = 0; j < n; j++) acc += (double)exp(s[j * inner] - m);       \
    out[AG_OUT] = log((T)acc) + m;                                              \
)                                                                               \
void ag_logsumexp_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(logsumexp_fwd_##SFX, AG_COST_TRANSCENDENTAL, .x = x, .out = y); \
}                                                                               \
AG_SLICE_RANGE(logsumexp_bwd_##SFX, T,                                          \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    const T yo = y[AG_OUT], go = gy[AG_OUT];                                    \
    for (int64_t j = 0; j < n; j++) g[j * inner] = go * exp(s[j * inner] - yo); \
)                                                                               \
void ag_logsumexp_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(logsumexp_bwd_##SFX, AG_COST_TRANSCENDENTAL, .x = x, .y = y, .gy = gy, .out = gx); \
}
AG_LOGSUMEXP(float, f32)
AG_LOGSUMEXP(double, f64)

// ---- max / min along a dimension ---------------------------------------------

#define AG_EXTREME_DIM(NAME, CMP, T, SFX)                                       \
AG_SLICE_RANGE(NAME##_dim_fwd_##SFX, T,                                         \
    const T *s = x + AG_BASE;                                                   \
    T best = s[0]; int64_t at = 0;                                              \
    for (int64_t j = 1; j < n && !isnan(best); j++) {                           \
        const T v = s[j * inner];                                               \
        if (isnan(v) || v CMP best) { best = v; at = j; }                       \
    }                                                                           \
    out[AG_OUT] = best;                                                         \
    if (indices) indices[AG_OUT] = at;                                          \
)                                                                               \
void ag_##NAME##_dim_forward_##SFX(const T *x, T *values, int64_t *indices, int64_t outer, int64_t n, int64_t inner) { \
    if (n <= 0) return;                                                         \
    AG_RUN_SLICES(NAME##_dim_fwd_##SFX, 1, .x = x, .out = values, .indices = indices); \
}
AG_EXTREME_DIM(max, >, float, f32)
AG_EXTREME_DIM(max, >, double, f64)
AG_EXTREME_DIM(min, <, float, f32)
AG_EXTREME_DIM(min, <, double, f64)

#define AG_MASK(T, SFX)                                                         \
AG_SLICE_RANGE(extreme_mask_##SFX, T,                                           \
    const T *s = x + AG_BASE; T *dst = out + AG_BASE;                           \
    const T yo = y[AG_OUT];                                                     \
    int64_t c = 0;                                                              \
    for (int64_t j = 0; j < n; j++) {                                           \
        const T v = s[j * inner];                                               \
        const bool hit = isnan(yo) ? isnan(v) : v == yo;                        \
        dst[j * inner] = hit ? (T)1 : (T)0; c += hit;                           \
    }                                                                           \
    out2[AG_OUT] = (T)c;                                                        \
)                                                                               \
void ag_extreme_mask_##SFX(const T *x, const T *y, T *mask, T *count, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(extreme_mask_##SFX, 1, .x = x, .y = y, .out = mask, .out2 = count); \
}
AG_MASK(float, f32)
AG_MASK(double, f64)

// ---- cumsum ------------------------------------------------------------------

#define AG_CUMSUM(T, SFX)                                                       \
AG_SLICE_RANGE(cumsum_fwd_##SFX, T,                                             \
    const T *s = x + AG_BASE; T *d = out + AG_BASE; double acc = 0;             \
    for (int64_t j = 0; j < n; j++) { acc += (double)s[j * inner]; d[j * inner] = (T)acc; } \
)                                                                               \
void ag_cumsum_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(cumsum_fwd_##SFX, 1, .x = x, .out = y);                       \
}                                                                               \
AG_SLICE_RANGE(cumsum_bwd_##SFX, T,                                             \
    const T *s = gy + AG_BASE; T *d = out + AG_BASE; double acc = 0;            \
    for (int64_t j = n - 1; j >= 0; j--) { acc += (double)s[j * inner]; d[j * inner] = (T)acc; } \
)                                                                               \
void ag_cumsum_backward_##SFX(const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(cumsum_bwd_##SFX, 1, .gy = gy, .out = gx);                    \
}
AG_CUMSUM(float, f32)
AG_CUMSUM(double, f64)

// ---- norm --------------------------------------------------------------------

static inline int64_t ag_norm_cost(double p) {
    return p == 0 || p == 1 || p == 2 || isinf(p) ? 1 : AG_COST_TRANSCENDENTAL;
}

// param: p.
#define AG_NORM(T, SFX)                                                         \
AG_SLICE_RANGE(norm_fwd_##SFX, T,                                               \
    const double p = param;                                                     \
    const T *s = x + AG_BASE;                                                   \
    double acc;                                                                 \
    if (isinf(p)) {                                                             \
        acc = p > 0 ? 0 : INFINITY;                                             \
        for (int64_t j = 0; j < n; j++) {                                       \
            const double v = fabs((double)s[j * inner]);                        \
            if (isnan(v) || (p > 0 ? v > acc : v < acc)) acc = v;               \
            if (isnan(acc)) break;                                              \
        }                                                                       \
    } else if (p == 0) {                                                        \
        acc = 0; for (int64_t j = 0; j < n; j++) acc += s[j * inner] != 0;      \
    } else if (p == 1) {                                                        \
        acc = 0; for (int64_t j = 0; j < n; j++) acc += fabs((double)s[j * inner]); \
    } else if (p == 2) {                                                        \
        acc = 0;                                                                \
        for (int64_t j = 0; j < n; j++) { const double v = s[j * inner]; acc += v * v; } \
        acc = sqrt(acc);                                                        \
    } else {                                                                    \
        acc = 0;                                                                \
        for (int64_t j = 0; j < n; j++) acc += pow(fabs((double)s[j * inner]), p); \
        acc = pow(acc, 1.0 / p);                                                \
    }                                                                           \
    out[AG_OUT] = (T)acc;                                                       \
)                                                                               \
void ag_norm_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double p) { \
    AG_RUN_SLICES(norm_fwd_##SFX, ag_norm_cost(p), .x = x, .out = y, .param = p); \
}                                                                               \
AG_SLICE_RANGE(norm_bwd_##SFX, T,                                               \
    const double p = param; const T e = (T)p;                                   \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    const T yo = y[AG_OUT], go = gy[AG_OUT];                                    \
    T share = 0; /* inf-norm: the gradient split among the ties */              \
    if (isinf(p)) {                                                             \
        int64_t c = 0;                                                          \
        for (int64_t j = 0; j < n; j++) { const T a = fabs(s[j * inner]); c += a == yo || isnan(a); } \
        share = go / (T)c;                                                      \
    }                                                                           \
    for (int64_t j = 0; j < n; j++) {                                           \
        const T v = s[j * inner];                                               \
        const T sg = (T)((v > 0) - (v < 0));                                    \
        T r;                                                                    \
        if (p == 0) r = 0;                                                      \
        else if (p == 1) r = sg * go;                                           \
        else if (p == 2) r = yo == 0 ? 0 : go * (v / yo);                       \
        else if (isinf(p)) r = (fabs(v) == yo || isnan(v)) ? sg * share : 0;    \
        else if (p < 1) r = (v == 0 ? 0 : sg * pow(fabs(v), e - 1)) * go * pow(yo, 1 - e); \
        else if (p < 2) r = yo == 0 ? 0 : sg * pow(fabs(v), e - 1) * (go / pow(yo, e - 1)); \
        else r = yo == 0 ? 0 : v * pow(fabs(v), e - 2) * (go / pow(yo, e - 1)); \
        g[j * inner] = r;                                                       \
    }                                                                           \
)                                                                               \
void ag_norm_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double p) { \
    AG_RUN_SLICES(norm_bwd_##SFX, ag_norm_cost(p), .x = x, .y = y, .gy = gy, .out = gx, .param = p); \
}
AG_NORM(float, f32)
AG_NORM(double, f64)
