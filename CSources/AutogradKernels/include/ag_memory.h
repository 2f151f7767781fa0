#ifndef AG_MEMORY_H
#define AG_MEMORY_H
// Filling, copying, casting and seeded random numbers.

#include "ag_types.h"

void ag_fill_f32(float *out, float value, int64_t n);
/// Bool bytes as the library stores them: every nonzero byte becomes 1 (a C
/// caller's `bool` buffer may hold any nonzero value for true).
void ag_normalize_bool(uint8_t *values, int64_t n);
void ag_fill_f64(double *out, double value, int64_t n);

/// out[i] = (T)in[i]: casts between float32, float64 and int64 buffers.
void ag_cast_f32_f64(const float *in, double *out, int64_t n);
void ag_cast_f64_f32(const double *in, float *out, int64_t n);

/// The dtype codes of ag_cast (DType.kernelCode): float32, float64, int64,
/// bool, uint8, int8, int16, int32, float16, bfloat16.
#define AG_DTYPE_COUNT 10
/// out[i] = in[i] converted from dtype `from` to dtype `to` (codes above),
/// as PyTorch's CPU copy kernel converts (cast.c). Returns -1 for an unknown code.
int ag_cast(const void *in, int32_t from, void *out, int32_t to, int64_t n);
/// Fills out[0..n) with copies of the `size`-byte element.
void ag_fill_pattern(void *out, const void *element, int32_t size, int64_t n);

/// out = in broadcast to the result shape of `bc` (operand a's strides are used).
void ag_expand_f32(const float *in, float *out, const ag_broadcast *bc);
void ag_expand_f64(const double *in, double *out, const ag_broadcast *bc);

/// Standard normal samples from a counter-based generator: the sample at index
/// i depends only on (seed, offset + i), so results do not depend on threading.
void ag_randn_f32(float *out, int64_t n, uint64_t seed, uint64_t offset);
void ag_randn_f64(double *out, int64_t n, uint64_t seed, uint64_t offset);
/// Uniform samples in [low, high) from the same generator.
void ag_rand_uniform_f32(float *out, int64_t n, double low, double high, uint64_t seed, uint64_t offset);
void ag_rand_uniform_f64(double *out, int64_t n, double low, double high, uint64_t seed, uint64_t offset);

#endif
