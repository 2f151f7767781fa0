/* Custom Functions from C that break the rules: every mistake comes back as a
 * status and the Swift library's message, never as a crash. */
#include "check.h"

#define F64 AUTOGRAD_FLOAT64

/* What each test Function's backward does wrong. */
enum mode { GOOD, FEW_GRADS, BAD_SHAPE, NON_TENSOR_GRAD, FAIL_WITH_MESSAGE, FAIL_SILENTLY, FAIL_IN_LIBRARY,
            FAIL_IN_C_API, FAIL_OTHERWISE, GARBAGE_HANDLE, TOO_MANY_OUTPUTS, FORWARD_IN_C_API, NO_OUTPUTS };

/* f(x, k: int64) = x * 2; forward fails when x holds a negative value */
static autograd_status_t fwd(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                             size_t cap, size_t *n_out, void *user) {
    enum mode m = *(enum mode *)user;
    autograd_tensor_t *x = NULL;
    double v[64];
    autograd_status_t status = autograd_args_tensor(args, 0, &x);
    if (status != AUTOGRAD_OK) return status;
    size_t n = values(x, v);
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0) {
            autograd_tensor_free(x);
            autograd_context_set_error(ctx, "negative input");
            return 1;
        }
    if (m == FORWARD_IN_C_API) {
        autograd_tensor_free(x);
        return autograd_args_tensor(args, 0, NULL); /* passes NULL_ARGUMENT on */
    }
    if (m == GARBAGE_HANDLE) {
        out[0] = (autograd_tensor_t *)(uintptr_t)0x10;
        *n_out = 1;
    } else if (m == TOO_MANY_OUTPUTS) {
        *n_out = cap + 1;
    } else if (m == NO_OUTPUTS) {
        *n_out = 0; /* as a Python ctypes callback that raised: returns 0, stores nothing */
    } else {
        status = autograd_mul_scalar(x, 2, &out[0]);
        *n_out = 1;
    }
    autograd_tensor_free(x);
    return status;
}

static autograd_status_t bwd(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                             autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ngy, (void)cap;
    enum mode m = *(enum mode *)user;
    autograd_tensor_t *wrong = NULL;
    switch (m) {
    case FEW_GRADS:
        *ngx = 1; /* two forward arguments, one gradient */
        return autograd_mul_scalar(gy[0], 2, &gx[0]);
    case BAD_SHAPE:
        gx[0] = VEC(F64, false, 1, 2, 3);
        return AUTOGRAD_OK;
    case NON_TENSOR_GRAD:
        gx[1] = VEC(F64, false, 1);
        return autograd_mul_scalar(gy[0], 2, &gx[0]);
    case FAIL_WITH_MESSAGE:
        autograd_context_set_error(ctx, "backward says no");
        return 7;
    case FAIL_SILENTLY:
        return 42;
    case FAIL_IN_LIBRARY: {
        autograd_tensor_t *three = VEC(F64, false, 1, 2, 3);
        autograd_status_t s = autograd_add(gy[0], three, &wrong); /* [2] + [3]: fails */
        autograd_tensor_free(three);
        return s;
    }
    case FAIL_IN_C_API: /* a NULL out-parameter */
        return autograd_context_saved_tensors(ctx, gx, 1, NULL);
    case FAIL_OTHERWISE: { /* a library call fails, the callback returns another status */
        autograd_tensor_t *three = VEC(F64, false, 1, 2, 3);
        autograd_add(gy[0], three, &wrong);
        autograd_tensor_free(three);
        return 99;
    }
    default:
        return autograd_mul_scalar(gy[0], 2, &gx[0]);
    }
}

/* Applies a Function with backward mode `m` to (x, 5) and runs backward;
 * returns backward's status. */
static autograd_status_t run_mode(const char *name, enum mode *m, const double *xs) {
    autograd_function_t *f = NULL;
    autograd_tensor_t *x = make(F64, xs, 1, (const int64_t[]){2}, true), *y = NULL, *L = NULL;
    autograd_args_t *args = NULL;
    size_t n = 0;
    OK(autograd_function_new(name, fwd, bwd, m, NULL, &f));
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, 5));
    autograd_status_t status = autograd_function_apply(f, args, &y, 1, &n);
    if (status == AUTOGRAD_OK) {
        OK(autograd_sum(y, &L));
        status = autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false);
    }
    autograd_tensor_free(x), autograd_tensor_free(y), autograd_tensor_free(L);
    autograd_args_free(args);
    autograd_function_free(f);
    return status;
}

