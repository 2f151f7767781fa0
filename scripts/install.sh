#!/usr/bin/env bash
# Installs the C library under PREFIX, for C (and C++, Python ctypes, …)
# programs on machines without the Swift toolchain:
#
#   PREFIX/include/autograd.h, PREFIX/include/autograd/*.h (the kernels' headers)
#   PREFIX/lib/libautograd.so.X.Y.Z, with SONAME libautograd.so.X and the
#       symlinks libautograd.so.X and libautograd.so; it exports autograd_*
#       only, and finds the Swift runtime through RUNPATH
#       $ORIGIN/autograd-runtime
#   PREFIX/lib/libautograd_kernels.a  the C kernels (ag_*: ag_parallel_for,
#       the elementwise math) for custom ops' own kernels, plain C
#   PREFIX/lib/autograd-runtime/  the Swift runtime libraries it needs, copied
#       from the toolchain (about 14 MB; nothing of Foundation)
#   PREFIX/lib/pkgconfig/autograd.pc, PREFIX/lib/cmake/autograd/ (find_package)
#
# Usage: scripts/install.sh PREFIX. Environment: INSTALL_SCRATCH, the build
# folder (default .build/install; the flags differ from a plain build's); CC
# (default cc) for the kernels' archive.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/install.sh PREFIX" >&2; exit 2; }
bash scripts/install-deps.sh
mkdir -p "$1"
PREFIX=$(cd "$1" && pwd)

header=CSources/CAutograd/include/autograd.h
field() { awk -v name="AUTOGRAD_VERSION_$1" '$1 == "#define" && $2 == name { print $3 }' "$header"; }
MAJOR=$(field MAJOR) MINOR=$(field MINOR) PATCH=$(field PATCH)
VERSION="$MAJOR.$MINOR.$PATCH"
[ -n "$MAJOR" ] && [ -n "$MINOR" ] && [ -n "$PATCH" ] || { echo "no version in $header" >&2; exit 1; }

SCRATCH=${INSTALL_SCRATCH:-.build/install}
echo "== building libautograd.so $VERSION (release)"
# No RUNPATH into the toolchain: the installed runtime copy is found through $ORIGIN.
swift build -c release --product autograd --scratch-path "$SCRATCH" \
    -Xswiftc -no-toolchain-stdlib-rpath \
    -Xlinker "-soname=libautograd.so.$MAJOR" \
    -Xlinker "--version-script=$PWD/scripts/install/exports.map" \
    -Xlinker "-rpath=\$ORIGIN/autograd-runtime"
LIB="$(swift build -c release --product autograd --scratch-path "$SCRATCH" --show-bin-path)/libautograd.so"
[ -f "$LIB" ] || { echo "libautograd.so not found at $LIB" >&2; exit 1; }

TOOLCHAIN_LIB=$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift/linux
TOOLCHAIN_LIB=$(cd "$TOOLCHAIN_LIB" && pwd -P)

echo "== installing into $PREFIX"
install -d "$PREFIX/include/autograd" "$PREFIX/lib/autograd-runtime" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/cmake/autograd"
install -m 644 "$header" "$PREFIX/include/autograd.h"
install -m 644 CSources/AutogradKernels/include/*.h "$PREFIX/include/autograd/"
install -m 755 "$LIB" "$PREFIX/lib/libautograd.so.$VERSION"
# Without the debug info (8 MB of it): a C program's debugger needs the C side's.
if command -v strip >/dev/null; then strip --strip-debug "$PREFIX/lib/libautograd.so.$VERSION"; fi
ln -sfn "libautograd.so.$VERSION" "$PREFIX/lib/libautograd.so.$MAJOR"
ln -sfn "libautograd.so.$MAJOR" "$PREFIX/lib/libautograd.so"

# The Swift runtime: every library the loader resolves inside the toolchain.
# They find each other through their own RUNPATH, $ORIGIN.
rm -f "$PREFIX"/lib/autograd-runtime/*.so*
LD_LIBRARY_PATH="$TOOLCHAIN_LIB" ldd "$LIB" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r dep; do
    case "$(readlink -f "$dep")" in
        "$TOOLCHAIN_LIB"/*) install -m 644 "$(readlink -f "$dep")" "$PREFIX/lib/autograd-runtime/$(basename "$dep")" ;;
    esac
done

# The kernels as a static archive: the shared library keeps its own copies
# local, so a program's kernels and the library never clash.
KOBJ="$SCRATCH/kernels-objects"
rm -rf "$KOBJ" && mkdir -p "$KOBJ"
for c in CSources/AutogradKernels/*.c; do
    "${CC:-cc}" -std=gnu11 -O2 -fPIC -I CSources/AutogradKernels/include -c "$c" -o "$KOBJ/$(basename "$c" .c).o"
done
rm -f "$PREFIX/lib/libautograd_kernels.a"
ar rcs "$PREFIX/lib/libautograd_kernels.a" "$KOBJ"/*.o

subst() {
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@VERSION@|$VERSION|g" -e "s|@MAJOR@|$MAJOR|g" -e "s|@MINOR@|$MINOR|g" "$1" > "$2"
}
subst scripts/install/autograd.pc.in "$PREFIX/lib/pkgconfig/autograd.pc"
subst scripts/install/autogradConfig.cmake.in "$PREFIX/lib/cmake/autograd/autogradConfig.cmake"
subst scripts/install/autogradConfigVersion.cmake.in "$PREFIX/lib/cmake/autograd/autogradConfigVersion.cmake"

echo "installed libautograd $VERSION: $(du -sh "$PREFIX/lib/libautograd.so.$VERSION" | cut -f1) library," \
     "$(du -sh "$PREFIX/lib/autograd-runtime" | cut -f1) Swift runtime ($(ls "$PREFIX/lib/autograd-runtime" | wc -l) files)"
