#ifndef AUTOGRAD_H
#define AUTOGRAD_H
/*
 * autograd.h: the C API of swift-autograd (libautograd.so).
 *
 * Reverse-mode automatic differentiation with custom Functions whose forward
 * and backward are C callbacks (PyTorch's torch.autograd.Function).
 * docs/C-API.md has the conventions and a complete example.
 *
 * Conventions
 * - Names: functions `autograd_*`, types `autograd_*_t`, macros `AUTOGRAD_*`.
 * - Objects are opaque handles. Every handle a call returns through an
 *   out-parameter is new and owned by the caller, who releases it with the one
 *   `_free` function of its type; every `_free` accepts NULL. Two handles may
 *   refer to the same tensor: freeing one never invalidates the other. A
 *   handle is a token, not an address (never dereference it): a freed handle
 *   is never reused for a later object, so using it again is always refused
 *   with AUTOGRAD_ERROR_INVALID_HANDLE.
 * - The library may be used from several threads at once (docs/CONCURRENCY.md).
 * - Every call that can fail returns an autograd_status_t (AUTOGRAD_OK = 0)
 *   and writes its results through out-parameters, which are left untouched
 *   on failure. The failure's message (the same words as the Swift library's
 *   AutogradError.message) is then available from autograd_last_error() on the
 *   same thread. Nothing ends the process: NULL, a freed or foreign handle,
 *   mismatched shapes and broken callback contracts all come back as statuses.
 * - Pointers passed in are borrowed for the duration of the call only, unless
 *   a comment says otherwise. Tensor handles passed in are not consumed: the
 *   library takes its own reference where it keeps a tensor.
 * - Grad mode (no-grad scopes) and the last error are per thread.
 *
 * The numeric C kernels (`ag_*`, plain C, float and double) are exported by
 * the build tree's libautograd.so as well; an installed library
 * (scripts/install.sh) exports autograd_* only and installs the kernels as
 * libautograd_kernels.a (linked by `pkg-config --libs autograd`). Their
 * headers are usable from C on their own, with
 * `-I CSources/AutogradKernels/include` (installed: PREFIX/include/autograd):
 * include <autograd_kernels.h> (all of them) or one of ag_unary.h,
 * ag_binary.h, ... ; or define AUTOGRAD_WITH_KERNELS before including this header.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MARK: Version, status, errors */

/**
 * The ABI version of this header; autograd_abi_version() returns the
 * library's. 2 since 0.2.0: hook callbacks take a context first, and
 * autograd_tensor_zero_grad zeros instead of forgetting the gradient.
 */
#define AUTOGRAD_ABI_VERSION 2

/**
 * The library's semantic version (MAJOR.MINOR.PATCH): this header's, and
 * autograd_version() for the loaded library's. The installed library's
 * SONAME is libautograd.so.MAJOR.
 */
#define AUTOGRAD_VERSION_MAJOR 0
#define AUTOGRAD_VERSION_MINOR 2
#define AUTOGRAD_VERSION_PATCH 0
#define AUTOGRAD_VERSION_STRING "0.2.0"

/** The result of a call: AUTOGRAD_OK or one of the error codes below. */
typedef int32_t autograd_status_t;

#define AUTOGRAD_OK 0
/** A required pointer argument was NULL. */
#define AUTOGRAD_ERROR_NULL_ARGUMENT 1
/** A handle that is not a live handle of the expected type (freed, foreign, garbage). */
#define AUTOGRAD_ERROR_INVALID_HANDLE 2
/** Wrong shapes, dims, dtypes, indices or values (AutogradError.invalidArgument). */
#define AUTOGRAD_ERROR_INVALID_ARGUMENT 3
/** A backward broke the gradient contract: count, shape, a gradient for a non-tensor (AutogradError.invalidGradient). */
#define AUTOGRAD_ERROR_INVALID_GRADIENT 4
/** Backward through a freed graph, or a saved tensor modified in place (AutogradError.graph). */
#define AUTOGRAD_ERROR_GRAPH 5
/** A callback failed: a custom Function's forward or backward, or a hook (AutogradError.function). */
#define AUTOGRAD_ERROR_FUNCTION 6
/** gradcheck / gradgradcheck found a mismatch (AutogradError.gradcheck). */
#define AUTOGRAD_ERROR_GRADCHECK 7
/** An output array was too small; the count it needed was still written. */
#define AUTOGRAD_ERROR_BUFFER_TOO_SMALL 8
/** autograd_op was given a name it does not know. */
#define AUTOGRAD_ERROR_UNKNOWN_OP 9

/** The ABI version of the loaded library (compare with AUTOGRAD_ABI_VERSION). */
int32_t autograd_abi_version(void);
/** The loaded library's semantic version, "MAJOR.MINOR.PATCH" (static storage; do not free). */
const char *autograd_version(void);
/**
 * The name of a status code, "AUTOGRAD_OK" or "AUTOGRAD_ERROR_…"; "unknown
 * status" for any other value (static storage; do not free).
 */
