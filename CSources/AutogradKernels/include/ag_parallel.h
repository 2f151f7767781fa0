#ifndef AG_PARALLEL_H
#define AG_PARALLEL_H
// Splitting a loop over the machine's cores. Kernels (the library's and a
// custom op's) call ag_parallel_for with a function over a sub-range; below
// `grain` elements, or when the pool is busy with another caller's loop, the
// range runs on the calling thread, so small tensors pay nothing.

#include <stdint.h>

/// fn(ctx, begin, end) over [0, n), possibly on several threads at once.
typedef void (*ag_range_fn)(void *ctx, int64_t begin, int64_t end);

/// Runs fn over [0, n) split into one contiguous chunk per core when n >= grain.
void ag_parallel_for(int64_t n, int64_t grain, ag_range_fn fn, void *ctx);

/// The number of threads ag_parallel_for uses (the online cores, or
/// AUTOGRAD_NUM_THREADS when set).
int ag_num_threads(void);

/// Whether this file is built for ThreadSanitizer or AddressSanitizer.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define AG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define AG_SANITIZED 1
#endif
#endif

/// Put before a kernel's loop function to compile it for AVX-512, AVX2 and
/// baseline x86-64, chosen at load time for the running CPU (GCC/clang
/// function multi-versioning); nothing elsewhere. Off under the sanitizers:
/// the clones' resolvers run while the dynamic linker relocates the library,
/// before the sanitizer's runtime is set up, and an instrumented resolver
/// crashes there (the baseline build is what TSan and ASan check).
#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || defined(__GNUC__)) && !defined(AG_SANITIZED)
#define AG_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define AG_VECTOR_CLONES
#endif

/// Elements per call below which an elementwise kernel stays on one thread.
#define AG_GRAIN_ELEMENTWISE 32768

#endif
