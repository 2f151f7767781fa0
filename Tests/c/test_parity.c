/* Two ports of the parity set (docs/PORTING.md) written in C against the C API
 * and checked against PyTorch's values, as the Swift ports are in
 * Tests/AutogradTests/ParityTests.swift:
 *  - LegendrePolynomial3 (tutorial "polynomial_custom_function"),
 *    P3(x) = ½(5x³ − 3x), whose callbacks run the C kernels of
 *    CSources/ExampleKernels/legendre_polynomial3.c;
 *  - MulConstant ("Extending torch.autograd"), y = x·c with c a double given
 *    to apply and kept on the context, whose callbacks run library ops.
 * The numbers come from parity_fixtures.h (scripts/fixtures/parity_c.py, a
 * copy of Tests/AutogradTests/Fixtures/parity.json): forward outputs and input
 * gradients within 1e-6 relative in float32 and 1e-12 in float64, MulConstant's
 * second derivatives, gradcheck in float64, the graph freed after backward,
 * and every handle freed at the end. */
#include "check.h"
#include "legendre_polynomial3.h"
#include "parity_fixtures.h"

#define TRY(call)                                         \
    do {                                                  \
        if ((status = (call)) != AUTOGRAD_OK) goto done;  \
    } while (0)

/* A new, uninitialised tensor with x's shape and dtype. */
static autograd_status_t empty_like(const autograd_tensor_t *x, autograd_tensor_t **out) {
    int64_t shape[8];
    size_t ndim;
    autograd_dtype_t dtype;
    autograd_status_t status = autograd_tensor_shape(x, shape, 8, &ndim);
    if (status == AUTOGRAD_OK) status = autograd_tensor_dtype(x, &dtype);
    if (status == AUTOGRAD_OK) status = autograd_tensor_empty(shape, ndim, dtype, out);
    return status;
}

/* MARK: LegendrePolynomial3 */

/* forward(ctx, x): saves x, returns y = 0.5·(5x³ − 3x). */
static autograd_status_t legendre_forward(autograd_context_t *ctx, const autograd_args_t *args,
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
    TRY(autograd_tensor_dtype(x, &dtype));
    if (dtype != AUTOGRAD_FLOAT32 && dtype != AUTOGRAD_FLOAT64) {
        autograd_context_set_error(ctx, "legendre_polynomial3 takes a float32 or float64 tensor");
        status = AUTOGRAD_ERROR_INVALID_ARGUMENT;
        goto done;
    }
    TRY(autograd_context_save_for_backward(ctx, &x, 1));
    TRY(empty_like(x, &y));
    TRY(autograd_tensor_numel(x, &n));
    TRY(autograd_tensor_data(x, &xp));
    TRY(autograd_tensor_mutable_data(y, &yp));
    if (dtype == AUTOGRAD_FLOAT32) legendre_polynomial3_forward_f32(xp, yp, (int64_t)n);
    else legendre_polynomial3_forward_f64(xp, yp, (int64_t)n);
    outputs[0] = y; /* the library owns it now */
    y = NULL;
    *n_outputs = 1;
done:
    autograd_tensor_free(x);
    autograd_tensor_free(y);
    return status;
}

/* backward(ctx, dL/dy): dL/dx = dL/dy · 1.5 · (5x² − 1). */
static autograd_status_t legendre_backward(autograd_context_t *ctx, const autograd_tensor_t *const *grad_outputs,
                                           size_t n_grad_outputs, autograd_tensor_t **grad_inputs, size_t capacity,
                                           size_t *n_grad_inputs, void *user_data) {
    (void)n_grad_outputs, (void)capacity, (void)n_grad_inputs, (void)user_data;
    autograd_tensor_t *x = NULL, *dx = NULL;
    autograd_dtype_t dtype, dy_dtype;
    size_t n, dy_n, count;
    const void *xp, *dyp;
    void *dxp;
    autograd_status_t status;
    TRY(autograd_context_saved_tensors(ctx, &x, 1, &count)); /* fails once the graph is freed */
    TRY(autograd_tensor_dtype(x, &dtype));
    TRY(autograd_tensor_dtype(grad_outputs[0], &dy_dtype));
    TRY(autograd_tensor_numel(x, &n));
    TRY(autograd_tensor_numel(grad_outputs[0], &dy_n));
    if (dy_dtype != dtype || dy_n != n) {
        autograd_context_set_error(ctx, "the gradient does not match the input's dtype and size");
        status = AUTOGRAD_ERROR_INVALID_ARGUMENT;
        goto done;
    }
    TRY(empty_like(x, &dx));
    TRY(autograd_tensor_data(x, &xp));
    TRY(autograd_tensor_data(grad_outputs[0], &dyp));
    TRY(autograd_tensor_mutable_data(dx, &dxp));
    if (dtype == AUTOGRAD_FLOAT32) legendre_polynomial3_backward_f32(xp, dyp, dxp, (int64_t)n);
    else legendre_polynomial3_backward_f64(xp, dyp, dxp, (int64_t)n);
    grad_inputs[0] = dx; /* the library owns it now */
    dx = NULL;
done:
    autograd_tensor_free(x);
    autograd_tensor_free(dx);
    return status;
}