const char *autograd_status_string(autograd_status_t status);

/**
 * The message of the last failed call on this thread, or "" when none failed.
 * Borrowed: valid until the next failing call on this thread or
 * autograd_clear_error(); do not free it.
 */
const char *autograd_last_error(void);

/** Forgets this thread's last error message. */
void autograd_clear_error(void);

/**
 * How many handles of every type are alive (made and not yet freed), on all
 * threads: a leak check for tests (0 once a program has freed everything).
 */
autograd_status_t autograd_live_handle_count(size_t *out);

/** Frees a string the library returned (autograd_tensor_to_string, ...). Accepts NULL. */
void autograd_string_free(char *string);

/* MARK: Handles */

/** A tensor: contiguous, row-major, float32 / float64 / int64 / bool. */
typedef struct autograd_tensor_t autograd_tensor_t;
/** A custom Function registered with C callbacks. */
typedef struct autograd_function_t autograd_function_t;
/** The context (graph node) of one application of a custom Function; only valid inside its callbacks. */
typedef struct autograd_context_t autograd_context_t;
/** An ordered list of arguments (tensors and non-tensor values) for autograd_op and autograd_function_apply. */
typedef struct autograd_args_t autograd_args_t;

/** Element types. Only the floating types can require grad. The storage
 *  types (uint8 to int32, float16, bfloat16) are computed in int64 or
 *  float32 and rounded back, as PyTorch's CPU kernels compute them. */
typedef int32_t autograd_dtype_t;
#define AUTOGRAD_FLOAT32 0
#define AUTOGRAD_FLOAT64 1
#define AUTOGRAD_INT64 2
/** One byte per element, 0 or 1 (C's bool). */
#define AUTOGRAD_BOOL 3
#define AUTOGRAD_UINT8 4
#define AUTOGRAD_INT8 5
#define AUTOGRAD_INT16 6
#define AUTOGRAD_INT32 7
/** IEEE 754 half precision, as uint16_t bit patterns. */
#define AUTOGRAD_FLOAT16 8
/** bfloat16 (the upper half of a float32), as uint16_t bit patterns. */
#define AUTOGRAD_BFLOAT16 9

/* MARK: Tensors */

/**
 * A new tensor holding a copy of `data`: product(shape) elements of `dtype`,
 * row-major (float, double, int64_t or bool). `shape` has `ndim` entries
 * (ndim 0: a scalar); `data` may be NULL only when there are no elements.
 * The caller owns *out.
 */
autograd_status_t autograd_tensor_new(const void *data, autograd_dtype_t dtype, const int64_t *shape,
                                      size_t ndim, autograd_tensor_t **out);
/** A new tensor of `shape` filled with `value`. The caller owns *out. */
autograd_status_t autograd_tensor_full(const int64_t *shape, size_t ndim, double value, autograd_dtype_t dtype,
                                       autograd_tensor_t **out);
/** A new tensor of `shape` whose contents are unspecified until written (a kernel's output). The caller owns *out. */
autograd_status_t autograd_tensor_empty(const int64_t *shape, size_t ndim, autograd_dtype_t dtype,
                                        autograd_tensor_t **out);
/** Releases a tensor handle (the tensor lives on while the graph or other handles use it). Accepts NULL. */
void autograd_tensor_free(autograd_tensor_t *tensor);

/** Releases memory lent to autograd_tensor_from_blob: called with (data, user_data). */
typedef void (*autograd_deleter_t)(void *data, void *user_data);
/**
 * A tensor over the caller's memory, not a copy (PyTorch's torch.from_blob):
 * element (i_0, …, i_{ndim-1}) is at data + Σ i_k * strides[k] elements
 * (strides NULL: row-major; element strides, non-negative), data aligned to
 * the element size. The tensor and the caller share the memory: in-place ops
 * write it, and the caller's writes show in the tensor (a change that
 * bypasses the library is not seen by the checks on saved tensors). The
 * memory must stay valid until `deleter(data, user_data)` (may be NULL) runs,
 * once, when no tensor uses it any more (every handle, view and graph node
 * is gone). On failure, deleter is not called. The caller owns *out.
 */
autograd_status_t autograd_tensor_from_blob(void *data, autograd_dtype_t dtype, const int64_t *shape,
                                            const int64_t *strides, size_t ndim, autograd_deleter_t deleter,
                                            void *user_data, autograd_tensor_t **out);