static void test_backward_contracts(void) {
    const double ok_x[] = {1, 2}, negative_x[] = {1, -2};
    enum mode m;
    m = GOOD;
    OK(run_mode("good", &m, ok_x));
    m = FEW_GRADS;
    EXPECT_ERROR(run_mode("TooFew", &m, ok_x), AUTOGRAD_ERROR_INVALID_GRADIENT,
                 "function TooFewBackward returned an incorrect number of gradients (expected 2, got 1)");
    m = BAD_SHAPE;
    EXPECT_ERROR(run_mode("WrongShape", &m, ok_x), AUTOGRAD_ERROR_INVALID_GRADIENT,
                 "Function WrongShapeBackward returned an invalid gradient at index 0 - got [3] but expected shape "
                 "compatible with [2]");
    m = NON_TENSOR_GRAD;
    EXPECT_ERROR(run_mode("NonTensorArg", &m, ok_x), AUTOGRAD_ERROR_INVALID_GRADIENT,
                 "function NonTensorArgBackward returned a gradient different than None at position 2, but the "
                 "corresponding forward input was not a Variable");
    m = FAIL_WITH_MESSAGE;
    EXPECT_ERROR(run_mode("refuse", &m, ok_x), AUTOGRAD_ERROR_FUNCTION, "refuseBackward failed: backward says no");
    m = FAIL_SILENTLY;
    EXPECT_ERROR(run_mode("silent", &m, ok_x), AUTOGRAD_ERROR_FUNCTION,
                 "silentBackward failed: the backward callback returned status 42 without a message");
    /* returning the status of a library call that failed passes that failure on unchanged */
    m = FAIL_IN_LIBRARY;
    EXPECT_ERROR(run_mode("lib", &m, ok_x), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "add: The size of tensor a (2) must match the size of tensor b (3)");
    EXPECT(strncmp(autograd_last_error(), "add: ", 5) == 0);
    m = FAIL_IN_C_API;
    EXPECT_ERROR(run_mode("capi", &m, ok_x), AUTOGRAD_ERROR_NULL_ARGUMENT, "autograd_context_saved_tensors: count is NULL");
    EXPECT(strncmp(autograd_last_error(), "autograd_context_saved_tensors: ", 32) == 0);
    /* another status: a failed callback, with the library's message */
    m = FAIL_OTHERWISE;
    EXPECT_ERROR(run_mode("other", &m, ok_x), AUTOGRAD_ERROR_FUNCTION,
                 "otherBackward failed: add: The size of tensor a (2) must match the size of tensor b (3)");
    m = GOOD;
    EXPECT_ERROR(run_mode("checked", &m, negative_x), AUTOGRAD_ERROR_FUNCTION,
                 "checked.forward failed: negative input");
    m = GARBAGE_HANDLE;
    EXPECT_ERROR(run_mode("garbage", &m, ok_x), AUTOGRAD_ERROR_FUNCTION,
                 "garbage.forward failed: outputs[0] is not a live autograd_tensor_t handle");
    m = FORWARD_IN_C_API;
    EXPECT_ERROR(run_mode("fwd", &m, ok_x), AUTOGRAD_ERROR_NULL_ARGUMENT, "autograd_args_tensor: out is NULL");
    EXPECT(strncmp(autograd_last_error(), "autograd_args_tensor: ", 22) == 0);
    m = TOO_MANY_OUTPUTS;
    EXPECT_ERROR(run_mode("many", &m, ok_x), AUTOGRAD_ERROR_FUNCTION, "many.forward failed: the callback reported 17 outputs");
    m = NO_OUTPUTS;
    EXPECT_ERROR(run_mode("none", &m, ok_x), AUTOGRAD_ERROR_FUNCTION,
                 "none.forward failed: the callback returned no outputs (*n_outputs is 0)");
}

/* A wrong backward fails gradcheck with the Jacobians in the message. */
static autograd_status_t wrong_bwd(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                   autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ctx, (void)ngy, (void)cap, (void)ngx, (void)user;
    return autograd_mul_scalar(gy[0], 3, &gx[0]); /* forward multiplies by 2 */
}

static void test_gradcheck_failure(void) {
    enum mode m = GOOD;
    autograd_function_t *f = NULL;
    OK(autograd_function_new("wrong", fwd, wrong_bwd, &m, NULL, &f));
    autograd_tensor_t *x = VEC(F64, true, 1, 2);
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, 5));
    bool passed = true;
    EXPECT_ERROR(autograd_gradcheck(f, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL,
                                    &passed),
                 AUTOGRAD_ERROR_GRADCHECK, "Jacobian mismatch for output 0 with respect to input 0,\nnumerical:");
    EXPECT(!passed);
    /* no input requires grad */
    autograd_tensor_t *plain = VEC(F64, false, 1, 2);
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, plain));
    EXPECT_ERROR(autograd_gradcheck(f, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL,
                                    &passed),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "expects at least one input tensor to require gradient");
    autograd_tensor_free(x), autograd_tensor_free(plain);
    autograd_args_free(args);
    autograd_function_free(f);
}

static void test_registration_errors(void) {
    enum mode m = GOOD;
    autograd_function_t *f = (autograd_function_t *)0x1;
    EXPECT_ERROR(autograd_function_new(NULL, fwd, bwd, &m, NULL, &f), AUTOGRAD_ERROR_NULL_ARGUMENT, "name is NULL");
    EXPECT_ERROR(autograd_function_new("f", NULL, bwd, &m, NULL, &f), AUTOGRAD_ERROR_NULL_ARGUMENT, "forward is NULL");
    EXPECT_ERROR(autograd_function_new("f", fwd, NULL, &m, NULL, &f), AUTOGRAD_ERROR_NULL_ARGUMENT, "backward is NULL");
    EXPECT_ERROR(autograd_function_new("", fwd, bwd, &m, NULL, &f), AUTOGRAD_ERROR_INVALID_ARGUMENT, "name is empty");
    EXPECT(f == (autograd_function_t *)0x1);
}

int main(void) {
    test_backward_contracts();
    test_gradcheck_failure();
    test_registration_errors();
    return finish("test_contracts");
}
