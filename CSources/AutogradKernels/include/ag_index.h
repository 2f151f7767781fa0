#ifndef AG_INDEX_H
#define AG_INDEX_H
// Advanced indexing (PyTorch's index / index_put_): x[i0, i1] with int64
// index tensors and bool masks. The Swift side turns the indices into one
// int64 tensor of element offsets (`ag_index_offsets`) over their broadcast
// shape; the kernels then walk the indexing result's shape with three
// strided operands. Indices are validated by `ag_index_offsets`, so the
// walks never leave their buffers.

#include "ag_types.h"
#include "ag_shape.h"

/// A walk over every index p of `shape` with operands a and b at
/// `*_offset + sum_k p_k * *_stride[k]` and the offsets tensor at
/// `sum_k p_k * off_stride[k]` (element units). `ndim` is 0..AG_MAX_DIMS.
typedef struct ag_index_walk {
    int32_t ndim;
    int64_t shape[AG_MAX_DIMS];
    int64_t a_offset;
    int64_t a_stride[AG_MAX_DIMS];
    int64_t b_offset;
    int64_t b_stride[AG_MAX_DIMS];
    int64_t off_stride[AG_MAX_DIMS];
} ag_index_walk;

/// off[q] += v * stride for every index of `d->shape`, where v is the int64
/// index read at the walk's source position (a negative v counts from the end
/// of a dimension of `size`) and q the destination position. Returns 0, or 1
/// with `*bad` set to the first v outside [-size, size) (nothing is written
/// past it).
int32_t ag_index_offsets(const int64_t *index, int64_t *off, int64_t size, int64_t stride,
                         const ag_strided *d, int64_t *bad);

/// index: a[a position] = b[b position + off[off position]], by element size
/// (1: bool, 4: float32, 8: float64 and int64).
void ag_index_get_8(uint64_t *a, const uint64_t *b, const int64_t *off, const ag_index_walk *d);
void ag_index_get_4(uint32_t *a, const uint32_t *b, const int64_t *off, const ag_index_walk *d);
void ag_index_get_1(uint8_t *a, const uint8_t *b, const int64_t *off, const ag_index_walk *d);

/// index_put_: a[a position + off[off position]] = b[b position], in walk
/// order (a repeated destination keeps the last value).
void ag_index_put_8(uint64_t *a, const uint64_t *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_4(uint32_t *a, const uint32_t *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_1(uint8_t *a, const uint8_t *b, const int64_t *off, const ag_index_walk *d);

/// index_put_(accumulate=True): a[a position + off[off position]] += b[b position];
/// repeated destinations accumulate.
void ag_index_put_add_f32(float *a, const float *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_add_f64(double *a, const double *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_add_i64(int64_t *a, const int64_t *b, const int64_t *off, const ag_index_walk *d);

/// index_put_ reducing with max (min): a[a position + off] = max(a[…], b[b position]),
/// NaN winning (scatter_reduce's "amax" / "amin").
void ag_index_put_max_f32(float *a, const float *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_max_f64(double *a, const double *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_min_f32(float *a, const float *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_min_f64(double *a, const double *b, const int64_t *off, const ag_index_walk *d);

/// index_put_ reducing with a product: a[a position + off] *= b[b position] (scatter_reduce's "prod").
void ag_index_put_mul_f32(float *a, const float *b, const int64_t *off, const ag_index_walk *d);
void ag_index_put_mul_f64(double *a, const double *b, const int64_t *off, const ag_index_walk *d);

/// The number of true elements of a contiguous bool buffer of n elements.
int64_t ag_count_true(const bool *mask, int64_t n);

/// The coordinates of the true elements of a contiguous bool tensor of
/// `shape` (ndim 0..AG_MAX_DIMS), in row-major order: for the j-th true
/// element, out[k * nnz + j] is its coordinate along dimension k.
void ag_nonzero(const bool *mask, int32_t ndim, const int64_t *shape, int64_t nnz, int64_t *out);

#endif
