#ifndef AG_SHAPE_H
#define AG_SHAPE_H
// Shape and indexing kernels: strided copies (permute, slicing, cat), gather /
// scatter-add, index-select / index-add, masked fill.
//
// Every tensor is contiguous; the strides below describe how a kernel walks a
// contiguous buffer as if it were a view (a transposed or sliced one). None of
// these kernels checks indices: the caller validates them first (see
// `ag_index_check`), so the kernels never read or write out of bounds.

#include "ag_types.h"

/// A walk over every index (i_0, ..., i_{ndim-1}) of `shape`, reading the
/// source at `src_offset + sum_k i_k * src_stride[k]` and writing the
/// destination at `dst_offset + sum_k i_k * dst_stride[k]` (element units).
/// `ndim` is 0..AG_MAX_DIMS; with 0 the walk visits one element.
typedef struct ag_strided {
    int32_t ndim;
    int64_t shape[AG_MAX_DIMS];
    int64_t src_offset;
    int64_t src_stride[AG_MAX_DIMS];
    int64_t dst_offset;
    int64_t dst_stride[AG_MAX_DIMS];
} ag_strided;

/// dst[dst position] = src[src position] for every index of `d->shape`: the
/// forward of permute / transpose / slicing (strided read, contiguous write)
/// and of cat and slice backward (contiguous read, strided write). The two
/// buffers must not overlap. Any element type (the suffix gives its size).
void ag_strided_copy_f32(const float *src, float *dst, const ag_strided *d);
void ag_strided_copy_f64(const double *src, double *dst, const ag_strided *d);
void ag_strided_copy_i64(const int64_t *src, int64_t *dst, const ag_strided *d);
void ag_strided_copy_b8(const bool *src, bool *dst, const ag_strided *d);
/// The same copy for any 1-, 2- or 4-byte elements, as raw bits.
void ag_strided_copy_u8(const uint8_t *src, uint8_t *dst, const ag_strided *d);
void ag_strided_copy_u16(const uint16_t *src, uint16_t *dst, const ag_strided *d);
void ag_strided_copy_u32(const uint32_t *src, uint32_t *dst, const ag_strided *d);

/// An elementwise kernel over contiguous buffers: y[i] = f(x[i]), i < n.
typedef void (*ag_map_f32)(const float *x, float *y, int64_t n);
typedef void (*ag_map_f64)(const double *x, double *y, int64_t n);

/// y[dst position] = f(x[src position]) for every index of `d->shape`, by
/// calling `fn` on rows of the innermost dimension, which y must walk with
/// stride 1 (y dense in the walk's order): rows x reads with stride 1 are
/// passed in place, others are gathered into a small stack buffer first.
/// Rows are split over the cores (strided_map.c).
void ag_map_strided_f32(ag_map_f32 fn, const float *x, float *y, const ag_strided *d);
void ag_map_strided_f64(ag_map_f64 fn, const double *x, double *y, const ag_strided *d);

/// dst[dst position] += src[src position] for every index of `d->shape`,
/// in walk order: the backward of a strided view, whose destination
/// positions may repeat (an expanded view). Accumulates into dst.
void ag_strided_add_f32(const float *src, float *dst, const ag_strided *d);
void ag_strided_add_f64(const double *src, double *dst, const ag_strided *d);

/// The position of the first index outside [0, size), or -1 when all n are valid.
int64_t ag_index_check(const int64_t *index, int64_t n, int64_t size);

/// gather: for every index p of `d->shape` (the index tensor's shape; `index`
/// and `out` are contiguous in it),
///     out[p] = src[src position of p + index[p] * dim_stride],
/// where `d->src_stride[dim]` is 0 and `dim_stride` is src's stride along dim.
/// The dst fields of `d` are unused.
void ag_gather_f32(const float *src, const int64_t *index, float *out, int64_t dim_stride, const ag_strided *d);
void ag_gather_f64(const double *src, const int64_t *index, double *out, int64_t dim_stride, const ag_strided *d);
void ag_gather_i64(const int64_t *src, const int64_t *index, int64_t *out, int64_t dim_stride, const ag_strided *d);
void ag_gather_b8(const bool *src, const int64_t *index, bool *out, int64_t dim_stride, const ag_strided *d);

/// scatter-add (the backward of gather): for every index p of `d->shape`
/// (`index` contiguous in it),
///     dst[dst position of p + index[p] * dim_stride] += src[src position of p],
/// where `d->dst_stride[dim]` is 0 and `dim_stride` is dst's stride along dim.
/// Accumulates into dst, which the caller initialises.
void ag_scatter_add_f32(float *dst, const int64_t *index, const float *src, int64_t dim_stride, const ag_strided *d);
void ag_scatter_add_f64(double *dst, const int64_t *index, const double *src, int64_t dim_stride, const ag_strided *d);

/// index_select over the [outer, dim, inner] view of a contiguous tensor:
///     out[o, j, i] = src[o, index[j], i]   (src is [outer, dim_size, inner], out [outer, n_index, inner]).
void ag_index_select_f32(const float *src, const int64_t *index, int64_t n_index, float *out,
                         int64_t outer, int64_t dim_size, int64_t inner);
void ag_index_select_f64(const double *src, const int64_t *index, int64_t n_index, double *out,
                         int64_t outer, int64_t dim_size, int64_t inner);
/// The same for int64 (class labels) and bool tensors, which have no gradient.
void ag_index_select_i64(const int64_t *src, const int64_t *index, int64_t n_index, int64_t *out,
                         int64_t outer, int64_t dim_size, int64_t inner);
void ag_index_select_b8(const bool *src, const int64_t *index, int64_t n_index, bool *out,
                        int64_t outer, int64_t dim_size, int64_t inner);

/// index_add (the backward of index_select), accumulating into dst:
///     dst[o, index[j], i] += alpha * src[o, j, i]   (dst is [outer, dim_size, inner], src [outer, n_index, inner]).
void ag_index_add_f32(float *dst, const int64_t *index, int64_t n_index, const float *src, double alpha,
                      int64_t outer, int64_t dim_size, int64_t inner);
void ag_index_add_f64(double *dst, const int64_t *index, int64_t n_index, const double *src, double alpha,
                      int64_t outer, int64_t dim_size, int64_t inner);

/// out = mask ? value : x, with x as operand a and mask as operand b of the
/// broadcast `bc` (out has bc's shape). The backward is the same kernel on
/// the gradient with value 0.
void ag_masked_fill_f32(const float *x, const bool *mask, double value, float *out, const ag_broadcast *bc);
void ag_masked_fill_f64(const double *x, const bool *mask, double value, double *out, const ag_broadcast *bc);

#endif
