#include "ag_compare.h"
#include "broadcast_rows.h"

// A broadcasting kernel `out = EXPR(x, y)` from TA operands to TO results:
// a flat loop when nothing is broadcast, else one loop per result row.
#define AG_BROADCAST_KERNEL(name, TA, TO, EXPR)                                      \
void name(const TA *a, const TA *b, TO *out, const ag_broadcast *bc) {               \
    if (ag_bc_same(bc, bc->stride_a)) {                                              \
        for (int64_t i = 0; i < bc->numel; i++) { const TA x = a[i], y = b[i]; out[i] = (EXPR); } \
        return;                                                                      \
    }                                                                                \
    AG_FOR_ROWS(bc, bc->stride_a,                                                    \
        for (int64_t j = 0; j < inner; j++) {                                        \
            const TA x = a[oa + j * sa], y = b[ob + j * sb]; out[o + j] = (EXPR);    \
        });                                                                          \
}
#define AG_COMPARE(op, EXPR)                                                          \
    AG_BROADCAST_KERNEL(ag_##op##_forward_f32, float, bool, EXPR)                     \
    AG_BROADCAST_KERNEL(ag_##op##_forward_f64, double, bool, EXPR)                    \
    AG_BROADCAST_KERNEL(ag_##op##_forward_i64, int64_t, bool, EXPR)

AG_COMPARE(lt, x < y)
AG_COMPARE(le, x <= y)
AG_COMPARE(gt, x > y)
AG_COMPARE(ge, x >= y)
AG_COMPARE(eq, x == y)
AG_COMPARE(ne, x != y)

AG_BROADCAST_KERNEL(ag_logical_and_forward, bool, bool, x && y)
AG_BROADCAST_KERNEL(ag_logical_or_forward, bool, bool, x || y)

void ag_logical_not_forward(const bool *restrict x, bool *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = !x[i];
}

#define AG_WHERE(T, SFX)                                                              \
void ag_where_forward_##SFX(const bool *cond, const T *a, const T *b, T *out,        \
                            const ag_broadcast *bc, const ag_broadcast *bc_cond) {   \
    const int64_t *scs = bc_cond->stride_a;                                          \
    if (ag_bc_same(bc, scs)) {                                                       \
        for (int64_t i = 0; i < bc->numel; i++) out[i] = cond[i] ? a[i] : b[i];      \
        return;                                                                      \
    }                                                                                \
    AG_FOR_ROWS(bc, scs,                                                             \
        for (int64_t j = 0; j < inner; j++)                                          \
            out[o + j] = cond[oc + j * sc] ? a[oa + j * sa] : b[ob + j * sb]);       \
}
AG_WHERE(float, f32)
AG_WHERE(double, f64)
AG_WHERE(int64_t, i64)
AG_WHERE(bool, bool)

// Floating to int64 without undefined behaviour: in range, truncation; else
// INT64_MIN (x86's cvttsd2si answer for NaN and overflow).
#define AG_TO_I64(TF, SFX)                                                            \
void ag_cast_##SFX##_i64(const TF *restrict in, int64_t *restrict out, int64_t n) {  \
    for (int64_t i = 0; i < n; i++) {                                                \
        const TF v = in[i];                                                          \
        out[i] = (v >= (TF)-9223372036854775808.0 && v < (TF)9223372036854775808.0)  \
            ? (int64_t)v : INT64_MIN;                                                \
    }                                                                                \
}
AG_TO_I64(float, f32)
AG_TO_I64(double, f64)

#define AG_CAST(FROM, TF, TO, TT, EXPR)                                               \
void ag_cast_##FROM##_##TO(const TF *restrict in, TT *restrict out, int64_t n) {     \
    for (int64_t i = 0; i < n; i++) { const TF v = in[i]; out[i] = (EXPR); }        \
}
AG_CAST(i64, int64_t, f32, float, (float)v)
AG_CAST(i64, int64_t, f64, double, (double)v)
AG_CAST(f32, float, bool, bool, v != 0)
AG_CAST(f64, double, bool, bool, v != 0)
AG_CAST(i64, int64_t, bool, bool, v != 0)
AG_CAST(bool, bool, f32, float, v ? 1.0f : 0.0f)
AG_CAST(bool, bool, f64, double, v ? 1.0 : 0.0)
AG_CAST(bool, bool, i64, int64_t, (int64_t)v)
