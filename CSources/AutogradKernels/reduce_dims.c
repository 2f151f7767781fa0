#include "ag_reduce_dims.h"
#include "ag_math.h"
#include "row_sums.h"
#include "parallel_parts.h"
#include "slice_blocks.h"
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <tgmath.h>

// Every kernel walks the [outer, n, inner] view (see ag_reduce_dims.h) in
// blocks of slices computed side by side (slice_blocks.h: AG_SLICE_RANGE),
// each slice with its own accumulators and in its own order, so that results
// are bit for bit those of one slice at a time on one thread. One macro per
// op generates the float and double versions; sums accumulate in double.

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
AG_PERMUTE(int64_t, i64)

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
/* ps[j] = prod_{k != j} s[k] in each lane: exclusive products from both sides. */ \
AG_INLINE void others_##SFX(const T *s, T *ps, int64_t n, int64_t inner, int64_t lane, int64_t w) { \
    double acc[AG_LANES];                                                       \
    AG_EACH acc[l] = 1;                                                         \
    AG_ROWS_TO(s, ps) AG_EACH { AG_AT(ps) = (T)acc[l]; acc[l] *= (double)AG_AT(s); } \
    AG_EACH acc[l] = 1;                                                         \
    AG_ROWS_BACK_TO(s, ps) AG_EACH { AG_AT(ps) *= (T)acc[l]; acc[l] *= (double)AG_AT(s); } \
}                                                                               \
AG_SLICE_RANGE(prod_fwd_##SFX, T,                                               \
    const T *s = x + AG_BASE; double acc[AG_LANES];                             \
    AG_EACH acc[l] = 1;                                                         \
    AG_ROWS(s) AG_EACH acc[l] *= (double)AG_AT(s);                              \
    AG_EACH out[AG_OUT + l] = (T)acc[l];                                        \
)                                                                               \
void ag_prod_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(prod_fwd_##SFX, 1, .x = x, .out = y);                         \
}                                                                               \
AG_SLICE_RANGE_ROWS(prod_others_fwd_##SFX, T, 4, others_##SFX(x + AG_BASE, out + AG_BASE, n, inner, lane, w);) \
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
AG_SLICE_RANGE_ROWS(prod_bwd_##SFX, T, 4,                                       \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    T go[AG_LANES], yo[AG_LANES];                                               \
    AG_EACH { go[l] = gy[AG_OUT + l]; yo[l] = y[AG_OUT + l]; }                  \
    if (param != 0) {                                                           \
        others_##SFX(s, g, n, inner, lane, w);                                  \
        AG_ROWS(g) AG_EACH AG_AT(g) = go[l] * AG_AT(g);                         \
    } else { AG_ROWS_TO(s, g) AG_EACH AG_AT(g) = go[l] * (yo[l] / AG_AT(s)); }  \
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
        T acc[AG_LANES], left[AG_LANES];                                        \
        AG_EACH { acc[l] = 0; left[l] = 1; }                                    \
        AG_ROWS(s) {                                                            \
            if (j == k) continue;                                               \
            AG_EACH { acc[l] = acc[l] * AG_AT(s) + AG_AT(g) * left[l]; left[l] *= AG_AT(s); } \
        }                                                                       \
        AG_EACH dst[k * inner + l * lane] = acc[l];                             \
    }                                                                           \
)                                                                               \
void ag_prod_others_backward_##SFX(const T *x, const T *gp, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(prod_others_bwd_##SFX, n, /* O(n^2) per slice */ .x = x, .gy = gp, .out = gx); \
}
AG_PROD(float, f32)
AG_PROD(double, f64)

// ---- var / std -------------------------------------------------------------

/// m[l] = the mean of lane l's n elements from s, summed in double.
#define AG_MEANS(m, s)                                                          \
    do {                                                                        \
        double sum_[AG_LANES];                                                  \
        AG_EACH sum_[l] = 0;                                                    \
        AG_ROWS(s) AG_EACH sum_[l] += (double)AG_AT(s);                         \
        AG_EACH m[l] = sum_[l] / (double)n;                                     \
    } while (0)

