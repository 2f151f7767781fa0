/* Hooks from C (on tensors, before and after a grad_fn's backward) in
 * PyTorch's order, replacement gradients, retain_grad, hook destructors,
 * once-differentiable Functions, grad_fn names, and failing hooks coming back
 * as statuses with their messages. */
#include "check.h"

#define F64 AUTOGRAD_FLOAT64

/* What ran, in order: "y-hook pre backward post x-hook". */
static char events[256];
static void log_event(const char *e) {
    if (events[0]) strncat(events, " ", sizeof events - strlen(events) - 1);
    strncat(events, e, sizeof events - strlen(events) - 1);
}

static int destroyed[8];
static void destroy_counter(void *p) { (*(int *)p)++; }

/* twice(x) = 2x; backward logs "backward" and records whether grad mode is on */
static bool backward_grad_mode;
static autograd_status_t twice_forward(autograd_context_t *ctx, const autograd_args_t *args,
                                       autograd_tensor_t **out, size_t cap, size_t *n_out, void *user) {
    (void)ctx, (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    autograd_status_t s = autograd_args_tensor(args, 0, &x);
    if (!s) s = autograd_mul_scalar(x, 2, &out[0]);
    *n_out = 1;
    autograd_tensor_free(x);
    return s;
}
static autograd_status_t twice_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                        autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ctx, (void)ngy, (void)cap, (void)ngx, (void)user;
    log_event("backward");
    autograd_is_grad_enabled(&backward_grad_mode);
    return autograd_mul_scalar(gy[0], 2, &gx[0]);
}

/* cube(x) = x³, saving x; dL/dx = dL/dy · 3x² with library ops (differentiable) */
static autograd_status_t cube_forward(autograd_context_t *ctx, const autograd_args_t *args,
                                      autograd_tensor_t **out, size_t cap, size_t *n_out, void *user) {
    (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    autograd_status_t s = autograd_args_tensor(args, 0, &x);
    if (!s) s = autograd_context_save_for_backward(ctx, &x, 1);
    if (!s) s = autograd_pow_scalar(x, 3, &out[0]);
    *n_out = 1;
    autograd_tensor_free(x);
    return s;
}
static autograd_status_t cube_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                       autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ngy, (void)cap, (void)ngx, (void)user;
    autograd_tensor_t *x = NULL, *x2 = NULL, *d = NULL;
    size_t n = 0;
    autograd_is_grad_enabled(&backward_grad_mode);
    autograd_status_t s = autograd_context_saved_tensors(ctx, &x, 1, &n);
    if (!s) s = autograd_pow_scalar(x, 2, &x2);
    if (!s) s = autograd_mul_scalar(x2, 3, &d);
    if (!s) s = autograd_mul(gy[0], d, &gx[0]);
    autograd_tensor_free(x), autograd_tensor_free(x2), autograd_tensor_free(d);
    return s;
}

static autograd_tensor_t *apply1(const autograd_function_t *f, const autograd_tensor_t *x) {
    autograd_args_t *args = NULL;
    autograd_tensor_t *y = NULL;
    size_t n = 0;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_function_apply(f, args, &y, 1, &n));
    autograd_args_free(args);
    return y;
}

/* MARK: hooks that log, check and replace */

static double first_value(const autograd_tensor_t *t) {
    double v[64];
    return values(t, v) ? v[0] : NAN;
}

/* on y: sees dL/dy = 1, replaces it with 10 */
static autograd_status_t y_hook(autograd_hook_context_t *ctx, const autograd_tensor_t *g, autograd_tensor_t **replacement,
                                void *user) {
    (void)ctx;
    (void)user;
    log_event("y-hook");
    EXPECT(first_value(g) == 1);
    return autograd_mul_scalar(g, 10, replacement);
}
/* on twice's node, before backward: sees the replacement */
static autograd_status_t pre_hook(autograd_hook_context_t *ctx, const autograd_tensor_t *const *gy, size_t n,
                                autograd_tensor_t **replacements, void *user) {
    (void)ctx;
    (void)replacements, (void)user;
    log_event("pre");
    EXPECT(n == 1 && first_value(gy[0]) == 10);
    return AUTOGRAD_OK;
}
/* after backward: sees dL/dx = 20, replaces it with 21 */
static autograd_status_t post_hook(autograd_hook_context_t *ctx, const autograd_tensor_t *const *gx, size_t n_gx,
                                   const autograd_tensor_t *const *gy, size_t n_gy, autograd_tensor_t **replacements,
                                   void *user) {
    (void)ctx;
    (void)user;
    log_event("post");
    EXPECT(n_gx == 1 && n_gy == 1 && first_value(gx[0]) == 20 && first_value(gy[0]) == 10);
    return autograd_add_scalar(gx[0], 1, &replacements[0]);
}
/* two hooks on x, in registration order: the second sees the first's result */
static autograd_status_t x_hook(autograd_hook_context_t *ctx, const autograd_tensor_t *g, autograd_tensor_t **replacement,
                                void *user) {
    (void)ctx;
    (void)user;
    log_event("x-hook");
    EXPECT(first_value(g) == 21);
    return autograd_mul_scalar(g, 2, replacement);
}
static autograd_status_t x_hook2(autograd_hook_context_t *ctx, const autograd_tensor_t *g, autograd_tensor_t **replacement,
                                void *user) {
    (void)ctx;
    (void)replacement, (void)user;
    log_event("x-hook2");
    EXPECT(first_value(g) == 42);
    return AUTOGRAD_OK; /* keeps it */
}

