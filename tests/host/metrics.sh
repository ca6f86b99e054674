#!/bin/bash
# metrics.sh — berthd's GET /metrics (docs/metrics.md) on an ordinary host:
# berthd as root on a temporary data root, in mount and network namespaces
# of its own. The head (200, text/plain 0.0.4, chunked), `promtool
# check metrics` on scrapes with and without containers, and values against
# their sources read at the same moment: a container holding 50 MiB (memory
# within 10% of memory.current and of 50 MiB), cpu seconds growing while one
# spins, restarts growing after a kill with --restart always, states,
# images, network bytes, host files. Without init's control socket the
# service families have no samples.
if [ -z "${METRICS_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	METRICS_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "metrics" "CONFIG_ENGINE is off"; tap_done; exit; fi
need_root "metrics" || { tap_done; exit; }
for t in curl python3 docker; do
	command -v $t >/dev/null || { tap_skip "metrics" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bR
printf '[container_network]\npublish_addresses = 127.0.0.1\ndns = 192.0.2.53\n' >"$WORK/berth.conf"
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
export DOCKER_HOST=unix://$S
c() { curl -s --max-time 20 --unix-socket "$S" "$@"; }
scrape() { c http://x/metrics >"$1"; }
# val FILE NAME [LABEL=VALUE…]: the value of the first sample of NAME with those labels
val() {
	local f=$1 n=$2
	shift 2
	python3 - "$f" "$n" "$@" <<'PY'
import re, sys
f, name, want = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
for line in open(f):
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.rstrip("\n"))
    if not m or m.group(1) != name:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
    if all(labels.get(k) == v for k, v in want):
        print(m.group(4)); break
PY
}
# within A B PCT: |A - B| <= PCT% of B
within() { python3 -c "import sys; a, b, p = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= b * p / 100 else 1)" "$@"; }
export -f within

h=$(c -sS -o /dev/null -D - http://x/metrics | tr -d '\r')
tap_check "GET /metrics: 200, Content-Type text/plain; version=0.0.4; charset=utf-8, chunked" bash -c '
	grep -qx "HTTP/1.1 200 OK" <<<"$1" && grep -qx "Content-Type: text/plain; version=0.0.4; charset=utf-8" <<<"$1" &&
	grep -qx "Transfer-Encoding: chunked" <<<"$1"' _ "$h"
tap_check "GET /v1.47/metrics is the same route" test "$(c -o /dev/null -w '%{http_code}' http://x/v1.47/metrics)" = 200

if command -v promtool >/dev/null; then
	scrape "$WORK/empty.txt"
	tap_check "promtool check metrics: a scrape without containers is clean (exit 0)" \
		bash -c 'promtool check metrics <"$1" >"$1.lint" 2>&1' _ "$WORK/empty.txt"
else
	tap_skip "promtool check metrics" "promtool is missing (Debian package prometheus)"
fi
scrape "$WORK/s0.txt"
tap_check "every family has HELP and TYPE, every sample name is berth_*" python3 - "$WORK/s0.txt" <<'PY'
import sys
helped, typed = set(), set()
for line in open(sys.argv[1]):
    if line.startswith("# HELP "): helped.add(line.split()[2])
    elif line.startswith("# TYPE "): typed.add(line.split()[2])
    elif line.strip():
        name = line.split("{")[0].split(" ")[0]
        assert name.startswith("berth_"), name
        base = name
        for s in ("_bucket", "_sum", "_count"):
            if name.endswith(s) and name[: -len(s)] in typed: base = name[: -len(s)]
        assert base in typed, name
assert helped == typed, typed ^ helped
PY
rev=$(val "$WORK/s0.txt" berth_build_info)
tap_check "berth_build_info{version,revision} is 1 with a revision" \
	bash -c '[ "$1" = 1 ] && grep -qE "^berth_build_info\{version=\"[^\"]+\",revision=\"[^\"]+\"\} 1$" "$2"' _ "$rev" "$WORK/s0.txt"

# host values against their files
bt=$(awk '/^btime/ {print $2}' /proc/stat) mt=$(awk '/^MemTotal:/ {printf "%.0f", $2 * 1024}' /proc/meminfo)
fmax=$(awk '{print $3}' /proc/sys/fs/file-nr)
hv="$(val "$WORK/s0.txt" berth_host_boot_time_seconds) $(val "$WORK/s0.txt" berth_host_memory_total_bytes) $(val "$WORK/s0.txt" berth_host_filefd_maximum)"
tap_check "host: boot time, MemTotal and the file-descriptor maximum equal /proc's ($hv)" test "$hv" = "$bt $mt $fmax"
size=$(df -B1 --output=size "$D" | tail -1 | tr -d ' ')
tap_check "host: the data file system's size equals df's" test "$(val "$WORK/s0.txt" berth_host_filesystem_size_bytes mountpoint="$D")" = "$size"
lo=$(awk '/^ *lo:/ {sub(/.*:/, ""); print $1}' /proc/net/dev)
tap_check "host: lo's receive bytes equal /proc/net/dev's" test "$(val "$WORK/s0.txt" berth_host_network_receive_bytes_total device=lo)" = "$lo"
tap_check "services: no control socket here, so no service samples (HELP and TYPE only)" bash -c \
	'grep -q "^# TYPE berth_service_up gauge" "$1" && ! grep -q "^berth_service_" "$1"' _ "$WORK/s0.txt"

# ------------------------------------------------------------- containers
mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r"
for a in sleep head kill; do ln -sf busybox "$WORK/img/r/bin/$a"; done
img_layer "$WORK/img/r" "$WORK/img/l.tar"
img_docker "$WORK/img/ds" appliance/metrics:latest "$WORK/img/l.tar"
img_pack "$WORK/img/ds" "$WORK/m.tar"
IMG=appliance/metrics
docker load -i "$WORK/m.tar" >/dev/null 2>&1
mem=$(docker run -d --name mem $IMG sh -c 'head -c 52428800 /dev/zero >/dev/shm/fill; sleep 1000')
spin=$(docker run -d --name spin $IMG sh -c 'while :; do :; done')
docker run -d --name rs --restart always $IMG sleep 1000 >/dev/null
docker create --name idle $IMG true >/dev/null
sleep 1
scrape "$WORK/s1.txt"
if command -v promtool >/dev/null; then
	tap_check "promtool check metrics: a scrape with four containers is clean (exit 0)" \
		bash -c 'promtool check metrics <"$1" >"$1.lint" 2>&1 || { cat "$1.lint"; exit 1; }' _ "$WORK/s1.txt"
fi
tap_check "containers: state carries id, name, image (running 1, created 1)" bash -c '
	grep -qx "berth_container_state{id=\"$2\",name=\"mem\",image=\"appliance/metrics\",state=\"running\"} 1" "$1" &&
	grep -qE "^berth_container_state\{id=\"[0-9a-f]{64}\",name=\"idle\",image=\"appliance/metrics\",state=\"created\"\} 1$" "$1"' \
	_ "$WORK/s1.txt" "$mem"
tap_check "engine: containers by state and images equal docker ps and docker images" bash -c \
	'[ "$1" = "$(docker ps -q | wc -l)" ] && [ "$2" = 1 ] && [ "$3" = "$(docker images -q | wc -l)" ]' _ \
	"$(val "$WORK/s1.txt" berth_engine_containers state=running)" "$(val "$WORK/s1.txt" berth_engine_containers state=created)" \
	"$(val "$WORK/s1.txt" berth_engine_images)"
blobs=$(find "$D/blobs/sha256" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
tap_check "engine: store blob bytes equal the blobs' sizes" test "$(val "$WORK/s1.txt" berth_engine_store_blob_bytes)" = "$blobs"

cg=/sys/fs/cgroup/berth
# The launcher gives containers a cgroup only with cgroup v2's memory, pids and
# cpu controllers; a host that binds them to cgroup v1 runs them without.
nocg="containers run without a cgroup here (cgroup v2 lacks memory, pids or cpu: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null))"
# memory: wait until the 50 MiB are in, then scrape and read memory.current at once
if [ -r "$cg/$mem/memory.current" ]; then
	for _ in $(seq 50); do [ "$(cat "$cg/$mem/memory.current")" -ge 52428800 ] && break; sleep 0.2; done
	scrape "$WORK/s2.txt"
	cur=$(cat "$cg/$mem/memory.current")
	m=$(val "$WORK/s2.txt" berth_container_memory_bytes name=mem)
	tap_check "memory: within 10% of memory.current ($m vs $cur) and of 50 MiB" bash -c \
		'within "$1" "$2" 10 && within "$1" 52428800 10' _ "$m" "$cur"
	tap_check "memory: the limit is +Inf without --memory" test "$(val "$WORK/s2.txt" berth_container_memory_max_bytes name=mem)" = +Inf
	tap_check "memory: a container with --memory 64m shows that limit" bash -c '
		docker run -d --name lim --memory 64m "$3" sleep 1000 >/dev/null && curl -s --unix-socket "$2" http://x/metrics >"$1" &&
		grep -q "^berth_container_memory_max_bytes{.*name=\"lim\".*} 67108864$" "$1"' _ "$WORK/s3.txt" "$S" "$IMG"
else
	tap_skip "memory within 10% of memory.current and of 50 MiB" "$nocg"
fi

# cpu: two scrapes a second apart while it spins; the value against cpu.stat
if [ -r "$cg/$spin/cpu.stat" ]; then
	scrape "$WORK/c1.txt"
	sleep 1
	scrape "$WORK/c2.txt"
	u=$(awk '/^usage_usec/ {print $2 / 1e6}' "$cg/$spin/cpu.stat")
	a=$(val "$WORK/c1.txt" berth_container_cpu_seconds_total name=spin) b=$(val "$WORK/c2.txt" berth_container_cpu_seconds_total name=spin)
	tap_check "cpu: seconds grow while it spins ($a → $b, cpu.stat then $u)" python3 -c \
		'import sys; a, b, u = map(float, sys.argv[1:]); sys.exit(0 if b - a > 0.3 and b <= u <= b + 0.5 else 1)' "$a" "$b" "$u"
	tap_check "pids: equal pids.current" test "$(val "$WORK/c2.txt" berth_container_pids name=spin)" = "$(cat "$cg/$spin/pids.current")"
else
	tap_skip "cpu seconds grow while it spins; pids equal pids.current" "$nocg"
	tap_check "without a cgroup: no cpu or memory samples for a running container" bash -c \
		'! grep -qE "^berth_container_(cpu|memory)_.*name=\"spin\"" "$1"' _ "$WORK/s1.txt"
fi

# network: the container's own eth0, as /proc/<pid>/net/dev shows it
# (read before and after the scrape: the kernel's own IPv6 chatter may move it)
pid=$(docker inspect -f '{{.State.Pid}}' mem)
rx0=$(awk '/^ *eth0:/ {sub(/.*:/, ""); print $1}' "/proc/$pid/net/dev")
scrape "$WORK/n.txt"
rx1=$(awk '/^ *eth0:/ {sub(/.*:/, ""); print $1}' "/proc/$pid/net/dev")
rx=$(val "$WORK/n.txt" berth_container_network_receive_bytes_total name=mem interface=eth0)
tap_check "network: eth0's receive bytes are the container's /proc/<pid>/net/dev ($rx0 <= $rx <= $rx1)" \
	bash -c '[ -n "$2" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]' _ "$rx0" "$rx" "$rx1"
st=$(docker inspect -f '{{.State.StartedAt}}' mem)
tap_check "start time: within a second of inspect's StartedAt" python3 -c \
	'import sys, datetime; s = sys.argv[2][:26].rstrip("Z"); t = datetime.datetime.fromisoformat(s).replace(tzinfo=datetime.timezone.utc).timestamp(); sys.exit(0 if abs(float(sys.argv[1]) - t) < 1 else 1)' \
	"$(val "$WORK/n.txt" berth_container_start_time_seconds name=mem)" "$st"

# restarts: kill the process of a --restart always container
r0=$(val "$WORK/n.txt" berth_container_restarts_total name=rs)
kill -9 "$(docker inspect -f '{{.State.Pid}}' rs)"
r1=$r0
for _ in $(seq 50); do
	scrape "$WORK/r.txt"
	r1=$(val "$WORK/r.txt" berth_container_restarts_total name=rs)
	[ "${r1:-0}" != "$r0" ] && [ "$(val "$WORK/r.txt" berth_container_state name=rs state=running)" = 1 ] && break
	sleep 0.2
done
tap_check "restarts: grows after a kill ($r0 → $r1) and equals inspect's RestartCount" bash -c \
	'[ "$1" = 0 ] && [ "$2" = 1 ] && [ "$(docker inspect -f "{{.RestartCount}}" rs)" = 1 ]' _ "$r0" "$r1"

# a client that goes away mid-scrape does not take berthd with it
for _ in 1 2 3; do curl -s --max-time 1 --unix-socket "$S" http://x/metrics | head -c 100 >/dev/null; done
tap_check "berthd serves on after clients that left mid-scrape" test "$(c http://x/_ping)" = OK
tap_done
