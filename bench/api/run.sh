#!/bin/bash
# bench/api/run.sh — berth-apid (in front of berthd) beside Debian's
# `dockerd --tlsverify` and `openssl s_server -Verify 1 -verify_return_error`,
# in the same run, on the same certificates (tests/lib/pki.sh's development
# PKI: server key P-256, clients P-256 and RSA-2048), all on 127.0.0.1:
#   - full mutual-TLS handshakes per second of the server's CPU, with a P-256
#     and with an RSA-2048 client key: `openssl s_time -new` drives one
#     connection after another for SECS seconds; the server's CPU is utime +
#     stime of /proc/PID/stat (all its threads) before and after, the
#     client's CPU does not count;
#   - resumed handshakes (`s_time -reuse`): per second of wall time and per
#     second of the server's CPU;
#   - keep-alive `GET /_ping` per second with `ab -k -c 16 -n REQS -E`
#     (HTTP/1.0) and with bench/api/tlsload.c (HTTP/1.1, 16 connections, SECS)
#     (apid forwards /_ping to berthd over its socket; dockerd answers itself);
#   - RSS idle (just started, nothing connected yet) and with 200 open,
#     handshaken, idle connections (apid and dockerd; containerd, which
#     dockerd starts beside itself, is not counted);
#   - the share of apid's full handshake that BearSSL's primitives take, from
#     tlsspeed's per-operation costs (the ceiling of what apid could reach).
# Every handshake is TLS 1.2 (apid speaks only 1.2; the peers are held to it
# so that the same key exchange and signatures are compared). The ratios are
# apid/peer: above 1 is apid better for rates, below 1 for RSS.
# Everything runs in a private network and mount namespace; temporary
# directories are removed and the servers stopped at the end. dockerd or
# s_server lines are skipped, with the reason, when they cannot run.
# Usage: [SECS=n] [REQS=n] bench/api/run.sh     (needs root)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
BIN=$BUILD/bin
# shellcheck source=tests/lib/daemons.sh
. "$TOP/tests/lib/daemons.sh"
[ "$(id -u)" = 0 ] || { echo "bench/api: needs root" >&2; exit 1; }
if [ -z "${BENCH_API_NS:-}" ]; then
	exec unshare -n -m --propagation private env BENCH_API_NS=1 "$0" "$@"
fi
ip link set lo up
for t in openssl python3 ab; do
	command -v $t > /dev/null || { echo "bench/api: $t is missing (ab: apt-get install apache2-utils)" >&2; exit 1; }
done
SECS=${SECS:-5}
REQS=${REQS:-20000}
CONNS=200
HZ=$(getconf CLK_TCK)

