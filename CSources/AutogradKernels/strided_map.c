#include "ag_shape.h"
#include "ag_parallel.h"

// An elementwise kernel over contiguous buffers, run along a strided walk:
// each row of the walk's innermost dimension is handed to the kernel in
// place when the source reads it with stride 1, and otherwise gathered,
// AG_MAP_CHUNK elements at a time, into a buffer on the stack first. The
// rows are split over the cores; a walk that coalesced to one dimension is
// one call, which the kernel splits itself.

#define AG_MAP_CHUNK 256

#define AG_MAP_STRIDED(T, SFX)                                                                   \
typedef struct { ag_map_##SFX fn; const T *x; T *y; const ag_strided *d; int64_t inner; } map_##SFX##_args; \
static void map_##SFX##_rows(void *p, int64_t begin, int64_t end) {                             \
    const map_##SFX##_args *a = p;                                                               \
    const ag_strided *d = a->d;                                                                  \
    const int nd = d->ndim;                                                                      \
    const int64_t inner = a->inner, step = nd > 0 ? d->src_stride[nd - 1] : 1;                   \
    T buf[AG_MAP_CHUNK];                                                                         \
    for (int64_t r = begin; r < end; r++) {                                                      \
        int64_t rem = r, so = d->src_offset, dof = d->dst_offset;                                \
        for (int k = nd - 2; k >= 0; k--) {                                                      \
            const int64_t i = rem % d->shape[k];                                                 \
            rem /= d->shape[k];                                                                  \
            so += i * d->src_stride[k];                                                          \
            dof += i * d->dst_stride[k];                                                         \
        }                                                                                        \
        const T *xs = a->x + so;                                                                 \
        T *ys = a->y + dof;                                                                      \
        if (step == 1) { a->fn(xs, ys, inner); continue; }                                       \
        for (int64_t c = 0; c < inner; c += AG_MAP_CHUNK) {                                      \
            const int64_t len = inner - c < AG_MAP_CHUNK ? inner - c : AG_MAP_CHUNK;             \
            for (int64_t j = 0; j < len; j++) buf[j] = xs[(c + j) * step];                       \
            a->fn(buf, ys + c, len);                                                             \
        }                                                                                        \
    }                                                                                            \
}                                                                                                \
void ag_map_strided_##SFX(ag_map_##SFX fn, const T *x, T *y, const ag_strided *d) {             \
    const int nd = d->ndim;                                                                      \
    const int64_t inner = nd > 0 ? d->shape[nd - 1] : 1;                                         \
    int64_t rows = 1;                                                                            \
    for (int k = 0; k < nd - 1; k++) rows *= d->shape[k];                                        \
    if (rows == 0 || inner == 0) return;                                                         \
    map_##SFX##_args a = { fn, x, y, d, inner };                                                 \
    const int64_t grain = inner >= AG_GRAIN_ELEMENTWISE ? 1 : AG_GRAIN_ELEMENTWISE / inner;      \
    ag_parallel_for(rows, grain, map_##SFX##_rows, &a);                                          \
}
AG_MAP_STRIDED(float, f32)
AG_MAP_STRIDED(double, f64)
