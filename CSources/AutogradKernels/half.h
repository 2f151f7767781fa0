#ifndef AG_HALF_H
#define AG_HALF_H
// float16 and bfloat16 as bit patterns, converted to and from float32 the
// way PyTorch's CPU kernels convert them (c10's fp16 conversions; bfloat16
// rounded to nearest even, NaN stored as 0xFFFF as PyTorch's vectorised
// conversion stores it). Storage types only: every op computes in float32.

#include <stdint.h>
#include <string.h>

static inline uint32_t ag_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float ag_f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/// float16 bits to float32, exact (subnormals, infinities and NaNs kept).
static inline float ag_f16_to_f32(uint16_t h) {
    const uint32_t w = (uint32_t)h << 16, sign = w & 0x80000000u, two_w = w + w;
    const float normalized = ag_f32_from_bits((two_w >> 4) + (0xE0u << 23)) * 0x1.0p-112f;
    const float denormalized = ag_f32_from_bits((two_w >> 17) | (126u << 23)) - 0.5f;
    return ag_f32_from_bits(sign | (two_w < (1u << 27) ? ag_f32_bits(denormalized) : ag_f32_bits(normalized)));
}

/// float32 to float16, rounded to nearest even (overflow to infinity,
/// gradual underflow, NaN to a quiet NaN of the same sign).
static inline uint16_t ag_f32_to_f16(float f) {
    float base = (__builtin_fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
    const uint32_t w = ag_f32_bits(f), shl1_w = w + w, sign = w & 0x80000000u;
    uint32_t bias = shl1_w & 0xFF000000u;
    if (bias < 0x71000000u) bias = 0x71000000u;
    base = ag_f32_from_bits((bias >> 1) + 0x07800000u) + base;
    const uint32_t bits = ag_f32_bits(base);
    const uint32_t nonsign = ((bits >> 13) & 0x00007C00u) + (bits & 0x00000FFFu);
    return (uint16_t)((sign >> 16) | (shl1_w > 0xFF000000u ? 0x7E00u : nonsign));
}

/// bfloat16 bits to float32 (exact: the upper half of a float32).
static inline float ag_bf16_to_f32(uint16_t b) { return ag_f32_from_bits((uint32_t)b << 16); }

/// float32 to bfloat16, rounded to nearest even; NaN becomes 0xFFFF.
static inline uint16_t ag_f32_to_bf16(float f) {
    if (f != f) return 0xFFFFu;
    const uint32_t u = ag_f32_bits(f);
    return (uint16_t)((u + ((u >> 16) & 1u) + 0x7FFFu) >> 16);
}

#endif
