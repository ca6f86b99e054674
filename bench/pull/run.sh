#!/bin/bash
# bench/pull/run.sh — docker pull of a multi-layer image from a loopback
# registry (Debian's docker-registry over TLS from a test CA), berthd beside
# Debian's dockerd in the same run, both driven by the stock docker CLI:
#   - pull time (median of RUNS, default 5; the image is removed between
#     runs, so every pull downloads and unpacks all layers);
#   - berth-fetch's peak RSS during a pull (VmHWM, sampled).
# The image: LAYERS (default 5) gzip layers of FILE_MB (default 8) MiB of
# random data each, plus busybox, pushed with skopeo. Everything runs in a
# private network and mount namespace; dockerd gets its own socket, data and
# exec root, and the test CA in its certs.d; it is skipped, with the reason,
# when it is missing or does not start. Needs root.
# Usage: [RUNS=n] [LAYERS=n] [FILE_MB=n] bench/pull/run.sh
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
BIN=$BUILD/bin
# shellcheck source=tests/lib/daemons.sh
. "$TOP/tests/lib/daemons.sh"
if [ -z "${BENCH_PULL_NS:-}" ]; then
	exec unshare -n -m --propagation private env BENCH_PULL_NS=1 "$0" "$@"
fi
ip link set lo up
RUNS=${RUNS:-5}
LAYERS=${LAYERS:-5}
FILE_MB=${FILE_MB:-8}
for t in docker-registry skopeo docker; do
	command -v $t > /dev/null || { echo "bench/pull: $t is missing" >&2; exit 1; }
done
W=$(mktemp -d /var/tmp/berth-bench-pull.XXXXXX)
R=$(mktemp -d /tmp/bbp.XXXXXX)
WORK=$W
daemons_dirs "$R"
D=$W/berth/data
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	umount -R "$W/docker" 2>/dev/null || true
	umount -R "$W/berth" 2>/dev/null || true
	rm -rf "$W" "$R"
}
trap cleanup EXIT
ms_now() { date +%s%N; }
ratio() { awk -v b="$1" -v d="$2" 'BEGIN { printf "%.2f", b / d }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%d", m }'; }

# --- the registry and the image
"$TOP/tools/pki.sh" "$W/pki" --server-ip 127.0.0.1 > /dev/null 2>&1
PORT=$(free_port)
REG=127.0.0.1:$PORT
cat > "$W/reg.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $W/reg}}
http:
  addr: $REG
  tls: {certificate: $W/pki/server/cert.pem, key: $W/pki/server/key.pem}
EOF
docker-registry serve "$W/reg.yml" > "$W/reg.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do curl -s -o /dev/null --cacert "$W/pki/ca.pem" "https://$REG/v2/" && break; sleep 0.1; done
# shellcheck source=tests/lib/image.sh
. "$TOP/tests/lib/image.sh"
layers=()
img_rootfs "$W/r0"
img_layer "$W/r0" "$W/l0.tar"
layers+=("$W/l0.tar")
for i in $(seq "$LAYERS"); do
	mkdir -p "$W/r$i/data"
	head -c $((FILE_MB << 20)) /dev/urandom > "$W/r$i/data/f$i"
	img_layer "$W/r$i" "$W/l$i.tar"
	layers+=("$W/l$i.tar")
done
img_oci "$W/oci" v1 "${layers[@]}"
mkdir -p "$W/skcerts" && cp "$W/pki/ca.pem" "$W/skcerts/ca.crt"
skopeo copy -q --dest-cert-dir "$W/skcerts" "oci:$W/oci:v1" "docker://$REG/bench/multi:v1"
total=$(du -cb "$W"/oci/blobs/sha256/* | tail -1 | cut -f1)
echo "image: $((LAYERS + 1)) layers, $total bytes compressed, registry https://$REG (loopback)"

# --- berthd
mkdir -p "$W/berth" "$W/certs.d/$REG"
mount -t tmpfs -o size=2g tmpfs "$W/berth"
cp "$W/pki/ca.pem" "$W/certs.d/$REG/ca.crt"
printf '[engine]\ncerts_dir = %s\n' "$W/certs.d" > "$W/berth.conf"
start_berthd || { echo "bench/pull: berthd did not start: $(cat "$W/berthd.log")" >&2; exit 1; }
BS=$S

# --- dockerd, trusting the test CA for this registry
docker_skip=
if ! command -v dockerd > /dev/null; then
	docker_skip="dockerd missing (apt-get install docker.io)"
else
	mkdir -p "$W/docker"
	mount -t tmpfs -o size=2g tmpfs "$W/docker"
	# dockerd reads /etc/docker/certs.d: give it one of its own in this mount namespace
	mkdir -p "$W/dcerts/$REG" /etc/docker/certs.d
	cp "$W/pki/ca.pem" "$W/dcerts/$REG/ca.crt"
	mount --bind "$W/dcerts" /etc/docker/certs.d
	dockerd --data-root "$W/docker/root" --exec-root "$W/docker/exec" --pidfile "$W/docker/pid" \
		--host "unix://$W/docker/sock" > "$W/docker.log" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 150); do curl -sf --unix-socket "$W/docker/sock" http://x/_ping > /dev/null 2>&1 && break; sleep 0.2; done
	curl -sf --unix-socket "$W/docker/sock" http://x/_ping > /dev/null 2>&1 ||
		docker_skip="dockerd did not start: $(tail -2 "$W/docker.log" | tr '\n' ' ')"
fi
export DOCKER_CONFIG=$W/docker-config

# pull_ms SOCKET: one pull, then the image removed; prints ms
pull_ms() {
	local t0 t
	t0=$(ms_now)
	docker -H "unix://$1" pull -q "$REG/bench/multi:v1" > /dev/null 2> "$W/pull.err" ||
		{ echo "pull failed: $(cat "$W/pull.err")" >&2; return 1; }
	t=$(( ($(ms_now) - t0) / 1000000 ))
	docker -H "unix://$1" rmi -f "$REG/bench/multi:v1" > /dev/null 2>&1
	docker -H "unix://$1" image prune -f > /dev/null 2>&1 || true
	echo "$t"
}

# berth-fetch's peak RSS: sampled during one pull
( hwm=0
while [ ! -e "$W/rss.done" ]; do
	for p in $(pgrep -x berth-fetch); do
		v=$(awk '/^VmHWM/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
		[ "${v:-0}" -gt "$hwm" ] && hwm=$v && echo "$hwm" > "$W/rss"
	done
	sleep 0.02
done ) &
RSSW=$!
pull_ms "$BS" > /dev/null
touch "$W/rss.done"
wait $RSSW
b=$(for _ in $(seq "$RUNS"); do pull_ms "$BS"; done | median)
line="docker pull ($((LAYERS + 1)) layers, median of $RUNS): berthd $b ms"
if [ -z "$docker_skip" ]; then
	pull_ms "$W/docker/sock" > /dev/null   # warm up as for berthd
	d=$(for _ in $(seq "$RUNS"); do pull_ms "$W/docker/sock"; done | median)
	line="$line, dockerd $d ms, ratio $(ratio "$b" "$d")"
else
	line="$line; dockerd: skipped: $docker_skip"
fi
echo "$line"
echo "berth-fetch peak RSS (VmHWM): $(cat "$W/rss" 2>/dev/null || echo "not seen") kB"
