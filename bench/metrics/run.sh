#!/bin/bash
# bench/metrics/run.sh — berthd's GET /metrics beside Debian's
# prometheus-node-exporter, in the same run:
#   - scrape latency (median, 95th percentile) and CPU per scrape (the
#     server's utime+stime over N back-to-back keep-alive scrapes / N) with
#     1 and with 50 running containers, and bytes per scrape;
#   - node_exporter (its Debian defaults, on 127.0.0.1 in this namespace):
#     the same latency and CPU per scrape, bytes; both servers' RSS.
# The client is one python3 keep-alive connection per server (the same for
# both). Everything runs in a private network and mount namespace; berthd
# has a temporary data root and run dir, and both servers are stopped at the end.
# Usage: [N=n] bench/metrics/run.sh   (needs root, python3, docker CLI)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
BIN=$BUILD/bin
# shellcheck source=tests/lib/daemons.sh
. "$TOP/tests/lib/daemons.sh"
if [ -z "${BENCH_METRICS_NS:-}" ]; then
	exec unshare -n -m --propagation private env BENCH_METRICS_NS=1 "$0" "$@"
fi
ip link set lo up
N=${N:-200}
W=$(mktemp -d /var/tmp/berth-bench-metrics.XXXXXX)
R=$(mktemp -d /tmp/bbm.XXXXXX)
WORK=$W
daemons_dirs "$R"
BERTHD= NPID=
export DOCKER_HOST=unix://$R/engine.sock
cleanup() {
	timeout 120 docker rm -f $(docker ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	for p in $BERTHD $NPID; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pkill -f "berth-shim.*$R" 2>/dev/null || true
	awk -v d="$W" -v r="$R" '$2 ~ "^"d || $2 ~ "^"r { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$W" "$R"
}
trap cleanup EXIT

# measure NAME PID unix:PATH|tcp:HOST:PORT PATH N: one line of numbers
measure() {
	python3 - "$@" <<'PY'
import http.client, socket, sys, time
name, pid, where, path, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
class UnixConn(http.client.HTTPConnection):
    def __init__(self, p): super().__init__("localhost"); self.p = p
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.sock.connect(self.p)
if where.startswith("unix:"): c = UnixConn(where[5:])
else: h, p = where[4:].rsplit(":", 1); c = http.client.HTTPConnection(h, int(p))
def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / 100.0
def rss():
    for l in open("/proc/%d/status" % pid):
        if l.startswith("VmRSS:"): return int(l.split()[1])
for _ in range(5):   # warm up
    c.request("GET", path); c.getresponse().read()
lat, size, c0 = [], 0, cpu()
for _ in range(n):
    t = time.perf_counter(); c.request("GET", path); r = c.getresponse(); b = r.read()
    lat.append((time.perf_counter() - t) * 1000); size = len(b); assert r.status == 200
c1 = cpu(); lat.sort()
print("%-34s %8.2f %8.2f %10.2f %9d %8d" % (name, lat[len(lat) // 2], lat[int(len(lat) * 0.95)],
      (c1 - c0) * 1000 / n, size, rss()))
PY
}

: > "$W/berth.conf"
start_berthd || { echo "bench/metrics: berthd did not start: $(cat "$W/berthd.log")" >&2; exit 1; }
# an image: busybox with sleep
. "$TOP/tests/lib/image.sh"
mkdir -p "$W/img"
img_rootfs "$W/img/r"
ln -sf busybox "$W/img/r/bin/sleep"
img_layer "$W/img/r" "$W/img/l.tar"
img_docker "$W/img/ds" bench/metrics:latest "$W/img/l.tar"
img_pack "$W/img/ds" "$W/m.tar"
docker load -i "$W/m.tar" >/dev/null

echo "bench/metrics: $N keep-alive scrapes per line; CPU = server utime+stime per scrape"
echo "cgroup v2 controllers here: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || echo none)"
printf '%-34s %8s %8s %10s %9s %8s\n' "server" "p50 ms" "p95 ms" "CPU ms" "bytes" "RSS KiB"
docker run -d --network none --name c0 bench/metrics sleep 100000 >/dev/null
measure "berthd, 1 container" "$BERTHD" "unix:$R/engine.sock" /metrics "$N"
for i in $(seq 1 49); do docker run -d --network none --name "c$i" bench/metrics sleep 100000 >/dev/null; done
measure "berthd, 50 containers" "$BERTHD" "unix:$R/engine.sock" /metrics "$N"
docker run -d --name bridged bench/metrics sleep 100000 >/dev/null
measure "berthd, 51 (one on the bridge)" "$BERTHD" "unix:$R/engine.sock" /metrics "$N"

if command -v prometheus-node-exporter >/dev/null; then
	port=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" >"$W/ne.log" 2>&1 &
	NPID=$!
	for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && break; sleep 0.1; done
	measure "prometheus-node-exporter" "$NPID" "tcp:127.0.0.1:$port" /metrics "$N"
	echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | head -1)"
else
	echo "prometheus-node-exporter: skipped (not installed: Debian package prometheus-node-exporter)"
fi
