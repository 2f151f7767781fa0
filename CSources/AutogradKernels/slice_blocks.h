#ifndef AG_SLICE_BLOCKS_H
#define AG_SLICE_BLOCKS_H
// Private to reduce_dims.c: walking the slices of the [outer, n, inner] view
// (see ag_reduce_dims.h) in blocks. Slice (o, i)'s element j is at
// o * n * inner + i + j * inner, and its reduced value at o * inner + i.
//
// Slices are independent. They (numbered o * inner + i) are split over the
// cores in contiguous ranges (parallel_parts.h), and within a range a few
// slices are computed together, as "lanes" of a block: j in the outer loop,
// the lanes in the inner one, each lane with its own accumulators (stack
// arrays that stay in registers), seeing its elements in the order of a slice
// computed alone. So results depend neither on the thread count nor on the
// blocking.
// - inner > 1: blocks of up to AG_LANES neighbouring slices (o, i), (o, i + 1),
//   ...: memory is read row by row instead of one cache line per element down
//   a column.
// - inner == 1 (a reduction over the last dimension): each slice is a
//   contiguous row, n elements apart from the next, and a row alone is bound
//   by the latency of its chain of dependent adds or compares; blocks of
//   AG_ROW_LANES neighbouring rows interleave their independent chains.

#include "parallel_parts.h"
#include <stdint.h>

/// A slice kernel's arguments; each kernel uses the fields it needs.
typedef struct {
    const void *x, *y, *gy;   // inputs: the tensor, its reduced value, a gradient
    void *out, *out2;         // outputs
    int64_t *indices;
    int64_t outer, n, inner;
    double param;             // correction, p, or a flag
} ag_slices;

/// Slices per block when inner > 1: 16 floats are a cache line. (A power of
/// 2, at most 16: shorter blocks are split by the bits of their width.)
#define AG_LANES 16
/// Rows per block when inner == 1 (AG_SLICE_RANGE): enough independent
/// chains to cover an add's latency, few enough for their accumulators to
/// stay in registers.
#define AG_ROW_LANES 8
_Static_assert(AG_LANES <= 16 && (AG_LANES & (AG_LANES - 1)) == 0, "AG_LANES: a power of 2 up to 16");
_Static_assert(AG_ROW_LANES <= AG_LANES && AG_ROW_LANES <= 8 && (AG_ROW_LANES & (AG_ROW_LANES - 1)) == 0,
               "AG_ROW_LANES: a power of 2 up to 8 and AG_LANES");
#define AG_INLINE static inline __attribute__((always_inline))
/// Runs the statement that follows once per lane l of the block.
#define AG_EACH for (int64_t l = 0; l < w; l++)
/// Lane l's element j of the block starting at p (lanes `lane` apart:
/// 1 between neighbouring columns, n between rows).
#define AG_AT(p) (p)[j * inner + l * lane]

/// Prefetching: down a column of long rows, each row of a block is on its own
/// page, where the hardware prefetchers do not look; a block's loop over j
/// (AG_ROWS) prefetches the row of P that it will read AG_AHEAD rows later,
/// when rows are AG_PREFETCH_STRIDE bytes apart or more (closer rows the
/// hardware follows by itself, and prefetching them costs more than it saves).
/// (Never along rows, inner == 1: each lane reads its own contiguous row.)
#define AG_AHEAD 16
#define AG_PREFETCH_STRIDE 256
AG_INLINE void ag_prefetch_row(const char *row, int64_t bytes) {
    for (int64_t k = 0; k < bytes; k += 64) __builtin_prefetch(row + k);
    __builtin_prefetch(row + bytes - 1);
}
#define AG_PREFETCH(P, J)                                                       \
    (inner * (int64_t)sizeof *(P) >= AG_PREFETCH_STRIDE && (J) >= 0 && (J) < n  \
        ? ag_prefetch_row((const char *)((P) + (J) * inner), w * (int64_t)sizeof *(P)) : (void)0)
/// The loops over j of a block reading P: from J0 while COND; over 0 ..< n;
/// over n - 1 down to 0.
#define AG_ROWS_WHILE(P, J0, COND) for (int64_t j = (J0); (COND); AG_PREFETCH(P, j + AG_AHEAD), j++)
#define AG_ROWS(P) AG_ROWS_WHILE(P, 0, j < n)
#define AG_ROWS_BACK(P) for (int64_t j = n - 1; j >= 0; AG_PREFETCH(P, j - AG_AHEAD), j--)
/// The same, reading P and writing Q.
#define AG_ROWS_TO(P, Q)                                                        \
    for (int64_t j = 0; j < n; AG_PREFETCH(P, j + AG_AHEAD), AG_PREFETCH(Q, j + AG_AHEAD), j++)
#define AG_ROWS_BACK_TO(P, Q)                                                   \
    for (int64_t j = n - 1; j >= 0; AG_PREFETCH(P, j - AG_AHEAD), AG_PREFETCH(Q, j - AG_AHEAD), j--)

