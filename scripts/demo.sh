#!/usr/bin/env bash
# Runs the demo (release build): the seed example of a custom Function with C kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift run -c release autograd-demo "$@"
