#ifndef AG_PARALLEL_PARTS_H
#define AG_PARALLEL_PARTS_H
// Private to the kernel files: splitting a loop over items of many elements
// each (the slices of a reduction, the rows of a permutation, the output
// columns of a sum) into one equal contiguous part per thread (reduce.c,
// reduce_dims.c). Each item is computed by one thread exactly as a single
// thread computes it, so results do not depend on the thread count.

#include "ag_parallel.h"
#include <stdint.h>

/// Work per call (elements read, weighted by their cost: 1 for a few
/// arithmetic operations) below which a reduction stays on one thread. Waking
/// the pool costs tens of microseconds, as much as ~100K cheap elements.
#define AG_GRAIN_REDUCE (1 << 18)

typedef struct { ag_range_fn fn; void *ctx; int64_t count, tasks, align; } ag_parts;

// ag_parallel_for hands each thread a multiple of 16 of its range: over
// 16 tasks per thread each thread gets 16, mapped here to its share of the
// items (so a few large items still split evenly).
static inline void ag_parts_range(void *p, int64_t b, int64_t e) {
    const ag_parts *t = p;
    const int64_t lo = b == 0 ? 0 : b * t->count / t->tasks / t->align * t->align;
    const int64_t hi = e == t->tasks ? t->count : e * t->count / t->tasks / t->align * t->align;
    if (lo < hi) t->fn(t->ctx, lo, hi);
}

/// Runs fn over the items [0, count), `work` elements in all, in one
/// contiguous part per thread whose bounds are multiples of `align` (to keep
/// threads off each other's cache lines), when work >= AG_GRAIN_REDUCE;
/// otherwise as fn(ctx, 0, count) on the calling thread.
static inline void ag_parallel_parts(int64_t count, int64_t work, int64_t align, ag_range_fn fn, void *ctx) {
    if (count <= 0) return;
    if (count < 2 || work < AG_GRAIN_REDUCE || ag_num_threads() < 2) { fn(ctx, 0, count); return; }
    ag_parts t = { fn, ctx, count, 16 * (int64_t)ag_num_threads(), align > 0 ? align : 1 };
    ag_parallel_for(t.tasks, 1, ag_parts_range, &t);
}

#endif
