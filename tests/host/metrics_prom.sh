#!/bin/bash
# metrics_prom.sh — a real Prometheus (Debian's package) scrapes berthd's
# GET /metrics: the target is up, and queries return what the sources hold
# (build info, a container's state and restarts, the host's MemTotal, a
# container's memory against its cgroup's memory.current where the launcher
# gets a cgroup). Prometheus cannot scrape a Unix socket, so until berth-apid
# (issue 11) is merged it scrapes berthd's socket through socat on 127.0.0.1;
# the mTLS scrape with the monitor certificate is then apid's to test.
# Everything runs in private network and mount namespaces.
if [ -z "${METRICS_PROM_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	METRICS_PROM_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "prometheus" "CONFIG_ENGINE is off"; tap_done; exit; fi
need_root "prometheus" || { tap_done; exit; }
for t in prometheus socat curl python3 docker; do
	command -v $t >/dev/null || { tap_skip "prometheus scrapes berthd" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

R=$(mktemp -d /tmp/bR.XXXXXX)
D=$WORK/data S=$R/engine.sock
PIDS=()
stop_all() {
	timeout 60 docker rm -f $(docker ps -aq 2>/dev/null) >/dev/null 2>&1
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for d in "$R"/shims/*/; do [ -d "$d" ] || continue; pkill -KILL -f "berth-shim.*$(basename "$d")" 2>/dev/null; done
	awk -v d="$D" -v r="$R" '$2 ~ "^"d || $2 ~ "^"r { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK" "$R"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

"$BIN/berthd" --socket "$S" --data-root "$D" --run-dir "$R" --libexec "$BIN" 2>>"$WORK/berthd.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -S "$S" ] && break; sleep 0.1; done
export DOCKER_HOST=unix://$S
mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r"
ln -sf busybox "$WORK/img/r/bin/sleep"
ln -sf busybox "$WORK/img/r/bin/head"
img_layer "$WORK/img/r" "$WORK/img/l.tar"
img_docker "$WORK/img/ds" appliance/prom:latest "$WORK/img/l.tar"
img_pack "$WORK/img/ds" "$WORK/p.tar"
docker load -i "$WORK/p.tar" >/dev/null 2>&1
mem=$(docker run -d --name web appliance/prom sh -c 'head -c 52428800 /dev/zero >/dev/shm/fill; sleep 1000')

# the bridge: TCP on 127.0.0.1 to berthd's socket
bport=$(free_port)
socat "TCP-LISTEN:$bport,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$S" 2>"$WORK/socat.log" &
PIDS+=($!)
pport=$(free_port)
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: berth
    static_configs:
      - targets: ['127.0.0.1:$bport']
YML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
# q EXPR: the first result's value ("" when none)
q() {
	curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null
}
up=""
for _ in $(seq 60); do up=$(q 'up{job="berth"}'); [ "$up" = 1 ] && break; sleep 0.5; done
tap_check "prometheus scrapes berthd: up{job=\"berth\"} is 1" test "$up" = 1
h=$(curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/targets" | python3 -c '
import json, sys; t = json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["health"], repr(t["lastError"]))')
tap_check "the target is healthy with no scrape error ($h)" test "$h" = "up ''"
tap_check "berth_build_info is 1" test "$(q berth_build_info)" = 1
tap_check "a container's state: berth_container_state{name=\"web\",state=\"running\"} is 1" \
	test "$(q 'berth_container_state{name="web",state="running"}')" = 1
mt=$(awk '/^MemTotal:/ {printf "%.0f", $2 * 1024}' /proc/meminfo)
tap_check "the host's memory: berth_host_memory_total_bytes is MemTotal ($mt)" test "$(q berth_host_memory_total_bytes)" = "$mt"
cg=/sys/fs/cgroup/berth/$mem
if [ -r "$cg/memory.current" ]; then
	sleep 2
	v=$(q 'berth_container_memory_bytes{name="web"}') cur=$(cat "$cg/memory.current")
	tap_check "a container's memory as queried is its memory.current within 10% ($v vs $cur)" python3 -c \
		'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= b * 0.1 else 1)' "$v" "$cur"
else
	tap_skip "a container's memory as queried is its memory.current" \
		"containers run without a cgroup here (cgroup v2 lacks memory, pids or cpu)"
fi
tap_skip "the scrape over mTLS with the monitor certificate; the monitor role cannot reach container routes" \
	"berth-apid (issue 11) is not on this branch: Prometheus scrapes berthd's socket through socat"
tap_done
