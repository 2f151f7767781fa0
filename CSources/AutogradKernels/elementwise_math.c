#include "ag_elementwise_math.h"
#include "unary_pair.h"
#include "broadcast_rows.h"
#include <math.h>
#include <stddef.h>
#include <tgmath.h>

// <math.h>'s M_ constants are POSIX, not C11: spelled out here.
#define AG_SQRT2      1.41421356237309504880   /* sqrt(2) */
#define AG_SQRT1_2    0.70710678118654752440   /* 1/sqrt(2) */
#define AG_2_SQRTPI   1.12837916709551257390   /* 2/sqrt(pi) */

// `v` is x[i] or y[i] (as the backward reads), `g` is gy[i], `zero` a T 0.
// Loop bodies are selects, not branches, so the piecewise ones (relu,
// leaky_relu, clamp) vectorise.
AG_UNARY(log1p,   x,    log1p(v),        g / (v + 1))
AG_UNARY(expm1,   y,    expm1(v),        g * (v + 1))
AG_UNARY(rsqrt,   y,    1 / ag_sqrt_t(v),     -0.5f * g * (v * v * v))
AG_UNARY(sin,     x,    sin(v),          g * cos(v))
AG_UNARY(cos,     x,    cos(v),          g * -sin(v))
AG_UNARY(tan,     y,    tan(v),          g * (1 + v * v))
AG_UNARY(square,  x,    v * v,           g * (2 * v))
AG_UNARY(sigmoid, y,    1 / (1 + ag_exp_t(-v)), g * (1 - v) * v)
// log σ(x) = min(x, 0) - log1p(e^-|x|) (NaN stays NaN), and PyTorch's
// log_sigmoid_backward: g (m - s z / (1 + z)), z = e^-|x|, m = [x < 0],
// s = x < 0 ? 1 : -1. libm's exp: an e^-|x| in the subnormals stays exact.
AG_UNARY(log_sigmoid, x, v != v ? v : (v < 0 ? v : zero) - log1p(exp(-fabs(v))),
         g * ((v < 0 ? zero + 1 : zero) - (v < 0 ? zero + 1 : zero - 1) * (exp(-fabs(v)) / (1 + exp(-fabs(v))))))
AG_UNARY(relu,    y,    v < 0 ? zero : v, v <= 0 ? zero : g)
AG_UNARY(erf,     x,    ag_erf_t(v),     g * (__typeof__(zero))AG_2_SQRTPI * ag_exp_t(-(v * v)))
AG_UNARY(round,   NULL, rint(v),         zero)
AG_UNARY(floor,   NULL, floor(v),        zero)
AG_UNARY(ceil,    NULL, ceil(v),         zero)

// GELU, exact and tanh-approximated, with PyTorch's constants and order
// (float: the vectorised erf, exp and tanh of ag_math.h, within 1 ulp):
// kBeta = sqrt(2) * (2/sqrt(pi)) * 0.5 = sqrt(2/pi) in the tanh form and
// 1/sqrt(2 pi) in the exact derivative's pdf.
#define AG_GELU(T, SFX)                                                             \
static inline T ag_gelu_grad_##SFX(T x) {                                          \
    const T kBeta = (T)(AG_SQRT2 * AG_2_SQRTPI * 0.5 * 0.5);                         \
    const T cdf = (T)0.5 * (1 + ag_erf_t(x * (T)AG_SQRT1_2));                       \
    const T pdf = kBeta * ag_exp_t(x * x * (T)-0.5);                               \
    return cdf + x * pdf;                                                           \
}                                                                                   \
static inline T ag_gelu_tanh_##SFX(T x) {                                          \
    const T kBeta = (T)(AG_SQRT2 * AG_2_SQRTPI * 0.5), kKappa = (T)0.044715;          \
    const T inner = kBeta * (x + kKappa * (x * x * x));                            \
    return (T)0.5 * x * (1 + ag_tanh_t(inner));                                    \
}                                                                                   \
static inline T ag_gelu_tanh_grad_##SFX(T x) {                                     \
    const T kBeta = (T)(AG_SQRT2 * AG_2_SQRTPI * 0.5), kKappa = (T)0.044715;          \
    const T x_sq = x * x, x_cube = x_sq * x;                                       \
    const T t = ag_tanh_t(kBeta * (x + kKappa * x_cube));                          \
    const T left = (T)0.5 * x, right = 1 + t;                                      \
    const T left_derivative = (T)0.5 * right;                                      \
    const T tanh_derivative = 1 - t * t;                                           \
    const T inner_derivative = kBeta * (1 + 3 * kKappa * x_sq);                     \
    const T right_derivative = left * tanh_derivative * inner_derivative;          \
    return left_derivative + right_derivative;                                     \
}
AG_GELU(float, f32)
AG_GELU(double, f64)

AG_FWD(gelu, float, f32, v * 0.5f * (1 + ag_erff(v * (float)AG_SQRT1_2)))
AG_FWD(gelu, double, f64, v * 0.5 * (1 + erf(v * AG_SQRT1_2)))
AG_BWD(gelu, float, f32, x, g * ag_gelu_grad_f32(v))
AG_BWD(gelu, double, f64, x, g * ag_gelu_grad_f64(v))
AG_FWD(gelu_tanh, float, f32, ag_gelu_tanh_f32(v))
AG_FWD(gelu_tanh, double, f64, ag_gelu_tanh_f64(v))
AG_BWD(gelu_tanh, float, f32, x, g * ag_gelu_tanh_grad_f32(v))
AG_BWD(gelu_tanh, double, f64, x, g * ag_gelu_tanh_grad_f64(v))

