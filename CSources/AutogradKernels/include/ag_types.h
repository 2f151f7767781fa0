#ifndef AG_TYPES_H
#define AG_TYPES_H

#include <stdint.h>
#include <stdbool.h>

/// The most dimensions a broadcast kernel handles.
#define AG_MAX_DIMS 8

/// How two operands of a binary op are laid over their (broadcast) result.
///
/// All buffers are contiguous and row-major. `shape` is the result's shape;
/// `stride_a` / `stride_b` are the element strides of each operand seen in the
/// result's shape: 0 where the operand is broadcast along that dimension.
typedef struct ag_broadcast {
    int32_t ndim;
    int64_t numel;
    int64_t shape[AG_MAX_DIMS];
    int64_t stride_a[AG_MAX_DIMS];
    int64_t stride_b[AG_MAX_DIMS];
} ag_broadcast;

#endif
