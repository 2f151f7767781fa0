#include "ag_memory.h"
#include "half.h"
#include <string.h>

// out[i] = in[i] converted between any two of the ten dtypes, as PyTorch's
// CPU copy kernel converts on x86 (measured against PyTorch: see
// scripts/fixtures/dtypes.py), without undefined behaviour:
// - to a floating type: rounded once (float64 to a half type goes through
//   float32, as c10's Half(float) does; an integer through float32 too);
// - floating to int64 or int32: truncated when in range, else the type's
//   minimum (x86's cvtt answer for NaN, infinities and overflow);
//   to int16 or int8: the int32 answer wrapped; to uint8: the int64 answer
//   wrapped (c10 casts to uint8 through int64);
// - integer to a narrower integer: wrapped (two's complement);
// - to bool: x != 0 (NaN is true).

static inline int64_t ag_f_to_i64(double v) {
    return (v >= -9223372036854775808.0 && v < 9223372036854775808.0) ? (int64_t)v : INT64_MIN;
}
static inline int32_t ag_f_to_i32(double v) {
    return (v > -2147483649.0 && v < 2147483648.0) ? (int32_t)v : INT32_MIN;
}
// Two's complement narrowing without implementation-defined conversions.
static inline int32_t ag_wrap32(int64_t v) { uint32_t u = (uint32_t)(uint64_t)v; int32_t r; memcpy(&r, &u, 4); return r; }
static inline int16_t ag_wrap16(int64_t v) { uint16_t u = (uint16_t)(uint64_t)v; int16_t r; memcpy(&r, &u, 2); return r; }
static inline int8_t ag_wrap8(int64_t v) { uint8_t u = (uint8_t)(uint64_t)v; int8_t r; memcpy(&r, &u, 1); return r; }

// Loading: a floating source as double (F), an integer or bool source as int64 (I).
#define LOAD_f32(p, i) ((double)((const float *)(p))[i])
#define LOAD_f64(p, i) (((const double *)(p))[i])
#define LOAD_f16(p, i) ((double)ag_f16_to_f32(((const uint16_t *)(p))[i]))
#define LOAD_bf16(p, i) ((double)ag_bf16_to_f32(((const uint16_t *)(p))[i]))
#define LOAD_i64(p, i) (((const int64_t *)(p))[i])
#define LOAD_i32(p, i) ((int64_t)((const int32_t *)(p))[i])
#define LOAD_i16(p, i) ((int64_t)((const int16_t *)(p))[i])
#define LOAD_i8(p, i) ((int64_t)((const int8_t *)(p))[i])
#define LOAD_u8(p, i) ((int64_t)((const uint8_t *)(p))[i])
#define LOAD_b8(p, i) ((int64_t)(((const uint8_t *)(p))[i] != 0))

// Storing from a floating value v (SF) or an integer value v (SI).
#define SF_f32(v) ((float)(v))
#define SI_f32(v) ((float)(v))
#define SF_f64(v) ((double)(v))
#define SI_f64(v) ((double)(v))
#define SF_f16(v) ag_f32_to_f16((float)(v))
#define SI_f16(v) ag_f32_to_f16((float)(v))
#define SF_bf16(v) ag_f32_to_bf16((float)(v))
#define SI_bf16(v) ag_f32_to_bf16((float)(v))
#define SF_i64(v) ag_f_to_i64(v)
#define SI_i64(v) (v)
#define SF_i32(v) ag_f_to_i32(v)
#define SI_i32(v) ag_wrap32(v)
#define SF_i16(v) ag_wrap16(ag_f_to_i32(v))
#define SI_i16(v) ag_wrap16(v)
#define SF_i8(v) ag_wrap8(ag_f_to_i32(v))
#define SI_i8(v) ag_wrap8(v)
#define SF_u8(v) ((uint8_t)(uint64_t)ag_f_to_i64(v))
#define SI_u8(v) ((uint8_t)(uint64_t)(v))
#define SF_b8(v) ((uint8_t)((v) != 0))
#define SI_b8(v) ((uint8_t)((v) != 0))

#define TYPE_f32 float
#define TYPE_f64 double
#define TYPE_f16 uint16_t
#define TYPE_bf16 uint16_t
#define TYPE_i64 int64_t
#define TYPE_i32 int32_t
#define TYPE_i16 int16_t
#define TYPE_i8 int8_t
#define TYPE_u8 uint8_t
#define TYPE_b8 uint8_t

#define KIND_f32 SF
#define KIND_f64 SF
#define KIND_f16 SF
#define KIND_bf16 SF
#define KIND_i64 SI
#define KIND_i32 SI
#define KIND_i16 SI
#define KIND_i8 SI
#define KIND_u8 SI
#define KIND_b8 SI

#define CAT3(a, b, c) a##b##c
#define STORE(kind, to, v) CAT3(kind, _, to)(v)
#define STORE_FROM(from, to, v) STORE(KIND_##from, to, v)

#define AG_CAST_PAIR(from, to)                                                     \
static void cast_##from##_##to(const void *in, void *out, int64_t n) {             \
    TYPE_##to *o = out;                                                            \
    for (int64_t i = 0; i < n; i++) o[i] = STORE_FROM(from, to, LOAD_##from(in, i)); \
}

// The codes of DType.kernelCode, in order.
#define AG_FOR_EACH_TO(X, from) \
    X(from, f32) X(from, f64) X(from, i64) X(from, b8) X(from, u8) X(from, i8) X(from, i16) X(from, i32) X(from, f16) X(from, bf16)
#define AG_FOR_EACH(X) \
    AG_FOR_EACH_TO(X, f32) AG_FOR_EACH_TO(X, f64) AG_FOR_EACH_TO(X, i64) AG_FOR_EACH_TO(X, b8) AG_FOR_EACH_TO(X, u8) \
    AG_FOR_EACH_TO(X, i8) AG_FOR_EACH_TO(X, i16) AG_FOR_EACH_TO(X, i32) AG_FOR_EACH_TO(X, f16) AG_FOR_EACH_TO(X, bf16)

AG_FOR_EACH(AG_CAST_PAIR)

typedef void (*ag_cast_fn)(const void *, void *, int64_t);
#define AG_CAST_ENTRY(from, to) cast_##from##_##to,
static const ag_cast_fn ag_cast_table[AG_DTYPE_COUNT * AG_DTYPE_COUNT] = { AG_FOR_EACH(AG_CAST_ENTRY) };

int ag_cast(const void *in, int32_t from, void *out, int32_t to, int64_t n) {
    if (from < 0 || from >= AG_DTYPE_COUNT || to < 0 || to >= AG_DTYPE_COUNT || n < 0) return -1;
    ag_cast_table[from * AG_DTYPE_COUNT + to](in, out, n);
    return 0;
}

void ag_fill_pattern(void *out, const void *element, int32_t size, int64_t n) {
    if (n <= 0) return;
    uint8_t *o = out;
    memcpy(o, element, (size_t)size);
    // Doubling copies: log2(n) memcpy calls.
    int64_t done = 1;
    while (done < n) {
        const int64_t k = done < n - done ? done : n - done;
        memcpy(o + done * size, o, (size_t)(k * size));
        done += k;
    }
}