// Parametrised ops: `p` (and `q`) arrive as doubles and are narrowed once.
#define AG_P1(op, T, SFX, FWD, BWD)                                                 \
void ag_##op##_forward_##SFX(const T *restrict x, double p_, T *restrict y, int64_t n) { \
    const T p = (T)p_;                                                              \
    const T zero = 0; (void)zero;                                                  \
    for (int64_t i = 0; i < n; i++) { const T v = x[i]; y[i] = (FWD); }            \
}                                                                                   \
void ag_##op##_backward_##SFX(const T *restrict x, double p_, const T *gy, T *gx, int64_t n) { \
    const T p = (T)p_;                                                              \
    const T zero = 0; (void)zero;                                                  \
    for (int64_t i = 0; i < n; i++) { const T v = x[i], g = gy[i]; gx[i] = (BWD); } \
}
#define AG_P2(op, T, SFX, FWD, BWD)                                                 \
void ag_##op##_forward_##SFX(const T *restrict x, double p_, double q_, T *restrict y, int64_t n) { \
    const T p = (T)p_, q = (T)q_;                                                   \
    const T zero = 0; (void)zero;                                                  \
    for (int64_t i = 0; i < n; i++) { const T v = x[i]; y[i] = (FWD); }            \
}                                                                                   \
void ag_##op##_backward_##SFX(const T *restrict x, double p_, double q_, const T *gy, T *gx, int64_t n) { \
    const T p = (T)p_, q = (T)q_;                                                   \
    const T zero = 0; (void)zero;                                                  \
    for (int64_t i = 0; i < n; i++) { const T v = x[i], g = gy[i]; gx[i] = (BWD); } \
}
#define AG_PAIR(M, op, FWD, BWD) M(op, float, f32, FWD, BWD) M(op, double, f64, FWD, BWD)

AG_PAIR(AG_P1, leaky_relu, v > 0 ? v : v * p, v > 0 ? g : g * p)
AG_PAIR(AG_P1, elu, v <= 0 ? expm1(v) * p : v, v <= 0 ? g * p * exp(v) : g)
AG_PAIR(AG_P2, softplus, v * p > q ? v : log1p(exp(v * p)) / p,
        v * p > q ? g : g * exp(v * p) / (exp(v * p) + 1))
// clamp: max(x, p) then min(., q) as selects that keep a NaN x and give NaN
// for a NaN bound (as PyTorch). The gradient passes strictly inside the
// bounds (torch 2.15: 0 at x == min or x == max, and for NaN); an infinite
// bound stands for an absent one and lets everything on its side through.
#define AG_CLAMP(T, SFX)                                                            \
static inline T ag_clamp_##SFX(T v, T p, T q) {                                    \
    const T t = (v < p || p != p) ? p : v;                                          \
    return (t > q || q != q) ? q : t;                                               \
}                                                                                   \
static inline int ag_clamp_passes_##SFX(T v, T p, T q) {                           \
    return (v > p || (p == -(T)INFINITY && v >= p)) && (v < q || (q == (T)INFINITY && v <= q)); \
}
AG_CLAMP(float, f32)
AG_CLAMP(double, f64)
AG_P2(clamp, float, f32, ag_clamp_f32(v, p, q), ag_clamp_passes_f32(v, p, q) ? g : zero)
AG_P2(clamp, double, f64, ag_clamp_f64(v, p, q), ag_clamp_passes_f64(v, p, q) ? g : zero)

// Broadcasting backward of pow, maximum and minimum: one pass over the result.
#define AG_BINARY_BWD(op, T, SFX, GA, GB)                                           \
void ag_##op##_backward_##SFX(const T *a, const T *b, const T *y, const T *gy,     \
                              T *ga, T *gb, const ag_broadcast *bc) {               \
    const T zero = 0, half = (T)0.5; (void)y; (void)half;                                    \
    AG_FOR_ROWS(bc, bc->stride_a,                                                   \
        for (int64_t j = 0; j < inner; j++) {                                       \
            const T x = a[oa + j * sa], e = b[ob + j * sb], g = gy[o + j];           \
            const T r = y ? y[o + j] : zero; (void)r; (void)x; (void)e;              \
            if (ga) ga[o + j] = (GA);                                               \
            if (gb) gb[o + j] = (GB);                                               \
        });                                                                         \
}
#define AG_BINARY_BWD_PAIR(op, GA, GB) AG_BINARY_BWD(op, float, f32, GA, GB) AG_BINARY_BWD(op, double, f64, GA, GB)

AG_BINARY_BWD_PAIR(pow, e == 0 ? zero : g * (e * pow(x, e - 1)),
                   (x == 0 && e >= 0) ? zero : g * (r * log(x)))
AG_BINARY_BWD_PAIR(maximum, x < e ? zero : (x == e ? g * half : g),
                            e < x ? zero : (x == e ? g * half : g))
AG_BINARY_BWD_PAIR(minimum, x > e ? zero : (x == e ? g * half : g),
                            e > x ? zero : (x == e ? g * half : g))
