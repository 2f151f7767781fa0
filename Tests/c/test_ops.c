/* The library's ops through the C API (dedicated functions and autograd_op by
 * name), backward with a gradient / retain-graph / create-graph, grad() for
 * chosen inputs, the no-grad scope, gradcheck of an op. */
#include "check.h"

#define F64 AUTOGRAD_FLOAT64
#define F32 AUTOGRAD_FLOAT32

static void test_arithmetic_and_grads(void) {
    autograd_tensor_t *a = make(F64, (const double[]){1, 2, 3, 4, 5, 6}, 2, (const int64_t[]){2, 3}, true);
    autograd_tensor_t *b = VEC(F64, true, 10, 20, 30); /* broadcasts over rows */
    autograd_tensor_t *s = NULL, *d = NULL, *m = NULL, *q = NULL, *n = NULL, *total = NULL, *t1, *t2, *t3;
    OK(autograd_add(a, b, &s));
    EXPECT_VALUES(s, 0, 11, 22, 33, 14, 25, 36);
    OK(autograd_sub(a, b, &d));
    EXPECT_VALUES(d, 0, -9, -18, -27, -6, -15, -24);
    OK(autograd_mul(a, b, &m));
    EXPECT_VALUES(m, 0, 10, 40, 90, 40, 100, 180);
    OK(autograd_div(a, b, &q));
    EXPECT_VALUES(q, 1e-15, 0.1, 0.1, 0.1, 0.4, 0.25, 0.2);
    OK(autograd_neg(a, &n));
    EXPECT_VALUES(n, 0, -1, -2, -3, -4, -5, -6);
    /* L = sum(s + m + q): dL/da = 1 + b + 1/b, dL/db = sum over rows of (1 + a - a/b^2) */
    OK(autograd_add(s, m, &t1));
    OK(autograd_add(t1, q, &t2));
    OK(autograd_sum(t2, &total));
    OK(autograd_backward(total, NULL, 0, false));
    autograd_tensor_t *ga = grad_of(a), *gb = grad_of(b);
    EXPECT_VALUES(ga, 1e-12, 11.1, 21.05, 31 + 1.0 / 30, 11.1, 21.05, 31 + 1.0 / 30);
    EXPECT_VALUES(gb, 1e-12, 2 + 5 - 5.0 / 100, 2 + 7 - 7.0 / 400, 2 + 9 - 9.0 / 900);
    /* the graph was freed: a second backward is PyTorch's error */
    EXPECT_ERROR(autograd_backward(total, NULL, 0, false), AUTOGRAD_ERROR_GRAPH,
                 "Trying to backward through the graph a second time");
    /* scalars */
    OK(autograd_add_scalar(a, 0.5, &t3));
    EXPECT_VALUES(t3, 0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5);
    autograd_tensor_free(t3);
    OK(autograd_mul_scalar(a, -2, &t3));
    EXPECT_VALUES(t3, 0, -2, -4, -6, -8, -10, -12);
    {
        autograd_tensor_t *r = NULL, *elems = NULL;
        OK(autograd_sub_scalar(a, 1, &r));
        EXPECT_VALUES(r, 0, 0, 1, 2, 3, 4, 5);
        autograd_tensor_free(r);
        OK(autograd_div_scalar(a, 4, &r));
        EXPECT_VALUES(r, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5);
        autograd_tensor_free(r);
        OK(autograd_rsub_scalar(a, 10, &r));
        EXPECT_VALUES(r, 0, 9, 8, 7, 6, 5, 4);
        autograd_tensor_free(r);
        OK(autograd_rdiv_scalar(a, 12, &r));
        EXPECT_VALUES(r, 1e-15, 12, 6, 4, 3, 2.4, 2);
        /* its elements in its own dtype, the capacity counted in elements */
        double got[6] = {0};
        size_t n6 = 0;
        OK(autograd_tensor_copy_elements(r, got, 6, &n6));
        EXPECT(n6 == 6 && got[0] == 12 && got[5] == 2);
        EXPECT_ERROR(autograd_tensor_copy_elements(r, got, 5, &n6), AUTOGRAD_ERROR_BUFFER_TOO_SMALL,
                     "capacity 5 is smaller than the tensor's 6 elements");
        EXPECT(n6 == 6);
        const int64_t i3[3] = {4, -5, 6};
        int64_t iback[3] = {0};
        OK(autograd_tensor_new(i3, AUTOGRAD_INT64, (const int64_t[]){3}, 1, &elems));
        OK(autograd_tensor_copy_elements(elems, iback, 3, NULL));
        EXPECT(iback[0] == 4 && iback[1] == -5 && iback[2] == 6);
        autograd_tensor_free(r);
        autograd_tensor_free(elems);
    }
    /* mismatched shapes come back as a status and PyTorch's words */
    autograd_tensor_t *c = VEC(F64, false, 1, 2), *bad = (autograd_tensor_t *)0x1;
    EXPECT_ERROR(autograd_add(a, c, &bad), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1");
    EXPECT(bad == (autograd_tensor_t *)0x1);
    autograd_tensor_t *all[] = {a, b, s, d, m, q, n, total, t1, t2, t3, ga, gb, c};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
}

static void test_math_and_shape(void) {
    autograd_tensor_t *x = VEC(F64, true, 0.5, 1, 2), *e, *l, *th, *ch, *p, *r, *mn, *sq, *sd, *mm, *w, *L;
    OK(autograd_exp(x, &e));
    EXPECT_VALUES(e, 1e-15, exp(0.5), exp(1), exp(2));
    OK(autograd_log(x, &l));
    EXPECT_VALUES(l, 1e-15, log(0.5), 0, log(2));
    OK(autograd_tanh(x, &th));
    EXPECT_VALUES(th, 1e-15, tanh(0.5), tanh(1), tanh(2));
    OK(autograd_cosh(x, &ch));
    EXPECT_VALUES(ch, 1e-15, cosh(0.5), cosh(1), cosh(2));
    OK(autograd_pow_scalar(x, 3, &p));
    EXPECT_VALUES(p, 1e-15, 0.125, 1, 8);
    OK(autograd_sqrt(x, &sq));
    EXPECT_VALUES(sq, 1e-15, sqrt(0.5), 1, sqrt(2));
    OK(autograd_reshape(x, (const int64_t[]){3, 1}, 2, &r));
    size_t ndim;
    int64_t dims[4];
    OK(autograd_tensor_shape(r, dims, 4, &ndim));
    EXPECT(ndim == 2 && dims[0] == 3 && dims[1] == 1);
    EXPECT_ERROR(autograd_reshape(x, (const int64_t[]){2, 2}, 2, &w), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "shape '[2, 2]' is invalid for input of size 3");
    OK(autograd_mean(x, &mn));
    EXPECT_VALUES(mn, 1e-15, 3.5 / 3);
    /* matmul [3,1] x [1,3] and sum over dims */
    EXPECT_ERROR(autograd_matmul(r, r, &w), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "mat1 and mat2 shapes cannot be multiplied (3x1 and 3x1)");
    autograd_tensor_t *rt;
    OK(autograd_reshape(x, (const int64_t[]){1, 3}, 2, &rt));
    OK(autograd_matmul(r, rt, &mm));
    OK(autograd_sum_dims(mm, (const int64_t[]){-1}, 1, false, &sd));
    EXPECT_VALUES(sd, 1e-15, 0.5 * 3.5, 3.5, 7);
    /* L = sum(exp + log + tanh + cosh + x^3) -> dL/dx */
    autograd_tensor_t *acc1, *acc2, *acc3, *acc4;
    OK(autograd_add(e, l, &acc1));
    OK(autograd_add(acc1, th, &acc2));
    OK(autograd_add(acc2, ch, &acc3));
    OK(autograd_add(acc3, p, &acc4));
    OK(autograd_sum(acc4, &L));
    OK(autograd_backward(L, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    autograd_tensor_t *g = grad_of(x);
    double xs[3] = {0.5, 1, 2}, expect[3];
    for (int i = 0; i < 3; i++)
        expect[i] = exp(xs[i]) + 1 / xs[i] + 1 / (cosh(xs[i]) * cosh(xs[i])) + sinh(xs[i]) + 3 * xs[i] * xs[i];
    EXPECT_VALUES(g, 1e-12, expect[0], expect[1], expect[2]);
    autograd_tensor_t *all[] = {x, e, l, th, ch, p, r, mn, sq, sd, mm, L, rt, acc1, acc2, acc3, acc4, g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
}

static void test_ops_by_name(void) {
    autograd_args_t *args;
    OK(autograd_args_new(&args));
    autograd_tensor_t *x = make(F32, (const double[]){1, 5, 2, 4, 3, 0}, 2, (const int64_t[]){2, 3}, true);

    /* sum with dims and keep_dim */
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64s(args, (const int64_t[]){1}, 1));
    OK(autograd_args_push_bool(args, true));
    autograd_tensor_t *s = call("sum", args);
    EXPECT_VALUES(s, 0, 8, 7);
    EXPECT_STR(str(s), "tensor([[8.],\n        [7.]], grad_fn=<SumBackward>)");

    /* softmax(x, dim=1) */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, 1));
    autograd_tensor_t *sm = call("softmax", args);
    double z = exp(1) + exp(5) + exp(2);
    EXPECT_VALUES(sm, 1e-6, exp(1) / z, exp(5) / z, exp(2) / z, exp(4) / (exp(4) + exp(3) + 1),
                  exp(3) / (exp(4) + exp(3) + 1), 1 / (exp(4) + exp(3) + 1));

    /* max over a dim: two outputs, values then int64 indices */
    autograd_tensor_t *outs[2] = {NULL, NULL};
    size_t n = 0;
    OK(autograd_op("max", args, outs, 2, &n));
    EXPECT(n == 2);
    EXPECT_VALUES(outs[0], 0, 5, 4);
    EXPECT_STR(str(outs[1]), "tensor([1, 0])");
    autograd_tensor_free(outs[0]), autograd_tensor_free(outs[1]);
    /* too small an output array: the count is still reported */
    EXPECT_ERROR(autograd_op("max", args, outs, 1, &n), AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "2 outputs");
    EXPECT(n == 2);

    /* a scalar second operand: mul(x, 2.0); pow(x, 2) */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_double(args, 2.0));
    autograd_tensor_t *m2 = call("mul", args);
    EXPECT_VALUES(m2, 0, 2, 10, 4, 8, 6, 0);
    autograd_tensor_t *p2 = call("pow", args);
    EXPECT_VALUES(p2, 0, 1, 25, 4, 16, 9, 0);

    /* cross_entropy with int64 targets, then backward */
    autograd_tensor_t *target;
    OK(autograd_tensor_new((const int64_t[]){1, 0}, AUTOGRAD_INT64, (const int64_t[]){2}, 1, &target));
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_tensor(args, target));
    autograd_tensor_t *ce = call("cross_entropy", args);
    double l0 = log(z) - 5, l1 = log(exp(4) + exp(3) + 1) - 4;
    EXPECT_VALUES(ce, 1e-6, (l0 + l1) / 2);
    OK(autograd_backward(ce, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    autograd_tensor_t *g = grad_of(x);
    EXPECT_VALUES(g, 1e-6, exp(1) / z / 2, (exp(5) / z - 1) / 2, exp(2) / z / 2,
                  (exp(4) / (exp(4) + exp(3) + 1) - 1) / 2, exp(3) / (exp(4) + exp(3) + 1) / 2,
                  1 / (exp(4) + exp(3) + 1) / 2);

    /* errors: unknown op, wrong argument kind, too many arguments */
    EXPECT_ERROR(autograd_op("frobnicate", args, outs, 2, &n), AUTOGRAD_ERROR_UNKNOWN_OP, "unknown op 'frobnicate'");
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_string(args, "one"));
    EXPECT_ERROR(autograd_op("softmax", args, outs, 2, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "softmax: argument 1 (dim) should be an int64, got a string");
    OK(autograd_args_push_int64(args, 1));
    OK(autograd_args_push_int64(args, 1));
    EXPECT_ERROR(autograd_op("exp", args, outs, 2, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT, "exp: takes at most 1");
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, 2));
    EXPECT_ERROR(autograd_op("softmax", args, outs, 2, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "Dimension out of range (expected to be in range of [-2, 1], but got 2)");

    /* the list of ops includes every required one */
    char *names = NULL;
    OK(autograd_op_names(&names));
    const char *required[] = {"add(", "sub(", "mul(", "div(", "neg(", "matmul(", "sum(", "mean(", "exp(", "log(",
                              "tanh(", "cosh(", "pow(", "reshape(", "softmax(", "cross_entropy("};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) EXPECT(names && strstr(names, required[i]));
    autograd_string_free(names);

    autograd_tensor_t *all[] = {x, s, sm, m2, p2, target, ce, g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
    autograd_args_free(args);
}

static void test_backward_options_and_grad(void) {
    /* x^3 at 2: first derivative 12, second 12 (create_graph) */
    autograd_tensor_t *x = VEC(F64, true, 2), *y, *g = NULL, *g2 = NULL;
    OK(autograd_pow_scalar(x, 3, &y));
    autograd_tensor_t *outs[] = {y}, *ins[] = {x};
    OK(autograd_grad(outs, 1, ins, 1, NULL, AUTOGRAD_RETAIN_DEFAULT, true, false, &g));
    EXPECT_VALUES(g, 1e-12, 12);
    bool rg = false;
    OK(autograd_tensor_requires_grad(g, &rg));
    EXPECT(rg);
    autograd_tensor_t *outs2[] = {g};
    OK(autograd_grad(outs2, 1, ins, 1, NULL, AUTOGRAD_RETAIN_DEFAULT, false, false, &g2));
    EXPECT_VALUES(g2, 1e-12, 12);
    autograd_tensor_t *leaf_grad = grad_of(x);
    EXPECT(leaf_grad == NULL); /* grad() does not accumulate */

    /* backward with an explicit gradient on a non-scalar */
    autograd_tensor_t *v = VEC(F64, true, 1, 2, 3), *w, *gv = NULL, *seed = VEC(F64, false, 1, 10, 100);
    OK(autograd_mul_scalar(v, 3, &w));
    EXPECT_ERROR(autograd_backward(w, NULL, AUTOGRAD_RETAIN_DEFAULT, false), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "grad can be implicitly created only for scalar outputs");
    OK(autograd_backward(w, seed, 1, false));
    OK(autograd_backward(w, seed, 1, false)); /* retained: accumulates */
    gv = grad_of(v);
    EXPECT_VALUES(gv, 1e-12, 6, 60, 600);
    EXPECT_ERROR(autograd_backward(w, seed, 7, false), AUTOGRAD_ERROR_INVALID_ARGUMENT, "retain_graph must be");

    /* grad for chosen inputs, allow_unused */
    autograd_tensor_t *unused = VEC(F64, true, 5), *grads[2] = {NULL, NULL}, *sum;
    OK(autograd_sum(w, &sum));
    autograd_tensor_t *o[] = {sum}, *chosen[] = {v, unused};
    EXPECT_ERROR(autograd_grad(o, 1, chosen, 2, NULL, 1, false, false, grads), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "One of the differentiated Tensors appears to not have been used in the graph");
    OK(autograd_grad(o, 1, chosen, 2, NULL, 0, false, true, grads));
    EXPECT_VALUES(grads[0], 0, 3, 3, 3);
    EXPECT(grads[1] == NULL);

    /* the no-grad scope */
    bool was = false, now = true;
    autograd_tensor_t *ng;
    OK(autograd_set_grad_enabled(false, &was));
    EXPECT(was);
    OK(autograd_is_grad_enabled(&now));
    EXPECT(!now);
    OK(autograd_mul(v, v, &ng));
    bool ng_rg = true;
    OK(autograd_tensor_requires_grad(ng, &ng_rg));
    EXPECT(!ng_rg);
    OK(autograd_set_grad_enabled(was, NULL));
    OK(autograd_is_grad_enabled(&now));
    EXPECT(now);

    autograd_tensor_t *all[] = {x, y, g, g2, v, w, gv, seed, unused, grads[0], sum, ng};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
}

static void test_gradcheck_op(void) {
    autograd_args_t *args;
    OK(autograd_args_new(&args));
    autograd_tensor_t *x = make(F64, (const double[]){0.3, -1.2, 2.0, 0.7, 1.1, -0.4}, 2, (const int64_t[]){2, 3}, true);
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, -1));
    bool passed = false;
    OK(autograd_gradcheck_op("log_softmax", args, AUTOGRAD_GRADCHECK_EPS, AUTOGRAD_GRADCHECK_ATOL,
                             AUTOGRAD_GRADCHECK_RTOL, &passed));
    EXPECT(passed);
    autograd_tensor_free(x);
    autograd_args_free(args);
}

int main(void) {
    test_arithmetic_and_grads();
    test_math_and_shape();
    test_ops_by_name();
    test_backward_options_and_grad();
    test_gradcheck_op();
    return finish("test_ops");
}
