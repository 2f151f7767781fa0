#include "mul_inplace.h"

void mul_inplace_f32(float *x, float factor, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] *= factor;
}
void mul_inplace_f64(double *x, double factor, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] *= factor;
}
