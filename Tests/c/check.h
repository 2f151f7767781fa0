#ifndef AUTOGRAD_TEST_CHECK_H
#define AUTOGRAD_TEST_CHECK_H
/*
 * A tiny test harness for the C API tests: each EXPECT prints the failing
 * line and the library's last error, and counts; FINISH() checks that every
 * handle was freed and returns the exit code (0 when everything passed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd.h"

static int checks_run = 0, checks_failed = 0;

#define FAIL_AT(...)                                              \
    do {                                                          \
        checks_failed++;                                          \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
        fprintf(stderr, __VA_ARGS__);                             \
        fprintf(stderr, "\n");                                    \
    } while (0)

#define EXPECT(cond)                                   \
    do {                                               \
        checks_run++;                                  \
        if (!(cond)) FAIL_AT("expected %s", #cond);    \
    } while (0)

/* A call that must succeed. */
#define OK(call)                                                                            \
    do {                                                                                    \
        checks_run++;                                                                       \
        autograd_status_t s_ = (call);                                                      \
        if (s_ != AUTOGRAD_OK) FAIL_AT("%s returned %d: %s", #call, (int)s_, autograd_last_error()); \
    } while (0)

/* A call that must fail with `code` and a message containing `text`. */
#define EXPECT_ERROR(call, code, text)                                                           \
    do {                                                                                         \
        checks_run++;                                                                            \
        autograd_clear_error();                                                                  \
        autograd_status_t s_ = (call);                                                           \
        if (s_ != (code))                                                                        \
            FAIL_AT("%s returned %d, expected %d (%s); message: %s", #call, (int)s_, (int)(code), \
                    #code, autograd_last_error());                                               \
        else if (strstr(autograd_last_error(), (text)) == NULL)                                  \
            FAIL_AT("%s: message \"%s\" does not contain \"%s\"", #call, autograd_last_error(),  \
                    (text));                                                                     \
    } while (0)

#define EXPECT_NEAR(a, b, tol)                                                                  \
    do {                                                                                        \
        checks_run++;                                                                           \
        double a_ = (a), b_ = (b);                                                              \
        if (!(fabs(a_ - b_) <= (tol))) FAIL_AT("%s = %.17g, expected %.17g", #a, a_, b_);       \
    } while (0)

#define EXPECT_STR(a, b)                                                                        \
    do {                                                                                        \
        checks_run++;                                                                           \
        const char *a_ = (a), *b_ = (b);                                                        \
        if (a_ == NULL || strcmp(a_, b_) != 0) FAIL_AT("%s = \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", b_); \
    } while (0)

/* The elements of `t` as doubles (at most 64). */
static inline size_t values(const autograd_tensor_t *t, double out[64]) {
    size_t n = 0;
    if (autograd_tensor_copy_f64(t, out, 64, &n) != AUTOGRAD_OK) {
        FAIL_AT("copy_f64 failed: %s", autograd_last_error());
        return 0;
    }
    return n;
}

/* Checks that `t` holds `n` values close to `expected`. */
#define EXPECT_VALUES(t, tol, ...)                                                               \
    do {                                                                                         \
        const double e_[] = {__VA_ARGS__};                                                       \
        size_t ne_ = sizeof e_ / sizeof e_[0];                                                   \
        double v_[64];                                                                           \
        size_t n_ = values((t), v_);                                                             \
        checks_run++;                                                                            \
        if (n_ != ne_) FAIL_AT("%s has %zu elements, expected %zu", #t, n_, ne_);                \
        else                                                                                     \
            for (size_t i_ = 0; i_ < ne_; i_++)                                                  \
                if (!(fabs(v_[i_] - e_[i_]) <= (tol))) {                                         \
                    FAIL_AT("%s[%zu] = %.17g, expected %.17g", #t, i_, v_[i_], e_[i_]);          \
                    break;                                                                       \
                }                                                                                \
    } while (0)

/* A new tensor from doubles, of `dtype` (float32 or float64), shape given inline. */
static inline autograd_tensor_t *make(autograd_dtype_t dtype, const double *data, size_t ndim, const int64_t *shape,
                                      bool requires_grad) {
    size_t n = 1;
    for (size_t i = 0; i < ndim; i++) n *= (size_t)shape[i];
    float f[64];
    if (dtype == AUTOGRAD_FLOAT32)
        for (size_t i = 0; i < n && i < 64; i++) f[i] = (float)data[i];
    autograd_tensor_t *t = NULL;
    if (autograd_tensor_new(dtype == AUTOGRAD_FLOAT32 ? (const void *)f : (const void *)data, dtype, shape, ndim, &t) !=
        AUTOGRAD_OK) {
        FAIL_AT("tensor_new failed: %s", autograd_last_error());
        exit(2);
    }
    if (requires_grad) autograd_tensor_set_requires_grad(t, true);
    return t;
}

#define VEC(dtype, rg, ...)                                                                   \
    make((dtype), (const double[]){__VA_ARGS__}, 1,                                           \
         (const int64_t[]){sizeof((const double[]){__VA_ARGS__}) / sizeof(double)}, (rg))

/* Runs op `name` (autograd_op) on args, expecting one output. */
static inline autograd_tensor_t *call(const char *name, autograd_args_t *args) {
    autograd_tensor_t *out[4] = {NULL};
    size_t n = 0;
    OK(autograd_op(name, args, out, 4, &n));
    EXPECT(n == 1);
    return out[0];
}

/* The gradient of `t`, or NULL. */
static inline autograd_tensor_t *grad_of(const autograd_tensor_t *t) {
    autograd_tensor_t *g = NULL;
    if (autograd_tensor_grad(t, &g) != AUTOGRAD_OK) FAIL_AT("grad failed: %s", autograd_last_error());
    return g;
}

/* The printed form of `t` (static buffer, overwritten by the next call). */
static inline const char *str(const autograd_tensor_t *t) {
    static char buffer[1024];
    char *s = NULL;
    if (autograd_tensor_to_string(t, &s) != AUTOGRAD_OK) return "(to_string failed)";
    snprintf(buffer, sizeof buffer, "%s", s);
    autograd_string_free(s);
    return buffer;
}

/* Ends a test program: every handle must have been freed. */
static inline int finish(const char *name) {
    size_t live = 0;
    autograd_live_handle_count(&live);
    checks_run++;
    if (live != 0) FAIL_AT("%zu handles are still alive at the end (a leak in the test or the library)", live);
    printf("%s: %d checks, %d failed\n", name, checks_run, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif
