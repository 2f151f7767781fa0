#ifndef MUL_INPLACE_H
#define MUL_INPLACE_H
// The kernel of MulInPlace (x.mul_(factor) inside a custom Function that
// marks x dirty): changes the caller's buffer in place. No allocation.

#include <stdint.h>

/// x[i] = x[i] · factor
void mul_inplace_f32(float *x, float factor, int64_t n);
void mul_inplace_f64(double *x, double factor, int64_t n);

#endif
