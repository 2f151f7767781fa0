#include "ag_memory.h"
#include <math.h>
#include <string.h>

void ag_fill_f32(float *out, float value, int64_t n) {
    if (value == 0.0f) { memset(out, 0, (size_t)n * sizeof(float)); return; }
    for (int64_t i = 0; i < n; i++) out[i] = value;
}
void ag_fill_f64(double *out, double value, int64_t n) {
    if (value == 0.0) { memset(out, 0, (size_t)n * sizeof(double)); return; }
    for (int64_t i = 0; i < n; i++) out[i] = value;
}

void ag_normalize_bool(uint8_t *values, int64_t n) {
    for (int64_t i = 0; i < n; i++) values[i] = values[i] != 0;
}

void ag_cast_f32_f64(const float *in, double *out, int64_t n) { for (int64_t i = 0; i < n; i++) out[i] = (double)in[i]; }
void ag_cast_f64_f32(const double *in, float *out, int64_t n) { for (int64_t i = 0; i < n; i++) out[i] = (float)in[i]; }

#define AG_EXPAND(T, SFX)                                                         \
void ag_expand_##SFX(const T *in, T *out, const ag_broadcast *bc) {               \
    int64_t idx[AG_MAX_DIMS] = {0};                                               \
    int32_t nd = bc->ndim;                                                        \
    if (nd == 0) { out[0] = in[0]; return; }                                      \
    int64_t inner = bc->shape[nd - 1], s = bc->stride_a[nd - 1];                  \
    int64_t off = 0;                                                              \
    for (int64_t o = 0; o < bc->numel; o += inner) {                              \
        for (int64_t j = 0; j < inner; j++) out[o + j] = in[off + j * s];         \
        for (int32_t d = nd - 2; d >= 0; d--) {                                   \
            idx[d]++; off += bc->stride_a[d];                                     \
            if (idx[d] < bc->shape[d]) break;                                     \
            off -= idx[d] * bc->stride_a[d]; idx[d] = 0;                          \
        }                                                                         \
    }                                                                             \
}
AG_EXPAND(float, f32)
AG_EXPAND(double, f64)

// splitmix64 over (seed, counter): a stateless, well-mixed 64-bit hash.
static inline uint64_t ag_mix(uint64_t seed, uint64_t counter) {
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + counter * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
// A double in (0, 1].
static inline double ag_unit(uint64_t bits) { return ((double)(bits >> 11) + 1.0) * 0x1.0p-53; }

// Box-Muller: the pair (2k, 2k+1) comes from one counter k.
static inline double ag_normal_at(uint64_t seed, uint64_t i) {
    uint64_t k = i >> 1;
    double u1 = ag_unit(ag_mix(seed, 2 * k)), u2 = ag_unit(ag_mix(seed, 2 * k + 1));
    double r = sqrt(-2.0 * log(u1)), t = 6.283185307179586 * u2;
    return (i & 1) ? r * sin(t) : r * cos(t);
}

void ag_randn_f32(float *out, int64_t n, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) out[i] = (float)ag_normal_at(seed, offset + (uint64_t)i);
}
void ag_randn_f64(double *out, int64_t n, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) out[i] = ag_normal_at(seed, offset + (uint64_t)i);
}
void ag_rand_uniform_f32(float *out, int64_t n, double low, double high, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) {
        float v = (float)(low + (high - low) * (1.0 - ag_unit(ag_mix(seed, offset + (uint64_t)i))));
        out[i] = v < (float)high ? v : (float)low;
    }
}
void ag_rand_uniform_f64(double *out, int64_t n, double low, double high, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) out[i] = low + (high - low) * (1.0 - ag_unit(ag_mix(seed, offset + (uint64_t)i)));
}
