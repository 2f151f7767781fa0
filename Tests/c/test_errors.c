/* Misuse of the C API: NULL, freed, foreign and wrong-kind handles, double
 * frees, bad argument lists; and the per-thread last error. None may crash. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <pthread.h>
#include <stdint.h>

static autograd_status_t noop_forward(autograd_context_t *ctx, const autograd_args_t *args, autograd_tensor_t **out,
                                      size_t cap, size_t *n_out, void *user) {
    (void)ctx, (void)args, (void)out, (void)cap, (void)n_out, (void)user;
    return AUTOGRAD_OK;
}
static autograd_status_t noop_backward(autograd_context_t *ctx, const autograd_tensor_t *const *gy, size_t ngy,
                                       autograd_tensor_t **gx, size_t cap, size_t *ngx, void *user) {
    (void)ctx, (void)gy, (void)ngy, (void)gx, (void)cap, (void)ngx, (void)user;
    return AUTOGRAD_OK;
}

static void test_bad_handles(void) {
    autograd_tensor_t *t = VEC(AUTOGRAD_FLOAT32, false, 1, 2), *out = NULL;
    autograd_args_t *args = NULL;
    size_t n = 0;
    OK(autograd_args_new(&args));

    EXPECT_ERROR(autograd_add(NULL, t, &out), AUTOGRAD_ERROR_NULL_ARGUMENT, "autograd_add: a is NULL");
    EXPECT_ERROR(autograd_add(t, t, NULL), AUTOGRAD_ERROR_NULL_ARGUMENT, "autograd_add: out is NULL");
    EXPECT_ERROR(autograd_tensor_numel(t, NULL), AUTOGRAD_ERROR_NULL_ARGUMENT, "out is NULL");
    /* a pointer the library never returned */
    int stack_thing = 0;
    EXPECT_ERROR(autograd_exp((autograd_tensor_t *)&stack_thing, &out), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "autograd_exp: x is not a live autograd_tensor_t handle");
    EXPECT_ERROR(autograd_exp((autograd_tensor_t *)(uintptr_t)0xdeadbeef, &out), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "not a live autograd_tensor_t handle");
    /* a handle of another type */
    EXPECT_ERROR(autograd_exp((autograd_tensor_t *)args, &out), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "x is an autograd_args_t handle, not an autograd_tensor_t");
    EXPECT_ERROR(autograd_function_apply((autograd_function_t *)t, args, &out, 1, &n), AUTOGRAD_ERROR_INVALID_HANDLE,
                 "function is an autograd_tensor_t handle, not an autograd_function_t");
    EXPECT(out == NULL);

    /* a freed handle: detected, and freeing it again is harmless */
    autograd_tensor_t *gone = VEC(AUTOGRAD_FLOAT32, false, 3);
    autograd_tensor_free(gone);
    EXPECT_ERROR(autograd_neg(gone, &out), AUTOGRAD_ERROR_INVALID_HANDLE, "not a live autograd_tensor_t handle");
    autograd_clear_error();
    autograd_tensor_free(gone);
    EXPECT(strstr(autograd_last_error(), "autograd_tensor_free: tensor is not a live") != NULL);
    /* A freed handle never names a later object, whatever the allocator reuses:
     * free, make new ones of every kind, and the stale handles stay refused
     * (an address-keyed registry computed new + new for add(freed, new)). */
    for (int round = 0; round < 50; round++) {
        autograd_tensor_t *old = VEC(AUTOGRAD_FLOAT32, false, 1, 2, 3), *fresh = NULL, *sum = NULL;
        autograd_function_t *old_fn = NULL, *new_fn = NULL;
        autograd_args_t *old_args = NULL;
        OK(autograd_function_new("noop", noop_forward, noop_backward, NULL, NULL, &old_fn));
        OK(autograd_args_new(&old_args));
        autograd_tensor_free(old);
        autograd_function_free(old_fn);
        autograd_args_free(old_args);
        fresh = VEC(AUTOGRAD_FLOAT32, false, 10, 20, 30);
        OK(autograd_function_new("noop", noop_forward, noop_backward, NULL, NULL, &new_fn));
        EXPECT_ERROR(autograd_add(old, fresh, &sum), AUTOGRAD_ERROR_INVALID_HANDLE,
                     "autograd_add: a is not a live autograd_tensor_t handle (freed");
        EXPECT(sum == NULL);
        EXPECT_ERROR(autograd_function_apply(old_fn, args, &sum, 1, &n), AUTOGRAD_ERROR_INVALID_HANDLE,
                     "function is not a live autograd_function_t handle (freed");
        EXPECT_ERROR(autograd_args_push_double(old_args, 1), AUTOGRAD_ERROR_INVALID_HANDLE,
                     "is not a live autograd_args_t handle (freed");
        autograd_tensor_free(fresh);
        autograd_function_free(new_fn);
    }
    /* every _free accepts NULL */
    autograd_tensor_free(NULL);
    autograd_args_free(NULL);
    autograd_function_free(NULL);
    autograd_string_free(NULL);

    /* arrays of handles with a bad entry */
    autograd_tensor_t *outs[] = {t}, *ins[] = {NULL};
    autograd_tensor_t *g = NULL;
    EXPECT_ERROR(autograd_grad(outs, 1, ins, 1, NULL, 0, false, false, &g), AUTOGRAD_ERROR_NULL_ARGUMENT,
                 "autograd_grad: inputs[0] is NULL");
    EXPECT_ERROR(autograd_backward(t, NULL, AUTOGRAD_RETAIN_DEFAULT, false), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "element 0 of tensors does not require grad and does not have a grad_fn");

    autograd_tensor_free(t);
    autograd_args_free(args);
}

