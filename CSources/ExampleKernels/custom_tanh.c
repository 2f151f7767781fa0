#include "custom_tanh.h"
#include <math.h>

void custom_tanh_forward_f32(const float *restrict x, float *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 4.0f * tanhf(x[i] / 4.0f);
}
void custom_tanh_forward_f64(const double *restrict x, double *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 4.0 * tanh(x[i] / 4.0);
}
void custom_tanh_backward_f32(const float *restrict x, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) { float c = coshf(x[i] / 4.0f); dx[i] = dy[i] * (1.0f / (c * c)); }
}
void custom_tanh_backward_f64(const double *restrict x, const double *dy, double *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) { double c = cosh(x[i] / 4.0); dx[i] = dy[i] * (1.0 / (c * c)); }
}
