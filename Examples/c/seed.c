/*
 * The seed example in C: PyTorch's custom_tanh, y = 4·tanh(x/4), as a custom
 * Function whose forward and backward are C callbacks running the C kernels
 * of CSources/ExampleKernels/custom_tanh.c.
 *
 * Build and run from the repository root (Examples/c/README.md):
 *   swift build --product autograd
 *   LIB=$(swift build --product autograd --show-bin-path)
 *   cc -std=c11 -I CSources/CAutograd/include -I CSources/ExampleKernels/include \
 *      -I CSources/AutogradKernels/include \
 *      Examples/c/seed.c CSources/ExampleKernels/custom_tanh.c \
 *      -L "$LIB" -lautograd -Wl,-rpath,"$LIB" -lm -o seed && ./seed
 */
#include <stdio.h>
#include <stdlib.h>

#include "autograd.h"
#include "custom_tanh.h"

// Stops the program when a call fails, printing the library's message.
#define CHECK(call)                                                                       \
    do {                                                                                  \
        autograd_status_t status_ = (call);                                               \
        if (status_ != AUTOGRAD_OK) {                                                     \
            fprintf(stderr, "%s:%d: %s failed (%d): %s\n", __FILE__, __LINE__, #call,     \
                    (int)status_, autograd_last_error());                                 \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

// Inside a callback: on failure, jump to the callback's cleanup.
#define TRY(call)                           \
    do {                                    \
        if ((status = (call)) != AUTOGRAD_OK) goto done; \
    } while (0)

// A new, uninitialised tensor with x's shape and dtype.
static autograd_status_t empty_like(const autograd_tensor_t *x, autograd_tensor_t **out) {
    int64_t shape[8];
    size_t ndim;
    autograd_dtype_t dtype;
    autograd_status_t status = autograd_tensor_shape(x, shape, 8, &ndim);
    if (status == AUTOGRAD_OK) status = autograd_tensor_dtype(x, &dtype);
    if (status == AUTOGRAD_OK) status = autograd_tensor_empty(shape, ndim, dtype, out);
    return status;
}

// forward(ctx, x): saves x, returns y = 4·tanh(x/4).
static autograd_status_t custom_tanh_forward(autograd_context_t *ctx, const autograd_args_t *args,
                                             autograd_tensor_t **outputs, size_t capacity, size_t *n_outputs,
                                             void *user_data) {
    (void)capacity, (void)user_data;
    autograd_tensor_t *x = NULL, *y = NULL;
    autograd_dtype_t dtype;
    size_t n;
    const void *xp;
    void *yp;
    autograd_status_t status;
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_context_save_for_backward(ctx, &x, 1));
    TRY(empty_like(x, &y));
    TRY(autograd_tensor_dtype(x, &dtype));
    TRY(autograd_tensor_numel(x, &n));
    TRY(autograd_tensor_data(x, &xp));
    TRY(autograd_tensor_mutable_data(y, &yp));
    if (dtype == AUTOGRAD_FLOAT32) {
        custom_tanh_forward_f32(xp, yp, (int64_t)n);
    } else if (dtype == AUTOGRAD_FLOAT64) {
        custom_tanh_forward_f64(xp, yp, (int64_t)n);
    } else {
        autograd_context_set_error(ctx, "custom_tanh takes a float32 or float64 tensor");
        status = AUTOGRAD_ERROR_INVALID_ARGUMENT;
        goto done;
    }
    outputs[0] = y;  // the library owns it now
    y = NULL;
    *n_outputs = 1;
done:
    autograd_tensor_free(x);
    autograd_tensor_free(y);
    return status;
}

// backward(ctx, dL/dy): dL/dx = dL/dy · 1/cosh²(x/4).
static autograd_status_t custom_tanh_backward(autograd_context_t *ctx, const autograd_tensor_t *const *grad_outputs,
                                              size_t n_grad_outputs, autograd_tensor_t **grad_inputs,
                                              size_t capacity, size_t *n_grad_inputs, void *user_data) {
    (void)n_grad_outputs, (void)capacity, (void)n_grad_inputs, (void)user_data;
    autograd_tensor_t *x = NULL, *dx = NULL;
    autograd_dtype_t dtype;
    size_t n, count;
    const void *xp, *dyp;
    void *dxp;
    autograd_status_t status;
    TRY(autograd_context_saved_tensors(ctx, &x, 1, &count));
    TRY(empty_like(x, &dx));
    TRY(autograd_tensor_dtype(x, &dtype));
    TRY(autograd_tensor_numel(x, &n));
    TRY(autograd_tensor_data(x, &xp));
    TRY(autograd_tensor_data(grad_outputs[0], &dyp));
    TRY(autograd_tensor_mutable_data(dx, &dxp));
    if (dtype == AUTOGRAD_FLOAT32) {
        custom_tanh_backward_f32(xp, dyp, dxp, (int64_t)n);
    } else {
        custom_tanh_backward_f64(xp, dyp, dxp, (int64_t)n);
    }
    grad_inputs[0] = dx;  // the library owns it now
    dx = NULL;
done:
    autograd_tensor_free(x);
    autograd_tensor_free(dx);
    return status;
}

static void print_tensor(const char *label, const autograd_tensor_t *t) {
    char *text = NULL;
    CHECK(autograd_tensor_to_string(t, &text));
    printf("%s%s\n", label, text);
    autograd_string_free(text);
}

// y = custom_tanh(X); L = sum(y * y), for X = [0, 4] of `dtype`.
static void run(autograd_function_t *custom_tanh, autograd_dtype_t dtype, autograd_tensor_t **X,
                autograd_tensor_t **y, autograd_tensor_t **L) {
    const int64_t shape[] = {2};
    const float xs32[] = {0, 4};
    const double xs64[] = {0, 4};
    CHECK(autograd_tensor_new(dtype == AUTOGRAD_FLOAT32 ? (const void *)xs32 : (const void *)xs64, dtype, shape, 1, X));
    CHECK(autograd_tensor_set_requires_grad(*X, true));
    autograd_args_t *args = NULL;
    size_t n_outputs;
    CHECK(autograd_args_new(&args));
    CHECK(autograd_args_push_tensor(args, *X));
    CHECK(autograd_function_apply(custom_tanh, args, y, 1, &n_outputs));
    autograd_args_free(args);
    autograd_tensor_t *yy = NULL;
    CHECK(autograd_mul(*y, *y, &yy));
    CHECK(autograd_sum(yy, L));
    autograd_tensor_free(yy);
}

int main(void) {
    autograd_function_t *custom_tanh = NULL;
    CHECK(autograd_function_new("custom_tanh", custom_tanh_forward, custom_tanh_backward, NULL, NULL, &custom_tanh));

    printf("== The seed example in C: a custom Function with C kernels ==\n");
    printf("y = 4*tanh(x/4); X = [0, 4], L = sum(y*y), L.backward()\n\n");
    autograd_tensor_t *X, *y, *L, *grad;
    run(custom_tanh, AUTOGRAD_FLOAT32, &X, &y, &L);
    CHECK(autograd_backward(L, NULL, 1, false));  // retain the graph for a second backward
    print_tensor("X      = ", X);
    print_tensor("y      = ", y);
    print_tensor("L      = ", L);
    CHECK(autograd_tensor_grad(X, &grad));
    print_tensor("X.grad = ", grad);
    printf("         PyTorch prints tensor([0.0000, 2.5588])\n");
    float g[2];
    CHECK(autograd_tensor_copy_data(grad, g, sizeof g));
    printf("X.grad[1] = %.9g (float32; PyTorch: 2.558800458908081)\n", g[1]);
    autograd_tensor_free(grad);

    CHECK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    CHECK(autograd_tensor_grad(X, &grad));
    print_tensor("a second backward accumulates: X.grad = ", grad);
    autograd_tensor_free(grad);
    autograd_tensor_free(X), autograd_tensor_free(y), autograd_tensor_free(L);

    run(custom_tanh, AUTOGRAD_FLOAT64, &X, &y, &L);
    CHECK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    CHECK(autograd_tensor_grad(X, &grad));
    double g64[2];
    CHECK(autograd_tensor_copy_data(grad, g64, sizeof g64));
    printf("float64: X.grad[1] = %.15g (= 8*tanh(1)*sech^2(1); PyTorch: 2.558800033796898)\n", g64[1]);
    autograd_tensor_free(grad);
    autograd_tensor_free(X), autograd_tensor_free(y), autograd_tensor_free(L);

    // gradcheck in float64 on five points.
    const double points[] = {-3, -1, 0, 2, 5};
    const int64_t shape[] = {5};
    autograd_tensor_t *P;
    autograd_args_t *args;
    bool passed = false;
    CHECK(autograd_tensor_new(points, AUTOGRAD_FLOAT64, shape, 1, &P));
    CHECK(autograd_tensor_set_requires_grad(P, true));
    CHECK(autograd_args_new(&args));
    CHECK(autograd_args_push_tensor(args, P));
    CHECK(autograd_gradcheck(custom_tanh, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL,
                             AUTOGRAD_GRADCHECK_RTOL, &passed));
    printf("gradcheck(custom_tanh) in float64: %s\n", passed ? "passed" : "failed");
    autograd_args_free(args);
    autograd_tensor_free(P);
    autograd_function_free(custom_tanh);
    return passed ? 0 : 1;
}