static void test_args(void) {
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    autograd_tensor_t *t = VEC(AUTOGRAD_FLOAT64, false, 1), *back = NULL;
    OK(autograd_args_push_tensor(args, t));
    OK(autograd_args_push_none(args));
    OK(autograd_args_push_int64(args, -7));
    OK(autograd_args_push_double(args, 0.25));
    OK(autograd_args_push_bool(args, true));
    OK(autograd_args_push_string(args, "text"));
    OK(autograd_args_push_int64s(args, (const int64_t[]){1, 2}, 2));
    OK(autograd_args_push_doubles(args, (const double[]){0.5}, 1));
    size_t count = 0;
    OK(autograd_args_count(args, &count));
    EXPECT(count == 8);
    autograd_arg_kind_t kinds[8];
    for (size_t i = 0; i < 8; i++) OK(autograd_args_kind(args, i, &kinds[i]));
    EXPECT(kinds[0] == AUTOGRAD_ARG_TENSOR && kinds[1] == AUTOGRAD_ARG_NONE && kinds[2] == AUTOGRAD_ARG_INT64);
    EXPECT(kinds[3] == AUTOGRAD_ARG_DOUBLE && kinds[4] == AUTOGRAD_ARG_BOOL && kinds[5] == AUTOGRAD_ARG_STRING);
    EXPECT(kinds[6] == AUTOGRAD_ARG_INT64S && kinds[7] == AUTOGRAD_ARG_DOUBLES);
    int64_t i64 = 0;
    double d = 0;
    bool b = false;
    const char *s = NULL;
    OK(autograd_args_tensor(args, 0, &back));
    OK(autograd_args_int64(args, 2, &i64));
    OK(autograd_args_double(args, 2, &d)); /* an int64 reads as a double */
    EXPECT(i64 == -7 && d == -7.0);
    OK(autograd_args_double(args, 3, &d));
    OK(autograd_args_bool(args, 4, &b));
    OK(autograd_args_string(args, 5, &s));
    EXPECT(d == 0.25 && b);
    EXPECT_STR(s, "text");
    EXPECT_ERROR(autograd_args_int64(args, 3, &i64), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "autograd_args_int64: argument 3 is a double, not an int64");
    EXPECT_ERROR(autograd_args_tensor(args, 9, &back), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "index 9 is out of range for 8 arguments");
    EXPECT_ERROR(autograd_args_push_string(args, NULL), AUTOGRAD_ERROR_NULL_ARGUMENT, "value is NULL");
    /* the list keeps its own reference: the tensor outlives the caller's handle */
    autograd_tensor_free(t);
    autograd_tensor_free(back);
    OK(autograd_args_tensor(args, 0, &back));
    EXPECT_VALUES(back, 0, 1);
    autograd_tensor_free(back);
    OK(autograd_args_clear(args));
    OK(autograd_args_count(args, &count));
    EXPECT(count == 0);
    autograd_args_free(args);
}

/* The last error is per thread: a failure on one thread is not seen on another. */
static void *fail_on_thread(void *arg) {
    (void)arg;
    autograd_tensor_t *out = NULL;
    autograd_status_t s = autograd_exp(NULL, &out);
    static char seen[256];
    snprintf(seen, sizeof seen, "%d %s", (int)s, autograd_last_error());
    return seen;
}

static void test_thread_local_error(void) {
    autograd_clear_error();
    pthread_t thread;
    void *result = NULL;
    EXPECT(pthread_create(&thread, NULL, fail_on_thread, NULL) == 0);
    EXPECT(pthread_join(thread, &result) == 0);
    EXPECT(result && strstr((const char *)result, "1 autograd_exp: x is NULL") != NULL);
    EXPECT_STR(autograd_last_error(), ""); /* this thread saw nothing */
}

int main(void) {
    test_bad_handles();
    test_args();
    test_thread_local_error();
    return finish("test_errors");
}