/* MARK: MulConstant */

/* forward(ctx, x, c): keeps c (a double) on ctx, returns x · c. */
static autograd_status_t mul_constant_forward(autograd_context_t *ctx, const autograd_args_t *args,
                                              autograd_tensor_t **outputs, size_t capacity, size_t *n_outputs,
                                              void *user_data) {
    (void)capacity, (void)user_data;
    autograd_tensor_t *x = NULL;
    double constant = 0;
    autograd_status_t status;
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_args_double(args, 1, &constant));
    TRY(autograd_context_set_double(ctx, "constant", constant)); /* PyTorch: ctx.constant = constant */
    TRY(autograd_mul_scalar(x, constant, &outputs[0]));
    *n_outputs = 1;
done:
    autograd_tensor_free(x);
    return status;
}

/* backward(ctx, dL/dy): dL/dx = dL/dy · c, and NULL for the constant. A
 * library op, so with create_graph the backward is differentiable again. */
static autograd_status_t mul_constant_backward(autograd_context_t *ctx, const autograd_tensor_t *const *grad_outputs,
                                               size_t n_grad_outputs, autograd_tensor_t **grad_inputs, size_t capacity,
                                               size_t *n_grad_inputs, void *user_data) {
    (void)n_grad_outputs, (void)capacity, (void)n_grad_inputs, (void)user_data;
    double constant = 0;
    autograd_status_t status = autograd_context_get_double(ctx, "constant", &constant);
    if (status == AUTOGRAD_OK) status = autograd_mul_scalar(grad_outputs[0], constant, &grad_inputs[0]);
    return status; /* grad_inputs[1] stays NULL: c is not a tensor */
}

/* MARK: Helpers */

static bool is_mul_constant(const parity_case_t *c) { return strcmp(c->op, "mul_constant") == 0; }

/* A tensor of the case's dtype and shape holding `data`. */
static autograd_tensor_t *case_tensor(const parity_case_t *c, const double *data, bool requires_grad) {
    return make(c->float64 ? AUTOGRAD_FLOAT64 : AUTOGRAD_FLOAT32, data, c->ndim, c->shape, requires_grad);
}

/* The arguments of apply: x, and the constant for MulConstant. */
static autograd_args_t *case_args(const parity_case_t *c, const autograd_tensor_t *x) {
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    if (is_mul_constant(c)) OK(autograd_args_push_double(args, c->constant));
    return args;
}

static autograd_tensor_t *apply(const autograd_function_t *fn, const autograd_args_t *args) {
    autograd_tensor_t *y = NULL;
    size_t n = 0;
    OK(autograd_function_apply(fn, args, &y, 1, &n));
    EXPECT(n == 1);
    return y;
}

/* Expects `t` to have the case's dtype and shape, and values within
 * |a − e| <= tol + tol·|e| of `expected` (tol 1e-6 in float32, 1e-12 in float64,
 * as the Swift tests' tolerance(dtype)), scaled by `scale`. */
