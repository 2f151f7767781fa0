/*
 * A small training loop in C: linear regression y = X·w + b fitted by plain
 * SGD on a mean-squared-error loss, all through the C API (ops, backward,
 * reading grad, an in-place update under a no-grad scope).
 *
 * Build and run from the repository root (Examples/c/README.md):
 *   swift build --product autograd
 *   LIB=$(swift build --product autograd --show-bin-path)
 *   cc -std=c11 -I CSources/CAutograd/include Examples/c/train.c \
 *      -L "$LIB" -lautograd -Wl,-rpath,"$LIB" -lm -o train && ./train
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "autograd.h"

#define CHECK(call)                                                                       \
    do {                                                                                  \
        autograd_status_t status_ = (call);                                               \
        if (status_ != AUTOGRAD_OK) {                                                     \
            fprintf(stderr, "%s:%d: %s failed (%d): %s\n", __FILE__, __LINE__, #call,     \
                    (int)status_, autograd_last_error());                                 \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

enum { N = 32, D = 2, STEPS = 200 };

/* param -= lr * param.grad, in place and unrecorded; then forget the grad. */
static void sgd_step(autograd_tensor_t *param, double lr) {
    autograd_tensor_t *grad = NULL, *step = NULL, *updated[1];
    autograd_args_t *args = NULL;
    size_t n;
    bool was_enabled;
    CHECK(autograd_tensor_grad(param, &grad));
    CHECK(autograd_set_grad_enabled(false, &was_enabled));  /* a no-grad scope */
    CHECK(autograd_mul_scalar(grad, lr, &step));
    CHECK(autograd_args_new(&args));
    CHECK(autograd_args_push_tensor(args, param));
    CHECK(autograd_args_push_tensor(args, step));
    CHECK(autograd_op("sub_", args, updated, 1, &n));       /* any op, by name */
    CHECK(autograd_set_grad_enabled(was_enabled, NULL));
    CHECK(autograd_tensor_zero_grad(param));
    autograd_tensor_free(updated[0]);
    autograd_args_free(args);
    autograd_tensor_free(step);
    autograd_tensor_free(grad);
}

int main(void) {
    /* Data: y = 2·x0 − 3·x1 + 0.5, x on a deterministic grid. */
    const double true_w[D] = {2.0, -3.0}, true_b = 0.5;
    double xs[N * D], ys[N];
    for (int i = 0; i < N; i++) {
        xs[i * D] = -1.0 + 2.0 * i / (N - 1);
        xs[i * D + 1] = sin(1.7 * i);
        ys[i] = true_w[0] * xs[i * D] + true_w[1] * xs[i * D + 1] + true_b;
    }
    const int64_t x_shape[] = {N, D}, y_shape[] = {N, 1}, w_shape[] = {D, 1}, b_shape[] = {1};
    autograd_tensor_t *X, *Y, *w, *b;
    CHECK(autograd_tensor_new(xs, AUTOGRAD_FLOAT64, x_shape, 2, &X));
    CHECK(autograd_tensor_new(ys, AUTOGRAD_FLOAT64, y_shape, 2, &Y));
    CHECK(autograd_tensor_full(w_shape, 2, 0.0, AUTOGRAD_FLOAT64, &w));
    CHECK(autograd_tensor_full(b_shape, 1, 0.0, AUTOGRAD_FLOAT64, &b));
    CHECK(autograd_tensor_set_requires_grad(w, true));
    CHECK(autograd_tensor_set_requires_grad(b, true));

    double loss_value = 0;
    for (int step = 0; step < STEPS; step++) {
        autograd_tensor_t *xw, *pred, *diff, *sq, *loss;
        CHECK(autograd_matmul(X, w, &xw));
        CHECK(autograd_add(xw, b, &pred));          /* b broadcasts over the rows */
        CHECK(autograd_sub(pred, Y, &diff));
        CHECK(autograd_pow_scalar(diff, 2.0, &sq));
        CHECK(autograd_mean(sq, &loss));
        CHECK(autograd_backward(loss, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
        CHECK(autograd_tensor_item(loss, &loss_value));
        if (step % 40 == 0 || step == STEPS - 1) printf("step %3d  loss %.6f\n", step, loss_value);
        sgd_step(w, 0.1);
        sgd_step(b, 0.1);
        autograd_tensor_free(xw), autograd_tensor_free(pred), autograd_tensor_free(diff);
        autograd_tensor_free(sq), autograd_tensor_free(loss);
    }

    double wv[D], bv[1];
    CHECK(autograd_tensor_copy_data(w, wv, sizeof wv));
    CHECK(autograd_tensor_copy_data(b, bv, sizeof bv));
    printf("w = [%.4f, %.4f] (true [2, -3]), b = %.4f (true 0.5)\n", wv[0], wv[1], bv[0]);
    int ok = fabs(wv[0] - true_w[0]) < 1e-2 && fabs(wv[1] - true_w[1]) < 1e-2 && fabs(bv[0] - true_b) < 1e-2;
    printf("%s\n", ok ? "converged" : "did not converge");
    autograd_tensor_free(X), autograd_tensor_free(Y), autograd_tensor_free(w), autograd_tensor_free(b);
    return ok ? 0 : 1;
}
