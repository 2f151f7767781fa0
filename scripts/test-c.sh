#!/usr/bin/env bash
# Tests the C API (CSources/CAutograd/include/autograd.h, libautograd.so):
#  1. builds the shared library with `swift build --product autograd`;
#  2. checks that every function the header declares is exported, and that
#     the kernel headers (CSources/AutogradKernels/include) compile from C on
#     their own and link against the library;
#  3. compiles the C tests (Tests/c), the examples (Examples/c) and the
#     complete example of docs/C-API.md with the system C compiler against the
#     header and the library, runs them and checks their exit codes and
#     printed values;
#  4. runs them again under valgrind: invalid reads/writes and definite leaks
#     fail ("possibly lost" and "still reachable" memory of the Swift runtime
#     does not). Valgrind 3.19 cannot read the DWARF 5 debug info Swift emits
#     ("Possibly corrupted debuginfo file ... Giving up"), so valgrind loads a
#     copy of the library with its debug info stripped.
#
# Environment: CC (default cc); SCRATCH_PATH, a `swift build --scratch-path`
# (default .build); SKIP_VALGRIND=1 skips step 4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

SCRATCH=()
[ -n "${SCRATCH_PATH:-}" ] && SCRATCH=(--scratch-path "$SCRATCH_PATH")
CC=${CC:-cc}

echo "== building libautograd.so"
swift build --product autograd "${SCRATCH[@]}"
LIB=$(swift build --product autograd --show-bin-path "${SCRATCH[@]}")
[ -f "$LIB/libautograd.so" ] || { echo "libautograd.so not found in $LIB" >&2; exit 1; }
echo "library: $LIB/libautograd.so"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CFLAGS=(-std=c11 -O1 -g -Wall -Wextra -Werror -I CSources/CAutograd/include)
LINK=(-L "$LIB" -lautograd -Wl,--enable-new-dtags,-rpath,"$LIB" -lm -lpthread)
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

echo "== the header's functions are all exported"
grep -oE '\bautograd_[a-z0-9_]+\(' CSources/CAutograd/include/autograd.h | tr -d '(' | sort -u > "$WORK/declared"
nm -D --defined-only "$LIB/libautograd.so" | awk '{print $3}' | grep '^autograd_' | sort -u > "$WORK/exported"
missing=$(comm -23 "$WORK/declared" "$WORK/exported")
[ -z "$missing" ] || fail "declared in autograd.h but not exported: $missing"
echo "$(wc -l < "$WORK/declared") functions declared, all exported"

