#ifndef CUSTOM_TANH_H
#define CUSTOM_TANH_H
// The kernels of the seed example's custom op, y = 4·tanh(x/4), written the
// way a user writes a custom op's C kernels: a forward/backward pair, float
// and double, contiguous buffers, no allocation.

#include <stdint.h>

/// y = 4·tanh(x/4)
void custom_tanh_forward_f32(const float *x, float *y, int64_t n);
void custom_tanh_forward_f64(const double *x, double *y, int64_t n);

/// dL/dx = dL/dy · 1/cosh²(x/4)   (reads the forward input x)
void custom_tanh_backward_f32(const float *x, const float *dy, float *dx, int64_t n);
void custom_tanh_backward_f64(const double *x, const double *dy, double *dx, int64_t n);

#endif
