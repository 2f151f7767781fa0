#!/usr/bin/env bash
# Installs what the package needs on Debian/Ubuntu when it is missing:
# OpenBLAS (found through pkg-config as "openblas") and pkg-config itself.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas; then
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing libopenblas-dev and pkg-config (apt-get)..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
pkg-config --exists openblas || { echo "OpenBLAS still not found by pkg-config" >&2; exit 1; }