// param: the correction.
#define AG_VAR(T, SFX)                                                          \
/* v[l] = lane l's variance: the mean, then the squared deviations. */          \
AG_INLINE void var_of_##SFX(const T *s, int64_t n, int64_t inner, int64_t lane, int64_t w, double correction, double *v) { \
    double m[AG_LANES], acc[AG_LANES];                                          \
    AG_MEANS(m, s);                                                             \
    AG_EACH acc[l] = 0;                                                         \
    AG_ROWS(s) AG_EACH { const double d = (double)AG_AT(s) - m[l]; acc[l] += d * d; } \
    const double dof = (double)n - correction;                                  \
    AG_EACH v[l] = acc[l] / (dof > 0 ? dof : 0);                                \
}                                                                               \
AG_SLICE_RANGE(var_fwd_##SFX, T,                                                \
    double v[AG_LANES]; var_of_##SFX(x + AG_BASE, n, inner, lane, w, param, v); \
    AG_EACH out[AG_OUT + l] = (T)v[l];                                          \
)                                                                               \
AG_SLICE_RANGE(std_fwd_##SFX, T,                                                \
    double v[AG_LANES]; var_of_##SFX(x + AG_BASE, n, inner, lane, w, param, v); \
    AG_EACH out[AG_OUT + l] = (T)sqrt(v[l]);                                    \
)                                                                               \
void ag_var_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(var_fwd_##SFX, 1, .x = x, .out = y, .param = correction);     \
}                                                                               \
void ag_std_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(std_fwd_##SFX, 1, .x = x, .out = y, .param = correction);     \
}                                                                               \
/* g = c * (s - m) in each lane. */                                             \
AG_INLINE void deviations_##SFX(const T *s, T *g, const T *c, const T *m, int64_t n, int64_t inner, int64_t lane, int64_t w) { \
    AG_ROWS_TO(s, g) AG_EACH AG_AT(g) = c[l] * (AG_AT(s) - m[l]);               \
}                                                                               \
AG_SLICE_RANGE(var_bwd_##SFX, T,                                                \
    const T *s = x + AG_BASE;                                                   \
    double mean[AG_LANES]; T m[AG_LANES], c[AG_LANES];                          \
    AG_MEANS(mean, s);                                                          \
    AG_EACH { m[l] = (T)mean[l]; c[l] = (T)(2.0 / ((double)n - param)) * gy[AG_OUT + l]; } \
    deviations_##SFX(s, out + AG_BASE, c, m, n, inner, lane, w);                \
)                                                                               \
void ag_var_backward_##SFX(const T *x, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(var_bwd_##SFX, 1, .x = x, .gy = gy, .out = gx, .param = correction); \
}                                                                               \
AG_SLICE_RANGE(std_bwd_##SFX, T,                                                \
    const T *s = x + AG_BASE;                                                   \
    double mean[AG_LANES]; T m[AG_LANES], c[AG_LANES];                          \
    AG_MEANS(mean, s);                                                          \
    AG_EACH {                                                                   \
        m[l] = (T)mean[l];                                                      \
        const T yo = y[AG_OUT + l];                                             \
        const T half = yo == 0 ? (T)0 : gy[AG_OUT + l] / (yo * 2);              \
        c[l] = (T)(2.0 / ((double)n - param)) * half;                           \
    }                                                                           \
    deviations_##SFX(s, out + AG_BASE, c, m, n, inner, lane, w);                \
)                                                                               \
void ag_std_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double correction) { \
    AG_RUN_SLICES(std_bwd_##SFX, 1, .x = x, .y = y, .gy = gy, .out = gx, .param = correction); \
}
AG_VAR(float, f32)
AG_VAR(double, f64)

// ---- logsumexp ---------------------------------------------------------------

// Over the last dimension (inner == 1) rows are contiguous: vectorised exp
// and lane sums (row_sums.h), rows split over the cores.
#define AG_LSE_ROWS(T, SFX)                                                     \
AG_ROW_MAX(lse_row_max_##SFX, T)                                                \
AG_LANE_SUM(lse_exp_sum_##SFX, T, (const T *restrict x, T mx), ag_exp_t(x[j] - mx)) \
AG_VECTOR_CLONES static void lse_grad_row_##SFX(const T *restrict x, T y, T g, T *restrict gx, int64_t n) { \
    for (int64_t j = 0; j < n; j++) gx[j] = g * ag_exp_t(x[j] - y);            \
}                                                                               \
typedef struct { const T *x, *y, *gy; T *out; int64_t n; } lse_rows_##SFX##_args; \
static void lse_fwd_rows_##SFX(void *p, int64_t b, int64_t e) {                 \
    const lse_rows_##SFX##_args *a = p;                                         \
    for (int64_t r = b; r < e; r++) {                                           \
        const T *row = a->x + r * a->n;                                         \
        T mx = lse_row_max_##SFX(row, a->n, 1);                                 \
        if (isinf(mx)) mx = 0;  /* +inf: the result is inf (NaN with a NaN) */  \
        a->out[r] = log(lse_exp_sum_##SFX(a->n, row, mx)) + mx;                 \
    }                                                                           \
}                                                                               \
static void lse_bwd_rows_##SFX(void *p, int64_t b, int64_t e) {                 \
    const lse_rows_##SFX##_args *a = p;                                         \
    for (int64_t r = b; r < e; r++)                                             \
        lse_grad_row_##SFX(a->x + r * a->n, a->y[r], a->gy[r], a->out + r * a->n, a->n); \
}                                                                               \
static int lse_rows_##SFX(const T *x, const T *y, const T *gy, T *out, int64_t outer, int64_t n, int64_t inner) { \
    if (inner != 1 || n < AG_SM_LANES) return 0;                                \
    lse_rows_##SFX##_args a = { x, y, gy, out, n };                             \
    const int64_t grain = n >= AG_GRAIN_ELEMENTWISE ? 1 : AG_GRAIN_ELEMENTWISE / n; \
    ag_parallel_for(outer, grain, gy ? lse_bwd_rows_##SFX : lse_fwd_rows_##SFX, &a); \
    return 1;                                                                   \
}
AG_LSE_ROWS(float, f32)
AG_LSE_ROWS(double, f64)

#define AG_LOGSUMEXP(T, SFX)                                                    \
AG_SLICE_RANGE(logsumexp_fwd_##SFX, T,                                          \
    /* Each slice's sum in AG_SM_LANES partial sums by j % AG_SM_LANES, then   \
       added in order: the arithmetic of the row path above, so a reduction   \
       over a leading dim equals, bit for bit, the same over the last. */       \
    const T *s = x + AG_BASE;                                                   \
    T m[AG_LANES]; T acc[AG_LANES][AG_SM_LANES];                                \
    AG_EACH m[l] = -INFINITY;                                                   \
    AG_ROWS(s) AG_EACH if (AG_AT(s) > m[l] || isnan(AG_AT(s))) m[l] = AG_AT(s); \
    AG_EACH { if (isinf(m[l])) m[l] = 0; for (int k = 0; k < AG_SM_LANES; k++) acc[l][k] = 0; } \
    AG_ROWS(s) AG_EACH acc[l][j % AG_SM_LANES] += ag_exp_t(AG_AT(s) - m[l]);    \
    AG_EACH {                                                                   \
        T sum = 0;                                                              \
        for (int k = 0; k < AG_SM_LANES; k++) sum += acc[l][k];                 \
        out[AG_OUT + l] = log(sum) + m[l];                                      \
    }                                                                           \
)                                                                               \
void ag_logsumexp_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    if (lse_rows_##SFX(x, NULL, NULL, y, outer, n, inner)) return;              \
    AG_RUN_SLICES(logsumexp_fwd_##SFX, AG_COST_TRANSCENDENTAL, .x = x, .out = y); \
}                                                                               \
AG_SLICE_RANGE_ROWS(logsumexp_bwd_##SFX, T, 1,                                  \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    T yo[AG_LANES], go[AG_LANES];                                               \
    AG_EACH { yo[l] = y[AG_OUT + l]; go[l] = gy[AG_OUT + l]; }                  \
    AG_ROWS_TO(s, g) AG_EACH AG_AT(g) = go[l] * ag_exp_t(AG_AT(s) - yo[l]);     \
)                                                                               \
void ag_logsumexp_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    if (lse_rows_##SFX(x, y, gy, gx, outer, n, inner)) return;                  \
    AG_RUN_SLICES(logsumexp_bwd_##SFX, AG_COST_TRANSCENDENTAL, .x = x, .y = y, .gy = gy, .out = gx); \
}
AG_LOGSUMEXP(float, f32)
AG_LOGSUMEXP(double, f64)

// ---- max / min along a dimension ---------------------------------------------

// A lane stops at its first NaN (one slice alone stops reading there).
#define AG_EXTREME_DIM(NAME, CMP, T, SFX)                                       \
AG_SLICE_RANGE_ROWS(NAME##_dim_fwd_##SFX, T, 4,                                 \
    const T *s = x + AG_BASE;                                                   \
    T best[AG_LANES]; int64_t at[AG_LANES];                                     \
    AG_EACH { best[l] = s[l * lane]; at[l] = 0; }                               \
    AG_ROWS_WHILE(s, 1, j < n && (w > 1 || !isnan(best[0]))) AG_EACH {          \
        const T v = AG_AT(s);                                                   \
        if (!isnan(best[l]) && (isnan(v) || v CMP best[l])) { best[l] = v; at[l] = j; } \
    }                                                                           \
    AG_EACH { out[AG_OUT + l] = best[l]; if (indices) indices[AG_OUT + l] = at[l]; } \
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
AG_SLICE_RANGE_ROWS(extreme_mask_##SFX, T, 1,                                   \
    const T *s = x + AG_BASE; T *dst = out + AG_BASE;                           \
    T yo[AG_LANES]; int64_t c[AG_LANES];                                        \
    AG_EACH { yo[l] = y[AG_OUT + l]; c[l] = 0; }                                \
    AG_ROWS_TO(s, dst) AG_EACH {                                                \
        const T v = AG_AT(s);                                                   \
        const bool hit = isnan(yo[l]) ? isnan(v) : v == yo[l];                  \
        AG_AT(dst) = hit ? (T)1 : (T)0; c[l] += hit;                            \
    }                                                                           \
    AG_EACH out2[AG_OUT + l] = (T)c[l];                                         \
)                                                                               \
void ag_extreme_mask_##SFX(const T *x, const T *y, T *mask, T *count, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(extreme_mask_##SFX, 1, .x = x, .y = y, .out = mask, .out2 = count); \
}
AG_MASK(float, f32)
AG_MASK(double, f64)

// ---- cumsum ------------------------------------------------------------------

#define AG_CUMSUM(T, SFX)                                                       \
AG_SLICE_RANGE_ROWS(cumsum_fwd_##SFX, T, 4,                                     \
    const T *s = x + AG_BASE; T *d = out + AG_BASE; double acc[AG_LANES];       \
    AG_EACH acc[l] = 0;                                                         \
    AG_ROWS_TO(s, d) AG_EACH { acc[l] += (double)AG_AT(s); AG_AT(d) = (T)acc[l]; } \
)                                                                               \
void ag_cumsum_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(cumsum_fwd_##SFX, 1, .x = x, .out = y);                       \
}                                                                               \
AG_SLICE_RANGE_ROWS(cumsum_bwd_##SFX, T, 4,                                     \
    const T *s = gy + AG_BASE; T *d = out + AG_BASE; double acc[AG_LANES];      \
    AG_EACH acc[l] = 0;                                                         \
    AG_ROWS_BACK_TO(s, d) AG_EACH { acc[l] += (double)AG_AT(s); AG_AT(d) = (T)acc[l]; } \
)                                                                               \
void ag_cumsum_backward_##SFX(const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(cumsum_bwd_##SFX, 1, .gy = gy, .out = gx);                    \
}
AG_CUMSUM(float, f32)
AG_CUMSUM(double, f64)

// ---- cumprod: the running product in double, as PyTorch's acc_type --------

#define AG_CUMPROD(T, SFX)                                                      \
AG_SLICE_RANGE_ROWS(cumprod_fwd_##SFX, T, 4,                                    \
    const T *s = x + AG_BASE; T *d = out + AG_BASE; double acc[AG_LANES];       \
    AG_EACH acc[l] = 1;                                                         \
    AG_ROWS_TO(s, d) AG_EACH { acc[l] *= (double)AG_AT(s); AG_AT(d) = (T)acc[l]; } \
)                                                                               \
void ag_cumprod_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner) { \
    AG_RUN_SLICES(cumprod_fwd_##SFX, 1, .x = x, .out = y);                      \
}
AG_CUMPROD(float, f32)
AG_CUMPROD(double, f64)

// int64 products and running sums wrap around, as PyTorch's (computed on
// uint64_t, whose overflow is defined). One thread: integer reductions are
// for indices and counts, not bulk arithmetic.
void ag_prod_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            uint64_t acc = 1;
            for (int64_t j = 0; j < n; j++) acc *= (uint64_t)x[(o * n + j) * inner + i];
            y[o * inner + i] = (int64_t)acc;
        }
}
void ag_cumprod_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            uint64_t acc = 1;
            for (int64_t j = 0; j < n; j++) {
                const int64_t k = (o * n + j) * inner + i;
                acc *= (uint64_t)x[k];
                y[k] = (int64_t)acc;
            }
        }
}

