#include "ag_integer.h"
#include "binary_walk.h"
#include <math.h>

// The rules of each op are in ag_integer.h. int64 arithmetic that could
// overflow (negation of INT64_MIN, shifts into the sign bit) is done on
// uint64_t, whose wrap-around is defined.

static inline int64_t neg_i64(int64_t x) { return (int64_t)(0 - (uint64_t)x); }

static inline int64_t trunc_div_i64(int64_t x, int64_t y) {
    if (y == 0) return 0;
    return y == -1 ? neg_i64(x) : x / y;
}
static inline int64_t floor_div_i64(int64_t x, int64_t y) {
    if (y == 0) return 0;
    if (y == -1) return neg_i64(x);
    const int64_t q = x / y;
    return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
}
static inline int64_t remainder_i64(int64_t x, int64_t y) {
    if (y == 0 || y == -1) return 0;
    const int64_t r = x % y;
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r;
}
static inline int64_t fmod_i64(int64_t x, int64_t y) { return (y == 0 || y == -1) ? 0 : x % y; }
static inline int64_t lshift_i64(int64_t x, int64_t y) {
    return (y < 0 || y >= 64) ? 0 : (int64_t)((uint64_t)x << y);
}
static inline int64_t rshift_i64(int64_t x, int64_t y) {
    return (y < 0 || y >= 64) ? (x < 0 ? -1 : 0) : x >> y;
}

// x^y as PyTorch's powi: repeated squaring, wrapping around; a negative
// exponent gives 1 for x = 1, ±1 for x = -1 (by the exponent's parity), else 0.
static inline int64_t pow_i64(int64_t x, int64_t y) {
    if (y < 0) {
        if (x == 1) return 1;
        if (x == -1) return (y % 2) ? -1 : 1;
        return 0;
    }
    uint64_t base = (uint64_t)x, acc = 1;
    for (int64_t k = y; k > 0; k >>= 1) {
        if (k & 1) acc *= base;
        base *= base;
    }
    return (int64_t)acc;
}

AG_BINARY(pow, int64_t, i64, pow_i64(x, y))
AG_BINARY(floor_div, int64_t, i64, floor_div_i64(x, y))
AG_BINARY(trunc_div, int64_t, i64, trunc_div_i64(x, y))
AG_BINARY(remainder, int64_t, i64, remainder_i64(x, y))
AG_BINARY(fmod, int64_t, i64, fmod_i64(x, y))
AG_BINARY(bitwise_and, int64_t, i64, x & y)
AG_BINARY(bitwise_or, int64_t, i64, x | y)
AG_BINARY(bitwise_xor, int64_t, i64, x ^ y)
AG_BINARY(lshift, int64_t, i64, lshift_i64(x, y))
AG_BINARY(rshift, int64_t, i64, rshift_i64(x, y))
AG_BINARY(bitwise_and, bool, b8, x && y)
AG_BINARY(bitwise_or, bool, b8, x || y)
AG_BINARY(bitwise_xor, bool, b8, x != y)

#define AG_FLOAT_ROUNDING(T, SFX, FMOD, FLOOR, TRUNC, COPYSIGN)                     \
static inline T floor_div_##SFX(T a, T b) {                                         \
    if (b == 0) return a / b;                                                       \
    const T mod = FMOD(a, b);                                                       \
    T div = (a - mod) / b;                                                          \
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;                               \
    if (div == 0) return COPYSIGN((T)0, a / b);                                     \
    T q = FLOOR(div);                                                               \
    if (div - q > (T)0.5) q += 1;                                                   \
    return q;                                                                       \
}                                                                                   \
static inline T remainder_##SFX(T a, T b) {                                         \
    T mod = FMOD(a, b);                                                             \
    if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;                               \
    return mod;                                                                     \
}                                                                                   \
AG_BINARY(floor_div, T, SFX, floor_div_##SFX(x, y))                                 \
AG_BINARY(trunc_div, T, SFX, TRUNC(x / y))                                          \
AG_BINARY(remainder, T, SFX, remainder_##SFX(x, y))                                 \
AG_BINARY(fmod, T, SFX, FMOD(x, y))
AG_FLOAT_ROUNDING(float, f32, fmodf, floorf, truncf, copysignf)
AG_FLOAT_ROUNDING(double, f64, fmod, floor, trunc, copysign)

void ag_bitwise_not_i64(const int64_t *x, int64_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = ~x[i];
}
void ag_abs_i64(const int64_t *x, int64_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? neg_i64(x[i]) : x[i];
}
void ag_pow_scalar_i64(const int64_t *x, int64_t e, int64_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = pow_i64(x[i], e);
}
int64_t ag_count_equal_i64(const int64_t *x, int64_t n, int64_t v) {
    int64_t c = 0;
    for (int64_t i = 0; i < n; i++) c += x[i] == v;
    return c;
}
