#!/usr/bin/env bash
# Measures the float32 accuracy of the elementwise kernels (scripts/numerics/
# ulp_table.c) and prints the table that docs/NUMERICS.md shows. Argument: the
# number of inputs per function (default 2^21).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product autograd >/dev/null
LIB=$(swift build -c release --product autograd --show-bin-path)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"${CC:-cc}" -std=c11 -O2 -I CSources/AutogradKernels/include scripts/numerics/ulp_table.c \
    -L "$LIB" -lautograd -Wl,-rpath,"$LIB" -lm -o "$WORK/ulp_table"
"$WORK/ulp_table" "$@"
