#ifndef AG_UNARY_H
#define AG_UNARY_H
// Elementwise unary ops: a forward/backward pair each, float and double.
//
//   void ag_<op>_forward_<t>(const T *x, T *y, int64_t n);          y = f(x)
//   void ag_<op>_backward_<t>(const T *x, const T *y, const T *gy,
//                             T *gx, int64_t n);                      gx = gy * f'(x)
//
// Backward reads the forward input x or the forward output y, as each
// comment says; the other may be NULL. Buffers may alias only gy and gx.

#include "ag_types.h"

#define AG_DECLARE_UNARY(op)                                                                      \
    void ag_##op##_forward_f32(const float *x, float *y, int64_t n);                              \
    void ag_##op##_forward_f64(const double *x, double *y, int64_t n);                            \
    void ag_##op##_backward_f32(const float *x, const float *y, const float *gy, float *gx, int64_t n); \
    void ag_##op##_backward_f64(const double *x, const double *y, const double *gy, double *gx, int64_t n);

AG_DECLARE_UNARY(neg)   // y = -x;        gx = -gy
AG_DECLARE_UNARY(exp)   // y = e^x;       gx = gy * y           (reads y)
AG_DECLARE_UNARY(log)   // y = ln x;      gx = gy / x           (reads x)
AG_DECLARE_UNARY(sqrt)  // y = sqrt x;    gx = gy / (2 y)       (reads y)
AG_DECLARE_UNARY(tanh)  // y = tanh x;    gx = gy * (1 - y^2)   (reads y)
AG_DECLARE_UNARY(cosh)  // y = cosh x;    gx = gy * sinh x      (reads x)
AG_DECLARE_UNARY(sinh)  // y = sinh x;    gx = gy * cosh x      (reads x)
AG_DECLARE_UNARY(abs)   // y = |x|;       gx = gy * sign x      (reads x)
AG_DECLARE_UNARY(sign)  // y = sign x;    gx = 0
AG_DECLARE_UNARY(reciprocal) // y = 1/x;  gx = -gy * y^2        (reads y)

/// y = x^p for a scalar exponent; gx = gy * p * x^(p-1) (reads x).
void ag_pow_scalar_forward_f32(const float *x, double p, float *y, int64_t n);
void ag_pow_scalar_forward_f64(const double *x, double p, double *y, int64_t n);
void ag_pow_scalar_backward_f32(const float *x, double p, const float *gy, float *gx, int64_t n);
void ag_pow_scalar_backward_f64(const double *x, double p, const double *gy, double *gx, int64_t n);

/// y = a*x + b (scale and shift by scalars); gx = a * gy.
void ag_affine_forward_f32(const float *x, double a, double b, float *y, int64_t n);
void ag_affine_forward_f64(const double *x, double a, double b, double *y, int64_t n);

#endif
