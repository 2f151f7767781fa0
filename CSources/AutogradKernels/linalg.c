#include "ag_linalg.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The BLAS is loaded at run time, not linked, so that its kernels can be
// chosen for the CPU before it initialises. OpenBLAS (DYNAMIC_ARCH builds, as
// Debian's) picks its kernels in a library constructor from the CPU's model
// number; on CPUs its table does not know (a VM reporting a generic "Intel
// Xeon Processor", a CPU newer than the library) it falls back to SSE3
// (Prescott) kernels, five to six times slower than the AVX-512 ones the CPU
// can run. Before loading it, `load_blas` names the kernels the CPU's feature
// bits allow in OPENBLAS_CORETYPE, unless the environment names some already.
//
// Which library: $AUTOGRAD_BLAS when set (a file name or path for dlopen;
// "none" keeps the built-in loops), else the platform's default below, else
// the built-in loops. Only cblas_sgemm and cblas_dgemm are looked up, with
// the LP64 signature (32-bit int sizes) that OpenBLAS and Accelerate's
// classic (not $NEWLAPACK$ILP64) symbols share.

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };  // CBLAS's enum values
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
typedef char *(*corename_fn)(void);

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static sgemm_fn blas_sgemm;
static dgemm_fn blas_dgemm;
static corename_fn blas_corename;
static const char *blas_label = "cblas";  // what ag_blas_kernels names when there is no corename

#if defined(__APPLE__)
// macOS: Accelerate, which every macOS has. The path need not exist on disk:
// since macOS 11 system libraries live in the dyld shared cache, which
// dlopen searches by path. (OpenBLAS from Homebrew: AUTOGRAD_BLAS=its path.)
#define AG_ACCELERATE "/System/Library/Frameworks/Accelerate.framework/Accelerate"
static const char *const default_blas[] = {AG_ACCELERATE};
#else
// Linux: OpenBLAS (scripts/install-deps.sh installs it), else a reference CBLAS.
static const char *const default_blas[] = {"libopenblas.so.0", "libopenblas.so", "libcblas.so.3",
                                           "libblas.so.3"};
#endif

/// OpenBLAS's name for the best kernels this CPU and OS can run, or NULL to
/// leave the choice to OpenBLAS. `__builtin_cpu_supports` reads CPUID and
/// checks that the OS saves the vector registers (XGETBV), so under valgrind,
/// which hides AVX-512, this says Haswell.
static const char *coretype_for_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return NULL;
}

/// Loads `name` with dlopen and keeps its cblas_sgemm and cblas_dgemm;
/// false (and nothing kept) when it does not load or lacks either.
static bool use_blas(const char *name) {
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) return false;
    sgemm_fn s = (sgemm_fn)dlsym(lib, "cblas_sgemm");
    dgemm_fn d = (dgemm_fn)dlsym(lib, "cblas_dgemm");
    if (!s || !d) {
        dlclose(lib);
        return false;
    }
    blas_sgemm = s;
    blas_dgemm = d;
    blas_corename = (corename_fn)dlsym(lib, "openblas_get_corename");
#if defined(__APPLE__)
    if (strcmp(name, AG_ACCELERATE) == 0) blas_label = "Accelerate";
#endif
    return true;
}

static void load_blas(void) {
    const char *chosen = getenv("AUTOGRAD_BLAS");
    if (chosen && strcmp(chosen, "none") == 0) return;  // the built-in loops (tests use it)
    if (getenv("OPENBLAS_CORETYPE") == NULL) {
        const char *core = coretype_for_cpu();
        if (core) setenv("OPENBLAS_CORETYPE", core, 0);
    }
    if (chosen && *chosen && use_blas(chosen)) return;
    for (size_t i = 0; i < sizeof default_blas / sizeof default_blas[0]; i++)
        if (use_blas(default_blas[i])) return;
}

const char *ag_blas_kernels(void) {
    pthread_once(&blas_once, load_blas);
    if (!blas_sgemm) return "none (built-in loops)";
    if (!blas_corename) return blas_label;
    const char *name = blas_corename();
    return name ? name : blas_label;
}

// Without a BLAS the products still come out right, from plain loops.
#define AG_GEMM_LOOPS(T, SFX)                                                                      \
static void gemm_loops_##SFX(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,           \
                             const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c) {     \
    for (int64_t i = 0; i < m; i++)                                                                \
        for (int64_t j = 0; j < n; j++) {                                                          \
            T acc = 0;                                                                             \
            for (int64_t p = 0; p < k; p++)                                                        \
                acc += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]); \
            c[i * n + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * n + j]);                   \
        }                                                                                          \
}
AG_GEMM_LOOPS(float, f32)
AG_GEMM_LOOPS(double, f64)

#define AG_GEMM(T, SFX, BLAS)                                                                      \
void ag_gemm_##SFX(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha,           \
                   const T *a, int64_t lda, int64_t stride_a, const T *b, int64_t ldb,             \
                   int64_t stride_b, T beta, T *c, int64_t batch) {                                \
    if (m == 0 || n == 0) return;                                                                  \
    pthread_once(&blas_once, load_blas);                                                           \
    for (int64_t i = 0; i < batch; i++) {                                                          \
        if (BLAS)                                                                                  \
            BLAS(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, (int)m, (int)n, \
                 (int)k, alpha, a + i * stride_a, (int)lda, b + i * stride_b, (int)ldb, beta,      \
                 c + i * m * n, (int)n);                                                           \
        else                                                                                       \
            gemm_loops_##SFX(trans_a, trans_b, m, n, k, alpha, a + i * stride_a, lda,              \
                             b + i * stride_b, ldb, beta, c + i * m * n);                          \
    }                                                                                              \
}
AG_GEMM(float, f32, blas_sgemm)
AG_GEMM(double, f64, blas_dgemm)

void ag_gemm_i64(const int64_t *a, int64_t stride_a, const int64_t *b, int64_t stride_b, int64_t *c,
                 int64_t m, int64_t n, int64_t k, int64_t batch) {
    // Unsigned arithmetic wraps without undefined behaviour; i-k-j order reads b by rows.
    for (int64_t t = 0; t < batch; t++) {
        const int64_t *at = a + t * stride_a, *bt = b + t * stride_b;
        uint64_t *ct = (uint64_t *)(c + t * m * n);
        for (int64_t i = 0; i < m; i++) {
            uint64_t *row = ct + i * n;
            for (int64_t j = 0; j < n; j++) row[j] = 0;
            for (int64_t p = 0; p < k; p++) {
                const uint64_t x = (uint64_t)at[i * k + p];
                const int64_t *brow = bt + p * n;
                for (int64_t j = 0; j < n; j++) row[j] += x * (uint64_t)brow[j];
            }
        }
    }
}
