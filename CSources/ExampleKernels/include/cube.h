#ifndef CUBE_H
#define CUBE_H
// Kernels of Cube and its nested CubeBackward Function (PyTorch tutorial
// "Double Backward with Custom Functions"). Because the backward is itself a
// Function with its own backward kernels, C kernels can be differentiated
// twice. Float and double, contiguous buffers, no allocation.

#include <stdint.h>

/// y = x³
void cube_forward_f32(const float *x, float *y, int64_t n);
void cube_forward_f64(const double *x, double *y, int64_t n);

/// dL/dx = dL/dy · 3 · x²   (CubeBackward's forward; also the gradient of
/// CubeBackward's output with respect to its grad_out input)
void cube_backward_f32(const float *x, const float *dy, float *dx, int64_t n);
void cube_backward_f64(const double *x, const double *dy, double *dx, int64_t n);

/// The gradient of CubeBackward's output (dy·3x²) with respect to x, given
/// the gradient g flowing into it and the saved dy: out = g · dy · 6 · x
void cube_backward_backward_f32(const float *g, const float *dy, const float *x, float *out, int64_t n);
void cube_backward_backward_f64(const double *g, const double *dy, const double *x, double *out, int64_t n);

#endif
