#include "my_relu.h"

void my_relu_forward_f32(const float *restrict x, float *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}
void my_relu_forward_f64(const double *restrict x, double *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0.0 ? 0.0 : x[i];
}
void my_relu_backward_f32(const float *restrict x, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = x[i] < 0.0f ? 0.0f : dy[i];
}
void my_relu_backward_f64(const double *restrict x, const double *dy, double *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = x[i] < 0.0 ? 0.0 : dy[i];
}
