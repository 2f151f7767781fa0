#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then the Swift tests
# (`swift test`) and the C API's tests (C programs against autograd.h and
# libautograd.so, also under valgrind: scripts/test-c.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
bash scripts/test-c.sh
