#ifndef AG_ELEMENTWISE_MATH_H
#define AG_ELEMENTWISE_MATH_H
// More elementwise math and the activations, each a forward/backward pair in
// float and double, following ag_unary.h:
//
//   void ag_<op>_forward_<t>(const T *x, T *y, int64_t n);          y = f(x)
//   void ag_<op>_backward_<t>(const T *x, const T *y, const T *gy,
//                             T *gx, int64_t n);                      gx = gy * f'(x)
//
// Backward reads x or y as each comment says (the other may be NULL). The
// formulas, operation order included, are PyTorch's CPU kernels'.

#include "ag_types.h"
#include "ag_unary.h"

AG_DECLARE_UNARY(erf)       // y = erf(x);      gx = gy * 2/sqrt(pi) * e^(-x²)          (reads x)
AG_DECLARE_UNARY(log1p)     // y = ln(1 + x);   gx = gy / (x + 1)                    (reads x)
AG_DECLARE_UNARY(expm1)     // y = e^x - 1;     gx = gy * (y + 1)                    (reads y)
AG_DECLARE_UNARY(rsqrt)     // y = 1/sqrt x;    gx = -0.5 * gy * y^3                 (reads y)
AG_DECLARE_UNARY(sin)       // y = sin x;       gx = gy * cos x                      (reads x)
AG_DECLARE_UNARY(cos)       // y = cos x;       gx = gy * -sin x                     (reads x)
AG_DECLARE_UNARY(tan)       // y = tan x;       gx = gy * (1 + y^2)                  (reads y)
AG_DECLARE_UNARY(square)    // y = x^2;         gx = gy * 2x                         (reads x)
AG_DECLARE_UNARY(log_sigmoid) // y = min(x, 0) - log1p(e^-|x|); gx = gy * σ(-x)  (reads x)
AG_DECLARE_UNARY(sigmoid)   // y = 1/(1+e^-x);  gx = gy * (1 - y) * y                (reads y)
AG_DECLARE_UNARY(relu)      // y = max(x, 0);   gx = y <= 0 ? 0 : gy                 (reads y)
AG_DECLARE_UNARY(gelu)      // y = x/2 (1 + erf(x/sqrt 2));
                            //                  gx = gy * (Phi(x) + x phi(x))        (reads x)
AG_DECLARE_UNARY(gelu_tanh) // y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3);
                            //                  gx = gy * (0.5 (1 + t) + 0.5 x (1 - t^2) u')  (reads x)
AG_DECLARE_UNARY(round)     // y = x rounded half to even;  gx = 0
AG_DECLARE_UNARY(floor)     // y = floor x;     gx = 0
AG_DECLARE_UNARY(ceil)      // y = ceil x;      gx = 0

/// Ops with scalar parameters take them as doubles, like ag_pow_scalar:
///
///   void ag_<op>_forward_<t>(const T *x, double p[, double q], T *y, int64_t n);
///   void ag_<op>_backward_<t>(const T *x, double p[, double q], const T *gy, T *gx, int64_t n);
///
/// All read the forward input x.
#define AG_DECLARE_UNARY_P1(op)                                                                   \
    void ag_##op##_forward_f32(const float *x, double p, float *y, int64_t n);                    \
    void ag_##op##_forward_f64(const double *x, double p, double *y, int64_t n);                  \
    void ag_##op##_backward_f32(const float *x, double p, const float *gy, float *gx, int64_t n); \
    void ag_##op##_backward_f64(const double *x, double p, const double *gy, double *gx, int64_t n);
#define AG_DECLARE_UNARY_P2(op)                                                                   \
    void ag_##op##_forward_f32(const float *x, double p, double q, float *y, int64_t n);          \
    void ag_##op##_forward_f64(const double *x, double p, double q, double *y, int64_t n);        \
    void ag_##op##_backward_f32(const float *x, double p, double q, const float *gy, float *gx, int64_t n); \
    void ag_##op##_backward_f64(const double *x, double p, double q, const double *gy, double *gx, int64_t n);

/// p = negative slope:  y = x > 0 ? x : p x;             gx = x > 0 ? gy : gy p
AG_DECLARE_UNARY_P1(leaky_relu)
/// p = alpha:  y = x <= 0 ? p (e^x - 1) : x;             gx = x <= 0 ? gy p e^x : gy
AG_DECLARE_UNARY_P1(elu)
/// p = beta, q = threshold:  y = p x > q ? x : ln(1 + e^(p x)) / p;
///                           gx = p x > q ? gy : gy z / (z + 1), z = e^(p x)
AG_DECLARE_UNARY_P2(softplus)
/// p = min, q = max (-inf / +inf when absent):  y = min(max(x, p), q), NaN kept
///                           (and a NaN bound gives NaN);
///                           gx = p < x < q ? gy : 0   (torch 2.15: 0 at the bounds;
///                           an infinite p or q is an absent bound: -inf <= x passes)
AG_DECLARE_UNARY_P2(clamp)

/// Backward of the broadcasting binary ops of ag_binary.h. `y` and `gy` (and
/// `ga`, `gb`) are in the result shape of `bc`; `a` and `b` are the operands.
/// `ga` or `gb` may be NULL (not wanted). Gradients come out in the result
/// shape; sum them down to each operand's shape (ag_sum_to).
///
///   pow:     ga = b == 0 ? 0 : gy * (b a^(b-1));   gb = (a == 0 && b >= 0) ? 0 : gy * (y ln a)
///   maximum: ga = gy * (a < b ? 0 : a == b ? 0.5 : 1),  gb likewise with a and b swapped
///   minimum: ga = gy * (a > b ? 0 : a == b ? 0.5 : 1),  gb likewise with a and b swapped
/// (NaN compares unequal, so a NaN operand sends the whole gradient to both, as PyTorch.)
#define AG_DECLARE_BINARY_BACKWARD(op)                                                            \
    void ag_##op##_backward_f32(const float *a, const float *b, const float *y, const float *gy,  \
                                float *ga, float *gb, const ag_broadcast *bc);                    \
    void ag_##op##_backward_f64(const double *a, const double *b, const double *y, const double *gy, \
                                double *ga, double *gb, const ag_broadcast *bc);
AG_DECLARE_BINARY_BACKWARD(pow)
AG_DECLARE_BINARY_BACKWARD(maximum)  // y is not read (may be NULL)
AG_DECLARE_BINARY_BACKWARD(minimum)  // y is not read (may be NULL)

#endif
