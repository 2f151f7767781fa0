#ifndef LEGENDRE_POLYNOMIAL3_H
#define LEGENDRE_POLYNOMIAL3_H
// Kernels of LegendrePolynomial3 (PyTorch tutorial "polynomial_custom_function"):
// P3(x) = ½(5x³ − 3x). Float and double, contiguous buffers, no allocation.
// The arithmetic follows the tutorial's expression order, so float results
// round like PyTorch's.

#include <stdint.h>

/// y = 0.5 · (5·x³ − 3·x)
void legendre_polynomial3_forward_f32(const float *x, float *y, int64_t n);
void legendre_polynomial3_forward_f64(const double *x, double *y, int64_t n);

/// dL/dx = dL/dy · 1.5 · (5·x² − 1)   (reads the forward input x)
void legendre_polynomial3_backward_f32(const float *x, const float *dy, float *dx, int64_t n);
void legendre_polynomial3_backward_f64(const double *x, const double *dy, double *dx, int64_t n);

#endif