/**
 * A new contiguous tensor holding a copy of a strided buffer's elements:
 * element (i_0, …, i_{ndim-1}) is read at data + Σ i_k * strides[k] elements
 * (element strides, as PyTorch's; non-negative; 0 repeats an element). The
 * buffer must hold 1 + Σ (shape[k] - 1) * strides[k] elements. A column of a
 * row-major matrix, a transposed matrix, or a NumPy array's strides divided
 * by its item size all come in this way. The caller owns *out.
 */
autograd_status_t autograd_tensor_new_strided(const void *data, autograd_dtype_t dtype, const int64_t *shape,
                                              const int64_t *strides, size_t ndim, autograd_tensor_t **out);

/** The number of dimensions. */
autograd_status_t autograd_tensor_ndim(const autograd_tensor_t *tensor, size_t *out);
/**
 * Writes the shape into shape[0..<capacity] and the number of dimensions into
 * *ndim. AUTOGRAD_ERROR_BUFFER_TOO_SMALL (with *ndim written) when capacity < ndim.
 */
autograd_status_t autograd_tensor_shape(const autograd_tensor_t *tensor, int64_t *shape, size_t capacity,
                                        size_t *ndim);
/**
 * The element strides (PyTorch's stride()), as autograd_tensor_shape writes
 * the shape. A view (transpose, slice, expand, …) has the strides of its
 * window on the storage it shares with its base.
 */
autograd_status_t autograd_tensor_strides(const autograd_tensor_t *tensor, int64_t *strides, size_t capacity,
                                          size_t *ndim);
/** Where element [0, …, 0] lies in the storage, in elements (PyTorch's storage_offset()). */
autograd_status_t autograd_tensor_storage_offset(const autograd_tensor_t *tensor, int64_t *out);
/**
 * Whether the elements lie row-major without gaps (PyTorch's is_contiguous()).
 * autograd_tensor_data and autograd_tensor_mutable_data refuse a tensor that
 * is not; the op "contiguous" gives one that is.
 */
autograd_status_t autograd_tensor_is_contiguous(const autograd_tensor_t *tensor, bool *out);
/** Whether the tensor is a view of another (PyTorch's _is_view()). */
autograd_status_t autograd_tensor_is_view(const autograd_tensor_t *tensor, bool *out);
/** Whether the two tensors are windows on the same memory (so an in-place change to one shows in the other). */
autograd_status_t autograd_tensor_shares_storage(const autograd_tensor_t *a, const autograd_tensor_t *b, bool *out);
/** The number of elements. */
autograd_status_t autograd_tensor_numel(const autograd_tensor_t *tensor, size_t *out);
/** The element type. */
autograd_status_t autograd_tensor_dtype(const autograd_tensor_t *tensor, autograd_dtype_t *out);

/**
 * Copies the elements, in the tensor's dtype and row-major, into
 * buffer[0..<capacity] (capacity counts elements, as every other count in this
 * header does); *count (may be NULL) gets numel, also when the buffer is too
 * small (AUTOGRAD_ERROR_BUFFER_TOO_SMALL).
 */
autograd_status_t autograd_tensor_copy_elements(const autograd_tensor_t *tensor, void *buffer, size_t capacity,
                                                size_t *count);
/**
 * Copies the elements (numel * element size bytes, row-major) into `buffer`,
 * which holds `byte_capacity` bytes; AUTOGRAD_ERROR_BUFFER_TOO_SMALL otherwise.
 * Counts bytes, unlike the rest of the API: prefer autograd_tensor_copy_elements.
 */
autograd_status_t autograd_tensor_copy_data(const autograd_tensor_t *tensor, void *buffer, size_t byte_capacity);
/**
 * The elements converted to double, into buffer[0..<capacity]; *count gets the
 * number of elements (AUTOGRAD_ERROR_BUFFER_TOO_SMALL when capacity < count).
 * `count` may be NULL.
 */
autograd_status_t autograd_tensor_copy_f64(const autograd_tensor_t *tensor, double *buffer, size_t capacity,
                                           size_t *count);
/**
 * A borrowed, read-only pointer to the elements. Valid while any handle to
 * this tensor (or a view sharing its storage) is alive; in-place ops change
 * what it points at. NULL for a tensor without elements.
 */
autograd_status_t autograd_tensor_data(const autograd_tensor_t *tensor, const void **out);
/**
 * A borrowed, writable pointer to the elements, for writing a fresh output in
 * a callback or changing a tensor in place. Counts as an in-place change (the
 * version counter that guards saved tensors is bumped), and is refused for a
 * leaf that requires grad while grad mode is on. Valid as autograd_tensor_data's.
 */
autograd_status_t autograd_tensor_mutable_data(autograd_tensor_t *tensor, void **out);
/**
 * The value of a one-element tensor, as a double (PyTorch's item()). An int64
 * value that a double cannot hold exactly (beyond ±2^53) is refused with
 * AUTOGRAD_ERROR_INVALID_ARGUMENT: read it with autograd_tensor_item_int64.
 */
