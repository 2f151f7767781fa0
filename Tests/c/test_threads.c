/* The C API from several POSIX threads at once: backward passes into one
 * shared leaf (through library ops and through a Function defined by C
 * callbacks), backward on one shared graph with retain_graph, and each
 * thread's errors kept to itself. The data are small integers, so every sum
 * is exact and one lost update shows. */
#include <pthread.h>

#include "check.h"

#define F64 AUTOGRAD_FLOAT64
#define THREADS 4
#define PASSES 300
#define N 64

/* square(x) = x², saving x; dL/dx = dL/dy · 2x */
static autograd_status_t square_forward(autograd_context_t *ctx, const autograd_args_t *args,
                                        autograd_tensor_t **out, size_t cap, size_t *n_out, void *user) {
    (void)cap, (void)user;
    autograd_tensor_t *x = NULL;
    autograd_status_t s = autograd_args_tensor(args, 0, &x);
    if (!s) s = autograd_context_save_for_backward(ctx, (autograd_tensor_t *[]){x}, 1);
    if (!s) s = autograd_mul(x, x, &out[0]);
    *n_out = 1;
    autograd_tensor_free(x);
    return s;
}
static autograd_status_t square_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                         autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ngy, (void)cap, (void)ngx, (void)user;
    autograd_tensor_t *x = NULL, *twice = NULL;
    size_t count = 0;
    autograd_status_t s = autograd_context_saved_tensors(ctx, &x, 1, &count);
    if (!s) s = autograd_mul_scalar(x, 2, &twice);
    if (!s) s = autograd_mul(gy[0], twice, &gx[0]);
    autograd_tensor_free(x);
    autograd_tensor_free(twice);
    return s;
}

struct job {
    int index;
    autograd_tensor_t *leaf;        /* shared */
    autograd_function_t *square;    /* shared */
    autograd_tensor_t *shared_loss; /* shared graph, retained */
    int failures;
    char first_error[256];
};

static void note_failure(struct job *j, const char *what) {
    if (j->failures++ == 0) snprintf(j->first_error, sizeof j->first_error, "%s: %s", what, autograd_last_error());
}

static void *run(void *arg) {
    struct job *j = arg;
    for (int p = 0; p < PASSES; p++) {
        /* sum(x * (t + 1)) through library ops */
        autograd_tensor_t *y = NULL, *s = NULL;
        if (autograd_mul_scalar(j->leaf, j->index + 1, &y) || autograd_sum(y, &s) || autograd_backward(s, NULL, 0, false))
            note_failure(j, "ops");
        autograd_tensor_free(y);
        autograd_tensor_free(s);

        /* sum(square(x)) through the C Function: adds 2x = 2 */
        autograd_args_t *args = NULL;
        autograd_tensor_t *q = NULL, *qs = NULL;
        size_t n = 0;
        if (autograd_args_new(&args) || autograd_args_push_tensor(args, j->leaf) ||
            autograd_function_apply(j->square, args, &q, 1, &n) || autograd_sum(q, &qs) ||
            autograd_backward(qs, NULL, 0, false))
            note_failure(j, "function");
        autograd_args_free(args);
        autograd_tensor_free(q);
        autograd_tensor_free(qs);

        /* the shared graph, kept with retain_graph */
        if (autograd_backward(j->shared_loss, NULL, 1, false)) note_failure(j, "shared graph");
    }
    /* An error here is this thread's own: its message is the one we caused. */
    autograd_tensor_t *bad = NULL;
    if (autograd_sum(NULL, &bad) == AUTOGRAD_OK || strstr(autograd_last_error(), "NULL") == NULL)
        note_failure(j, "own error");
    return NULL;
}

int main(void) {
    double ones[N];
    for (int i = 0; i < N; i++) ones[i] = 1;
    int64_t shape[1] = {N};
    autograd_tensor_t *leaf = NULL, *other = NULL, *h = NULL, *loss = NULL;
    OK(autograd_tensor_new(ones, F64, shape, 1, &leaf));
    OK(autograd_tensor_set_requires_grad(leaf, true));
    /* A second leaf w, and the shared graph loss = sum(w * 3 * w): d/dw = 6w = 6. */
    OK(autograd_tensor_new(ones, F64, shape, 1, &other));
    OK(autograd_tensor_set_requires_grad(other, true));
    OK(autograd_mul_scalar(other, 3, &h));
    autograd_tensor_t *hw = NULL;
    OK(autograd_mul(h, other, &hw));
    OK(autograd_sum(hw, &loss));
    autograd_tensor_free(hw);
    autograd_tensor_free(h);

    autograd_function_t *square = NULL;
    OK(autograd_function_new("square", square_forward, square_backward, NULL, NULL, &square));

    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (struct job){.index = t, .leaf = leaf, .square = square, .shared_loss = loss};
        EXPECT(pthread_create(&threads[t], NULL, run, &jobs[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        EXPECT(pthread_join(threads[t], NULL) == 0);
        EXPECT(jobs[t].failures == 0);
        if (jobs[t].failures) fprintf(stderr, "thread %d: %d failures, first: %s\n", t, jobs[t].failures, jobs[t].first_error);
    }

    /* leaf: passes · Σ(t + 1) from the ops, passes · threads · 2 from square */
    double expected = PASSES * (1 + 2 + 3 + 4) + PASSES * THREADS * 2;
    autograd_tensor_t *g = NULL;
    double got[64];
    OK(autograd_tensor_grad(leaf, &g));
    size_t n = values(g, got);
    EXPECT(n == N);
    int wrong = 0;
    for (size_t i = 0; i < n; i++) wrong += got[i] != expected;
    EXPECT(wrong == 0);
    autograd_tensor_free(g);

    /* other: threads · passes · 6 */
    OK(autograd_tensor_grad(other, &g));
    n = values(g, got);
    wrong = 0;
    for (size_t i = 0; i < n; i++) wrong += got[i] != THREADS * PASSES * 6.0;
    EXPECT(n == N && wrong == 0);
    autograd_tensor_free(g);

    autograd_function_free(square);
    autograd_tensor_free(loss);
    autograd_tensor_free(other);
    autograd_tensor_free(leaf);
    return finish("test_threads");
}
