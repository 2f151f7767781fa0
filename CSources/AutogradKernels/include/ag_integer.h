#ifndef AG_INTEGER_H
#define AG_INTEGER_H
// Division with rounding, remainders, bitwise ops and shifts, with NumPy
// broadcasting over the walk `bc` (ag_types.h; operands read through any
// strides, out contiguous), as PyTorch computes them:
//   floor_div  a / b rounded toward -inf    trunc_div  a / b rounded toward 0
//   remainder  a - floor(a / b) * b (the divisor's sign, Python's %)
//   fmod       a - trunc(a / b) * b (the dividend's sign, C's fmod)
// int64: no undefined behaviour anywhere. A zero divisor gives 0 (the caller
// refuses it first, as PyTorch: "ZeroDivisionError"); INT64_MIN / -1 wraps to
// INT64_MIN (remainder 0), where PyTorch's own kernels end the process.
// pow: a^b by repeated squaring, wrapping; for b < 0 PyTorch's powi: 1 for
// a = 1, -1 or 1 for a = -1 (b odd or even), else 0.
// Shifts: a << b is 0 for b outside [0, 63] (bits shifted out are lost, as in
// two's complement); a >> b is arithmetic, and -1 or 0 for b outside [0, 63].
// Floats: PyTorch's c10::div_floor_floating (an IEEE result for b = 0, the
// sign of a / b on a zero quotient) and its remainder (fmod, then + b when
// the signs differ).

#include "ag_types.h"

#define AG_DECLARE_INT_BINARY(op) \
    void ag_##op##_forward_i64(const int64_t *a, const int64_t *b, int64_t *out, const ag_broadcast *bc);
#define AG_DECLARE_FLOAT_BINARY(op)                                                                  \
    void ag_##op##_forward_f32(const float *a, const float *b, float *out, const ag_broadcast *bc);  \
    void ag_##op##_forward_f64(const double *a, const double *b, double *out, const ag_broadcast *bc);
#define AG_DECLARE_BOOL_BINARY(op) \
    void ag_##op##_forward_b8(const bool *a, const bool *b, bool *out, const ag_broadcast *bc);

AG_DECLARE_INT_BINARY(pow)
AG_DECLARE_INT_BINARY(floor_div)
AG_DECLARE_INT_BINARY(trunc_div)
AG_DECLARE_INT_BINARY(remainder)
AG_DECLARE_INT_BINARY(fmod)
AG_DECLARE_INT_BINARY(bitwise_and)
AG_DECLARE_INT_BINARY(bitwise_or)
AG_DECLARE_INT_BINARY(bitwise_xor)
AG_DECLARE_INT_BINARY(lshift)
AG_DECLARE_INT_BINARY(rshift)
AG_DECLARE_FLOAT_BINARY(floor_div)
AG_DECLARE_FLOAT_BINARY(trunc_div)
AG_DECLARE_FLOAT_BINARY(remainder)
AG_DECLARE_FLOAT_BINARY(fmod)
AG_DECLARE_BOOL_BINARY(bitwise_and)
AG_DECLARE_BOOL_BINARY(bitwise_or)
AG_DECLARE_BOOL_BINARY(bitwise_xor)

/// y = ~x (int64).
void ag_bitwise_not_i64(const int64_t *x, int64_t *y, int64_t n);
/// y = |x| (int64; INT64_MIN stays INT64_MIN, as in PyTorch).
void ag_abs_i64(const int64_t *x, int64_t *y, int64_t n);
/// y = x^e for an exponent e >= 0, by repeated squaring, wrapping around on
/// overflow (int64 pow, as PyTorch's: 0^0 = 1).
void ag_pow_scalar_i64(const int64_t *x, int64_t e, int64_t *y, int64_t n);
/// How many of the n elements equal v.
int64_t ag_count_equal_i64(const int64_t *x, int64_t n, int64_t v);

#endif
