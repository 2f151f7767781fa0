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
# W5 (peak memory) runs in a process of its own, so earlier workloads do not set its peak.
.build/release/autograd-bench --workloads W1,W2,W2c,W3,W4,W6,W7,W8,W9,W10,W11 --json "$out/swift.json" >&2
.build/release/autograd-bench --workloads W5 --json "$out/swift-w5.json" >&2
"$PYTHON" scripts/bench/pytorch_bench.py --workloads W1,W1cpp,W2c,W3,W4,W6,W7,W8,W9,W10,W11 --json "$out/torch.json" >&2
"$PYTHON" scripts/bench/pytorch_bench.py --workloads W5 --json "$out/torch-w5.json" >&2
"$PYTHON" scripts/bench/table.py "$out/torch.json" "$out/swift.json" "$out/torch-w5.json" "$out/swift-w5.json"
