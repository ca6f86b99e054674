#!/bin/bash
# Seeds for fuzz_tar: small pax and GNU archives (with a symlink), one gzipped.
set -eu
out=$1 src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/d" && echo hi > "$src/d/f" && ln -s f "$src/d/l"
tar -C "$src" --format=pax -cf "$out/pax.tar" .
tar -C "$src" --format=gnu -cf "$out/gnu.tar" .
gzip -c "$out/gnu.tar" > "$out/gnu.tar.gz"
