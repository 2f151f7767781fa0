#include "legendre_polynomial3.h"

void legendre_polynomial3_forward_f32(const float *restrict x, float *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 0.5f * (5.0f * (x[i] * x[i] * x[i]) - 3.0f * x[i]);
}
void legendre_polynomial3_forward_f64(const double *restrict x, double *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 0.5 * (5.0 * (x[i] * x[i] * x[i]) - 3.0 * x[i]);
}
void legendre_polynomial3_backward_f32(const float *restrict x, const float *dy, float *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = (dy[i] * 1.5f) * (5.0f * (x[i] * x[i]) - 1.0f);
}
void legendre_polynomial3_backward_f64(const double *restrict x, const double *dy, double *dx, int64_t n) {
    for (int64_t i = 0; i < n; i++) dx[i] = (dy[i] * 1.5) * (5.0 * (x[i] * x[i]) - 1.0);
}
