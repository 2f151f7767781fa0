#include "ag_unary.h"
#include "unary_pair.h"
#include <tgmath.h>

// `v` is x[i] or y[i] (as the backward reads), `g` is gy[i]; <tgmath.h> picks
// tanhf/tanh, and ag_*_t the vectorisable float versions.

AG_UNARY(neg,  NULL, -v,        -g)
AG_UNARY(exp,  y,    ag_exp_t(v),  g * v)
AG_UNARY(log,  x,    log(v),    g / v)
AG_UNARY(sqrt, y,    ag_sqrt_t(v), g / (v + v))
AG_UNARY(tanh, y,    ag_tanh_t(v), g * (1 - v * v))
AG_UNARY(cosh, x,    ag_cosh_t(v), g * ag_sinh_t(v))
AG_UNARY(sinh, x,    ag_sinh_t(v), g * ag_cosh_t(v))
AG_UNARY(abs,  x,    fabs(v),   v > 0 ? g : (v < 0 ? -g : 0 * g))
AG_UNARY(sign, NULL, (v > 0) - (v < 0), 0)
AG_UNARY(reciprocal, y, 1 / v,  -g * v * v)

#define AG_POW(T, SFX)                                                              \
void ag_pow_scalar_forward_##SFX(const T *restrict x, double p, T *restrict y, int64_t n) { \
    const T e = (T)p;                                                               \
    if (p == 2.0) { for (int64_t i = 0; i < n; i++) y[i] = x[i] * x[i]; return; }   \
    for (int64_t i = 0; i < n; i++) y[i] = pow(x[i], e);                            \
}                                                                                   \
void ag_pow_scalar_backward_##SFX(const T *restrict x, double p, const T *gy, T *gx, int64_t n) { \
    const T e = (T)p;                                                               \
    if (p == 0.0) { for (int64_t i = 0; i < n; i++) gx[i] = 0; return; }            \
    if (p == 2.0) { for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * 2 * x[i]; return; } \
    for (int64_t i = 0; i < n; i++) gx[i] = gy[i] * e * pow(x[i], e - 1);           \
}                                                                                   \
void ag_affine_forward_##SFX(const T *restrict x, double a, double b, T *restrict y, int64_t n) { \
    const T ta = (T)a, tb = (T)b;                                                   \
    for (int64_t i = 0; i < n; i++) y[i] = ta * x[i] + tb;                          \
}
AG_POW(float, f32)
AG_POW(double, f64)
