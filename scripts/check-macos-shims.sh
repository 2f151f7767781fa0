#!/usr/bin/env bash
# Compile-checks, on Linux, the macOS side of the library's C code: what can
# be verified without a Mac or Apple's SDK, in about a second. Nothing here
# builds or runs the library on macOS.
#
#  1. linalg.c (its __APPLE__ branch: Accelerate's CBLAS) and
#     _AutogradShims/shims.c (thread-local and atomic state, mutex tables)
#     compile to Mach-O objects for arm64 and x86_64 macOS: the real Darwin
#     targets, so the compiler's own macros (__APPLE__, no __linux__) and
#     Mach-O's rules (thread-locals, attributes) apply. Apple's SDK is not
#     here, so the C library comes from the stub headers written below: they
#     declare, with the SDK's types and values, only the POSIX functions these
#     files may call; a call to anything else (a glibc-only function) fails.
#     The linalg objects must name Accelerate and none of the Linux libraries.
#  2. Every C file of the library's C targets (AutogradKernels,
#     _AutogradShims) compiles with the Apple macros set and the Linux ones
#     unset, against this machine's headers, so each `#if` chooses its macOS
#     branch. Files that include <tgmath.h> are skipped: under __APPLE__,
#     clang's <tgmath.h> defers to the SDK's, which glibc's cannot stand in for.
#
# All with -Wall -Werror. Environment: CLANG (default clang).
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang}
INCLUDES=(-ICSources/AutogradKernels/include -ICSources/_AutogradShims/include)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The stub SDK: declarations as in macOS's <dlfcn.h>, <pthread.h>,
# <stdlib.h> and <string.h> (LP64); <stdint.h>, <stdbool.h>, <stddef.h> and
# <stdatomic.h> are clang's own, as on macOS.
SDK=$WORK/sdk
mkdir -p "$SDK"
cat > "$SDK/dlfcn.h" <<'EOF'
#pragma once
#define RTLD_LAZY 0x1
#define RTLD_NOW 0x2
#define RTLD_LOCAL 0x4
#define RTLD_GLOBAL 0x8
void *dlopen(const char *path, int mode);
void *dlsym(void *handle, const char *symbol);
int dlclose(void *handle);
char *dlerror(void);
EOF
cat > "$SDK/pthread.h" <<'EOF'
#pragma once
typedef struct _opaque_pthread_once_t { long __sig; char __opaque[8]; } pthread_once_t;
typedef struct _opaque_pthread_mutex_t { long __sig; char __opaque[56]; } pthread_mutex_t;
#define PTHREAD_ONCE_INIT {0x30B1BCBA, {0}}
#define PTHREAD_MUTEX_INITIALIZER {0x32AAABA7, {0}}
int pthread_once(pthread_once_t *once, void (*init)(void));
int pthread_mutex_lock(pthread_mutex_t *mutex);
int pthread_mutex_unlock(pthread_mutex_t *mutex);
EOF
cat > "$SDK/stdlib.h" <<'EOF'
#pragma once
#include <stddef.h>
char *getenv(const char *name);
int setenv(const char *name, const char *value, int overwrite);
void *malloc(size_t size);
void free(void *p);
EOF
cat > "$SDK/string.h" <<'EOF'
#pragma once
#include <stddef.h>
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *p, int c, size_t n);
EOF

for arch in arm64 x86_64; do
    target=$arch-apple-macos13
    for f in CSources/AutogradKernels/linalg.c CSources/_AutogradShims/shims.c; do
        obj=$WORK/$arch-$(basename "$f" .c).o
        "$CLANG" -target "$target" -nostdlibinc -isystem "$SDK" "${INCLUDES[@]}" -Wall -Werror \
            -c "$f" -o "$obj" || fail "$f for $target"
    done
    strings "$WORK/$arch-linalg.o" | grep -Fx /System/Library/Frameworks/Accelerate.framework/Accelerate >/dev/null \
        || fail "linalg.c for $target does not load Accelerate"
    if strings "$WORK/$arch-linalg.o" | grep -E 'libopenblas|libcblas|libblas' >/dev/null; then
        fail "linalg.c for $target names a Linux BLAS"
    fi
    echo "ok  linalg.c, shims.c compile for $target (Mach-O, stub SDK); linalg.c loads Accelerate"
done

checked=0 skipped=()
for f in CSources/AutogradKernels/*.c CSources/_AutogradShims/*.c; do
    if grep -q '#include <tgmath.h>' "$f"; then skipped+=("$(basename "$f")"); continue; fi
    "$CLANG" -fsyntax-only -D__APPLE__ -D__MACH__ -U__linux__ -U__linux -U__gnu_linux__ -Ulinux \
        "${INCLUDES[@]}" -Wall -Werror "$f" || fail "$f with the Apple macros"
    checked=$((checked + 1))
done
echo "ok  $checked C files compile with __APPLE__ and without __linux__ (local headers; skipped, <tgmath.h>: ${skipped[*]})"
