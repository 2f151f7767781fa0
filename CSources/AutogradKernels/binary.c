#include "ag_binary.h"
#include "ag_parallel.h"
#include <tgmath.h>

#include "binary_walk.h"

#define AG_BINARY_PAIR(op, EXPR) AG_BINARY(op, float, f32, EXPR) AG_BINARY(op, double, f64, EXPR)

AG_BINARY_PAIR(add, x + y)
AG_BINARY_PAIR(sub, x - y)
AG_BINARY_PAIR(mul, x * y)
AG_BINARY_PAIR(div, x / y)
// int64 arithmetic wraps around on overflow, as PyTorch's (two's complement,
// computed unsigned so that C has no undefined overflow).
AG_BINARY(add, int64_t, i64, (int64_t)((uint64_t)x + (uint64_t)y))
AG_BINARY(sub, int64_t, i64, (int64_t)((uint64_t)x - (uint64_t)y))
AG_BINARY(mul, int64_t, i64, (int64_t)((uint64_t)x * (uint64_t)y))
AG_BINARY(maximum, int64_t, i64, x > y ? x : y)
AG_BINARY(minimum, int64_t, i64, x < y ? x : y)
AG_BINARY_PAIR(pow, pow(x, y))
AG_BINARY_PAIR(maximum, (x != x || y != y) ? x + y : (x > y ? x : y))
AG_BINARY_PAIR(minimum, (x != x || y != y) ? x + y : (x < y ? x : y))