static void test_order_and_replacements(const autograd_function_t *twice) {
    autograd_tensor_t *x = VEC(F64, true, 1, 2), *y = apply1(twice, x), *L = NULL, *g = NULL;
    memset(destroyed, 0, sizeof destroyed);
    OK(autograd_tensor_register_hook(x, x_hook, &destroyed[0], destroy_counter));
    OK(autograd_tensor_register_hook(x, x_hook2, &destroyed[1], destroy_counter));
    OK(autograd_tensor_register_hook(y, y_hook, &destroyed[2], destroy_counter));
    OK(autograd_tensor_grad_fn_register_prehook(y, pre_hook, &destroyed[3], destroy_counter));
    OK(autograd_tensor_grad_fn_register_hook(y, post_hook, &destroyed[4], destroy_counter));
    OK(autograd_sum(y, &L));
    events[0] = 0;
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT_STR(events, "y-hook pre backward post x-hook x-hook2"); /* PyTorch's order */
    EXPECT_VALUES(g = grad_of(x), 0, 42, 42);
    autograd_tensor_free(g);
    /* the hooks live as long as their tensor or node; then each destructor runs once */
    for (int i = 0; i < 5; i++) EXPECT(destroyed[i] == 0);
    autograd_tensor_free(L);
    autograd_tensor_free(y); /* the last reference to twice's node */
    EXPECT(destroyed[2] == 1 && destroyed[3] == 1 && destroyed[4] == 1);
    EXPECT(destroyed[0] == 0 && destroyed[1] == 0);
    autograd_tensor_free(x);
    for (int i = 0; i < 5; i++) EXPECT(destroyed[i] == 1);
}

/* docs/C-API.md's example: a hook that clips the gradient with a library op */
static autograd_hook_context_t *clip_context; /* kept to show a finished call's context is refused */
static autograd_status_t clip(autograd_hook_context_t *ctx, const autograd_tensor_t *grad, autograd_tensor_t **replacement,
                                void *user_data) {
    clip_context = ctx;
    (void)user_data;
    autograd_args_t *args;
    size_t n;
    autograd_status_t s = autograd_args_new(&args);
    if (!s) s = autograd_args_push_tensor(args, grad);
    if (!s) s = autograd_args_push_double(args, -1);
    if (!s) s = autograd_args_push_double(args, 1);
    if (!s) s = autograd_op("clamp", args, replacement, 1, &n); /* the library owns *replacement */
    autograd_args_free(args);
    return s;
}

