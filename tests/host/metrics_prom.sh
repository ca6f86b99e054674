#!/bin/bash
# metrics_prom.sh — a real Prometheus (Debian's package) scrapes berth-apid's
# GET /metrics over mutual TLS with the monitor certificate of the development
# PKI (tests/lib/pki.sh): scheme https, tls_config {ca_file, cert_file,
# key_file}. The target is up, queries return what the sources hold (build
# info, a container's state, the host's MemTotal, a container's memory against
# its cgroup's memory.current where the launcher gets a cgroup), a refused
# handshake (no certificate; a certificate from another CA) moves
# berth_api_tls_handshakes_total, the monitor certificate gets 403 on a
# container route and 200 on /metrics, and promtool finds apid's scrape
# (berthd's body + apid's families) clean. berthd and apid run in private
# network and mount namespaces, apid on 127.0.0.1.
if [ -z "${METRICS_PROM_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	METRICS_PROM_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "prometheus" "CONFIG_ENGINE is off"; tap_done; exit; fi
if [ "${CONFIG_API:-}" != y ]; then tap_skip "prometheus" "CONFIG_API is off"; tap_done; exit; fi
need_root "prometheus" || { tap_done; exit; }
for t in prometheus promtool curl python3 docker openssl; do
	command -v $t >/dev/null || { tap_skip "prometheus scrapes berth-apid" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bR
PKI=$WORK/pki
daemons_users || { tap_skip "prometheus scrapes berth-apid" "cannot bind /etc/passwd"; tap_done; exit; }

pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
pki_client "$PKI" other /CN=o/O=monitor --other-ca 2>>"$WORK/pki.log"

PORT=$(free_port)
api_conf "$PORT"
echo "crl = $PKI/crl.pem" >>"$WORK/berth.conf"
mkdir -p "$D"
{ start_berthd && start_apid "$PORT"; } ||
	{ tap_fail "berthd and berth-apid start" "$(cat "$WORK/berthd.log" "$WORK/apid.log")"; tap_done; exit; }

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

U=https://127.0.0.1:$PORT
# k ROLE ARGS: curl with ROLE's certificate of the development PKI
k() { local role=$1; shift; curl -s --max-time 20 --cacert "$PKI/ca.pem" --cert "$PKI/$role/cert.pem" \
	--key "$PKI/$role/key.pem" "$@"; }
# hs RESULT: berth_api_tls_handshakes_total{result=RESULT} in a scrape by the monitor
hs() { k monitor "$U/metrics" | awk -v r="berth_api_tls_handshakes_total{result=\"$1\"}" '$1 == r { print $2 }'; }

pport=$(free_port)
cat >"$WORK/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: berth
    scheme: https
    metrics_path: /metrics
    tls_config:
      ca_file: $PKI/ca.pem
      cert_file: $PKI/monitor/cert.pem
      key_file: $PKI/monitor/key.pem
    static_configs:
      - targets: ['127.0.0.1:$PORT']
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
tap_check "prometheus scrapes berth-apid over mTLS with the monitor certificate: up{job=\"berth\"} is 1" test "$up" = 1
h=$(curl -s --max-time 5 "http://127.0.0.1:$pport/api/v1/targets" | python3 -c '
import json, sys; t = json.load(sys.stdin)["data"]["activeTargets"][0]; print(t["scrapeUrl"], t["health"], repr(t["lastError"]))')
tap_check "the target is https and healthy with no scrape error ($h)" test "$h" = "$U/metrics up ''"
tap_check "berth_build_info is 1" test "$(q berth_build_info)" = 1
tap_check "a container's state: berth_container_state{name=\"web\",state=\"running\"} is 1" \
	test "$(q 'berth_container_state{name="web",state="running"}')" = 1
mt=$(awk '/^MemTotal:/ {printf "%.0f", $2 * 1024}' /proc/meminfo)
tap_check "the host's memory: berth_host_memory_total_bytes is MemTotal ($mt)" test "$(q berth_host_memory_total_bytes)" = "$mt"
ok=$(q 'berth_api_tls_handshakes_total{result="ok"}')
tap_check "apid's own families reach Prometheus: ok handshakes counted ($ok)" test "${ok:-0}" -ge 1
cg=/sys/fs/cgroup/berth/$mem
if [ -r "$cg/memory.current" ]; then
	sleep 2
	v=$(q 'berth_container_memory_bytes{name="web"}') cur=$(cat "$cg/memory.current")
	tap_check "a container's memory as queried is its memory.current within 10% ($v vs $cur)" python3 -c \
		'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= b * 0.1 else 1)' "$v" "$cur"
else
	tap_skip "a container's memory as queried is its memory.current" \
		"containers run without a cgroup here (cgroup v2 lacks memory, pids or cpu)"
	v=$(q 'count(berth_container_memory_bytes{name="web"}) or count(berth_container_cpu_seconds_total{name="web"})')
	tap_check "without a cgroup: Prometheus holds no memory or cpu sample for the container ('$v')" test -z "$v"
fi

# the monitor role: /metrics yes, container routes no
code=$(k monitor -o "$WORK/ctr.txt" -w '%{http_code}' "$U/containers/json")
tap_check "the monitor certificate: GET /containers/json is 403 ($code: $(head -c 120 "$WORK/ctr.txt"))" \
	bash -c '[ "$1" = 403 ] && grep -q "role monitor may not GET /containers/json: needs viewer" "$2"' _ "$code" "$WORK/ctr.txt"
code=$(k monitor -o "$WORK/m.txt" -w '%{http_code}' "$U/metrics")
tap_check "the monitor certificate: GET /metrics is 200 ($code)" test "$code" = 200
promtool check metrics <"$WORK/m.txt" >"$WORK/m.lint" 2>&1
rc=$?
tap_check "promtool check metrics on apid's /metrics (berthd's body + apid's families) exits 0 (rc=$rc)" \
	bash -c '[ "$1" = 0 ] || { cat "$2"; exit 1; }' _ "$rc" "$WORK/m.lint"
tap_check "the scrape holds berthd's and apid's families" bash -c \
	'grep -q "^# TYPE berth_host_memory_total_bytes gauge" "$1" && grep -q "^# TYPE berth_api_tls_handshakes_total counter" "$1"' \
	_ "$WORK/m.txt"

# refused handshakes move their counters: seen in a scrape and by Prometheus
n0=$(hs no_certificate) b0=$(hs bad_certificate)
curl -s --max-time 10 --cacert "$PKI/ca.pem" "$U/metrics" >/dev/null 2>&1; nrc=$?
curl -s --max-time 10 --cacert "$PKI/ca.pem" --cert "$PKI/other/cert.pem" --key "$PKI/other/key.pem" \
	"$U/metrics" >/dev/null 2>&1; brc=$?
n1=$(hs no_certificate) b1=$(hs bad_certificate)
tap_check "no client certificate: refused (curl rc=$nrc), no_certificate $n0 -> $n1" \
	bash -c '[ "$1" != 0 ] && [ -n "$2" ] && [ "$3" -eq $(($2 + 1)) ]' _ "$nrc" "$n0" "$n1"
tap_check "a certificate from another CA: refused (curl rc=$brc), bad_certificate $b0 -> $b1" \
	bash -c '[ "$1" != 0 ] && [ -n "$2" ] && [ "$3" -eq $(($2 + 1)) ]' _ "$brc" "$b0" "$b1"
pb=""
for _ in $(seq 20); do
	pb=$(q 'berth_api_tls_handshakes_total{result="bad_certificate"}')
	[ -n "$pb" ] && [ "$pb" -ge "$b1" ] && break; sleep 0.5
done
tap_check "Prometheus sees the refused handshake: bad_certificate $pb (>= $b1)" bash -c '[ -n "$1" ] && [ "$1" -ge "$2" ]' _ "$pb" "$b1"
tap_done
