#!/bin/bash
# bench/engine/run.sh — berthd beside Debian's dockerd (with containerd and
# runc), in the same run, driven by the same stock docker CLI:
#   - `docker run --rm IMAGE true` end to end over each engine's Unix socket,
#     median of RUNS (30), with the default bridge network and with
#     --network none; beside it the launcher alone (berth-run on the same
#     root, the share of berthd's time spent starting the container);
#   - `docker load` of the same archive;
#   - keep-alive GET /_ping requests per second over the socket from one
#     load client (bench/engine/pingload.c; 1 and 4 connections);
#   - idle RSS: berthd, berthd + one running container's shim, against
#     dockerd + containerd (+ the container's containerd-shim).
# Everything runs in a private network and mount namespace (bridges, veths
# and firewall rules of both engines stay there); each engine has its own
# socket, data root and exec root under a temporary directory, and is
# stopped at the end. dockerd is skipped, with the reason, when it is
# missing or does not start. Needs root.
# Usage: [SECS=n] [RUNS=n] bench/engine/run.sh
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
BIN=$BUILD/bin
# shellcheck source=tests/lib/daemons.sh
. "$TOP/tests/lib/daemons.sh"
if [ -z "${BENCH_ENGINE_NS:-}" ]; then
	exec unshare -n -m --propagation private env BENCH_ENGINE_NS=1 "$0" "$@"