autograd_status_t autograd_tensor_item(const autograd_tensor_t *tensor, double *out);
/** The value of a one-element int64 or bool tensor, exactly (other dtypes are refused). */
autograd_status_t autograd_tensor_item_int64(const autograd_tensor_t *tensor, int64_t *out);

/** Marks a leaf as requiring grad, or not (PyTorch's requires_grad_()). */
autograd_status_t autograd_tensor_set_requires_grad(autograd_tensor_t *tensor, bool requires_grad);
/** Whether gradients are tracked for the tensor. */
autograd_status_t autograd_tensor_requires_grad(const autograd_tensor_t *tensor, bool *out);
/** Whether the tensor is a leaf (made by the user, not by a recorded op). */
autograd_status_t autograd_tensor_is_leaf(const autograd_tensor_t *tensor, bool *out);
/**
 * The accumulated gradient: a new handle owned by the caller, or NULL when
 * there is none. The handle refers to the gradient tensor itself, which a
 * later backward may accumulate into.
 */
autograd_status_t autograd_tensor_grad(const autograd_tensor_t *tensor, autograd_tensor_t **out);
/** Forgets the accumulated gradient (PyTorch's `x.grad = None`); the next backward stores a new one. */
autograd_status_t autograd_tensor_set_grad_to_none(autograd_tensor_t *tensor);
/**
 * Sets the accumulated gradient to zeros in place (PyTorch's `x.grad.zero_()`,
 * `zero_grad(set_to_none=False)`); a tensor without a gradient keeps none.
 * (Before 0.2 this function did what autograd_tensor_set_grad_to_none does.)
 */
autograd_status_t autograd_tensor_zero_grad(autograd_tensor_t *tensor);
/** A new handle to a tensor sharing this one's storage, with no history (PyTorch's detach()). */
autograd_status_t autograd_tensor_detach(const autograd_tensor_t *tensor, autograd_tensor_t **out);
/** A new handle to the same tensor (not a copy). The caller owns *out. */
autograd_status_t autograd_tensor_share(const autograd_tensor_t *tensor, autograd_tensor_t **out);
/**
 * The tensor printed as PyTorch prints it, e.g. "tensor([0.0000, 2.5588])".
 * The caller frees *out with autograd_string_free.
 */
autograd_status_t autograd_tensor_to_string(const autograd_tensor_t *tensor, char **out);

/* MARK: Backward, grad, grad mode */

/** For `retain_graph`: retain exactly when create_graph is set (PyTorch's default). */
#define AUTOGRAD_RETAIN_DEFAULT (-1)

/**
 * Computes the gradient of `tensor` and accumulates it into the leaves' grad.
 * `gradient` (dL/dtensor) may be NULL for a one-element tensor. `retain_graph`
 * is 0, 1 or AUTOGRAD_RETAIN_DEFAULT; `create_graph` records the backward pass
 * for higher-order derivatives.
 */
autograd_status_t autograd_backward(const autograd_tensor_t *tensor, const autograd_tensor_t *gradient,
                                    int retain_graph, bool create_graph);

/**
 * The gradients of `outputs` with respect to `inputs`, returned rather than
 * accumulated (PyTorch's torch.autograd.grad). `grad_outputs` is NULL or has
 * n_outputs entries, each of which may be NULL (1 for a one-element output).
 * grads[0..<n_inputs] receives a new handle per input (owned by the caller),
 * or NULL for an input the outputs do not use when allow_unused is set.
 */
autograd_status_t autograd_grad(autograd_tensor_t *const *outputs, size_t n_outputs,
                                autograd_tensor_t *const *inputs, size_t n_inputs,
                                autograd_tensor_t *const *grad_outputs, int retain_graph,
                                bool create_graph, bool allow_unused, autograd_tensor_t **grads);

/**
 * Switches recording on or off for this thread; *previous (may be NULL) gets
 * the former mode. A no-grad scope:
 *   bool was; autograd_set_grad_enabled(false, &was); ...; autograd_set_grad_enabled(was, NULL);
 */
autograd_status_t autograd_set_grad_enabled(bool enabled, bool *previous);
/** Whether ops on this thread record the graph. */
autograd_status_t autograd_is_grad_enabled(bool *out);

/* MARK: Ops. Each result is a new handle owned by the caller. */

