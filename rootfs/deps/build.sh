#!/bin/sh
# build.sh — fetch, verify and build one pinned dependency into the sysroot.
#
# Usage: rootfs/deps/build.sh TOP BUILDDIR NAME
# Runs rootfs/deps/NAME.sh with SRC (the unpacked, verified source or .deb
# contents), SYSROOT, CC (musl-gcc), DEP_CFLAGS and JOBS in its environment;
# its output goes to BUILDDIR/log/deps/NAME.log and is shown only on failure.
# On success BUILDDIR/stamp/NAME records the pin that was built.
# Exit codes: 0 ok, 1 the recipe or the fetch failed, 100 usage.
set -eu
[ $# = 3 ] || { echo "usage: $0 TOP BUILDDIR NAME" >&2; exit 100; }
TOP=$1 BUILD=$2 NAME=$3
lock=$TOP/rootfs/deps.lock
recipe=$TOP/rootfs/deps/$NAME.sh
[ -f "$recipe" ] || { echo "deps: no recipe $recipe" >&2; exit 100; }

SYSROOT=$BUILD/sysroot
mkdir -p "$SYSROOT/include" "$SYSROOT/lib" "$SYSROOT/bin" "$BUILD/log/deps" "$BUILD/stamp"
# musl-gcc does not see the kernel's UAPI headers; give it only those
# (never glibc's headers). Under a lock: `make -j` runs several recipes.
exec 8> "$SYSROOT/.links.lock"
flock 8
for d in linux asm-generic; do
	[ -e "$SYSROOT/include/$d" ] || ln -s "/usr/include/$d" "$SYSROOT/include/$d"
done
[ -e "$SYSROOT/include/asm" ] || ln -s /usr/include/x86_64-linux-gnu/asm "$SYSROOT/include/asm"
exec 8>&-

pin=$(awk -v n="$NAME" '$1 !~ /^#/ && $2 == n { print $3 }' "$lock")
log=$BUILD/log/deps/$NAME.log
start=$(date +%s)
"$TOP/rootfs/deps/fetch.sh" "$lock" "$BUILD" "$NAME"
echo "  DEP     $NAME $pin (log: ${log#"$TOP"/})"
export SRC="$BUILD/src/$NAME" SYSROOT CC=musl-gcc JOBS="${JOBS:-$(nproc)}"
export DEP_CFLAGS="-Os -fPIC -fstack-protector-strong -ffunction-sections -fdata-sections -isystem $SYSROOT/include"
if ! (cd "$SRC" && sh -eux "$recipe") > "$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "deps: $NAME: build failed; full log in $log" >&2
	exit 1
fi
echo "$NAME $pin" > "$BUILD/stamp/$NAME"
echo "  DEP     $NAME done in $(( $(date +%s) - start )) s"
