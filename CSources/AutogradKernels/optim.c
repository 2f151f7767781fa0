#include "ag_optim.h"
#include "ag_math.h"
#include <math.h>

#define AG_SGD(T, SFX)                                                                     \
void ag_sgd_step_##SFX(T *restrict p, const T *restrict g, T *restrict buf, int64_t n, double lr, \
                       double momentum, double dampening, double weight_decay, bool nesterov, bool first) { \
    const T tlr = (T)lr, mom = (T)momentum, damp = (T)(1.0 - dampening), wd = (T)weight_decay; \
    if (momentum == 0.0) {                                                                 \
        for (int64_t i = 0; i < n; i++) p[i] -= tlr * (g[i] + wd * p[i]);                  \
        return;                                                                            \
    }                                                                                      \
    for (int64_t i = 0; i < n; i++) {                                                      \
        const T d = g[i] + wd * p[i];                                                      \
        const T b = first ? d : mom * buf[i] + damp * d;                                   \
        buf[i] = b;                                                                        \
        p[i] -= tlr * (nesterov ? d + mom * b : b);                                        \
    }                                                                                      \
}
AG_SGD(float, f32)
AG_SGD(double, f64)

#define AG_ADAM(T, SFX, SQRT)                                                              \
void ag_adam_step_##SFX(T *restrict p, const T *restrict g, T *restrict m, T *restrict v, int64_t n, \
                        double lr, double beta1, double beta2, double eps, double weight_decay, int64_t t) { \
    const double bc1 = 1.0 - pow(beta1, (double)t), bc2 = 1.0 - pow(beta2, (double)t);   \
    const T step = (T)(lr / bc1), b1 = (T)beta1, b2 = (T)beta2, wd = (T)weight_decay;     \
    const T rbc2 = (T)sqrt(bc2), e = (T)eps;                                               \
    for (int64_t i = 0; i < n; i++) {                                                      \
        const T d = g[i] + wd * p[i];                                                      \
        const T mi = m[i] + (1 - b1) * (d - m[i]);            /* lerp, as torch.optim */  \
        const T vi = b2 * v[i] + (1 - b2) * (d * d);          /* addcmul */              \
        m[i] = mi; v[i] = vi;                                                              \
        p[i] = p[i] + (-step) * (mi / (SQRT(vi) / rbc2 + e)); /* addcdiv */              \
    }                                                                                      \
}
AG_ADAM(float, f32, ag_sqrt_t)
AG_ADAM(double, f64, ag_sqrt_t)
