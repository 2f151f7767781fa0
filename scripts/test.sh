#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then the Swift tests
# (`swift test`), the C API's tests (C programs against autograd.h and
# libautograd.so, also under valgrind: scripts/test-c.sh), the installed C
# library built against with pkg-config and CMake, run without the toolchain
# (scripts/test-install.sh), and the Swift tests
# again under ThreadSanitizer and AddressSanitizer (scripts/test-sanitizers.sh;
# SKIP_SANITIZERS=1 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-macos-shims.sh   # the C code's macOS branches compile (seconds)
swift build --build-tests
swift test --skip-build
bash scripts/test-c.sh
bash scripts/test-install.sh
[ "${SKIP_SANITIZERS:-0}" = "1" ] || bash scripts/test-sanitizers.sh
