/* Custom Functions defined in C: callbacks, user data and its destructor, the
 * context API (saved tensors and values, needs-input-grad, mark-dirty,
 * mark-non-differentiable, materialize-grads), non-tensor arguments, several
 * outputs, gradcheck, and every broken contract coming back as a status. */
#include "check.h"

#define F64 AUTOGRAD_FLOAT64
#define TRY(call)                                         \
    do {                                                  \
        if ((status = (call)) != AUTOGRAD_OK) goto done;  \
    } while (0)

typedef struct {
    int forwards, backwards, destroyed;
    bool needs[4];
    size_t num_inputs;
    bool saw_null_grad;
    autograd_context_t *stashed_ctx;
} stats_t;

static void destroy_stats(void *p) { ((stats_t *)p)->destroyed++; }

/* scale(x, factor: double, tag: string, repeat: int64) = x * factor */
static autograd_status_t scale_forward(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                                       size_t cap, size_t *n_out, void *user) {
    (void)cap;
    stats_t *st = user;
    autograd_tensor_t *x = NULL;
    double factor = 0;
    const char *tag = NULL;
    int64_t repeat = 0;
    autograd_status_t status;
    st->forwards++;
    st->stashed_ctx = ctx;
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_args_double(args, 1, &factor));
    TRY(autograd_args_string(args, 2, &tag));
    TRY(autograd_args_int64(args, 3, &repeat));
    TRY(autograd_context_num_inputs(ctx, &st->num_inputs));
    for (size_t i = 0; i < 4; i++) TRY(autograd_context_needs_input_grad(ctx, i, &st->needs[i]));
    TRY(autograd_context_set_double(ctx, "factor", factor));
    TRY(autograd_context_set_string(ctx, "tag", tag));
    TRY(autograd_context_set_int64(ctx, "repeat", repeat));
    TRY(autograd_mul_scalar(x, factor, &out[0]));
    *n_out = 1;
done:
    autograd_tensor_free(x);
    return status;
}

/* dL/dx = dL/dy * factor, with a library op: differentiable again */
static autograd_status_t scale_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                        autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ngy, (void)cap, (void)ngx;
    stats_t *st = user;
    double factor = 0;
    int64_t repeat = 0;
    char *tag = NULL;
    autograd_status_t status;
    st->backwards++;
    TRY(autograd_context_get_double(ctx, "factor", &factor));
    TRY(autograd_context_get_int64(ctx, "repeat", &repeat));
    TRY(autograd_context_get_string(ctx, "tag", &tag));
    if (strcmp(tag, "hello") != 0 || repeat != 3) {
        autograd_context_set_error(ctx, "the saved values came back wrong");
        status = 99;
        goto done;
    }
    TRY(autograd_mul_scalar(gy[0], factor, &gx[0])); /* gx[1..3] stay NULL: non-tensor arguments */
done:
    autograd_string_free(tag);
    return status;
}

static autograd_args_t *scale_args(autograd_tensor_t *x, double factor) {
    autograd_args_t *a = NULL;
    OK(autograd_args_new(&a));
    OK(autograd_args_push_tensor(a, x));
    OK(autograd_args_push_double(a, factor));
    OK(autograd_args_push_string(a, "hello"));
    OK(autograd_args_push_int64(a, 3));
    return a;
}

static autograd_tensor_t *apply1(autograd_function_t *f, autograd_args_t *args) {
    autograd_tensor_t *y = NULL;
    size_t n = 0;
    OK(autograd_function_apply(f, args, &y, 1, &n));
    EXPECT(n == 1);
    return y;
}

