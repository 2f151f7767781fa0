#ifndef AG_MATH_H
#define AG_MATH_H
// Branch-free float math that the compiler vectorises inside a kernel's loop
// (libm's scalar expf/tanhf calls do not vectorise). exp: Cephes' algorithm,
// within 1 ulp; tanh, cosh, sinh: Sleef's u10 algorithm, within 1 ulp
// (docs/NUMERICS.md has the measurements). For custom ops' kernels too.

#include <stdint.h>
#include <math.h>
#include <string.h>

// Each operation rounds as written, whatever the target: no contraction of
// a * b + c into an FMA (only the explicit fmaf calls are FMAs), so a kernel
// gives the same bits in every clone (AVX-512, AVX2, baseline) and in loops
// the compiler does not clone.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

/// Every function here is inlined into the kernel loop that calls it, so it
/// is compiled for that loop's target (an AVX2 clone gets FMA instructions
/// for the fmaf calls, not libm's) and vectorised with it.
#if defined(__GNUC__) || defined(__clang__)
#define AG_MATH_INLINE static inline __attribute__((always_inline))
#else
#define AG_MATH_INLINE static inline
#endif

/// e^x for float, IEEE at the edges: NaN stays NaN, e^x is +inf above
/// ln(FLT_MAX) = 88.7228 (and for +inf), subnormal below -87.34 and 0 below
/// -103.97 (and for -inf). The argument is reduced to r in [-ln2/2, ln2/2]
/// (x = n ln2 + r) and 2^n applied as two factors 2^(n/2), so that neither
/// overflows before the product does and subnormal results come out.
AG_MATH_INLINE float ag_expf(float x) {
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

// tanh, cosh and sinh for float, within 1 ulp, by Sleef's u10 algorithm
// (the one PyTorch's vectorised kernels call when built with Sleef): e^|x|
// as a double-float (a pair of floats hi + lo holding about 48 bits) by
// Sleef's expk2f, then the quotient or sum in double-float. The helpers
// below are Sleef's df.h FMA variants, written out here (Sleef's algorithm,
// Boost licence; our own code), branch-free so that kernel loops vectorise.

typedef struct { float hi, lo; } ag_f2;

// (x.hi + x.lo) + y, |x| >= |y| not assumed (Sleef's dfadd2_vf2_vf2_vf).
AG_MATH_INLINE ag_f2 ag_f2_add_f(ag_f2 x, float y) {
    float s = x.hi + y, v = s - x.hi;
    float t = (x.hi - (s - v)) + (y - v);
    return (ag_f2){ s, t + x.lo };
}
// x + y for two double-floats, no magnitude assumption (dfadd2_vf2_vf2_vf2).
AG_MATH_INLINE ag_f2 ag_f2_add2(ag_f2 x, ag_f2 y) {
    float s = x.hi + y.hi, v = s - x.hi;
    float t = (x.hi - (s - v)) + (y.hi - v);
    return (ag_f2){ s, t + (x.lo + y.lo) };
}
// x + y, |x| >= |y.hi| (dfadd_vf2_vf_vf2).
AG_MATH_INLINE ag_f2 ag_f_add_f2(float x, ag_f2 y) {
    float s = x + y.hi;
    return (ag_f2){ s, ((x - s) + y.hi) + y.lo };
}
// x + y, |x| >= |y| (dfadd_vf2_vf2_vf2).
AG_MATH_INLINE ag_f2 ag_f2_add(ag_f2 x, ag_f2 y) {
    float s = x.hi + y.hi;
    return (ag_f2){ s, (((x.hi - s) + y.hi) + x.lo) + y.lo };
}
// x - y, |x| >= |y| (dfsub_vf2_vf2_vf2).
AG_MATH_INLINE ag_f2 ag_f2_sub(ag_f2 x, ag_f2 y) {
    float s = x.hi - y.hi;
    float t = ((x.hi - s) - y.hi) + x.lo;
    return (ag_f2){ s, t - y.lo };
}
AG_MATH_INLINE ag_f2 ag_f2_mul_f(ag_f2 x, float y) {  // dfmul_vf2_vf2_vf
    float s = x.hi * y;
    return (ag_f2){ s, __builtin_fmaf(x.lo, y, __builtin_fmaf(x.hi, y, -s)) };
}
AG_MATH_INLINE ag_f2 ag_f2_mul(ag_f2 x, ag_f2 y) {  // dfmul_vf2_vf2_vf2
    float s = x.hi * y.hi;
    return (ag_f2){ s, __builtin_fmaf(x.hi, y.lo, __builtin_fmaf(x.lo, y.hi, __builtin_fmaf(x.hi, y.hi, -s))) };
}
AG_MATH_INLINE ag_f2 ag_f2_square(ag_f2 x) {  // dfsqu_vf2_vf2
    float s = x.hi * x.hi;
    return (ag_f2){ s, __builtin_fmaf(x.hi + x.hi, x.lo, __builtin_fmaf(x.hi, x.hi, -s)) };
}
AG_MATH_INLINE ag_f2 ag_f2_reciprocal(ag_f2 d) {  // dfrec_vf2_vf2
    float s = 1.0f / d.hi;
    return (ag_f2){ s, s * __builtin_fmaf(-d.lo, s, __builtin_fmaf(-d.hi, s, 1.0f)) };
}
AG_MATH_INLINE ag_f2 ag_f2_div(ag_f2 n, ag_f2 d) {  // dfdiv_vf2_vf2_vf2
    float t = 1.0f / d.hi, s = n.hi * t;
    float u = __builtin_fmaf(t, n.hi, -s);
    float v = __builtin_fmaf(-d.lo, t, __builtin_fmaf(-d.hi, t, 1.0f));
    return (ag_f2){ s, __builtin_fmaf(s, v, __builtin_fmaf(n.lo, t, u)) };
}
// d * 2^e for |e| up to 2 * 127, as two factors (Sleef's vldexp2).
AG_MATH_INLINE float ag_ldexp2f(float d, int32_t e) {
    int32_t e1 = e >> 1, e2 = e - e1;
    int32_t b1 = (e1 + 127) << 23, b2 = (e2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, sizeof s1);
    memcpy(&s2, &b2, sizeof s2);
    return (d * s1) * s2;
}

/// e^d for a double-float d = hi + lo with 0 <= d < 89 (Sleef's expk2f).
AG_MATH_INLINE ag_f2 ag_exp2kf(ag_f2 d) {
    float u = (d.hi + d.lo) * 1.442695040888963407359924681001892137426645954152985934135449406931f;
    float qf = __builtin_rintf(u);
    int32_t q = (int32_t)qf;
    ag_f2 s = ag_f2_add_f(d, qf * -0.693145751953125f);
    s = ag_f2_add_f(s, qf * -1.428606765330187045e-06f);
    float p = +0.1980960224e-3f;
    p = __builtin_fmaf(p, s.hi, +0.1394256484e-2f);
    p = __builtin_fmaf(p, s.hi, +0.8333456703e-2f);
    p = __builtin_fmaf(p, s.hi, +0.4166637361e-1f);
    ag_f2 t = ag_f2_add_f(ag_f2_mul_f(s, p), +0.166666659414234244790680580464e+0f);
    t = ag_f2_add_f(ag_f2_mul(s, t), 0.5f);
    t = ag_f2_add2(s, ag_f2_mul(ag_f2_square(s), t));
    t = ag_f_add_f2(1.0f, t);
    return (ag_f2){ ag_ldexp2f(t.hi, q), ag_ldexp2f(t.lo, q) };
}

/// e^a / 2 as a double-float for 12 <= a < 89.5, as e^(a − ln 2): where
/// cosh and sinh are e^a / 2 to float precision, including the range
/// 88.72 < a < 89.42 where e^a overflows and cosh does not.
AG_MATH_INLINE ag_f2 ag_half_expf(float a) {
    ag_f2 d = ag_f2_add_f((ag_f2){ a, 0.0f }, -0.693145751953125f);
    return ag_exp2kf(ag_f2_add_f(d, -1.428606765330187045e-06f));
}

/// NaN where x is NaN, else y.
AG_MATH_INLINE float ag_nan_of(float x, float y) { return x != x ? x : y; }

/// tanh(x) for float (Sleef's tanhf_u10): (e − 1/e)/(e + 1/e) in
/// double-float with e = e^|x|, ±1 beyond |x| = 8.664; below |x| = 2^-9,
/// x − x³/3 (the double-float quotient is a little over an ulp off there).
AG_MATH_INLINE float ag_tanhf(float x) {
    float a = __builtin_fabsf(x);
    ag_f2 d = ag_exp2kf((ag_f2){ a < 9.0f ? a : 9.0f, 0.0f });
    ag_f2 e = ag_f2_reciprocal(d);
    ag_f2 q = ag_f2_div(ag_f2_add(d, (ag_f2){ -e.hi, -e.lo }), ag_f2_add(d, e));
    float y = q.hi + q.lo;
    y = a > 8.664339742f ? 1.0f : y;
    float tiny = __builtin_fmaf((a * a) * -0.333333343f, a, a);
    y = a < 0x1p-9f ? tiny : y;
    return ag_nan_of(x, __builtin_copysignf(y, x));
}

/// cosh(x) for float (Sleef's coshf_u10): (e + 1/e)/2 in double-float;
/// above |x| = 12 (where 1/e is below float precision), e^|x| / 2 computed directly (finite up to cosh's own
/// overflow at 89.416).
AG_MATH_INLINE float ag_coshf(float x) {
    float a = __builtin_fabsf(x);
    ag_f2 d = ag_exp2kf((ag_f2){ a < 12.0f ? a : 12.0f, 0.0f });
    d = ag_f2_add(d, ag_f2_reciprocal(d));
    float y = (d.hi + d.lo) * 0.5f;
    ag_f2 h = ag_half_expf(a < 12.0f ? 12.0f : (a < 89.5f ? a : 89.5f));
    y = a > 12.0f ? h.hi + h.lo : y;
    y = a > 89.41598629f ? __builtin_inff() : y;
    return ag_nan_of(x, y);
}

/// sinh(x) for float (Sleef's sinhf_u10): (e − 1/e)/2 in double-float;
/// above |x| = 12 as cosh; below |x| = 2^-9, x + x³/6.
AG_MATH_INLINE float ag_sinhf(float x) {
    float a = __builtin_fabsf(x);
    ag_f2 d = ag_exp2kf((ag_f2){ a < 12.0f ? a : 12.0f, 0.0f });
    d = ag_f2_sub(d, ag_f2_reciprocal(d));
    float y = (d.hi + d.lo) * 0.5f;
    ag_f2 h = ag_half_expf(a < 12.0f ? 12.0f : (a < 89.5f ? a : 89.5f));
    y = a > 12.0f ? h.hi + h.lo : y;
    y = a > 89.41598629f ? __builtin_inff() : y;
    float tiny = __builtin_fmaf((a * a) * 0.166666672f, a, a);
    y = a < 0x1p-9f ? tiny : y;
    return ag_nan_of(x, __builtin_copysignf(y, x));
}

/// sech²(x) = 1/cosh²(x) for float, as 4t/(1 + t)² with t = e^{−2|x|}:
/// one exp, no cancellation, accurate where tanh is close to ±1.
AG_MATH_INLINE float ag_sech2f(float x) {
    float a = x < 0 ? -x : x;
    float t = ag_expf(-2.0f * a);
    float d = 1.0f + t;
    return 4.0f * t / (d * d);
}


/// e^x for double, -17 <= x <= 0 (erf's tail): x = n ln2 + r, |r| <= ln2/2,
/// a degree-12 Taylor polynomial of e^r (error below 1e-15), times 2^n.
AG_MATH_INLINE double ag_exp_tail(double x) {
    double n = __builtin_rint(x * 1.4426950408889634);
    double r = (x - n * 0.693147180369123816490) - n * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600;
    p = p * r + 1.0 / 39916800; p = p * r + 1.0 / 3628800; p = p * r + 1.0 / 362880;
    p = p * r + 1.0 / 40320; p = p * r + 1.0 / 5040; p = p * r + 1.0 / 720; p = p * r + 1.0 / 120;
    p = p * r + 1.0 / 24; p = p * r + 1.0 / 6; p = p * r + 0.5; p = p * r + 1.0; p = p * r + 1.0;
    int64_t bits = ((int64_t)n + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/// erf(x) for float, within 1 ulp and vectorisable, computed in double and
/// rounded once: |x| <= 1, the Taylor series to x^27 (relative error below
/// 1e-12); 1 < |x| < 4, 1 − e^{−x²}·f(|x|) with f(a) = erfc(a)·e^{a²} a
/// degree-16 Chebyshev fit on [1, 4] (relative error 2.5e-11, fitted by
/// scripts/numerics/erf_fit.py); beyond, ±1 (erfc(4) is below a float's ulp of 1).
AG_MATH_INLINE float ag_erff(float x) {
    double a = __builtin_fabs((double)x), a2 = a * a;
    double s = -6.7113668551641105e-12;
    s = s * a2 + 9.4227590646504113e-11; s = s * a2 - 1.2290555301717926e-09;
    s = s * a2 + 1.4807192815879218e-08; s = s * a2 - 1.6365844691234924e-07;
    s = s * a2 + 1.6462114365889246e-06; s = s * a2 - 1.492565035840625e-05;
    s = s * a2 + 0.00012055332981789664; s = s * a2 - 0.00085483270234508522;
    s = s * a2 + 0.0052239776254421879; s = s * a2 - 0.026866170645131252;
    s = s * a2 + 0.11283791670955126; s = s * a2 - 0.37612638903183754;
    s = s * a2 + 1.1283791670955126;
    double small = a * s;
    double b = a < 4.0 ? a : 4.0, u = b * (2.0 / 3.0) - 5.0 / 3.0;
    double f = 2.1639938858734303e-07;
    f = f * u - 6.2737609249138711e-07; f = f * u + 9.4679747298469319e-07; f = f * u - 2.7036544560628808e-06;
    f = f * u + 8.882169693011132e-06; f = f * u - 2.4024289172227402e-05; f = f * u + 6.2479570883057538e-05;
    f = f * u - 0.00016179513396894334; f = f * u + 0.00040911870127132414; f = f * u - 0.0010058948952879681;
    f = f * u + 0.002403641284871394; f = f * u - 0.0055706964051607209; f = f * u + 0.01248937448153967;
    f = f * u - 0.027005297335659748; f = f * u + 0.056110493423321764; f = f * u - 0.1115210201713509;
    f = f * u + 0.21080636406127085;
    double big = 1.0 - ag_exp_tail(-(b * b)) * f;
    double y = a <= 1.0 ? small : (a < 4.0 ? big : 1.0);
    return x != x ? x : __builtin_copysignf((float)y, x);
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
#define ag_erf_t(v) _Generic((v), float: ag_erff, default: erf)(v)

#if defined(__clang__)
#pragma STDC FP_CONTRACT ON
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#endif