static void expect_close(const parity_case_t *c, const char *what, const autograd_tensor_t *t, const double *expected,
                         double scale) {
    const double tol = c->float64 ? 1e-12 : 1e-6;
    autograd_dtype_t dtype = -1;
    int64_t shape[8] = {0};
    size_t ndim = 0;
    double v[64];
    checks_run++;
    if (t == NULL) {
        FAIL_AT("%s: %s is missing", c->name, what);
        return;
    }
    autograd_tensor_dtype(t, &dtype);
    autograd_tensor_shape(t, shape, 8, &ndim);
    if (dtype != (c->float64 ? AUTOGRAD_FLOAT64 : AUTOGRAD_FLOAT32) || ndim != c->ndim || shape[0] != c->shape[0] ||
        (ndim == 2 && shape[1] != c->shape[1])) {
        FAIL_AT("%s: %s has dtype %d and %zu dims", c->name, what, (int)dtype, ndim);
        return;
    }
    if (values(t, v) != c->count) {
        FAIL_AT("%s: %s has the wrong number of elements", c->name, what);
        return;
    }
    for (size_t i = 0; i < c->count; i++) {
        double e = expected[i] * scale;
        if (!(fabs(v[i] - e) <= tol + tol * fabs(e))) {
            FAIL_AT("%s: %s[%zu] = %.17g, PyTorch %.17g", c->name, what, i, v[i], e);
            return;
        }
    }
}

/* MARK: Checks */