static void test_scale_and_destructor(void) {
    stats_t st = {0};
    autograd_function_t *scale = NULL;
    OK(autograd_function_new("scale", scale_forward, scale_backward, &st, destroy_stats, &scale));
    autograd_tensor_t *x = VEC(F64, true, 1, 2, 3), *L = NULL;
    autograd_args_t *args = scale_args(x, 2.5);
    autograd_tensor_t *y = apply1(scale, args);
    EXPECT(st.forwards == 1 && st.num_inputs == 4);
    EXPECT(st.needs[0] && !st.needs[1] && !st.needs[2] && !st.needs[3]);
    EXPECT_STR(str(y), "tensor([2.5000, 5.0000, 7.5000], dtype=torch.float64, grad_fn=<scaleBackward>)");
    /* the context handle is dead once the callback has returned */
    EXPECT_ERROR(autograd_context_set_int64(st.stashed_ctx, "k", 1), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "ctx is not a live autograd_context_t handle");
    OK(autograd_sum(y, &L));
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT(st.backwards == 1);
    autograd_tensor_t *g = grad_of(x);
    EXPECT_VALUES(g, 0, 2.5, 2.5, 2.5);

    bool passed = false;
    OK(autograd_gradcheck(scale, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL, &passed));
    EXPECT(passed);
    passed = false;
    OK(autograd_gradgradcheck(scale, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL,
                              &passed));
    EXPECT(passed);

    /* the graph keeps the callbacks alive after the Function handle is freed */
    autograd_tensor_t *y2 = apply1(scale, args), *L2;
    autograd_function_free(scale);
    EXPECT(st.destroyed == 0);
    OK(autograd_sum(y2, &L2));
    OK(autograd_backward(L2, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    autograd_tensor_free(g);
    g = grad_of(x);
    EXPECT_VALUES(g, 0, 5, 5, 5);
    /* a saved output of a C Function changed in place: the message names its
       current node, the in-place change's (PyTorch's "output 0 of Mul") */
    autograd_tensor_t *y3 = y2, *sq = NULL, *L3 = NULL, *changed[1] = {NULL};
    autograd_args_t *inplace = NULL;
    size_t n = 0;
    OK(autograd_mul(y3, y3, &sq)); /* saves y3 */
    OK(autograd_sum(sq, &L3));
    OK(autograd_args_new(&inplace));
    OK(autograd_args_push_tensor(inplace, y3));
    OK(autograd_args_push_double(inplace, 2.0));
    OK(autograd_op("mul_", inplace, changed, 1, &n));
    EXPECT_ERROR(autograd_backward(L3, NULL, AUTOGRAD_RETAIN_DEFAULT, false), AUTOGRAD_ERROR_GRAPH,
                 "modified by an inplace operation: [torch.DoubleTensor [3]], which is output 0 of Mul, is "
                 "at version 1; expected version 0 instead.");
    autograd_tensor_free(sq), autograd_tensor_free(L3), autograd_tensor_free(changed[0]);
    autograd_args_free(inplace);
    EXPECT(st.destroyed == 0);
    autograd_tensor_free(y), autograd_tensor_free(y2), autograd_tensor_free(L), autograd_tensor_free(L2);
    EXPECT(st.destroyed == 1); /* the last node is gone: user_data released, once */
    autograd_tensor_free(g), autograd_tensor_free(x);
    autograd_args_free(args);
    EXPECT(st.destroyed == 1);
}

/* split3(x) = (2x, x^2, an int64 tensor of indices marked non-differentiable) */
static autograd_status_t split3_forward(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                                        size_t cap, size_t *n_out, void *user) {
    (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    size_t n = 0;
    autograd_status_t status;
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_context_save_for_backward(ctx, &x, 1));
    TRY(autograd_mul_scalar(x, 2, &out[0]));
    TRY(autograd_pow_scalar(x, 2, &out[1]));
    TRY(autograd_tensor_numel(x, &n));
    int64_t idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    TRY(autograd_tensor_new(idx, AUTOGRAD_INT64, (const int64_t[]){(int64_t)n}, 1, &out[2]));
    TRY(autograd_context_mark_non_differentiable(ctx, &out[2], 1));
    *n_out = 3;
done:
    autograd_tensor_free(x);
    return status;
}

/* dL/dx = 2·g0 + 2x·g1 (g2, for the indices, is ignored) */
static autograd_status_t split3_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                         autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)cap, (void)ngx;
    stats_t *st = user;
    autograd_tensor_t *x = NULL, *a = NULL, *b = NULL, *c = NULL;
    size_t count = 0;
    autograd_status_t status = AUTOGRAD_OK;
    if (ngy != 3) return autograd_context_set_error(ctx, "expected 3 output gradients"), 1;
    if (gy[1] == NULL) st->saw_null_grad = true;
    TRY(autograd_context_saved_tensors(ctx, &x, 1, &count));
    TRY(autograd_mul_scalar(gy[0], 2, &a));
    if (gy[1] != NULL) {
        TRY(autograd_mul(x, gy[1], &b));
        TRY(autograd_mul_scalar(b, 2, &c));
        TRY(autograd_add(a, c, &gx[0]));
    } else {
        gx[0] = a;
        a = NULL;
    }
done:
    autograd_tensor_free(x), autograd_tensor_free(a), autograd_tensor_free(b), autograd_tensor_free(c);
    return status;
}

static void test_multiple_outputs(void) {
    stats_t st = {0};
    autograd_function_t *f = NULL;
    OK(autograd_function_new("split3", split3_forward, split3_backward, &st, NULL, &f));
    autograd_tensor_t *x = VEC(F64, true, 1, -2), *outs[3] = {NULL}, *s0, *s1, *L;
    autograd_args_t *args;
    size_t n = 0;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    EXPECT_ERROR(autograd_function_apply(f, args, outs, 2, &n), AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "3 outputs");
    OK(autograd_function_apply(f, args, outs, 3, &n));
    EXPECT(n == 3);
    bool rg[3];
    for (int i = 0; i < 3; i++) OK(autograd_tensor_requires_grad(outs[i], &rg[i]));
    EXPECT(rg[0] && rg[1] && !rg[2]);
    EXPECT_STR(str(outs[2]), "tensor([0, 1])");
    OK(autograd_sum(outs[0], &s0));
    OK(autograd_sum(outs[1], &s1));
    OK(autograd_add(s0, s1, &L));
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    autograd_tensor_t *g = grad_of(x);
    EXPECT_VALUES(g, 0, 2 + 2 * 1, 2 + 2 * -2);
    EXPECT(!st.saw_null_grad); /* materialized: zeros, not NULL */
    bool passed = false;
    OK(autograd_gradcheck(f, args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL, AUTOGRAD_GRADCHECK_RTOL, &passed));
    EXPECT(passed);
    for (int i = 0; i < 3; i++) autograd_tensor_free(outs[i]);
    autograd_tensor_free(s0), autograd_tensor_free(s1), autograd_tensor_free(L), autograd_tensor_free(g);
    autograd_tensor_free(x);
    autograd_args_free(args);
    autograd_function_free(f);
}