autograd_status_t autograd_add(const autograd_tensor_t *a, const autograd_tensor_t *b, autograd_tensor_t **out);
autograd_status_t autograd_sub(const autograd_tensor_t *a, const autograd_tensor_t *b, autograd_tensor_t **out);
autograd_status_t autograd_mul(const autograd_tensor_t *a, const autograd_tensor_t *b, autograd_tensor_t **out);
autograd_status_t autograd_div(const autograd_tensor_t *a, const autograd_tensor_t *b, autograd_tensor_t **out);
/** a + value, a * value (value converted to a's dtype). */
autograd_status_t autograd_add_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
autograd_status_t autograd_mul_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
/** a - value, a / value, and with the number first: value - a, value / a (a Python float, as in PyTorch). */
autograd_status_t autograd_sub_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
autograd_status_t autograd_div_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
autograd_status_t autograd_rsub_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
autograd_status_t autograd_rdiv_scalar(const autograd_tensor_t *a, double value, autograd_tensor_t **out);
autograd_status_t autograd_neg(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_matmul(const autograd_tensor_t *a, const autograd_tensor_t *b, autograd_tensor_t **out);
/** The sum of all elements (a scalar). */
autograd_status_t autograd_sum(const autograd_tensor_t *x, autograd_tensor_t **out);
/** The sum over `dims` (negative dims count from the end). */
autograd_status_t autograd_sum_dims(const autograd_tensor_t *x, const int64_t *dims, size_t n_dims, bool keep_dim,
                                    autograd_tensor_t **out);
/** The mean of all elements (a scalar). */
autograd_status_t autograd_mean(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_exp(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_log(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_sqrt(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_tanh(const autograd_tensor_t *x, autograd_tensor_t **out);
autograd_status_t autograd_cosh(const autograd_tensor_t *x, autograd_tensor_t **out);
/** x ** exponent, elementwise. */
autograd_status_t autograd_pow_scalar(const autograd_tensor_t *x, double exponent, autograd_tensor_t **out);
/** The same elements in `shape` (one entry may be -1). */
autograd_status_t autograd_reshape(const autograd_tensor_t *x, const int64_t *shape, size_t ndim,
                                   autograd_tensor_t **out);

/* MARK: Argument lists, and every op by name */

/** What an argument holds. */
typedef int32_t autograd_arg_kind_t;
#define AUTOGRAD_ARG_TENSOR 0
/** An absent optional tensor (a missing bias). */
#define AUTOGRAD_ARG_NONE 1
#define AUTOGRAD_ARG_INT64 2
#define AUTOGRAD_ARG_DOUBLE 3
#define AUTOGRAD_ARG_BOOL 4
#define AUTOGRAD_ARG_STRING 5
#define AUTOGRAD_ARG_INT64S 6
#define AUTOGRAD_ARG_DOUBLES 7

/** A new, empty argument list. The caller owns *out. */
autograd_status_t autograd_args_new(autograd_args_t **out);
/** Releases an argument list and the references it holds. Accepts NULL. */
void autograd_args_free(autograd_args_t *args);
/** Empties the list, to build another call. */
autograd_status_t autograd_args_clear(autograd_args_t *args);
/** Appends a tensor; the list keeps its own reference (the caller keeps its handle). */
autograd_status_t autograd_args_push_tensor(autograd_args_t *args, const autograd_tensor_t *tensor);
autograd_status_t autograd_args_push_none(autograd_args_t *args);
autograd_status_t autograd_args_push_int64(autograd_args_t *args, int64_t value);
autograd_status_t autograd_args_push_double(autograd_args_t *args, double value);
autograd_status_t autograd_args_push_bool(autograd_args_t *args, bool value);
/** Appends a copy of a NUL-terminated string. */
autograd_status_t autograd_args_push_string(autograd_args_t *args, const char *value);
/** Appends copies of `count` values (an int64 list such as dims or a shape). */
autograd_status_t autograd_args_push_int64s(autograd_args_t *args, const int64_t *values, size_t count);
autograd_status_t autograd_args_push_doubles(autograd_args_t *args, const double *values, size_t count);

/** The number of arguments. */
autograd_status_t autograd_args_count(const autograd_args_t *args, size_t *out);
/** The kind of argument `index`. */
autograd_status_t autograd_args_kind(const autograd_args_t *args, size_t index, autograd_arg_kind_t *out);
/** Argument `index` as a tensor: a new handle owned by the caller. */
autograd_status_t autograd_args_tensor(const autograd_args_t *args, size_t index, autograd_tensor_t **out);
autograd_status_t autograd_args_int64(const autograd_args_t *args, size_t index, int64_t *out);
/** An int64 argument is converted. */
autograd_status_t autograd_args_double(const autograd_args_t *args, size_t index, double *out);
autograd_status_t autograd_args_bool(const autograd_args_t *args, size_t index, bool *out);
/** Borrowed: valid while the list lives and is not cleared. */
autograd_status_t autograd_args_string(const autograd_args_t *args, size_t index, const char **out);

/**
 * Runs the library's op `name` (PyTorch's name in snake_case: "add", "matmul",
 * "sum", "softmax", "cross_entropy", ...) on `args`: positional, trailing
 * optional ones may be left out (autograd_op_names and docs/C-API.md list each
 * op's arguments); a list of sizes or dims must stay within [-(2^31 - 1), 2^31 - 1].
 * outputs[0..<capacity] receives new handles owned by the caller, *n_outputs
 * their count (also when capacity is too small).
 * AUTOGRAD_ERROR_UNKNOWN_OP for a name it does not know.
 */
autograd_status_t autograd_op(const char *name, const autograd_args_t *args, autograd_tensor_t **outputs,
                              size_t capacity, size_t *n_outputs);
/**
 * Every op autograd_op knows with its arguments, one per line, e.g.
 * "sum(x, dims=all, keep_dim=false)". The caller frees *out with autograd_string_free.
 */
autograd_status_t autograd_op_names(char **out);

/* MARK: Custom Functions from C */

/** The most outputs a forward callback may return. */
#define AUTOGRAD_MAX_OUTPUTS 16

/**
 * Computes a custom Function's outputs, with grad mode off.
 * - ctx: borrowed, valid during this call only (save tensors and values on it).
 * - args: borrowed, the arguments given to autograd_function_apply.
 * - outputs: store up to `capacity` (AUTOGRAD_MAX_OUTPUTS) new tensor handles
 *   here and their count in *n_outputs; the library takes ownership of every
 *   handle stored, also when the callback fails.
 * Returns AUTOGRAD_OK; nonzero after autograd_context_set_error; or the
 * status of a library call that failed inside it, which passes that failure
 * on (its status and message) to the caller of autograd_function_apply.
 */
typedef autograd_status_t (*autograd_forward_callback_t)(autograd_context_t *ctx, const autograd_args_t *args,
                                                         autograd_tensor_t **outputs, size_t capacity,
                                                         size_t *n_outputs, void *user_data);

/**
 * Computes the gradients of a custom Function's inputs from its outputs'.
 * - grad_outputs[0..<n_grad_outputs]: one per output, borrowed; an entry is
 *   NULL only after autograd_context_set_materialize_grads(ctx, false).
 * - grad_inputs: one slot per forward argument, all NULL on entry, with room
 *   for `capacity` entries; store a new handle (owned by the library from then
 *   on) for each argument that gets a gradient, NULL for non-tensor arguments
 *   and where no gradient flows. *n_grad_inputs holds the number of forward
 *   arguments on entry; set it if you return another count (an error).
 * Runs with grad mode on when the backward pass is recorded (create_graph),
 * unless the Function is once-differentiable. Fails as the forward callback.
 */
typedef autograd_status_t (*autograd_backward_callback_t)(autograd_context_t *ctx,
                                                          const autograd_tensor_t *const *grad_outputs,
                                                          size_t n_grad_outputs, autograd_tensor_t **grad_inputs,
                                                          size_t capacity, size_t *n_grad_inputs, void *user_data);

/** Releases `user_data` when the Function is no longer used. */
typedef void (*autograd_destructor_t)(void *user_data);

/**
 * Registers a custom Function. Its graph nodes are named `name` + "Backward"
 * (as in error messages and grad_fn). `user_data` is passed to both callbacks;
 * `destroy` (may be NULL) is called once, when the Function handle has been
 * freed and no graph node needs the callbacks any more. On failure, destroy is
 * not called and user_data stays the caller's. The caller owns *out.
 */
autograd_status_t autograd_function_new(const char *name, autograd_forward_callback_t forward,
                                        autograd_backward_callback_t backward, void *user_data,
                                        autograd_destructor_t destroy, autograd_function_t **out);
/** Releases a Function handle (graph nodes that use it keep it alive). Accepts NULL. */
void autograd_function_free(autograd_function_t *function);
/**
 * Marks the Function once-differentiable (PyTorch's @once_differentiable), or
 * not, for the applications that follow: its backward runs with grad mode off,
 * and differentiating the gradients it returned again (create_graph, then a
 * second backward) fails with AUTOGRAD_ERROR_GRAPH, "trying to differentiate
 * twice a function that was marked with @once_differentiable".
 */
autograd_status_t autograd_function_set_once_differentiable(autograd_function_t *function, bool value);

/**
 * Applies the Function to `args` and records it in the graph (outputs require
 * grad when some tensor argument does and grad mode is on). outputs[0..<capacity]
 * receives new handles owned by the caller, *n_outputs their count. A failing
 * callback gives AUTOGRAD_ERROR_FUNCTION and its message.
 */
autograd_status_t autograd_function_apply(const autograd_function_t *function, const autograd_args_t *args,
                                          autograd_tensor_t **outputs, size_t capacity, size_t *n_outputs);

/* MARK: Inside callbacks: the context */

/** Keeps tensors for backward (replaces an earlier call). The context takes its own references. */
autograd_status_t autograd_context_save_for_backward(autograd_context_t *ctx,
                                                     autograd_tensor_t *const *tensors, size_t count);
/**
 * The saved tensors, in save order: new handles owned by the caller into
 * out[0..<capacity], their count in *count. AUTOGRAD_ERROR_GRAPH after the
 * graph was freed or when a saved tensor was changed in place.
 */
autograd_status_t autograd_context_saved_tensors(autograd_context_t *ctx, autograd_tensor_t **out, size_t capacity,
                                                 size_t *count);
/** The number of forward arguments. */
autograd_status_t autograd_context_num_inputs(const autograd_context_t *ctx, size_t *out);
/** Whether argument `index` needs a gradient (false for non-tensors). Readable in forward too. */
autograd_status_t autograd_context_needs_input_grad(const autograd_context_t *ctx, size_t index, bool *out);
/** Stores a non-tensor value under `key` for backward (PyTorch's ctx.saved_data). */
autograd_status_t autograd_context_set_int64(autograd_context_t *ctx, const char *key, int64_t value);
autograd_status_t autograd_context_set_double(autograd_context_t *ctx, const char *key, double value);
/** Stores a copy of the string. */
autograd_status_t autograd_context_set_string(autograd_context_t *ctx, const char *key, const char *value);
autograd_status_t autograd_context_get_int64(const autograd_context_t *ctx, const char *key, int64_t *out);
autograd_status_t autograd_context_get_double(const autograd_context_t *ctx, const char *key, double *out);
/** A copy of the string; the caller frees *out with autograd_string_free. */
autograd_status_t autograd_context_get_string(const autograd_context_t *ctx, const char *key, char **out);
/** Declares outputs without a gradient (backward still gets a slot for each). */
autograd_status_t autograd_context_mark_non_differentiable(autograd_context_t *ctx,
                                                           autograd_tensor_t *const *tensors, size_t count);
/** Declares inputs that forward modified in place; they must be returned as outputs. */
autograd_status_t autograd_context_mark_dirty(autograd_context_t *ctx, autograd_tensor_t *const *tensors,
                                              size_t count);
/** true (the default): missing output gradients reach backward as zeros; false: as NULL. */
autograd_status_t autograd_context_set_materialize_grads(autograd_context_t *ctx, bool value);
/**
 * Records why the callback is failing (copied); return nonzero afterwards. The
 * caller of autograd_function_apply / autograd_backward gets
 * AUTOGRAD_ERROR_FUNCTION with "<name>.forward failed: <message>" or
 * "<name>Backward failed: <message>". (A callback that returns the status of a
 * failed library call instead passes that failure on unchanged.)
 */
autograd_status_t autograd_context_set_error(autograd_context_t *ctx, const char *message);

/* MARK: Hooks, retain_grad, grad_fn */

/**
 * The context of one running hook, valid during that call only: the hook
 * reports why it fails with autograd_hook_context_set_error(ctx, message),
 * as a Function's callback does with autograd_context_set_error.
 */
typedef struct autograd_hook_context_t autograd_hook_context_t;

/**
 * A hook on a tensor's gradient, run each time that gradient is computed:
 * on an output, before its grad_fn's pre-hooks; on a leaf, before the
 * gradient is accumulated into its grad.
 * - ctx: this call's context (for autograd_hook_context_set_error).
 * - grad: borrowed, valid during this call only.
 * - replacement: NULL on entry; store a new handle (owned by the library from
 *   then on, also when the hook fails) to replace the gradient, of the same
 *   dtype and shape, or leave NULL to keep it.
 * Returns AUTOGRAD_OK; nonzero after autograd_hook_context_set_error (the
 * caller of backward gets AUTOGRAD_ERROR_FUNCTION, "tensor hook failed:
 * <message>"); or the status of a library call that failed inside it, which
 * passes that failure on unchanged.
 */
typedef autograd_status_t (*autograd_tensor_hook_t)(autograd_hook_context_t *ctx, const autograd_tensor_t *grad,
                                                    autograd_tensor_t **replacement, void *user_data);
/**
 * Runs before a node's backward (PyTorch's grad_fn.register_prehook), on the
 * gradients of its outputs: grad_outputs[0..<n_grad_outputs], borrowed; an
 * entry is NULL for an output no gradient reached. replacements has
 * n_grad_outputs slots, NULL on entry: store a new handle (owned by the
 * library) to replace that gradient, same dtype and shape. ctx and failing
 * as for a tensor hook.
 */
typedef autograd_status_t (*autograd_node_prehook_t)(autograd_hook_context_t *ctx,
                                                     const autograd_tensor_t *const *grad_outputs,
                                                     size_t n_grad_outputs, autograd_tensor_t **replacements,
                                                     void *user_data);
/**
 * Runs after a node's backward (PyTorch's grad_fn.register_hook), given the
 * gradients it computed for its inputs, grad_inputs[0..<n_grad_inputs] (one per
 * forward argument; NULL for non-tensors and where none flows), and the
 * gradients of its outputs, all borrowed. replacements has n_grad_inputs
 * slots, NULL on entry: store a new handle (owned by the library) to replace
 * that input's gradient, same dtype and shape. ctx and failing as for a
 * tensor hook.
 */
typedef autograd_status_t (*autograd_node_hook_t)(autograd_hook_context_t *ctx,
                                                  const autograd_tensor_t *const *grad_inputs, size_t n_grad_inputs,
                                                  const autograd_tensor_t *const *grad_outputs,
                                                  size_t n_grad_outputs, autograd_tensor_t **replacements,
                                                  void *user_data);

/*
 * The order within one backward is PyTorch's: the hooks on an output tensor,
 * then its grad_fn's pre-hooks, its backward, its post-hooks, then the hooks
 * on the input tensors; hooks of one kind run in the order they were
 * registered. A hook's `destroy(user_data)` (may be NULL) is called once, when
 * the tensor (for a leaf) or the grad_fn node (for an output and for node
 * hooks) that holds it is freed: when no handle and no graph uses it any
 * more. On a failed registration it is not called and user_data stays the
 * caller's.
 */

/**
 * Registers a hook on the tensor's gradient (PyTorch's register_hook). The
 * tensor must require grad (AUTOGRAD_ERROR_INVALID_ARGUMENT otherwise).
 */
autograd_status_t autograd_tensor_register_hook(autograd_tensor_t *tensor, autograd_tensor_hook_t hook,
                                                void *user_data, autograd_destructor_t destroy);
/**
 * Keeps a non-leaf tensor's gradient in its grad during backward (PyTorch's
 * retain_grad()); nothing to do for a leaf. The tensor must require grad.
 */
autograd_status_t autograd_tensor_retain_grad(autograd_tensor_t *tensor);
/**
 * The name of the node that made the tensor (PyTorch's grad_fn.name()), e.g.
 * "MulBackward" or "<name>Backward" for a custom Function; *out is NULL for a
 * leaf. The caller frees *out with autograd_string_free.
 */
autograd_status_t autograd_tensor_grad_fn_name(const autograd_tensor_t *tensor, char **out);
/** Registers a pre-hook on the tensor's grad_fn; AUTOGRAD_ERROR_INVALID_ARGUMENT for a leaf. */
autograd_status_t autograd_tensor_grad_fn_register_prehook(autograd_tensor_t *tensor, autograd_node_prehook_t hook,
                                                           void *user_data, autograd_destructor_t destroy);
/** Registers a (post-)hook on the tensor's grad_fn; AUTOGRAD_ERROR_INVALID_ARGUMENT for a leaf. */
autograd_status_t autograd_tensor_grad_fn_register_hook(autograd_tensor_t *tensor, autograd_node_hook_t hook,
                                                        void *user_data, autograd_destructor_t destroy);
/**
 * Records why this hook call is failing (copied); return nonzero from the
 * hook afterwards (PyTorch: raising in the hook). A stale ctx (a finished
 * call's) is AUTOGRAD_ERROR_INVALID_HANDLE.
 */
autograd_status_t autograd_hook_context_set_error(autograd_hook_context_t *ctx, const char *message);
/**
 * The same for the hook running on this thread, without its context (the
 * form before 0.2). AUTOGRAD_ERROR_INVALID_ARGUMENT outside a hook.
 */
autograd_status_t autograd_hook_set_error(const char *message);

/* MARK: gradcheck */

/** PyTorch's gradcheck defaults. */
#define AUTOGRAD_GRADCHECK_EPS 1e-6
#define AUTOGRAD_GRADCHECK_ATOL 1e-5
#define AUTOGRAD_GRADCHECK_RTOL 1e-3

/**
 * Compares the Function's backward on `args` with central finite differences
 * (PyTorch's gradcheck); the inputs checked are the float64 tensor arguments
 * that require grad. *passed (may be NULL) gets the verdict; a mismatch also
 * returns AUTOGRAD_ERROR_GRADCHECK with both Jacobians in the message.
 */
autograd_status_t autograd_gradcheck(const autograd_function_t *function, const autograd_args_t *args, double eps,
                                     double atol, double rtol, bool *passed);
/** The same for second derivatives (PyTorch's gradgradcheck). */
autograd_status_t autograd_gradgradcheck(const autograd_function_t *function, const autograd_args_t *args,
                                         double eps, double atol, double rtol, bool *passed);
/** gradcheck of a library op, by name (as autograd_op). */
autograd_status_t autograd_gradcheck_op(const char *name, const autograd_args_t *args, double eps, double atol,
                                        double rtol, bool *passed);

#ifdef __cplusplus
}
#endif

#ifdef AUTOGRAD_WITH_KERNELS
#include "autograd_kernels.h"
#endif

#endif /* AUTOGRAD_H */
