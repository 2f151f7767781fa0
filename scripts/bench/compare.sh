#!/usr/bin/env bash
# Runs autograd-bench and the same workloads in PyTorch on this machine, in
# one run, and prints one table. PYTHON must have torch (see pytorch_bench.py).
#   PYTHON=/path/to/venv/bin/python bash scripts/bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
out=$(mktemp -d)
bash scripts/install-deps.sh
swift build -c release --product autograd-bench >/dev/null
.build/release/autograd-bench --json "$out/swift.json" >&2
"$PYTHON" scripts/bench/pytorch_bench.py --json "$out/torch.json" >&2
"$PYTHON" scripts/bench/table.py "$out/torch.json" "$out/swift.json"