static void test_clip(void) {
    autograd_tensor_t *x = VEC(F64, true, 0.5, 3), *y = NULL, *gy = VEC(F64, false, -4, 0.5), *g = NULL;
    OK(autograd_mul_scalar(x, 5, &y));
    OK(autograd_tensor_register_hook(y, clip, NULL, NULL));
    OK(autograd_backward(y, gy, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT_VALUES(g = grad_of(x), 0, -5, 2.5);
    autograd_tensor_free(x), autograd_tensor_free(y), autograd_tensor_free(gy), autograd_tensor_free(g);
}

/* MARK: retain_grad and grad_fn names */

static void test_retain_grad_and_names(const autograd_function_t *twice) {
    autograd_tensor_t *x = VEC(F64, true, 1, 2), *c = VEC(F64, false, 3, 4);
    autograd_tensor_t *y = apply1(twice, x), *z = NULL, *L = NULL, *g = NULL;
    OK(autograd_mul(y, c, &z));
    OK(autograd_sum(z, &L));
    OK(autograd_tensor_retain_grad(y));
    OK(autograd_tensor_retain_grad(y)); /* twice: still one gradient */
    OK(autograd_tensor_retain_grad(x)); /* a leaf keeps its gradient anyway */
    EXPECT_ERROR(autograd_tensor_retain_grad(c), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "can't retain_grad on Tensor that has requires_grad=False");
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT_VALUES(g = grad_of(y), 0, 3, 4);
    autograd_tensor_free(g);
    EXPECT(grad_of(z) == NULL); /* not retained */
    EXPECT_VALUES(g = grad_of(x), 0, 6, 8);
    autograd_tensor_free(g);

    char *name = (char *)"untouched";
    OK(autograd_tensor_grad_fn_name(x, &name));
    EXPECT(name == NULL); /* a leaf */
    OK(autograd_tensor_grad_fn_name(y, &name));
    EXPECT_STR(name, "twiceBackward");
    autograd_string_free(name);
    OK(autograd_tensor_grad_fn_name(z, &name));
    EXPECT_STR(name, "MulBackward");
    autograd_string_free(name);
    OK(autograd_tensor_grad_fn_name(L, &name));
    EXPECT_STR(name, "SumBackward");
    autograd_string_free(name);
    EXPECT_ERROR(autograd_tensor_grad_fn_name(y, NULL), AUTOGRAD_ERROR_NULL_ARGUMENT, "out is NULL");
    autograd_tensor_free(x), autograd_tensor_free(c), autograd_tensor_free(y), autograd_tensor_free(z);
    autograd_tensor_free(L);
}

/* MARK: once-differentiable */

static void test_once_differentiable(void) {
    autograd_function_t *cube = NULL;
    OK(autograd_function_new("cube", cube_forward, cube_backward, NULL, NULL, &cube));
    autograd_tensor_t *x = VEC(F64, true, 2), *y = NULL, *g = NULL, *g2 = NULL;
    autograd_tensor_t *const xs[] = {x};

    /* not marked: backward is recorded, so d²(x³)/dx² = 6x = 12 */
    y = apply1(cube, x);
    OK(autograd_grad((autograd_tensor_t *[]){y}, 1, xs, 1, NULL, AUTOGRAD_RETAIN_DEFAULT, true, false, &g));
    EXPECT(backward_grad_mode);
    EXPECT_VALUES(g, 0, 12);
    OK(autograd_grad((autograd_tensor_t *[]){g}, 1, xs, 1, NULL, 0, false, false, &g2));
    EXPECT_VALUES(g2, 0, 12);
    autograd_tensor_free(y), autograd_tensor_free(g), autograd_tensor_free(g2);

    /* marked: backward runs without recording; its result cannot be differentiated again */
    OK(autograd_function_set_once_differentiable(cube, true));
    y = apply1(cube, x);
    OK(autograd_grad((autograd_tensor_t *[]){y}, 1, xs, 1, NULL, AUTOGRAD_RETAIN_DEFAULT, true, false, &g));
    EXPECT(!backward_grad_mode);
    EXPECT_VALUES(g, 0, 12);
    bool requires = false;
    OK(autograd_tensor_requires_grad(g, &requires));
    EXPECT(requires);
    EXPECT_ERROR(autograd_backward(g, NULL, AUTOGRAD_RETAIN_DEFAULT, false), AUTOGRAD_ERROR_GRAPH,
                 "trying to differentiate twice a function that was marked with @once_differentiable");
    autograd_tensor_free(g);
    /* a first derivative works as before */
    OK(autograd_backward(y, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT_VALUES(g = grad_of(x), 0, 12);
    autograd_tensor_free(y), autograd_tensor_free(g);
    EXPECT_ERROR(autograd_function_set_once_differentiable(NULL, true), AUTOGRAD_ERROR_NULL_ARGUMENT,
                 "function is NULL");
    autograd_tensor_free(x);
    autograd_function_free(cube);
}

/* MARK: failing hooks */

enum failure { OWN_MESSAGE, SILENT, LIBRARY, C_API, WRONG_SHAPE, WRONG_DTYPE, NOT_A_HANDLE };

static autograd_status_t failing_hook(autograd_hook_context_t *ctx, const autograd_tensor_t *g, autograd_tensor_t **replacement,
                                void *user) {
    (void)ctx;
    autograd_tensor_t *three = NULL;
    autograd_status_t s;
    switch (*(enum failure *)user) {
    case OWN_MESSAGE:
        autograd_hook_context_set_error(ctx, "hook says no"); /* as autograd_context_set_error in a Function */
        return 7;
    case SILENT:
        return 42;
    case LIBRARY: /* [2] + [3]: the library's failure, passed on */
        three = VEC(F64, false, 1, 2, 3);
        s = autograd_add(g, three, replacement);
        autograd_tensor_free(three);
        return s;
    case C_API:
        return autograd_tensor_shape(g, NULL, 8, NULL);
    case WRONG_SHAPE:
        *replacement = VEC(F64, false, 1, 2, 3);
        return AUTOGRAD_OK;
    case WRONG_DTYPE:
        *replacement = VEC(AUTOGRAD_FLOAT32, false, 1, 2);
        return AUTOGRAD_OK;
    default:
        *replacement = (autograd_tensor_t *)g; /* borrowed: not the hook's to give */
        return AUTOGRAD_OK;
    }
}

static autograd_status_t failing_prehook(autograd_hook_context_t *ctx, const autograd_tensor_t *const *gy, size_t n,
                                autograd_tensor_t **repl, void *user) {
    (void)ctx;
    (void)gy, (void)n, (void)repl, (void)user;
    autograd_hook_set_error("pre-hook says no"); /* the context-free form still works */
    return 1;
}

/* Registers `hook` (a tensor hook on y = twice(x), or a pre-hook on its node)
 * and returns backward's status. */
static autograd_status_t run_failing(const autograd_function_t *twice, enum failure *f, bool pre) {
    autograd_tensor_t *x = VEC(F64, true, 1, 2), *y = apply1(twice, x), *L = NULL;
    int count = 0;
    if (pre) OK(autograd_tensor_grad_fn_register_prehook(y, failing_prehook, &count, destroy_counter));
    else OK(autograd_tensor_register_hook(y, failing_hook, f, NULL));
    OK(autograd_sum(y, &L));
    autograd_clear_error();
    autograd_status_t s = autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false);
    autograd_tensor_free(x), autograd_tensor_free(y), autograd_tensor_free(L);
    EXPECT(count == (pre ? 1 : 0));
    return s;
}

static void test_failing_hooks(const autograd_function_t *twice) {
    enum failure f;
    f = OWN_MESSAGE;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_FUNCTION, "tensor hook failed: hook says no");
    f = SILENT;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_FUNCTION,
                 "tensor hook failed: the hook returned status 42 without a message (autograd_hook_context_set_error)");
    f = LIBRARY;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "add: The size of tensor a (2) must match the size of tensor b (3)");
    EXPECT(strncmp(autograd_last_error(), "add: ", 5) == 0); /* unchanged, not wrapped */
    f = C_API;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_NULL_ARGUMENT, "autograd_tensor_shape: ndim is NULL");
    f = WRONG_SHAPE;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_INVALID_GRADIENT,
                 "hook 'tensor hook' has changed the size of value (was [2], got [3])");
    f = WRONG_DTYPE;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_INVALID_GRADIENT,
                 "hook 'tensor hook' has changed the type of value (was torch.DoubleTensor got torch.FloatTensor)");
    f = NOT_A_HANDLE;
    EXPECT_ERROR(run_failing(twice, &f, false), AUTOGRAD_ERROR_FUNCTION,
                 "tensor hook failed: replacements[0] is not a live autograd_tensor_t handle");
    EXPECT_ERROR(run_failing(twice, &f, true), AUTOGRAD_ERROR_FUNCTION,
                 "twiceBackward pre-hook failed: pre-hook says no");

    /* registration mistakes; a refused hook's destructor is not called */
    autograd_tensor_t *x = VEC(F64, true, 1, 2), *c = VEC(F64, false, 1, 2);
    int count = 0;
    EXPECT_ERROR(autograd_tensor_register_hook(c, failing_hook, &count, destroy_counter),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "cannot register a hook on a tensor that doesn't require gradient");
    EXPECT_ERROR(autograd_tensor_grad_fn_register_prehook(x, failing_prehook, &count, destroy_counter),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "the tensor is a leaf, without a grad_fn");
    EXPECT_ERROR(autograd_tensor_grad_fn_register_hook(x, NULL, &count, destroy_counter),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "the tensor is a leaf, without a grad_fn");
    EXPECT_ERROR(autograd_tensor_register_hook(x, NULL, &count, destroy_counter), AUTOGRAD_ERROR_NULL_ARGUMENT,
                 "hook is NULL");
    EXPECT_ERROR(autograd_tensor_register_hook((autograd_tensor_t *)(uintptr_t)0x10, failing_hook, &count,
                                               destroy_counter),
                 AUTOGRAD_ERROR_INVALID_HANDLE, "not a live autograd_tensor_t handle");
    EXPECT_ERROR(autograd_hook_set_error("why"), AUTOGRAD_ERROR_INVALID_ARGUMENT, "no hook is running on this thread");
    EXPECT(clip_context != NULL);
    EXPECT_ERROR(autograd_hook_context_set_error(clip_context, "late"), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "ctx is not a live autograd_hook_context_t handle");
    EXPECT_ERROR(autograd_hook_context_set_error(NULL, "why"), AUTOGRAD_ERROR_NULL_ARGUMENT, "ctx is NULL");
    EXPECT(count == 0);
    autograd_tensor_free(x), autograd_tensor_free(c);
}

int main(void) {
    autograd_function_t *twice = NULL;
    OK(autograd_function_new("twice", twice_forward, twice_backward, NULL, NULL, &twice));
    test_order_and_replacements(twice);
    test_clip();
    test_retain_grad_and_names(twice);
    test_once_differentiable();
    test_failing_hooks(twice);
    autograd_function_free(twice);
    return finish("test_hooks"); /* also checks that no handle is left alive */
}