echo "== the kernel headers compile from C on their own, and link"
for h in CSources/AutogradKernels/include/*.h; do
    printf '#include "%s"\nint main(void) { return 0; }\n' "$(basename "$h")" > "$WORK/kernel_header.c"
    "$CC" "${CFLAGS[@]}" -I CSources/AutogradKernels/include -c "$WORK/kernel_header.c" -o "$WORK/kernel_header.o" \
        || fail "$h does not compile on its own"
done
cat > "$WORK/kernels.c" <<'EOF'
#define AUTOGRAD_WITH_KERNELS
#include "autograd.h"
#include <stdio.h>
int main(void) {
    const double x[2] = {0.0, 1.0};
    double y[2];
    ag_exp_forward_f64(x, y, 2);
    printf("%.6f %.6f\n", y[0], y[1]);
    return autograd_abi_version() == AUTOGRAD_ABI_VERSION ? 0 : 1;
}
EOF
"$CC" "${CFLAGS[@]}" -I CSources/AutogradKernels/include "$WORK/kernels.c" "${LINK[@]}" -o "$WORK/kernels"
[ "$("$WORK/kernels")" = "1.000000 2.718282" ] || fail "calling a kernel through libautograd.so"

echo "== compiling the C tests and examples"
programs=()
# The C kernels of the example ports (CSources/ExampleKernels) that a test
# runs in its callbacks are compiled with it, as Examples/c/seed.c is.
example_kernels() {
    case "$1" in
        test_parity) echo CSources/ExampleKernels/legendre_polynomial3.c ;;
    esac
}
for t in Tests/c/test_*.c; do
    name=$(basename "$t" .c)
    # shellcheck disable=SC2046 # the kernel file list splits on purpose
    "$CC" "${CFLAGS[@]}" -I Tests/c -I CSources/ExampleKernels/include -I CSources/AutogradKernels/include \
        "$t" $(example_kernels "$name") "${LINK[@]}" -o "$WORK/$name"
    programs+=("$name")
done
"$CC" "${CFLAGS[@]}" -I CSources/ExampleKernels/include -I CSources/AutogradKernels/include Examples/c/seed.c CSources/ExampleKernels/custom_tanh.c \
    "${LINK[@]}" -o "$WORK/seed"
"$CC" "${CFLAGS[@]}" Examples/c/train.c "${LINK[@]}" -o "$WORK/train"
# The complete example of docs/C-API.md, so the documentation stays true.
awk '/^## A complete example/ { f = 1 } f && /^```c$/ { g = 1; next } g && /^```$/ { exit } g { print }' \
    docs/C-API.md > "$WORK/doc_example.c"
"$CC" "${CFLAGS[@]}" -Wno-unused-parameter "$WORK/doc_example.c" "${LINK[@]}" -o "$WORK/doc_example"
programs+=(seed train doc_example)

# Whether a program printed what it must: the seed's X.grad as PyTorch prints
# it, "converged" for the training loop, "0 failed" for a test.
printed_expected() {
    case "$1" in
        seed) grep -Fqx "X.grad = tensor([0.0000, 2.5588])" "$WORK/$1.out" ;;
        train) grep -Fqx "converged" "$WORK/$1.out" ;;
        doc_example) grep -Fqx "x.grad = tensor([5., 5., 5.], dtype=torch.float64)" "$WORK/$1.out" \
            && grep -Fqx "gradcheck: passed" "$WORK/$1.out" ;;
        *) grep -Eqx "$1: [0-9]+ checks, 0 failed" "$WORK/$1.out" ;;
    esac
}

echo "== running"
for p in "${programs[@]}"; do
    status=0
    # The fuzz test's known crashes would print long backtraces.
    SWIFT_BACKTRACE=$([ "$p" = test_op_fuzz ] && echo enable=no || echo "${SWIFT_BACKTRACE:-}") \
        "$WORK/$p" > "$WORK/$p.out" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$WORK/$p.out" >&2
        fail "$p exited with status $status"
    elif ! printed_expected "$p"; then
        cat "$WORK/$p.out" >&2
        fail "$p did not print what it should"
    else
        echo "ok  $p: $(grep -E '^(X.grad = |x.grad = |converged|.*checks, 0 failed)' "$WORK/$p.out" | head -1)"
        grep -E '^(known crash|note:)' "$WORK/$p.out" || true
    fi
done

# The seed op from Python through ctypes (Examples/python), when Python is here.
if command -v python3 > /dev/null 2>&1; then
    if python3 Examples/python/seed.py "$LIB/libautograd.so" > "$WORK/python.out" 2>&1 \
        && grep -Fqx "X.grad = tensor([0.0000, 2.5588])" "$WORK/python.out" \
        && grep -Fqx "error: AUTOGRAD_ERROR_FUNCTION: Broken.forward failed: the callback returned no outputs (*n_outputs is 0)" "$WORK/python.out"; then
        echo "ok  Examples/python/seed.py (ctypes): X.grad = tensor([0.0000, 2.5588]), a raising callback is an error"
    else
        cat "$WORK/python.out" >&2
        fail "Examples/python/seed.py"
    fi
else
    echo "note: no python3, Examples/python/seed.py not run"
fi

# Without a BLAS (AUTOGRAD_BLAS=none) the matrix products run on the kernels'
# own loops, and must give the same results.
for p in test_ops test_parity train; do
    if AUTOGRAD_BLAS=none "$WORK/$p" > "$WORK/$p.out" 2>&1 && printed_expected "$p"; then
        echo "ok  $p with AUTOGRAD_BLAS=none (built-in matrix products)"
    else
        cat "$WORK/$p.out" >&2
        fail "$p with AUTOGRAD_BLAS=none"
    fi
done

if [ "${SKIP_VALGRIND:-0}" != "1" ]; then
    if ! command -v valgrind > /dev/null 2>&1; then
        bash scripts/apt-install.sh valgrind
    fi
    echo "== valgrind ($(valgrind --version))"
    mkdir -p "$WORK/vglib"
    objcopy --strip-debug "$LIB/libautograd.so" "$WORK/vglib/libautograd.so"
    for p in "${programs[@]}"; do
        # The fuzz test forks a process per op and makes ~40,000 calls: too slow here.
        [ "$p" = test_op_fuzz ] && continue
        if LD_LIBRARY_PATH="$WORK/vglib" valgrind --error-exitcode=97 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite "$WORK/$p" > "$WORK/$p.vg" 2>&1 \
            && grep -qE "definitely lost: 0 bytes|no leaks are possible" "$WORK/$p.vg" \
            && grep -q "ERROR SUMMARY: 0 errors" "$WORK/$p.vg"; then
            echo "ok  $p under valgrind: no definite leaks, 0 errors"
        else
            cat "$WORK/$p.vg" >&2
            fail "$p under valgrind"
        fi
    done
fi

if [ "$failures" -ne 0 ]; then
    echo "test-c.sh: $failures failure(s)" >&2
    exit 1
fi
echo "test-c.sh: all C API checks passed"
