#ifndef MY_RELU_H
#define MY_RELU_H
// Kernels of MyReLU (PyTorch tutorial "Defining new autograd functions"):
// y = max(x, 0) (x.clamp(min=0): NaN stays NaN). Float and double,
// contiguous buffers, no allocation.

#include <stdint.h>

/// y = x < 0 ? 0 : x
void my_relu_forward_f32(const float *x, float *y, int64_t n);
void my_relu_forward_f64(const double *x, double *y, int64_t n);

/// dL/dx = x < 0 ? 0 : dL/dy   (the tutorial's grad_input[input < 0] = 0;
/// at x = 0 the gradient passes through)
void my_relu_backward_f32(const float *x, const float *dy, float *dx, int64_t n);
void my_relu_backward_f64(const double *x, const double *dy, double *dx, int64_t n);

#endif