void ag_cumsum_forward_i64(const int64_t *x, int64_t *y, int64_t outer, int64_t n, int64_t inner) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            uint64_t acc = 0;
            for (int64_t j = 0; j < n; j++) {
                const int64_t k = (o * n + j) * inner + i;
                acc += (uint64_t)x[k];
                y[k] = (int64_t)acc;
            }
        }
}

// ---- norm --------------------------------------------------------------------

static inline int64_t ag_norm_cost(double p) {
    return p == 0 || p == 1 || p == 2 || isinf(p) ? 1 : AG_COST_TRANSCENDENTAL;
}

// param: p. The inf-norms stop a lane at its first NaN, as for max.
#define AG_NORM(T, SFX)                                                         \
AG_SLICE_RANGE(norm_fwd_##SFX, T,                                               \
    const double p = param;                                                     \
    const T *s = x + AG_BASE;                                                   \
    double acc[AG_LANES];                                                       \
    AG_EACH acc[l] = isinf(p) && p < 0 ? INFINITY : 0;                          \
    if (isinf(p)) {                                                             \
        AG_ROWS_WHILE(s, 0, j < n && (w > 1 || !isnan(acc[0]))) AG_EACH {       \
            const double v = fabs((double)AG_AT(s));                            \
            if (!isnan(acc[l]) && (isnan(v) || (p > 0 ? v > acc[l] : v < acc[l]))) acc[l] = v; \
        }                                                                       \
    } else if (p == 0) {                                                        \
        AG_ROWS(s) AG_EACH acc[l] += AG_AT(s) != 0;                             \
    } else if (p == 1) {                                                        \
        AG_ROWS(s) AG_EACH acc[l] += fabs((double)AG_AT(s));                    \
    } else if (p == 2) {                                                        \
        AG_ROWS(s) AG_EACH { const double v = AG_AT(s); acc[l] += v * v; }      \
        AG_EACH acc[l] = sqrt(acc[l]);                                          \
    } else {                                                                    \
        AG_ROWS(s) AG_EACH acc[l] += pow(fabs((double)AG_AT(s)), p);            \
        AG_EACH acc[l] = pow(acc[l], 1.0 / p);                                  \
    }                                                                           \
    AG_EACH out[AG_OUT + l] = (T)acc[l];                                        \
)                                                                               \
void ag_norm_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner, double p) { \
    AG_RUN_SLICES(norm_fwd_##SFX, ag_norm_cost(p), .x = x, .out = y, .param = p); \
}                                                                               \
/* dL/dv for an element v (e = p; share: an inf-norm's gradient per tie). */    \
AG_INLINE T norm_grad_##SFX(double p, T e, T v, T yo, T go, T share) {          \
    const T sg = (T)((v > 0) - (v < 0));                                        \
    if (p == 0) return 0;                                                       \
    if (p == 1) return sg * go;                                                 \
    if (p == 2) return yo == 0 ? 0 : go * (v / yo);                             \
    if (isinf(p)) return (fabs(v) == yo || isnan(v)) ? sg * share : 0;          \
    if (p < 1) return (v == 0 ? 0 : sg * pow(fabs(v), e - 1)) * go * pow(yo, 1 - e); \
    if (p < 2) return yo == 0 ? 0 : sg * pow(fabs(v), e - 1) * (go / pow(yo, e - 1)); \
    return yo == 0 ? 0 : v * pow(fabs(v), e - 2) * (go / pow(yo, e - 1));       \
}                                                                               \
AG_SLICE_RANGE_ROWS(norm_bwd_##SFX, T, 1,                                       \
    const double p = param; const T e = (T)p;                                   \
    const T *s = x + AG_BASE; T *g = out + AG_BASE;                             \
    T yo[AG_LANES], go[AG_LANES], share[AG_LANES];                              \
    AG_EACH { yo[l] = y[AG_OUT + l]; go[l] = gy[AG_OUT + l]; share[l] = 0; }    \
    if (isinf(p)) { /* the gradient split among the ties */                     \
        int64_t c[AG_LANES];                                                    \
        AG_EACH c[l] = 0;                                                       \
        AG_ROWS(s) AG_EACH { const T a = fabs(AG_AT(s)); c[l] += a == yo[l] || isnan(a); } \
        AG_EACH share[l] = go[l] / (T)c[l];                                     \
    }                                                                           \
    AG_ROWS_TO(s, g) AG_EACH AG_AT(g) = norm_grad_##SFX(p, e, AG_AT(s), yo[l], go[l], share[l]); \
)                                                                               \
void ag_norm_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner, double p) { \
    AG_RUN_SLICES(norm_bwd_##SFX, ag_norm_cost(p), .x = x, .y = y, .gy = gy, .out = gx, .param = p); \
}
AG_NORM(float, f32)
AG_NORM(double, f64)
