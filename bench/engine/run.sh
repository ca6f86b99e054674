#!/bin/bash
# bench/engine/run.sh — berthd beside Debian's dockerd, in the same run:
#   keep-alive GET /_ping requests per second over the Unix socket from one
#   load client (bench/engine/pingload.c; 1 and 4 connections), and idle RSS
#   of berthd against dockerd + containerd.
# Each engine runs on a private socket, data root and exec root under a
# temporary directory and is stopped at the end. dockerd is skipped, with
# the reason, when it is missing or does not start. Needs root.
# Usage: [SECS=n] bench/engine/run.sh
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
LOAD=$BUILD/host/pingload
SECS=${SECS:-3}
W=$(mktemp -d /var/tmp/berth-bench-engine.XXXXXX)
BPID= DPID=
cleanup() {
	for p in $BPID $DPID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	umount -R "$W/docker" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

: >"$W/empty.conf"
"$BUILD/bin/berthd" --data-root "$W/berth/data" --run-dir "$W/berth/run" --config "$W/empty.conf" \
	2>"$W/berthd.log" &
BPID=$!
for _ in $(seq 50); do [ -S "$W/berth/run/engine.sock" ] && break; sleep 0.1; done
BS=$W/berth/run/engine.sock

docker_skip=
if ! command -v dockerd >/dev/null; then
	docker_skip="dockerd missing (apt-get install docker.io)"
else
	mkdir -p "$W/docker"
	dockerd --data-root "$W/docker/root" --exec-root "$W/docker/exec" --pidfile "$W/docker/pid" \
		--host "unix://$W/docker/sock" --bridge none --iptables=false --ip6tables=false \
		>"$W/docker/log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do curl -sf --unix-socket "$W/docker/sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.2; done
	curl -sf --unix-socket "$W/docker/sock" http://x/_ping >/dev/null 2>&1 ||
		docker_skip="dockerd did not start: $(tail -2 "$W/docker/log" | tr '\n' ' ')"
fi
DS=$W/docker/sock

sleep 2	# idle
b_rss=$(rss_kb "$BPID")
echo "idle RSS: berthd $((b_rss)) kB"
if [ -z "$docker_skip" ]; then
	c_pid=$(pgrep -P "$DPID" containerd || true)
	d_rss=$(rss_kb "$DPID") c_rss=$([ -n "$c_pid" ] && rss_kb "$c_pid" || echo 0)
	echo "idle RSS: dockerd $d_rss kB + containerd $c_rss kB = $((d_rss + c_rss)) kB" \
		"(berthd is 1/$(((d_rss + c_rss) / (b_rss > 0 ? b_rss : 1))) of it)"
else
	echo "dockerd: skipped: $docker_skip"
fi

for c in 1 4; do
	b=$("$LOAD" "$BS" "$SECS" $c)
	line="keep-alive GET /_ping, $c connection(s), ${SECS}s: berthd $b req/s"
	if [ -z "$docker_skip" ]; then
		d=$("$LOAD" "$DS" "$SECS" $c)
		line="$line, dockerd $d req/s, ratio $(awk -v b="$b" -v d="$d" 'BEGIN { printf "%.2f", b / d }')x"
	fi
	echo "$line"
done
echo "berthd RSS after the load: $(rss_kb "$BPID") kB"