/// In a block: the offset of its first slice's element 0 (lane l's is
/// AG_BASE + l * lane), and of its first reduced value (lane l's: AG_OUT + l).
#define AG_BASE ag_base_
#define AG_OUT  ag_out_

/// Defines the range function NAME over slices [begin, end). The body (the
/// variadic argument) computes a block of w <= AG_LANES slices: lane l's
/// element j is at AG_BASE + j * inner + l * lane (AG_AT) and its value at
/// AG_OUT + l. In scope: w, n, inner, lane, param, indices and the T-typed
/// buffers x, y, gy, out, out2 (it is a function body). It is compiled for
/// inner > 1 (lane = 1: blocks of AG_LANES, 8, 4, 2 and 1 slices) and for
/// inner == 1 (lane = n: blocks of AG_ROW_LANES, 4, 2 and 1 rows): w is
/// always a constant, so that the lanes' accumulators can stay in registers.
/// AG_SLICE_RANGE_ROWS: the same with ROWS (1, 4 or AG_ROW_LANES) rows per
/// block when inner == 1, for the kernels measured faster so: those without
/// a chain along j (elementwise backwards: 1, one contiguous row at a time)
/// or with two streams per lane (scans: 4).
#define AG_SLICE_RANGE(NAME, T, ...) AG_SLICE_RANGE_ROWS(NAME, T, AG_ROW_LANES, __VA_ARGS__)
#define AG_SLICE_RANGE_ROWS(NAME, T, ROWS, ...)                                 \
AG_INLINE void NAME##_block(const ag_slices *args, const int64_t ag_base_, const int64_t ag_out_, \
                            const int64_t w, const int64_t inner, const int64_t lane) { \
    const int64_t n = args->n;                                                  \
    const double param = args->param; int64_t *indices = args->indices;         \
    const T *x = args->x, *y = args->y, *gy = args->gy;                         \
    T *out = args->out, *out2 = args->out2;                                     \
    (void)param; (void)indices; (void)x; (void)y; (void)gy; (void)out; (void)out2; \
    __VA_ARGS__                                                                 \
}                                                                               \
/* w < 16 lanes from (base, at), as blocks of 8, 4, 2, 1, each of a constant width. */ \
AG_INLINE void NAME##_split(const ag_slices *args, int64_t base, int64_t at, const int64_t w, \
                            const int64_t inner, const int64_t lane) {          \
    if (w & 8) { NAME##_block(args, base, at, 8, inner, lane); base += 8 * lane; at += 8; } \
    if (w & 4) { NAME##_block(args, base, at, 4, inner, lane); base += 4 * lane; at += 4; } \
    if (w & 2) { NAME##_block(args, base, at, 2, inner, lane); base += 2 * lane; at += 2; } \
    if (w & 1) NAME##_block(args, base, at, 1, inner, lane);                    \
}                                                                               \
static void NAME(void *ctx, int64_t begin, int64_t end) {                       \
    const ag_slices *args = ctx;                                                \
    const int64_t n = args->n, inner = args->inner;                             \
    if (inner == 1) {   /* rows, ROWS at a time */                              \
        for (int64_t o = begin, w; o < end; o += w) {                           \
            w = end - o < (ROWS) ? end - o : (ROWS);                            \
            if ((ROWS) == 1) NAME##_block(args, o * n, o, 1, 1, n);             \
            else NAME##_split(args, o * n, o, w, 1, n);                         \
        }                                                                       \
        return;                                                                 \
    }                                                                           \
    int64_t o = begin / inner, i = begin % inner;                               \
    for (int64_t slice = begin, w; slice < end; slice += w) {                   \
        w = inner - i < end - slice ? inner - i : end - slice;                  \
        if (w > AG_LANES) w = AG_LANES;                                         \
        if (w == AG_LANES) NAME##_block(args, o * n * inner + i, o * inner + i, AG_LANES, inner, 1); \
        else NAME##_split(args, o * n * inner + i, o * inner + i, w, inner, 1); \
        if ((i += w) == inner) { i = 0; o++; }                                  \
    }                                                                           \
}

/// Runs RANGE over every slice of the public kernel's (outer, n, inner), with
/// the designated initialisers given for the other fields of ag_slices; COST
/// weighs an element's work (1: arithmetic; more for exp, pow) against the grain.
#define AG_RUN_SLICES(RANGE, COST, ...)                                         \
    do {                                                                        \
        ag_slices args_ = { .outer = outer, .n = n, .inner = inner, __VA_ARGS__ }; \
        ag_parallel_parts(outer * inner, outer * n * inner * (COST), 1, RANGE, &args_); \
    } while (0)

/// The cost of an element of exp, log or pow (AG_RUN_SLICES).
#define AG_COST_TRANSCENDENTAL 8

#endif
