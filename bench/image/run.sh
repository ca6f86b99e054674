#!/bin/bash
# bench/image/run.sh — image import throughput and memory.
#
# Builds a ~200 MB (uncompressed) multi-layer OCI archive from host files
# (binaries, libraries, docs: realistic compressibility), then in the same
# run, with the archive in the page cache:
#   baseline  per layer: gzip -dc | sha256sum, then tar -x of the same layers
#             (and the one-pass pipeline gzip -dc | tee >(sha256sum) | tar -x)
#   import    berth-image load (spool + sha256 of every blob, gunzip + diff_id,
#             berth-unpack per layer, fsync/syncfs, commit)
# and prints throughput (uncompressed MB/s) for both, their ratio (goal
# >= 0.8), and peak RSS of berth-image and of every berth-unpack, for this
# image and for a one-layer image of a few MB (RSS should not grow with
# layer size). Each measurement runs REPS (3) times, interleaved; the best
# is kept (the machine is shared). Needs root.
# Usage: [REPS=n] bench/image/run.sh [MB per layer, default 50]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
. "$TOP/tests/lib/image.sh"
MB=${1:-50}
W=$(mktemp -d /var/tmp/berth-bench-image.XXXXXX)
trap 'rm -rf "$W"' EXIT
B=$BUILD/bin/berth-image

# layer k: host files until MB megabytes
srcs=(/usr/lib/x86_64-linux-gnu /usr/bin /usr/lib/gcc /usr/share/doc /usr/libexec /usr/share)
mklayer() {
	local k=$1 limit=$2
	find "${srcs[$((k % ${#srcs[@]}))]}" -type f -size -20M -printf '%s %p\n' 2>/dev/null |
		awk -v lim=$((limit * 1000000)) '{ t += $1; if (t > lim) exit; sub(/^[0-9]+ /, ""); print }' \
		>"$W/list$k" || true
	tar --owner=0 --group=0 --numeric-owner --format=pax -P --transform 's,^/,,' \
		-cf "$W/l$k.tar" -T "$W/list$k" 2>/dev/null || true
}

echo "building layers (${MB} MB each, 4 layers)..."
for k in 0 1 2 3; do mklayer "$k" "$MB"; done
img_oci "$W/oci" bench:1 "$W"/l0.tar "$W"/l1.tar "$W"/l2.tar "$W"/l3.tar
img_pack "$W/oci" "$W/bench.tar"
mklayer 4 $((MB * 4 / 10 / 4 + 1))
img_oci "$W/oci-small" small:1 "$W/l4.tar"
img_pack "$W/oci-small" "$W/small.tar"
unc=0
for k in 0 1 2 3; do unc=$((unc + $(stat -c %s "$W/l$k.tar"))); done
echo "archive: $(($(stat -c %s "$W/bench.tar") / 1000000)) MB compressed, $((unc / 1000000)) MB uncompressed tar"
cat "$W/bench.tar" "$W"/oci/blobs/sha256/* >/dev/null

now() { date +%s%N; }
REPS=${REPS:-3}
best() { sort -n | head -1; }
gz_blobs() {
	for b in "$W"/oci/blobs/sha256/*; do
		[ "$(head -c 2 "$b" | od -An -tx1 | tr -d ' ')" = 1f8b ] && echo "$b"
	done
}
cat >"$W/unpack-wrap" <<EOW
#!/bin/sh
exec /usr/bin/time -a -o "$W/unpack-rss" -f %M "$BUILD/bin/berth-unpack" "\$@"
EOW
chmod +x "$W/unpack-wrap"
# each measurement REPS times, interleaved, best kept (the machine is shared)
for r in $(seq "$REPS"); do
	t0=$(now)
	for b in $(gz_blobs); do gzip -dc "$b" | sha256sum >/dev/null; done
	t1=$(now)
	for k in 0 1 2 3; do mkdir -p "$W/x$k" && tar -xf "$W/l$k.tar" -C "$W/x$k"; done
	sync
	t2=$(now)
	rm -rf "$W"/x?
	echo $(((t1 - t0) / 1000000)) >>"$W/t-sha"
	echo $(((t2 - t1) / 1000000)) >>"$W/t-tar"
	echo $(((t2 - t0) / 1000000)) >>"$W/t-base"
	t3=$(now)
	for b in $(gz_blobs); do
		d=$W/p$(basename "$b" | head -c 8); mkdir -p "$d"
		gzip -dc "$b" | tee >(sha256sum >/dev/null) | tar -x -C "$d"
	done
	sync
	t4=$(now)
	rm -rf "$W"/p*
	echo $(((t4 - t3) / 1000000)) >>"$W/t-pipe"
	rm -rf "$W/store"
	t5=$(now)
	/usr/bin/time -o "$W/import-rss" -f %M "$B" --data-root "$W/store" --unpack "$W/unpack-wrap" load "$W/bench.tar" >/dev/null
	t6=$(now)
	echo $(((t6 - t5) / 1000000)) >>"$W/t-import"
done
import_rss=$(tail -1 "$W/import-rss")
unpack_rss=$(sort -n "$W/unpack-rss" | tail -1)
: >"$W/unpack-rss"
/usr/bin/time -o "$W/import-rss" -f %M "$B" --data-root "$W/store2" --unpack "$W/unpack-wrap" load "$W/small.tar" >/dev/null
small_import_rss=$(tail -1 "$W/import-rss")
small_unpack_rss=$(sort -n "$W/unpack-rss" | tail -1)

mbs() { awk -v b="$unc" -v ms="$1" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000.0) }'; }
sha=$(best <"$W/t-sha") tarx=$(best <"$W/t-tar") base=$(best <"$W/t-base")
pipe=$(best <"$W/t-pipe") imp=$(best <"$W/t-import")
echo "best of $REPS runs each (all runs: import $(tr '\n' ' ' <"$W/t-import")ms)"
echo "baseline gzip -dc | sha256sum:              $sha ms"
echo "baseline tar -x (+sync):                     $tarx ms"
echo "baseline both:                               $base ms = $(mbs "$base") MB/s"
echo "one pass gzip -dc | tee sha256sum | tar -x:  $pipe ms = $(mbs "$pipe") MB/s"
echo "berth-image load:                            $imp ms = $(mbs "$imp") MB/s"
awk -v b="$base" -v p="$pipe" -v i="$imp" 'BEGIN { printf "ratio import/baseline %.2f, import/one-pass %.2f (goal >= 0.8)\n", b / i, p / i }'
echo "peak RSS: berth-image $import_rss KiB, berth-unpack $unpack_rss KiB (${MB} MB layers)"
echo "peak RSS: berth-image $small_import_rss KiB, berth-unpack $small_unpack_rss KiB (small one-layer image)"
