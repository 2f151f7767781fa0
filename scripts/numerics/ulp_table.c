/* The float32 accuracy of the library's elementwise kernels: for each
 * function, 2^21 inputs (a sweep over the function's whole finite range,
 * dense where its value changes fastest, plus the special points) through
 * the kernel that `Tensor.exp()` & co. run, against the exact value
 * (libm's double function, whose error is far below a float ulp). The error
 * is |y - exact| / ulp(exact), the ulp of a float at the exact value; a
 * correctly rounded result is within 0.5. Special values (NaN, inf, the
 * overflow and underflow thresholds) must come out as IEEE says: a wrong one
 * is counted apart and reported.
 *
 * Built and run by scripts/numerics/ulp_table.sh; prints a Markdown table. */
#include "autograd_kernels.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*kernel_f32)(const float *x, float *y, int64_t n);
typedef double (*exact_fn)(double);

static double sigmoid_d(double x) { return 1 / (1 + exp(-x)); }
static double log_sigmoid_d(double x) { return x < 0 ? x - log1p(exp(x)) : -log1p(exp(-x)); }
static double gelu_d(double x) { return 0.5 * x * (1 + erf(x / sqrt(2.0))); }

struct fn {
    const char *name;
    kernel_f32 kernel;
    exact_fn exact;
    double lo, hi;  /* the sweep's range */
};

/* ulp of a float at |v| (the spacing of floats around it; subnormal spacing below FLT_MIN). */
static double float_ulp(double v) {
    v = fabs(v);
    if (v < 0x1p-126) return 0x1p-149;
    int e;
    frexp(v, &e);
    return ldexp(1.0, e - 24);
}

int main(int argc, char **argv) {
    const int64_t n = argc > 1 ? atoll(argv[1]) : (1 << 21);
    const struct fn fns[] = {
        {"exp", ag_exp_forward_f32, exp, -104, 89},
        {"log", ag_log_forward_f32, log, 0x1p-149, 3e38},
        {"tanh", ag_tanh_forward_f32, tanh, -10, 10},
        {"sinh", ag_sinh_forward_f32, sinh, -89, 89},
        {"cosh", ag_cosh_forward_f32, cosh, -89, 89},
        {"sigmoid", ag_sigmoid_forward_f32, sigmoid_d, -104, 89},
        {"log1p", ag_log1p_forward_f32, log1p, -0.999999, 3e38},
        {"expm1", ag_expm1_forward_f32, expm1, -88, 88},
        {"sqrt", ag_sqrt_forward_f32, sqrt, 0, 3e38},
        {"logsigmoid", ag_log_sigmoid_forward_f32, log_sigmoid_d, -1e4, 104},
        {"erf", ag_erf_forward_f32, erf, -5, 5},
        {"gelu (exact)", ag_gelu_forward_f32, gelu_d, -10, 10},
    };
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    if (!x || !y) return 2;
    printf("| function | inputs | max error (ulp) | at x | special values wrong |\n|---|---|---|---|---|\n");
    for (size_t f = 0; f < sizeof fns / sizeof fns[0]; f++) {
        const struct fn *F = &fns[f];
        /* Half the inputs uniform over [lo, hi], half log-spaced in magnitude
           (every binade from 2^-30 up), signed as the range allows. */
        for (int64_t i = 0; i < n; i++) {
            const double u = (i + 0.5) / (double)n;
            double v;
            if (i % 2 == 0) {
                v = F->lo + (F->hi - F->lo) * u;
            } else {
                const double mag = exp2(-30 + (log2(fmax(fabs(F->lo), fabs(F->hi))) + 30) * u);
                v = ((i / 2) % 2 == 0 || F->lo >= 0) ? mag : -mag;
                if (v < F->lo || v > F->hi) v = F->lo + (F->hi - F->lo) * u;
            }
            x[i] = (float)v;
        }
        const float special[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 0x1p-149f, -0x1p-149f, 88.72f, 89.0f, -103.0f, -104.0f, 1.0f};
        memcpy(x, special, sizeof special);
        F->kernel(x, y, n);
        double worst = 0, at = 0;
        int64_t bad_special = 0;
        for (int64_t i = 0; i < n; i++) {
            const double e = F->exact((double)x[i]);
            if (isnan(e) || isinf(e) || fabs(e) > 0x1.fffffep127) {
                /* NaN in, NaN out; an overflowing exact value must give ±inf. */
                const double want = isnan(e) ? NAN : (e > 0 ? INFINITY : -INFINITY);
                if (!(isnan(want) ? isnan(y[i]) : y[i] == want)) bad_special++;
                continue;
            }
            if (isnan(y[i]) || isinf(y[i])) { bad_special++; continue; }
            const double err = fabs((double)y[i] - e) / float_ulp(e);
            if (err > worst) { worst = err; at = x[i]; }
        }
        printf("| %s | %lld | %.2f | %.9g | %lld |\n", F->name, (long long)n, worst, at, (long long)bad_special);
    }
    free(x);
    free(y);
    return 0;
}
