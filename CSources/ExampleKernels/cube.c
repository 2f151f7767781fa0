#include "cube.h"

void cube_forward_f32(const float *restrict x, float *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] * x[i] * x[i];
}
void cube_forward_f64(const double *restrict x, double *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] * x[i] * x[i];
}
void cube_backward_f32(const float *restrict x, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = (dy[i] * 3.0f) * (x[i] * x[i]);
}
void cube_backward_f64(const double *restrict x, const double *dy, double *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = (dy[i] * 3.0) * (x[i] * x[i]);
}
void cube_backward_backward_f32(const float *g, const float *dy, const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = ((g[i] * dy[i]) * 6.0f) * x[i];
}
void cube_backward_backward_f64(const double *g, const double *dy, const double *x, double *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = ((g[i] * dy[i]) * 6.0) * x[i];
}
