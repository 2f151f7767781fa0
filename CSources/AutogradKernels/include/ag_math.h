#ifndef AG_MATH_H
#define AG_MATH_H
// Branch-free float math that the compiler vectorises inside a kernel's loop
// (libm's scalar expf/tanhf calls do not vectorise). Cephes' single-precision
// algorithms: about 2 ulp of error. For custom ops' kernels too.

#include <stdint.h>
#include <math.h>
#include <string.h>

/// e^x for float; saturates to 0 below -87.3 and to FLT_MAX-ish above 88.7.
static inline float ag_expf(float x) {
    x = x < 88.3762626647949f ? x : 88.3762626647949f;
    x = x > -87.3365478515625f ? x : -87.3365478515625f;
    float fx = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
    x = x - fx * 0.693359375f + fx * 2.12194440e-4f;
    float z = x * x;
    float y = ((((1.9875691500e-4f * x + 1.3981999507e-3f) * x + 8.3334519073e-3f) * x
                + 4.1665795894e-2f) * x + 1.6666665459e-1f) * x + 5.0000001201e-1f;
    y = y * z + x + 1.0f;
    int32_t bits = ((int32_t)fx + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

/// tanh(x) for float: an odd polynomial below |x| = 0.625, else
/// 1 − 2/(e^{2|x|} + 1), with the sign restored.
static inline float ag_tanhf(float x) {
    float a = x < 0 ? -x : x;
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                    + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float e = ag_expf(a > 9.0f ? 18.0f : 2.0f * a);
    float large = 1.0f - 2.0f / (e + 1.0f);
    large = x < 0 ? -large : large;
    return a < 0.625f ? small : large;
}

/// sech²(x) = 1/cosh²(x) for float, as 4t/(1 + t)² with t = e^{−2|x|}:
/// no cancellation, accurate where tanh is close to ±1.
static inline float ag_sech2f(float x) {
    float a = x < 0 ? -x : x;
    float t = ag_expf(-2.0f * a);
    float d = 1.0f + t;
    return 4.0f * t / (d * d);
}

/// cosh(x) for float: (e^|x| + e^−|x|)/2.
static inline float ag_coshf(float x) {
    float e = ag_expf(x < 0 ? -x : x);
    return 0.5f * e + 0.5f / e;
}

/// sinh(x) for float: an odd polynomial up to |x| = 1, else (e^|x| − e^−|x|)/2
/// with the sign restored.
static inline float ag_sinhf(float x) {
    float a = x < 0 ? -x : x;
    float z = x * x;
    float small = ((2.03721912945e-4f * z + 8.33028376239e-3f) * z + 1.66667160211e-1f) * z * x + x;
    float e = ag_expf(a);
    float large = 0.5f * e - 0.5f / e;
    large = x < 0 ? -large : large;
    return a > 1.0f ? large : small;
}

/// Square root without errno semantics, so loops calling it vectorise
/// without -fno-math-errno (clang's elementwise builtin; libm elsewhere).
#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define AG_HAVE_ELEMENTWISE_SQRT 1
#endif
#endif
#ifdef AG_HAVE_ELEMENTWISE_SQRT
#define ag_sqrt_t(v) __builtin_elementwise_sqrt(v)
#else
#define ag_sqrt_t(v) _Generic((v), float: sqrtf, default: sqrt)(v)
#endif

// Type-generic spellings for kernels written once for float and double:
// float takes the vectorisable versions above, double takes libm's.
#define ag_exp_t(v) _Generic((v), float: ag_expf, default: exp)(v)
#define ag_tanh_t(v) _Generic((v), float: ag_tanhf, default: tanh)(v)
#define ag_cosh_t(v) _Generic((v), float: ag_coshf, default: cosh)(v)
#define ag_sinh_t(v) _Generic((v), float: ag_sinhf, default: sinh)(v)

#endif
