#include "ag_unary.h"
#include "ag_parallel.h"
#include "ag_math.h"
#include <stddef.h>
#include <tgmath.h>

// One definition per op generates the float and double pair. `v` is x[i] or
// y[i] (as the backward reads), `g` is gy[i]; <tgmath.h> picks tanhf/tanh.
#define AG_FWD(op, T, SFX, FWD)                                                     \
typedef struct { const T *x; T *y; } op##_fwd_##SFX##_args;                          \
AG_VECTOR_CLONES static void op##_fwd_##SFX##_range(void *p, int64_t b, int64_t e) { \
    const op##_fwd_##SFX##_args *a = p;                                             \
    const T *restrict x = a->x; T *restrict y = a->y;                              \
    for (int64_t i = b; i < e; i++) { const T v = x[i]; y[i] = (FWD); }            \
}                                                                                   \
void ag_##op##_forward_##SFX(const T *x, T *y, int64_t n) {                         \
    op##_fwd_##SFX##_args a = { x, y };                                             \
    ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, op##_fwd_##SFX##_range, &a);           \
}
#define AG_BWD(op, T, SFX, SRC, BWD)                                                \
typedef struct { const T *s, *gy; T *gx; } op##_bwd_##SFX##_args;                   \
AG_VECTOR_CLONES static void op##_bwd_##SFX##_range(void *p, int64_t b, int64_t e) { \
    const op##_bwd_##SFX##_args *a = p;                                             \
    const T *restrict s = a->s; const T *gy = a->gy; T *gx = a->gx;                \
    if (s) { for (int64_t i = b; i < e; i++) { const T v = s[i]; const T g = gy[i]; gx[i] = (BWD); } } \
    else   { for (int64_t i = b; i < e; i++) { const T v = 0; const T g = gy[i]; (void)v; gx[i] = (BWD); } } \
}                                                                                   \
void ag_##op##_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t n) { \
    (void)x; (void)y;                                                               \
    op##_bwd_##SFX##_args a = { SRC, gy, gx };                                      \
    ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, op##_bwd_##SFX##_range, &a);           \
}
#define AG_UNARY(op, SRC, FWD, BWD)                                                 \
    AG_FWD(op, float, f32, FWD) AG_FWD(op, double, f64, FWD)                       \
    AG_BWD(op, float, f32, SRC, BWD) AG_BWD(op, double, f64, SRC, BWD)

AG_UNARY(neg,  NULL, -v,        -g)
AG_UNARY(exp,  y,    ag_exp_t(v),  g * v)
AG_UNARY(log,  x,    log(v),    g / v)
AG_UNARY(sqrt, y,    ag_sqrt_t(v), g / (v + v))
AG_UNARY(tanh, y,    ag_tanh_t(v), g * (1 - v * v))
AG_UNARY(cosh, x,    ag_cosh_t(v), g * ag_sinh_t(v))
AG_UNARY(sinh, x,    ag_sinh_t(v), g * ag_cosh_t(v))
AG_UNARY(abs,  x,    fabs(v),   v > 0 ? g : (v < 0 ? -g : 0 * g))
AG_UNARY(sign, NULL, (v > 0) - (v < 0) + 0 * v, 0 * g)
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
