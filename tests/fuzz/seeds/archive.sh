#!/bin/bash
# Seeds for fuzz_archive: archives with the links docker save writes (a
# layer.tar symlinked from another image's directory), hardlinks, links
# that climb with "..", and a layer with symlinks and hardlinks.
set -eu
out=$1 src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/a/b" "$src/abc" "$src/def"
echo layer > "$src/def/layer.tar"
ln -s ../def/layer.tar "$src/abc/layer.tar"
echo '[]' > "$src/manifest.json"
ln "$src/manifest.json" "$src/hard.json"
ln -s ../../def/layer.tar "$src/a/b/up"
ln -s ../../../etc/passwd "$src/a/b/out"
tar -C "$src" --format=pax -cf "$out/docker-links.tar" .
tar -C "$src" --format=gnu -cf "$out/docker-links-gnu.tar" .
gzip -c "$out/docker-links.tar" > "$out/docker-links.tar.gz"
rm -rf "${src:?}"/*
mkdir -p "$src/etc" "$src/bin"
echo root > "$src/etc/passwd"
ln -s /etc "$src/etc-abs"
ln -s ../etc "$src/bin/etc-rel"
ln "$src/etc/passwd" "$src/bin/passwd-hard"
tar -C "$src" --format=pax -cf "$out/layer-links.tar" .