/* pair(x) = (x, 3x) with materialize-grads off: an unused output's gradient is NULL */
static autograd_status_t pair_forward(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                                      size_t cap, size_t *n_out, void *user) {
    (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    autograd_status_t status;
    TRY(autograd_context_set_materialize_grads(ctx, false));
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_mul_scalar(x, 1, &out[0]));
    TRY(autograd_mul_scalar(x, 3, &out[1]));
    *n_out = 2;
done:
    autograd_tensor_free(x);
    return status;
}

static autograd_status_t pair_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                       autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ctx, (void)ngy, (void)cap, (void)ngx;
    stats_t *st = user;
    if (gy[1] == NULL) st->saw_null_grad = true;
    return gy[0] ? autograd_tensor_share(gy[0], &gx[0]) : AUTOGRAD_OK;
}

/* double_(x): doubles x in place, marks it dirty and returns it */
static autograd_status_t double_forward(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                                        size_t cap, size_t *n_out, void *user) {
    (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    size_t n = 0;
    void *p = NULL;
    autograd_status_t status;
    TRY(autograd_args_tensor(args, 0, &x));
    TRY(autograd_tensor_numel(x, &n));
    TRY(autograd_tensor_mutable_data(x, &p));
    for (size_t i = 0; i < n; i++) ((double *)p)[i] *= 2;
    TRY(autograd_context_mark_dirty(ctx, &x, 1));
    out[0] = x; /* returned: the library owns this handle now */
    x = NULL;
    *n_out = 1;
done:
    autograd_tensor_free(x);
    return status;
}

static autograd_status_t double_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                         autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ctx, (void)ngy, (void)cap, (void)ngx, (void)user;
    return autograd_mul_scalar(gy[0], 2, &gx[0]);
}

static void test_materialize_and_dirty(void) {
    stats_t st = {0};
    autograd_function_t *pair = NULL, *dbl = NULL;
    OK(autograd_function_new("pair", pair_forward, pair_backward, &st, NULL, &pair));
    autograd_tensor_t *x = VEC(F64, true, 1, 2), *outs[2] = {NULL}, *L;
    autograd_args_t *args;
    size_t n = 0;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_function_apply(pair, args, outs, 2, &n));
    OK(autograd_sum(outs[0], &L));
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    EXPECT(st.saw_null_grad);
    autograd_tensor_t *g = grad_of(x);
    EXPECT_VALUES(g, 0, 1, 1);
    autograd_tensor_free(outs[0]), autograd_tensor_free(outs[1]), autograd_tensor_free(L), autograd_tensor_free(g);

    /* mark_dirty: on a non-leaf it works and returns the same values, doubled */
    OK(autograd_function_new("double_", double_forward, double_backward, NULL, NULL, &dbl));
    autograd_tensor_t *h, *y = NULL;
    OK(autograd_mul_scalar(x, 1, &h));
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, h));
    OK(autograd_function_apply(dbl, args, &y, 1, &n));
    EXPECT_VALUES(h, 0, 2, 4); /* changed in place */
    EXPECT_STR(str(y), "tensor([2., 4.], dtype=torch.float64, grad_fn=<double_Backward>)");
    OK(autograd_sum(y, &L));
    OK(autograd_tensor_zero_grad(x));
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    g = grad_of(x);
    EXPECT_VALUES(g, 0, 2, 2);
    /* on a leaf that requires grad it is PyTorch's error */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    autograd_tensor_t *none = NULL;
    EXPECT_ERROR(autograd_function_apply(dbl, args, &none, 1, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "a leaf Variable that requires grad has been used in an in-place operation.");
    EXPECT(none == NULL);
    autograd_tensor_free(h), autograd_tensor_free(y), autograd_tensor_free(L), autograd_tensor_free(g);
    autograd_tensor_free(x);
    autograd_args_free(args);
    autograd_function_free(pair), autograd_function_free(dbl);
}

int main(void) {
    test_scale_and_destructor();
    test_multiple_outputs();
    test_materialize_and_dirty();
    return finish("test_function");
}
