#!/usr/bin/env bash
# Tests the installed C library (scripts/install.sh) as a C user on a
# machine without Swift would see it:
#  1. installs into a temporary prefix;
#  2. checks the layout: SONAME libautograd.so.MAJOR and its symlinks, only
#     autograd_* exported, a RUNPATH that does not name the toolchain,
#     every library the loader needs found inside the prefix or the system;
#  3. builds the C examples (Examples/c) against the prefix, once with
#     `pkg-config --cflags --libs autograd` and once with CMake's
#     find_package(autograd), and runs them with the toolchain's library
#     folder out of reach (a private mount namespace with an empty folder
#     mounted over it, where the machine allows it; else the ldd check of 2).
# Environment: CC (default cc).
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}

need() {  # installs the Debian packages (command:package) whose commands are missing
    local missing=()
    for pair in "$@"; do command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}"); done
    bash scripts/apt-install.sh "${missing[@]}"
}
need pkg-config:pkg-config cmake:cmake

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PREFIX="$WORK/prefix"
bash scripts/install.sh "$PREFIX"

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
header=CSources/CAutograd/include/autograd.h
MAJOR=$(awk '$2 == "AUTOGRAD_VERSION_MAJOR" { print $3 }' "$header")
VERSION=$(awk '$2 == "AUTOGRAD_VERSION_STRING" { gsub(/"/, "", $3); print $3 }' "$header")
LIB="$PREFIX/lib/libautograd.so.$VERSION"
TOOLCHAIN_LIB=$(cd "$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift/linux" && pwd -P)