W=$(mktemp -d /var/tmp/berth-bench-api.XXXXXX)
R=$(mktemp -d /tmp/bba.XXXXXX)	# berthd's run dir: short (socket paths)
WORK=$W
daemons_dirs "$R"
BERTHD='' APID='' DPID='' SPID='' HOLD=''
cleanup() {
	for p in $HOLD $APID $SPID $DPID $BERTHD; do kill "$p" 2> /dev/null || true; done
	wait 2> /dev/null || true
	umount -R "$W/docker" 2> /dev/null || true
	umount /etc/passwd /etc/group 2> /dev/null || true
	rm -rf "$W" "$R"
}
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
wait_port() {
	local _
	for _ in $(seq 150); do (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null && return 0; sleep 0.1; done
	return 1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

# ------------------------------------------------------------ certificates, users
# shellcheck source=tests/lib/pki.sh
. "$TOP/tests/lib/pki.sh"
PKI=$W/pki
pki_dev "$PKI" 2> "$W/pki.log" || { echo "bench/api: tools/pki.sh: $(cat "$W/pki.log")" >&2; exit 1; }
for k in admin rsa-admin; do cat "$PKI/$k/cert.pem" "$PKI/$k/key.pem" > "$PKI/$k/both.pem"; done
# berth-api (uid 100) and the groups, in this mount namespace only
daemons_users || { echo "bench/api: cannot bind /etc/passwd and /etc/group" >&2; exit 1; }

# ------------------------------------------------------------ berthd + berth-apid
APORT=$(free_port)
mkdir -p "$D"
api_conf "$APORT"
cat >> "$W/berth.conf" << EOF
crl = $PKI/crl.pem
log_dir = $R/log
max_connections = 256
EOF
start_berthd || { echo "bench/api: berthd did not start: $(cat "$W/berthd.log")" >&2; exit 1; }
start_apid "$APORT" || { echo "bench/api: berth-apid did not start: $(cat "$W/apid.log")" >&2; exit 1; }

# ------------------------------------------------------------ dockerd --tlsverify
DPORT='' docker_skip=''
if ! command -v dockerd > /dev/null; then
	docker_skip="dockerd missing (apt-get install docker.io)"
else
	DPORT=$(free_port)
	mkdir -p "$W/docker"
	mount -t tmpfs -o size=256m tmpfs "$W/docker"
	dockerd --data-root "$W/docker/root" --exec-root "$W/docker/exec" --pidfile "$W/docker/pid" \
		--bridge none --iptables=false --ip6tables=false \
		--tlsverify --tlscacert "$PKI/ca.pem" --tlscert "$PKI/server/cert.pem" \
		--tlskey "$PKI/server/key.pem" -H "tcp://127.0.0.1:$DPORT" > "$W/docker.log" 2>&1 &
	DPID=$!
	for _ in $(seq 150); do
		curl -sf --cacert "$PKI/ca.pem" --cert "$PKI/admin/cert.pem" --key "$PKI/admin/key.pem" \
			"https://127.0.0.1:$DPORT/_ping" > /dev/null 2>&1 && break
		sleep 0.2
	done
	curl -sf --cacert "$PKI/ca.pem" --cert "$PKI/admin/cert.pem" --key "$PKI/admin/key.pem" \
		"https://127.0.0.1:$DPORT/_ping" > /dev/null 2>&1 ||
		docker_skip="dockerd did not start: $(tail -2 "$W/docker.log" | tr '\n' ' ')"
fi

# ------------------------------------------------------------ openssl s_server
SPORT=$(free_port)
openssl s_server -accept "127.0.0.1:$SPORT" -cert "$PKI/server/cert.pem" -key "$PKI/server/key.pem" \
	-CAfile "$PKI/ca.pem" -Verify 1 -verify_return_error -www -quiet < /dev/null > "$W/s_server.log" 2>&1 &
SPID=$!
sserver_skip=
wait_port "$SPORT" || sserver_skip="s_server did not start: $(tail -2 "$W/s_server.log" | tr '\n' ' ')"

sleep 2	# idle: nothing has connected to apid or dockerd but the start-up probes
a_idle=$(rss_kb "$APID")
d_idle=$([ -z "$docker_skip" ] && rss_kb "$DPID" || echo 0)

echo "bench/api: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "berth-apid 127.0.0.1:$APORT (berthd behind it); dockerd ${docker_skip:-127.0.0.1:$DPORT}; s_server ${sserver_skip:-127.0.0.1:$SPORT}"
echo "TLS 1.2 everywhere; server key P-256; s_time ${SECS}s per line; ab -k -c 16 -n $REQS"

# ------------------------------------------------------------ handshakes
# st PID PORT MODE KEYDIR: "<handshakes> <server ticks>" for SECS of s_time
st() {
	local c0 c1 out n
	c0=$(cpu_ticks "$1")
	out=$(openssl s_time -connect "127.0.0.1:$2" "$3" -tls1_2 -time "$SECS" -CAfile "$PKI/ca.pem" \
		-cert "$PKI/$4/cert.pem" -key "$PKI/$4/key.pem" 2>&1) || true
	c1=$(cpu_ticks "$1")
	n=$(sed -n 's/^\([0-9]*\) connections in [0-9]* real seconds.*/\1/p' <<< "$out" | tail -1)
	echo "${n:-0} $((c1 - c0))"
}
per_cpu() { awk -v n="$1" -v t="$2" -v hz="$HZ" 'BEGIN { if (t > 0) printf "%.0f", n * hz / t; else printf "-" }'; }
per_sec() { awk -v n="$1" -v s="$SECS" 'BEGIN { printf "%.0f", n / s }'; }
# hs_line LABEL MODE KEYDIR: one line per measurement, the three servers
declare -A A_FULL
hs_line() {
	local a d s line r
	read -r -a a <<< "$(st "$APID" "$APORT" "$2" "$3")"
	line="$1: berth-apid $(per_cpu "${a[@]}")"
	[ "$3" = admin ] && [ "$2" = -new ] && A_FULL=([n]=${a[0]} [t]=${a[1]})
	if [ -z "$docker_skip" ]; then
		read -r -a d <<< "$(st "$DPID" "$DPORT" "$2" "$3")"
		r=$(ratio "$(per_cpu "${a[@]}")" "$(per_cpu "${d[@]}")")
		line="$line, dockerd $(per_cpu "${d[@]}") (apid/dockerd ${r}x)"
	fi
	if [ -z "$sserver_skip" ]; then
		read -r -a s <<< "$(st "$SPID" "$SPORT" "$2" "$3")"
		r=$(ratio "$(per_cpu "${a[@]}")" "$(per_cpu "${s[@]}")")
		line="$line, s_server $(per_cpu "${s[@]}") (apid/s_server ${r}x)"
	fi
	echo "$line"
	if [ "$2" = -reuse ]; then
		line="resumed handshakes per second of wall time (client-bound): berth-apid $(per_sec "${a[0]}")"
		[ -z "$docker_skip" ] && line="$line, dockerd $(per_sec "${d[0]}") ($(ratio "${a[0]}" "${d[0]}")x)"
		[ -z "$sserver_skip" ] && line="$line, s_server $(per_sec "${s[0]}") ($(ratio "${a[0]}" "${s[0]}")x)"
		echo "$line"
	fi
}
hs_line "full mTLS handshakes per server CPU-second, P-256 client key" -new admin
hs_line "full mTLS handshakes per server CPU-second, RSA-2048 client key" -new rsa-admin
hs_line "resumed handshakes per server CPU-second (P-256 client)" -reuse admin

# ------------------------------------------------------------ keep-alive /_ping
# ab_rate PORT: "<req/s> <keep-alive requests> <failed>"; ab speaks HTTP/1.0
# and keeps a connection only when the answer says `Connection: keep-alive`
ab_rate() {
	local out rps ka fail
	out=$(ab -q -k -s 5 -c 16 -n "$REQS" -E "$PKI/admin/both.pem" "https://127.0.0.1:$1/_ping" 2>&1) || true
	rps=$(sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' <<< "$out")
	ka=$(sed -n 's/^Keep-Alive requests: *\([0-9]*\).*/\1/p' <<< "$out")
	fail=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' <<< "$out")
	[ -n "$rps" ] || echo "  ab on port $1 failed: $(tail -1 <<< "$out")" >&2
	echo "${rps:-0} ${ka:-0} ${fail:-?}"
}
goal12() { awk -v r="$1" 'BEGIN { print (r >= 1.2) ? "met" : "not met" }'; }
read -r -a a <<< "$(ab_rate "$APORT")"
line="keep-alive GET /_ping per second, ab -k -c 16 (HTTP/1.0): berth-apid ${a[0]} (keep-alive ${a[1]}/$REQS)"
if [ -z "$docker_skip" ]; then
	read -r -a d <<< "$(ab_rate "$DPORT")"
	r=$(ratio "${a[0]}" "${d[0]}")
	line="$line, dockerd ${d[0]} (keep-alive ${d[1]}/$REQS); apid/dockerd ${r}x (goal >= 1.2x: $(goal12 "$r"))"
fi
echo "$line"
[ "${a[1]}" -gt 0 ] || echo "  (apid: ab waits for the close after the first answer: berthd answers an HTTP/1.0" \
	"keep-alive request without \`Connection: keep-alive\`, which ab needs to keep the connection)"
# the same over HTTP/1.1 (bench/api/tlsload.c, 16 connections, SECS)
TL=$BUILD/host/tlsload
if [ -x "$TL" ]; then
	ta=$("$TL" "$APORT" "$PKI/admin/both.pem" "$SECS" 16 2> "$W/tl.err" || echo "0 ($(cat "$W/tl.err"))")
	line="keep-alive GET /_ping per second, HTTP/1.1, 16 connections (tlsload): berth-apid $ta"
	if [ -z "$docker_skip" ]; then
		td=$("$TL" "$DPORT" "$PKI/admin/both.pem" "$SECS" 16 2> "$W/tl.err" || echo "0 ($(cat "$W/tl.err"))")
		r=$(ratio "${ta%% *}" "${td%% *}")
		line="$line, dockerd $td; apid/dockerd ${r}x (goal >= 1.2x: $(goal12 "$r"))"
	fi
	echo "$line"
else
	echo "keep-alive over HTTP/1.1: skipped ($TL missing: make $TL)"
fi

# ------------------------------------------------------------ RSS
# hold PORT: CONNS handshaken idle TLS 1.2 connections, until killed
hold() {
	python3 - "$1" "$PKI" "$CONNS" "$W/held.$1" << 'EOF' &
import socket, ssl, sys, time
port, pki, n, flag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_verify_locations(pki + "/ca.pem")
ctx.load_cert_chain(pki + "/admin/cert.pem", pki + "/admin/key.pem")
held = []
for i in range(n):
    held.append(ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1"))
open(flag, "w").write("%d\n" % len(held))
time.sleep(3600)
EOF
	HOLD=$!
	for _ in $(seq 600); do [ -s "$W/held.$1" ] && break; sleep 0.1; done
	sleep 1
}
unhold() { kill "$HOLD" 2> /dev/null || true; wait "$HOLD" 2> /dev/null || true; HOLD=; }
hold "$APORT"; a_conn=$(rss_kb "$APID"); a_held=$(cat "$W/held.$APORT" 2> /dev/null || echo 0); unhold
line="RSS idle (just started): berth-apid $a_idle kB (goal < 1024 kB: $([ "$a_idle" -lt 1024 ] && echo met || echo not met))"
line2="RSS with $CONNS idle handshaken connections: berth-apid $a_conn kB ($a_held held)"
if [ -z "$docker_skip" ]; then
	hold "$DPORT"; d_conn=$(rss_kb "$DPID"); d_held=$(cat "$W/held.$DPORT" 2> /dev/null || echo 0); unhold
	line="$line, dockerd $d_idle kB (apid/dockerd $(ratio "$a_idle" "$d_idle"))"
	line2="$line2, dockerd $d_conn kB ($d_held held) (apid/dockerd $(ratio "$a_conn" "$d_conn"))"
fi
echo "$line"
echo "$line2"
echo "  per connection: berth-apid $(( (a_conn - a_idle) / CONNS )) kB$([ -z "$docker_skip" ] &&
	echo ", dockerd $(( (d_conn - d_idle) / CONNS )) kB")"

# ------------------------------------------------------------ BearSSL's share
# Profiled (perf, when installed): SECS more of full handshakes with the
# P-256 client key under `perf record` on apid; the samples in BearSSL's
# arithmetic (field and big-integer code, EC point and scalar code, ECDSA
# and RSA) against all of apid's samples, kernel included.
# perf names apid's functions from its unstripped twin, build/obj/berth-apid.elf
# (the same code), put where --symfs looks for build/bin/berth-apid.
if command -v perf > /dev/null && [ -f "$BUILD/obj/berth-apid.elf" ]; then
	mkdir -p "$W/symfs$BIN"
	cp "$BUILD/obj/berth-apid.elf" "$W/symfs$BIN/berth-apid"
	perf record -q -F 999 -o "$W/perf.data" -p "$APID" -- sleep "$((SECS + 1))" > /dev/null 2>&1 &
	PP=$!
	sleep 0.5
	st "$APID" "$APORT" -new admin > /dev/null
	wait "$PP" || true
	# apid gone first: for a live process perf looks for its binary inside
	# its mount namespace (apid's empty root), where nothing is found
	kill "$APID" 2> /dev/null || true
	wait "$APID" 2> /dev/null || true
	APID=''
	perf report -i "$W/perf.data" --symfs="$W/symfs" --no-children --sort sym --stdio 2> /dev/null |
		awk '/^ *[0-9.]+%/ { p = $1; sub("%", "", p); all += p
			if ($3 ~ /^(mul_f256|square_f256|add_f256|sub_f256|reduce_final_f25|mul9|square9|f255_|be8_to_le30|le30_to_|le8_to_le30|br_ccopy|br_i31_|br_i62_|br_i15_|br_divrem|p256_|api_mul|cswap|br_ecdsa_|br_rsa_|br_ec_)/) prim += p }
			END { if (all > 0) printf "apid full handshake, profiled (perf): BearSSL primitives %.0f%% of apid'"'"'s CPU, the rest (protocol, X.509, hashing, I/O, kernel) %.0f%% (%.0f%% of the primitives; goal < 10%%)\n", prim, all - prim, 100 * (all - prim) / prim
			      else print "apid full handshake, profiled: perf recorded nothing" }'
fi
# tlsspeed (make bench-tls) measures the primitives on this CPU; a full
# handshake with a P-256 client key costs the server one ECDSA P-256
# signature, two verifications and one X25519 key pair + shared secret.
TS=$BUILD/host/tlsspeed
if [ -x "$TS" ] && [ -n "${A_FULL[t]:-}" ] && [ "${A_FULL[t]}" -gt 0 ]; then
	"$TS" "$PKI" > "$W/tlsspeed.log" 2>&1 || true
	awk -v n="${A_FULL[n]}" -v t="${A_FULL[t]}" -v hz="$HZ" '
		/ecdsa_i31 \+ p256_m31/ && !sig { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^sign/) sig = $i; if ($(i+1) ~ /^verify/) ver = $i } }
		/c25519_m31/ && !x { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^mul/) x = $i }
		END {
			gsub(",", "", sig); gsub(",", "", ver); gsub(",", "", x)
			if (!sig || !ver || !x) { print "BearSSL share: tlsspeed output not understood (bench/api/run.sh)"; exit }
			prim = 1000 / sig + 2000 / ver + 2000 / x
			full = t * 1000 / hz / n
			printf "apid full handshake (P-256 client): %.2f ms of server CPU; BearSSL primitives %.2f ms (%.0f%%), the rest (protocol, X.509, I/O, thread) %.2f ms (%.0f%% of the primitives; goal < 10%%)\n", full, prim, 100 * prim / full, full - prim, 100 * (full - prim) / prim
		}' "$W/tlsspeed.log"
else
	echo "BearSSL share: skipped (build $TS with make $TS, or no apid handshake measured)"
fi
