#!/usr/bin/env bash
# Runs the whole Swift test suite under ThreadSanitizer and under
# AddressSanitizer, the C kernels instrumented too (their AVX clones are off
# under the sanitizers: ag_parallel.h says why). Any report fails the run.
#
# The stress tests of Tests/AutogradConcurrencyTests run fewer passes here
# (AUTOGRAD_STRESS_PASSES); OpenBLAS, loaded uninstrumented, runs on one
# thread so that its own spin-waits are not reported as our races.
#
# Environment: SANITIZERS (default "thread address"); SANITIZER_BUILD_ROOT,
# where the two build folders go (default .build/sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

ROOT=${SANITIZER_BUILD_ROOT:-.build/sanitizers}
export AUTOGRAD_STRESS_PASSES=${AUTOGRAD_STRESS_PASSES:-60}
export OPENBLAS_NUM_THREADS=1
# Reports abort the test process; the log is also searched, for reports a
# sanitizer printed without stopping.
export TSAN_OPTIONS="halt_on_error=1 allocator_may_return_null=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 allocator_may_return_null=1 ${ASAN_OPTIONS:-}"
# Leaks are reported at exit; scripts/lsan.supp lists the one known cycle.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp ${LSAN_OPTIONS:-}"

for s in ${SANITIZERS:-thread address}; do
    echo "== swift test --sanitize=$s"
    swift build --build-tests --sanitize="$s" --build-path "$ROOT/$s"
    log=$(mktemp)
    status=0
    swift test --skip-build --sanitize="$s" --build-path "$ROOT/$s" >"$log" 2>&1 || status=$?
    tail -n 3 "$log"
    if [ "$status" -ne 0 ] || grep -E "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer" "$log" >/dev/null; then
        grep -E -A 30 "WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer" "$log" | head -n 120 || true
        grep -E "✘" "$log" | head -n 40 || true
        echo "swift test --sanitize=$s failed (exit $status)" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
done
