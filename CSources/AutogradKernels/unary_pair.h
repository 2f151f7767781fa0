#ifndef AG_UNARY_PAIR_H
#define AG_UNARY_PAIR_H
// Private to the kernel files: the macro that writes an elementwise unary
// op's forward/backward pair for float and double (unary.c,
// elementwise_math.c), each loop split over the cores by ag_parallel_for
// and compiled for AVX-512/AVX2/baseline (AG_VECTOR_CLONES).

#include "ag_parallel.h"
#include "ag_math.h"
#include <stddef.h>
#include <stdint.h>

// One definition per op generates the float and double pair. `v` is x[i] or
// y[i] (as the backward reads), `g` is gy[i]; <tgmath.h> picks tanhf/tanh.
#define AG_FWD(op, T, SFX, FWD)                                                     \
typedef struct { const T *x; T *y; } op##_fwd_##SFX##_args;                          \
AG_VECTOR_CLONES static void op##_fwd_##SFX##_range(void *p, int64_t b, int64_t e) { \
    const op##_fwd_##SFX##_args *a = p;                                             \
    const T *restrict x = a->x; T *restrict y = a->y;                              \
    for (int64_t i = b; i < e; i++) { const T zero = 0; (void)zero; const T v = x[i]; y[i] = (FWD); }            \
}                                                                                   \
void ag_##op##_forward_##SFX(const T *x, T *y, int64_t n) {                         \
    op##_fwd_##SFX##_args a = { x, y };                                             \
    ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, op##_fwd_##SFX##_range, &a);           \
}
#define AG_BWD(op, T, SFX, SRC, BWD)                                                \
typedef struct { const T *s, *gy; T *gx; } op##_bwd_##SFX##_args;                   \
AG_VECTOR_CLONES static void op##_bwd_##SFX##_range(void *p, int64_t b, int64_t e) { \
    const op##_bwd_##SFX##_args *a = p;                                             \
    const T *restrict s = a->s; const T *gy = a->gy; T *gx = a->gx;                \
    const T zero = 0; (void)zero;                                                    \
    if (s) { for (int64_t i = b; i < e; i++) { const T v = s[i]; const T g = gy[i]; (void)v; (void)g; gx[i] = (BWD); } } \
    else   { for (int64_t i = b; i < e; i++) { const T v = 0; const T g = gy[i]; (void)v; (void)g; gx[i] = (BWD); } } \
}                                                                                   \
void ag_##op##_backward_##SFX(const T *x, const T *y, const T *gy, T *gx, int64_t n) { \
    (void)x; (void)y;                                                               \
    op##_bwd_##SFX##_args a = { SRC, gy, gx };                                      \
    ag_parallel_for(n, AG_GRAIN_ELEMENTWISE, op##_bwd_##SFX##_range, &a);           \
}
#define AG_UNARY(op, SRC, FWD, BWD)                                                 \
    AG_FWD(op, float, f32, FWD) AG_FWD(op, double, f64, FWD)                       \
    AG_BWD(op, float, f32, SRC, BWD) AG_BWD(op, double, f64, SRC, BWD)


#endif