fi
ip link set lo up
LOAD=$BUILD/host/pingload
SECS=${SECS:-3}
RUNS=${RUNS:-30}
W=$(mktemp -d /var/tmp/berth-bench-engine.XXXXXX)
# berthd's run dir: short, so that a shim's socket path fits sun_path
R=$(mktemp -d /tmp/bbe.XXXXXX)
WORK=$W
daemons_dirs "$R"
D=$W/berth/data
BERTHD= DPID=
cleanup() {
	for p in $BERTHD $DPID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pkill -f "berth-shim.*$R" 2>/dev/null || true
	umount -R "$W/docker" 2>/dev/null || true
	umount -R "$W/berth" 2>/dev/null || true
	rm -rf "$W" "$R"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
ms_now() { date +%s%N; }
# median_ms CMD...: run CMD RUNS times, print the median wall time in ms
median_ms() {
	local i t0
	for i in $(seq "$RUNS"); do
		t0=$(ms_now)
		"$@" > /dev/null 2> "$W/last.err" || { echo "failed: $*: $(cat "$W/last.err")" >&2; return 1; }
		echo $(( ($(ms_now) - t0) / 1000 ))
	done | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
ratio() { awk -v b="$1" -v d="$2" 'BEGIN { printf "%.2f", b / d }'; }

# The image: busybox, tagged bench/busybox.
# shellcheck source=tests/lib/image.sh
. "$TOP/tests/lib/image.sh"
img_rootfs "$W/rootfs"
ln -sf busybox "$W/rootfs/bin/sleep"
img_layer "$W/rootfs" "$W/l1.tar"
img_docker "$W/img" bench/busybox:latest "$W/l1.tar"
img_pack "$W/img" "$W/img.tar"

mkdir -p "$W/berth"
mount -t tmpfs -o size=1g tmpfs "$W/berth"
: > "$W/berth.conf"
start_berthd || { echo "bench/engine: berthd did not start: $(cat "$W/berthd.log")" >&2; exit 1; }
BS=$S

docker_skip=
if ! command -v dockerd > /dev/null; then
	docker_skip="dockerd missing (apt-get install docker.io)"
else
	mkdir -p "$W/docker"
	mount -t tmpfs -o size=1g tmpfs "$W/docker"
	dockerd --data-root "$W/docker/root" --exec-root "$W/docker/exec" --pidfile "$W/docker/pid" \
		--host "unix://$W/docker/sock" > "$W/docker.log" 2>&1 &
	DPID=$!
	for _ in $(seq 150); do curl -sf --unix-socket "$W/docker/sock" http://x/_ping > /dev/null 2>&1 && break; sleep 0.2; done
	curl -sf --unix-socket "$W/docker/sock" http://x/_ping > /dev/null 2>&1 ||
		docker_skip="dockerd did not start: $(tail -2 "$W/docker.log" | tr '\n' ' ')"
fi
DS=$W/docker/sock
export DOCKER_CONFIG=$W/docker-config
bk() { docker -H "unix://$BS" "$@"; }
dk() { docker -H "unix://$DS" "$@"; }

echo "image archive: $(stat -c %s "$W/img.tar") bytes (busybox, one layer)"
t0=$(ms_now); bk load -i "$W/img.tar" > /dev/null; bl=$(( ($(ms_now) - t0) / 1000000 ))
line="docker load: berthd $bl ms"
if [ -z "$docker_skip" ]; then
	t0=$(ms_now); dk load -i "$W/img.tar" > /dev/null; dl=$(( ($(ms_now) - t0) / 1000000 ))
	line="$line, dockerd $dl ms, ratio $(ratio "$bl" "$dl")"
fi
echo "$line"

for net in bridge none; do
	b=$(median_ms bk run --rm --network "$net" bench/busybox true)
	line="docker run --rm --network $net IMAGE true, median of $RUNS: berthd $b ms"
	if [ -z "$docker_skip" ]; then
		d=$(median_ms dk run --rm --network "$net" bench/busybox true)
		line="$line, dockerd $d ms, ratio $(ratio "$b" "$d") (goal <= 0.15)"
	fi
	echo "$line"
done
l=$(median_ms "$BUILD/bin/berth-run" "$W/rootfs" /bin/true)
echo "the launcher alone (berth-run on the same root, network none), median of $RUNS: $l ms"

sleep 2	# idle
b_rss=$(rss_kb "$BERTHD")
echo "idle RSS: berthd $b_rss kB"
bk run -d --network none --name idle bench/busybox sleep 1000 > /dev/null
sleep 1
s_pid=$(pgrep -f "berth-shim.*$R" | head -1 || true)
s_rss=$([ -n "$s_pid" ] && rss_kb "$s_pid" || echo 0)
echo "berthd + one running container's shim: $b_rss + $s_rss = $((b_rss + s_rss)) kB"
if [ -z "$docker_skip" ]; then
	c_pid=$(pgrep -P "$DPID" containerd || true)
	d_rss=$(rss_kb "$DPID") c_rss=$([ -n "$c_pid" ] && rss_kb "$c_pid" || echo 0)
	dk run -d --network none --name idle bench/busybox sleep 1000 > /dev/null
	sleep 1
	cs_pid=$(pgrep -f "containerd-shim.*$W" | head -1 || true)
	cs_rss=$([ -n "$cs_pid" ] && rss_kb "$cs_pid" || echo 0)
	echo "idle RSS: dockerd $d_rss kB + containerd $c_rss kB = $((d_rss + c_rss)) kB" \
		"(berthd + a shim is 1/$(((d_rss + c_rss) / ((b_rss + s_rss) > 0 ? (b_rss + s_rss) : 1))) of it; goal 1/50)"
	echo "per running container: berth-shim $s_rss kB, containerd-shim $cs_rss kB"
	dk rm -f idle > /dev/null 2>&1 || true
else
	echo "dockerd: skipped: $docker_skip"
fi
bk rm -f idle > /dev/null 2>&1 || true

for c in 1 4; do
	b=$("$LOAD" "$BS" "$SECS" $c)
	line="keep-alive GET /_ping, $c connection(s), ${SECS}s: berthd $b req/s"
	if [ -z "$docker_skip" ]; then
		d=$("$LOAD" "$DS" "$SECS" $c)
		line="$line, dockerd $d req/s, ratio $(ratio "$b" "$d")x"
	fi
	echo "$line"
done
echo "berthd RSS after the load: $(rss_kb "$BERTHD") kB"
