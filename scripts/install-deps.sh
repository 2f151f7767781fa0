#!/usr/bin/env bash
# Installs what the package needs on Debian/Ubuntu when it is missing:
# OpenBLAS, which the library loads at run time (libopenblas.so.0).
set -euo pipefail
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
# Whether the loader knows libopenblas.so.0. (Not `grep -q`: it stops reading
# at the first match, ldconfig then dies of SIGPIPE, and with pipefail the
# pipeline fails although the library is there.)
have_openblas() { "$LDCONFIG" -p 2>/dev/null | grep 'libopenblas\.so\.0' >/dev/null; }
if have_openblas; then
    exit 0
fi
bash "$(dirname "$0")/apt-install.sh" libopenblas-dev
have_openblas || { echo "OpenBLAS (libopenblas.so.0) still not found" >&2; exit 1; }
