#ifndef AG_MATH_H
#define AG_MATH_H
// Branch-free float math that the compiler vectorises inside a kernel's loop
// (libm's scalar expf/tanhf calls do not vectorise). Cephes' single-precision
// algorithms: about 2 ulp of error. For custom ops' kernels too.

#include <stdint.h>
#include <math.h>
#include <string.h>

/// e^x for float, IEEE at the edges: NaN stays NaN, e^x is +inf above
/// ln(FLT_MAX) = 88.7228 (and for +inf), subnormal below -87.34 and 0 below
/// -103.97 (and for -inf). The argument is reduced to r in [-ln2/2, ln2/2]
/// (x = n ln2 + r) and 2^n applied as two factors 2^(n/2), so that neither
/// overflows before the product does and subnormal results come out.
static inline float ag_expf(float x) {
    float xc = x < 89.0f ? x : 89.0f;
    xc = xc > -104.0f ? xc : -104.0f;
    float fx = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
    float r = xc - fx * 0.693359375f + fx * 2.12194440e-4f;
    float z = r * r;
    float y = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r
                + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
    y = y * z + r + 1.0f;
    int32_t n = (int32_t)fx, n1 = n >> 1, n2 = n - n1;
    int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, sizeof s1);
    memcpy(&s2, &b2, sizeof s2);
    float e = (y * s1) * s2;
    e = x > 88.72283935546875f ? __builtin_inff() : e;
    return x != x ? x : e;
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

/// cosh(x) for float: (e^|x| + e^−|x|)/2; above |x| = 88 as (e^{|x|/2}/2)·e^{|x|/2},
/// finite up to cosh's own overflow at 89.4 (where e^|x| alone is already +inf).
static inline float ag_coshf(float x) {
    float a = x < 0 ? -x : x;
    float e = ag_expf(a);
    float h = ag_expf(0.5f * a);
    return a > 88.0f ? (0.5f * h) * h : 0.5f * e + 0.5f / e;
}

/// sinh(x) for float: an odd polynomial up to |x| = 1, else (e^|x| − e^−|x|)/2
/// (as cosh above |x| = 88) with the sign restored.
static inline float ag_sinhf(float x) {
    float a = x < 0 ? -x : x;
    float z = x * x;
    float small = ((2.03721912945e-4f * z + 8.33028376239e-3f) * z + 1.66667160211e-1f) * z * x + x;
    float e = ag_expf(a);
    float h = ag_expf(0.5f * a);
    float large = a > 88.0f ? (0.5f * h) * h : 0.5f * e - 0.5f / e;
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