/* Forward and backward against PyTorch, then the graph freed by backward. */
static void check_case(const autograd_function_t *fn, const parity_case_t *c) {
    autograd_tensor_t *x = case_tensor(c, c->input, true), *gy = case_tensor(c, c->grad_output, false);
    autograd_args_t *args = case_args(c, x);
    autograd_tensor_t *y = apply(fn, args), *gx = NULL;
    expect_close(c, "output", y, c->output, 1);
    char grad_fn[64];
    snprintf(grad_fn, sizeof grad_fn, "grad_fn=<%sBackward>", c->op);
    EXPECT(strstr(str(y), grad_fn) != NULL);

    OK(autograd_backward(y, gy, 0, false));
    expect_close(c, "x.grad", gx = grad_of(x), c->grad, 1);
    autograd_tensor_free(gx);
    if (is_mul_constant(c)) {
        /* MulConstant saves no tensors, so nothing was freed: as in PyTorch, a
         * second backward works and accumulates. */
        OK(autograd_backward(y, gy, 0, false));
        expect_close(c, "x.grad after two backwards", gx = grad_of(x), c->grad, 2);
    } else {
        /* LegendrePolynomial3 saved x, freed by the first backward: the
         * callback's saved_tensors fails, the callback returns that status,
         * and the caller gets PyTorch's error unchanged (as in PyTorch). */
        EXPECT_ERROR(autograd_backward(y, gy, 0, false), AUTOGRAD_ERROR_GRAPH,
                     "Trying to backward through the graph a second time");
        EXPECT(strncmp(autograd_last_error(), "Trying to backward", 18) == 0);
        expect_close(c, "x.grad after the failed backward", gx = grad_of(x), c->grad, 1);
    }
    autograd_tensor_free(gx);
    autograd_tensor_free(y);

    /* With retain_graph the graph stays for a second backward, which accumulates. */
    OK(autograd_tensor_zero_grad(x));
    y = apply(fn, args);
    OK(autograd_backward(y, gy, 1, false));
    OK(autograd_backward(y, gy, 0, false));
    expect_close(c, "x.grad with retain_graph", gx = grad_of(x), c->grad, 2);
    autograd_tensor_free(gx);
    autograd_tensor_free(y);

    /* A product after the op saves its operands, so for both ops a second
     * backward through L = sum(y · y) without retain_graph fails. */
    autograd_tensor_t *yy = NULL, *loss = NULL;
    y = apply(fn, args);
    OK(autograd_mul(y, y, &yy));
    OK(autograd_sum(yy, &loss));
    OK(autograd_backward(loss, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT_ERROR(autograd_backward(loss, NULL, AUTOGRAD_RETAIN_DEFAULT, false), AUTOGRAD_ERROR_GRAPH,
                 "second time");
    autograd_tensor_free(loss), autograd_tensor_free(yy), autograd_tensor_free(y);
    autograd_args_free(args);
    autograd_tensor_free(gy), autograd_tensor_free(x);
}

/* MulConstant's second derivatives: with g = grad(y, x, v, create_graph) and
 * u the fixture's second grad output, grad(g, (x, v), u) is (none, c·u). */
static void check_second_order(const autograd_function_t *fn, const parity_case_t *c) {
    autograd_tensor_t *x = case_tensor(c, c->input, true), *v = case_tensor(c, c->grad_output, true),
                      *u = case_tensor(c, c->second_grad_output, false);
    autograd_args_t *args = case_args(c, x);
    autograd_tensor_t *y = apply(fn, args), *g = NULL, *g2[2] = {NULL, NULL};
    OK(autograd_grad((autograd_tensor_t *[]){y}, 1, (autograd_tensor_t *[]){x}, 1,
                     (autograd_tensor_t *[]){v}, AUTOGRAD_RETAIN_DEFAULT, true, false, &g));
    expect_close(c, "grad with create_graph", g, c->grad, 1);
    OK(autograd_grad((autograd_tensor_t *[]){g}, 1, (autograd_tensor_t *[]){x, v}, 2,
                     (autograd_tensor_t *[]){u}, 0, false, true, g2));
    EXPECT(g2[0] == NULL); /* the gradient c·v does not depend on x */
    expect_close(c, "second grad wrt grad_output", g2[1], c->second_grad_v, 1);
    autograd_tensor_free(g2[0]), autograd_tensor_free(g2[1]), autograd_tensor_free(g);
    autograd_tensor_free(y);
    autograd_args_free(args);
    autograd_tensor_free(u), autograd_tensor_free(v), autograd_tensor_free(x);
}

/* gradcheck in float64 on the case's input (and gradgradcheck for MulConstant,
 * whose backward is a library op; LegendrePolynomial3's is a C kernel). */
static void check_gradcheck(const autograd_function_t *fn, const parity_case_t *c) {
    autograd_tensor_t *x = case_tensor(c, c->input, true);
    autograd_args_t *args = case_args(c, x);
    bool passed = false;
    OK(autograd_gradcheck(fn, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL,
                          &passed));
    EXPECT(passed);
    if (is_mul_constant(c)) {
        passed = false;
        OK(autograd_gradgradcheck(fn, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL,
                                  &passed));
        EXPECT(passed);
    }
    autograd_args_free(args);
    autograd_tensor_free(x);
}

/* Bad inputs come back as statuses with the callbacks' words. */
static void check_bad_inputs(const autograd_function_t *legendre, const autograd_function_t *mul_constant) {
    autograd_tensor_t *index = NULL, *x = VEC(AUTOGRAD_FLOAT64, true, 1, 2), *y = NULL;
    autograd_args_t *args = NULL;
    size_t n = 0;
    OK(autograd_tensor_new((const int64_t[]){1, 2}, AUTOGRAD_INT64, (const int64_t[]){2}, 1, &index));
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, index));
    EXPECT_ERROR(autograd_function_apply(legendre, args, &y, 1, &n), AUTOGRAD_ERROR_FUNCTION,
                 "legendre_polynomial3.forward failed: legendre_polynomial3 takes a float32 or float64 tensor");
    autograd_args_free(args);
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_string(args, "2.5"));
    /* forward returns the status of autograd_args_double, which passes its failure on */
    EXPECT_ERROR(autograd_function_apply(mul_constant, args, &y, 1, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "autograd_args_double: argument 1 is a string, not a double");
    EXPECT(y == NULL);
    autograd_args_free(args);
    autograd_tensor_free(x), autograd_tensor_free(index);
}

int main(void) {
    autograd_function_t *legendre = NULL, *mul_constant = NULL;
    OK(autograd_function_new("legendre_polynomial3", legendre_forward, legendre_backward, NULL, NULL, &legendre));
    OK(autograd_function_new("mul_constant", mul_constant_forward, mul_constant_backward, NULL, NULL, &mul_constant));
    int cases[2][2] = {{0}}; /* [op][float64] */
    for (size_t i = 0; i < PARITY_CASE_COUNT; i++) {
        const parity_case_t *c = &parity_cases[i];
        const autograd_function_t *fn = is_mul_constant(c) ? mul_constant : legendre;
        cases[is_mul_constant(c)][c->float64]++;
        check_case(fn, c);
        if (c->second_grad_v != NULL) check_second_order(fn, c);
        if (c->float64) check_gradcheck(fn, c);
    }
    /* Every port is checked in both dtypes. */
    EXPECT(cases[0][0] > 0 && cases[0][1] > 0 && cases[1][0] > 0 && cases[1][1] > 0);
    check_bad_inputs(legendre, mul_constant);
    autograd_function_free(mul_constant);
    autograd_function_free(legendre);
    return finish("test_parity"); /* also checks that no handle is left alive */
}