echo "== layout"
[ -f "$LIB" ] || fail "$LIB missing"
[ "$(readlink "$PREFIX/lib/libautograd.so.$MAJOR")" = "libautograd.so.$VERSION" ] || fail "libautograd.so.$MAJOR symlink"
[ "$(readlink "$PREFIX/lib/libautograd.so")" = "libautograd.so.$MAJOR" ] || fail "libautograd.so symlink"
soname=$(readelf -d "$LIB" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libautograd.so.$MAJOR" ] || fail "SONAME is '$soname'"
runpath=$(readelf -d "$LIB" | sed -n 's/.*Library runpath: \[\(.*\)\]/\1/p')
case "$runpath" in *"$TOOLCHAIN_LIB"*|*/opt/*|*/usr/lib/swift*) fail "RUNPATH names the toolchain: $runpath" ;; esac
others=$(nm -D --defined-only "$LIB" | awk '$2 ~ /^[A-Z]$/ && $3 !~ /^autograd_/ { print $3 }')
[ -z "$others" ] || fail "exports symbols besides autograd_*: $(echo "$others" | head -5 | tr '\n' ' ')"
declared=$(grep -oE '\bautograd_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u | wc -l)
exported=$(nm -D --defined-only "$LIB" | awk '$2 ~ /^[A-Z]$/ && $3 ~ /^autograd_/' | wc -l)
[ "$declared" = "$exported" ] || fail "$declared functions declared, $exported exported"
[ -f "$PREFIX/lib/libautograd_kernels.a" ] || fail "libautograd_kernels.a missing"
echo "SONAME $soname, RUNPATH $runpath, $exported autograd_* symbols exported (every declared function) and nothing else"
# Every library the loader needs comes from the prefix or the system, none from the toolchain.
deps=$(env -u LD_LIBRARY_PATH ldd "$LIB")
if echo "$deps" | grep -E "not found|$TOOLCHAIN_LIB" >/dev/null; then fail "ldd: $(echo "$deps" | grep -E "not found|$TOOLCHAIN_LIB")"; fi
echo "size: library $(du -h "$LIB" | cut -f1), Swift runtime $(du -sh "$PREFIX/lib/autograd-runtime" | cut -f1)"

# Runs a program with the toolchain's libraries out of reach when the machine allows it.
HIDE=0
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -m true 2>/dev/null; then HIDE=1; fi
run_hidden() {
    if [ "$HIDE" = 1 ]; then
        env -u LD_LIBRARY_PATH unshare -m sh -c 'mount -t tmpfs tmpfs "$0" && exec "$@"' "$TOOLCHAIN_LIB" "$@"
    else
        env -u LD_LIBRARY_PATH "$@"
    fi
}
[ "$HIDE" = 1 ] && echo "running with $TOOLCHAIN_LIB hidden (an empty tmpfs over it)" \
    || echo "note: cannot hide $TOOLCHAIN_LIB here (needs root and unshare); relying on the ldd check"

check_run() {  # name, program and its arguments, expected line
    local name=$1 expected=${*: -1} out
    local cmd=("${@:2:$#-2}")
    if out=$(run_hidden "${cmd[@]}" 2>&1) && echo "$out" | grep -Fqx "$expected"; then
        echo "ok  $name"
    else
        echo "$out" | tail -5 >&2
        fail "$name did not print '$expected'"
    fi
}

echo "== pkg-config"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
[ "$(pkg-config --modversion autograd)" = "$VERSION" ] || fail "pkg-config --modversion"
# shellcheck disable=SC2046 # pkg-config's flags split on purpose
"$CC" -std=c11 -O1 -Wall -Wextra -Werror Examples/c/train.c $(pkg-config --cflags --libs autograd) -lm \
    -Wl,-rpath,"$PREFIX/lib" -o "$WORK/train_pc"
# shellcheck disable=SC2046
"$CC" -std=c11 -O1 -Wall -Wextra -Werror -I CSources/ExampleKernels/include Examples/c/seed.c \
    CSources/ExampleKernels/custom_tanh.c $(pkg-config --cflags --libs autograd) -lm \
    -Wl,-rpath,"$PREFIX/lib" -o "$WORK/seed_pc"
check_run "train (pkg-config)" "$WORK/train_pc" "converged"
check_run "seed (pkg-config)" "$WORK/seed_pc" "X.grad = tensor([0.0000, 2.5588])"

echo "== CMake find_package"
mkdir -p "$WORK/cmake"
cat > "$WORK/cmake/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(autograd_consumer C)
find_package(autograd $VERSION REQUIRED)
add_executable(train "$PWD/Examples/c/train.c")
target_link_libraries(train PRIVATE autograd::autograd m)
add_executable(seed "$PWD/Examples/c/seed.c" "$PWD/CSources/ExampleKernels/custom_tanh.c")
target_include_directories(seed PRIVATE "$PWD/CSources/ExampleKernels/include")
target_link_libraries(seed PRIVATE autograd::autograd m)
CMAKE
if cmake -S "$WORK/cmake" -B "$WORK/cmake/build" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_C_COMPILER="$CC" >"$WORK/cmake.log" 2>&1 \
    && cmake --build "$WORK/cmake/build" >>"$WORK/cmake.log" 2>&1; then
    check_run "train (CMake)" "$WORK/cmake/build/train" "converged"
    check_run "seed (CMake)" "$WORK/cmake/build/seed" "X.grad = tensor([0.0000, 2.5588])"
else
    tail -20 "$WORK/cmake.log" >&2
    fail "the CMake consumer did not build"
fi
# A request for another major (or, before 1.0, minor) version is refused.
sed -i "s/find_package(autograd $VERSION REQUIRED)/find_package(autograd $((MAJOR + 1)).0 REQUIRED)/" "$WORK/cmake/CMakeLists.txt"
if cmake -S "$WORK/cmake" -B "$WORK/cmake/build2" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null 2>&1; then
    fail "find_package accepted version $((MAJOR + 1)).0"
fi

echo "== Python (ctypes)"
if command -v python3 >/dev/null 2>&1; then
    check_run "Examples/python/seed.py" python3 "$PWD/Examples/python/seed.py" "$PREFIX/lib/libautograd.so.$MAJOR" \
        "X.grad = tensor([0.0000, 2.5588])"
else
    echo "note: no python3"
fi

if [ "$failures" -ne 0 ]; then
    echo "test-install.sh: $failures failure(s)" >&2
    exit 1
fi
echo "test-install.sh: the installed library works"
