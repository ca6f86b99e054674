#!/bin/bash
# bench/image/run.sh — image import throughput and memory.
#
# Builds a ~200 MB (uncompressed) multi-layer OCI archive from host files
# (binaries, libraries, docs: realistic compressibility), then in the same
# run, with the archive in the page cache:
#   baseline  per layer: gzip -dc | sha256sum, then tar -x of the same layers
#             (and the one-pass pipeline gzip -dc | tee >(sha256sum) | tar -x)
#   import    berth-image load (spool + sha256 of every blob, gunzip + diff_id,
#             one berth-unpack per layer, several layers at once, syncfs, commit)
#   OLD=DIR   also DIR/bin/berth-image (an earlier build), in the same rounds
#   docker    the same layers as a docker-save archive: berth-image load and
#             `docker load` (Debian's docker.io; a private dockerd on its own
#             socket and data root under the work directory, stopped at the
#             end), skipped with the reason when dockerd is missing or fails
# and prints throughput (uncompressed MB/s), the ratios (goals: >= 1.5 the
# baseline, >= 2.5 docker load), and peak RSS of berth-image and of every
# berth-unpack, for this image and for a one-layer image of a few MB (RSS
# should not grow with layer size). Each measurement runs REPS (3) times,
# interleaved; the best is kept (the machine is shared). Needs root.
# Usage: [REPS=n] [OLD=dir] bench/image/run.sh [MB per layer, default 50]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
. "$TOP/tests/lib/image.sh"
MB=${1:-50}
W=$(mktemp -d /var/tmp/berth-bench-image.XXXXXX)
DPID=
cleanup() {
	if [ -n "$DPID" ]; then kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; fi
	umount -R "$W/docker" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
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
img_docker "$W/dk" bench:dk "$W"/l0.tar "$W"/l1.tar "$W"/l2.tar "$W"/l3.tar
img_pack "$W/dk" "$W/dk.tar"
unc=0
for k in 0 1 2 3; do unc=$((unc + $(stat -c %s "$W/l$k.tar"))); done
echo "archive: $(($(stat -c %s "$W/bench.tar") / 1000000)) MB compressed, $((unc / 1000000)) MB uncompressed tar"
cat "$W/bench.tar" "$W/dk.tar" "$W"/oci/blobs/sha256/* >/dev/null

# a private dockerd, when Debian's docker.io is installed
docker_skip=
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
	docker_skip="dockerd/docker missing (apt-get install docker.io)"
else
	mkdir -p "$W/docker"
	dockerd --data-root "$W/docker/root" --exec-root "$W/docker/exec" --pidfile "$W/docker/pid" \
		--host "unix://$W/docker/sock" --bridge none --iptables=false --ip6tables=false \
		>"$W/docker/log" 2>&1 &
	DPID=$!
	for i in $(seq 100); do docker -H "unix://$W/docker/sock" info >/dev/null 2>&1 && break; sleep 0.2; done
	docker -H "unix://$W/docker/sock" info >/dev/null 2>&1 ||
		docker_skip="dockerd did not start: $(tail -2 "$W/docker/log" | tr '\n' ' ')"
fi
dk() { docker -H "unix://$W/docker/sock" "$@"; }

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
	if [ -n "${OLD:-}" ]; then
		rm -rf "$W/store-old"
		t5=$(now)
		"$OLD/bin/berth-image" --data-root "$W/store-old" --unpack "$OLD/bin/berth-unpack" load "$W/bench.tar" >/dev/null
		t6=$(now)
		echo $(((t6 - t5) / 1000000)) >>"$W/t-old"
		rm -rf "$W/store-old"
	fi
	rm -rf "$W/store"
	if [ -z "$docker_skip" ]; then
		t5=$(now)
		"$B" --data-root "$W/store" load "$W/dk.tar" >/dev/null
		t6=$(now)
		echo $(((t6 - t5) / 1000000)) >>"$W/t-import-dk"
		rm -rf "$W/store"
		if [ -n "${OLD:-}" ]; then
			t5=$(now)
			"$OLD/bin/berth-image" --data-root "$W/store-old" --unpack "$OLD/bin/berth-unpack" load "$W/dk.tar" >/dev/null
			t6=$(now)
			echo $(((t6 - t5) / 1000000)) >>"$W/t-old-dk"
			rm -rf "$W/store-old"
		fi
		dk rmi -f bench:dk >/dev/null 2>&1 || true
		sync
		t5=$(now)
		dk load -i "$W/dk.tar" >/dev/null
		sync
		t6=$(now)
		echo $(((t6 - t5) / 1000000)) >>"$W/t-docker"
		dk rmi -f bench:dk >/dev/null 2>&1 || true
	fi
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
awk -v b="$base" -v p="$pipe" -v i="$imp" 'BEGIN { printf "ratio import/baseline %.2f, import/one-pass %.2f (goal >= 1.5 the baseline)\n", b / i, p / i }'
if [ -n "${OLD:-}" ]; then
	old=$(best <"$W/t-old")
	echo "berth-image load, $OLD:  $old ms = $(mbs "$old") MB/s (all runs: $(tr '\n' ' ' <"$W/t-old")ms)"
	awk -v b="$base" -v o="$old" -v i="$imp" 'BEGIN { printf "ratio earlier build/baseline %.2f; this build is %.2fx the earlier one\n", b / o, o / i }'
fi
if [ -z "$docker_skip" ]; then
	di=$(best <"$W/t-import-dk") dd=$(best <"$W/t-docker")
	echo "docker-save archive (uncompressed layers), berth-image load: $di ms (all: $(tr '\n' ' ' <"$W/t-import-dk")ms)"
	[ -n "${OLD:-}" ] && echo "docker-save archive, berth-image load, $OLD: $(best <"$W/t-old-dk") ms (all: $(tr '\n' ' ' <"$W/t-old-dk")ms)"
	echo "docker-save archive, docker load ($(dk version -f '{{.Server.Version}}' 2>/dev/null)):   $dd ms (all: $(tr '\n' ' ' <"$W/t-docker")ms)"
	awk -v d="$dd" -v i="$di" 'BEGIN { printf "ratio import/docker load %.2f (goal >= 2.5)\n", d / i }'
else
	echo "docker load: skipped: $docker_skip"
fi
echo "peak RSS: berth-image $import_rss KiB, berth-unpack $unpack_rss KiB (${MB} MB layers)"
echo "peak RSS: berth-image $small_import_rss KiB, berth-unpack $small_unpack_rss KiB (small one-layer image)"
