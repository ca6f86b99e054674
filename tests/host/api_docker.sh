#!/bin/bash
# api_docker.sh — berth-apid in front of berthd, both on temporary
# directories in mount and network namespaces of their own, apid on
# 127.0.0.1 with the development PKI (tests/lib/pki.sh): the stock docker CLI
# over mutual TLS (version, load, run --rm ×100, run -d + logs -f, exec -i,
# attach), each role's allowed and refused actions with the 403 text, the
# policy's refusals through apid, TLS refusals as the CLI prints them,
# plaintext HTTP, the appliance endpoints, /metrics, the audit log, the
# privilege drop (/proc/PID/status, the empty root), the connection cap
# (200 idle + a slowloris, then an admin's request), 10,000 connections with
# random aborts (fds and RSS flat), and kill -9 of apid during an attach.
# API_RUNS (100) and API_CHURN (10000) shorten it for a quick look.
if [ -z "${API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	API_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_API:-}" != y ]; then tap_skip "apid" "CONFIG_API is off"; tap_done; exit; fi
need_root "apid" || { tap_done; exit; }
for t in curl python3 docker openssl; do
	command -v $t >/dev/null || { tap_skip "apid" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init aR
PKI=$WORK/pki
daemons_users || { tap_skip "apid" "cannot bind /etc/passwd"; tap_done; exit; }

pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
pki_client "$PKI" acme /CN=x/O=acme 2>>"$WORK/pki.log"
pki_client "$PKI" other /CN=o/O=admin --other-ca 2>>"$WORK/pki.log"
pki_client "$PKI" expired /CN=e/O=admin --expired 2>>"$WORK/pki.log"
pki_client "$PKI" ekuserver /CN=s/O=admin --eku-server 2>>"$WORK/pki.log"
pki_client "$PKI" revoked /CN=r/O=admin 2>>"$WORK/pki.log"
pki_revoke "$PKI" "$PKI/revoked/cert.pem" 2>>"$WORK/pki.log"
for n in acme other expired ekuserver revoked; do cp "$PKI/ca.pem" "$PKI/$n/ca.pem"; done

PORT=$(free_port)
cat >"$WORK/berth.conf" <<EOF
[engine]
group = berth
[container_network]
publish_addresses = 127.0.0.1
dns = 192.0.2.53
[api]
listen = 127.0.0.1:$PORT
cert = $PKI/server/cert.pem
key = $PKI/server/key.pem
client_ca = $PKI/ca.pem
crl = $PKI/crl.pem
engine_socket = $S
init_socket = $R/init.sock
audit_log = $WORK/audit/api.log
audit_max = 8K
data_dir = $D
max_connections = 32
handshake_timeout = 3s
header_timeout = 3s
EOF

as() { local role=$1; shift; DOCKER_CERT_PATH=$PKI/$role timeout 60 docker "$@"; }
k() { local role=$1; shift; curl -s --max-time 20 --cacert "$PKI/ca.pem" --cert "$PKI/$role/cert.pem" \
	--key "$PKI/$role/key.pem" "$@"; }
export -f k
export PKI DOCKER_HOST=tcp://127.0.0.1:$PORT DOCKER_TLS_VERIFY=1
U=https://127.0.0.1:$PORT

# ------------------------------------------------------------ start, config
printf '[api]\nbogus = 1\nlisten = nowhere\n' >"$WORK/bad.conf"
out=$("$BIN/berth-apid" --config "$WORK/bad.conf" 2>&1; echo "rc=$?")
tap_check "a bad [api]: every bad line with file:line, exit 100" bash -c '
	grep -q "bad.conf:2: bogus: unknown key of \[api\]" <<<"$1" && grep -q "bad.conf:3: listen: want" <<<"$1" &&
	grep -q "rc=100" <<<"$1"' _ "$out"
sed "s|^cert = .*|cert = $WORK/nocert.pem|" "$WORK/berth.conf" >"$WORK/nocert.conf"
out=$("$BIN/berth-apid" --config "$WORK/nocert.conf" 2>&1; echo "rc=$?")
tap_check "no server certificate: apid exits non-zero naming the file" bash -c '
	grep -q "nocert.pem" <<<"$1" && ! grep -q "rc=0" <<<"$1"' _ "$out"

mkdir -p "$D"
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
start_apid "$PORT" || { tap_fail "berth-apid starts" "$(cat "$WORK/apid.log")"; tap_done; exit; }
tap_ok "berthd and berth-apid start (apid on 127.0.0.1:$PORT)"

# ------------------------------------------------------------ privilege drop
st=/proc/$APID/status
tap_check "apid runs as uid 100 with no capabilities, no_new_privs and a seccomp filter" bash -c '
	grep -qE "^Uid:\s+100\s+100\s+100\s+100$" "$1" && grep -qx "CapEff:.0000000000000000" "$1" &&
	grep -qx "CapPrm:.0000000000000000" "$1" && grep -qx "NoNewPrivs:.1" "$1" && grep -qx "Seccomp:.2" "$1"' _ "$st"
top=$(echo "$R" | cut -d/ -f2)
tap_check "apid's root holds only the run directory (ls: $(ls /proc/$APID/root/ | tr '\n' ' '))" \
	test "$(ls /proc/$APID/root/)" = "$top"
tap_check "the key is not readable from apid's root" test ! -e "/proc/$APID/root$PKI/server/key.pem"
tap_check "the run directory is read-only in apid's root" bash -c \
	'grep -E "^[^ ]+ $1 " /proc/$2/mounts | grep -q "ro,nosuid,nodev,noexec"' _ "$R" "$APID"

# ------------------------------------------------------------ the CLI, admin
out=$(as admin version 2>&1)
tap_check "admin: docker version over mTLS" bash -c 'grep -q "API version:.*1.47" <<<"$1" && grep -q "Server: berth" <<<"$1"' _ "$out"

mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r"
for a in sleep cat sh; do ln -sf busybox "$WORK/img/r/bin/$a"; done
img_layer "$WORK/img/r" "$WORK/img/l.tar"
img_docker "$WORK/img/ds" appliance/api:latest "$WORK/img/l.tar"
img_pack "$WORK/img/ds" "$WORK/img.tar"
IMG=appliance/api
tap_check "operator: docker load (chunked upload through apid)" \
	test "$(as operator load -i "$WORK/img.tar" 2>&1)" = "Loaded image: $IMG:latest"
tap_check "operator: docker run --rm echo hi" test "$(as operator run --rm $IMG echo hi 2>&1)" = hi
bad=0
for i in $(seq "${API_RUNS:-100}"); do
	o=$(as admin run --rm $IMG echo hi 2>&1)
	[ "$o" = hi ] || { bad=$((bad + 1)); echo "# run $i: $o"; }
done
tap_check "docker run --rm echo hi over TLS: ${API_RUNS:-100} runs, all print hi" test $bad = 0

id=$(as operator run -d $IMG sh -c 'i=0; while [ $i -lt 3 ]; do echo line$i; i=$((i+1)); sleep 0.3; done' 2>&1)
out=$(as viewer logs -f "$id" 2>&1)
tap_check "run -d, then viewer: logs -f streams to the end" test "$out" = "$(printf 'line0\nline1\nline2')"
id=$(as operator run -d $IMG sleep 600 2>&1)
out=$(printf 'one\ntwo\n' | as operator exec -i "$id" cat 2>&1)
tap_check "operator: exec -i with stdin (close_notify is stdin EOF)" test "$out" = "$(printf 'one\ntwo')"
out=$(as operator exec "$id" sh -c 'echo out; echo err >&2' 2>&1 | sort | tr '\n' ' ')
tap_check "operator: exec without -i (stdout and stderr)" test "$out" = "err out "
aid=$(as operator run -d -i $IMG sh -c 'read x; echo got $x' 2>&1)
out=$(echo attached | timeout 20 env DOCKER_CERT_PATH=$PKI/operator docker attach "$aid" 2>&1)
tap_check "operator: attach with stdin" test "$out" = "got attached"

# ------------------------------------------------------------ roles
tap_check "viewer: docker ps" as viewer ps
out=$(as viewer run --rm $IMG true 2>&1)
tap_check "viewer: run refused, 403 naming both roles" \
	grep -q "role viewer may not POST /containers/create: needs operator" <<<"$out"
out=$(as viewer exec "$id" true 2>&1)
tap_check "viewer: exec refused" grep -q "role viewer may not POST /containers/$id/exec: needs operator" <<<"$out"
out=$(as monitor ps 2>&1)
tap_check "monitor: ps refused" grep -q "role monitor may not GET /containers/json: needs viewer" <<<"$out"
k monitor "$U/metrics" >"$WORK/metrics.txt"
tap_check "monitor: /_ping and /metrics (apid's families: requests by route pattern, handshakes, connections)" bash -c '
	[ "$(k monitor "$2/_ping")" = OK ] && grep -q "^berth_api_tls_handshakes_total{result=\"ok\"} [1-9]" "$1" &&
	grep -qE "^berth_api_requests_total\{method=\"POST\",route=\"/containers/create\",code=\"201\"\} [1-9]" "$1" &&
	grep -q "^berth_api_request_duration_seconds_bucket{route=\"/containers/{}/start\",le=\"+Inf\"} [1-9]" "$1" &&
	grep -q "^berth_api_connections_open [1-9]" "$1" && grep -q "^# TYPE berth_api_connections_total counter" "$1"' _ "$WORK/metrics.txt" "$U"
out=$(as acme ps 2>&1)
tap_check "a certificate mapping to no role: 403 saying so" \
	grep -q "certificate CN=x,O=acme maps to no role" <<<"$out"
out=$(k operator -X POST "$U/berth/v1/system/reboot")
tap_check "operator: reboot refused" grep -q "role operator may not POST /berth/v1/system/reboot: needs admin" <<<"$out"
out=$(k viewer -X POST "$U/v1.47/containers/$id/kill")
tap_check "viewer: kill refused" grep -q "needs operator" <<<"$out"

# ------------------------------------------------------------ policy through apid
for opt in "--privileged|HostConfig.Privileged" "-v /:/host|bind_allow" "--cap-add SYS_ADMIN|CapAdd" \
	   "--pid host|PidMode" "--security-opt seccomp=unconfined|seccomp"; do
	o=${opt%%|*} f=${opt##*|}
	out=$(as admin run --rm $o $IMG true 2>&1)
	tap_check "policy through apid: $o refused naming $f" grep -q "$f" <<<"$out"
done

# ------------------------------------------------------------ TLS refusals
for c in "other:unknown certificate authority" "expired:bad certificate" "ekuserver:bad certificate" \
	 "revoked:bad certificate"; do
	n=${c%%:*} w=${c#*:}
	out=$(DOCKER_CERT_PATH=$PKI/$n timeout 30 docker ps 2>&1; echo "rc=$?")
	tap_check "TLS refused for a $n client certificate: the CLI exits 1 ($(grep -o 'remote error: tls: [a-z ]*' <<<"$out" | head -1))" \
		bash -c 'grep -q "rc=1" <<<"$1" && grep -q "remote error: tls:" <<<"$1"' _ "$out"
done
# a certificate revoked while apid runs: the CRL is read again (mtime)
pki_client "$PKI" late /CN=l/O=viewer 2>>"$WORK/pki.log"
before=$(DOCKER_CERT_PATH=$PKI/late timeout 30 docker ps 2>&1; echo "rc=$?")
sleep 1.1
pki_revoke "$PKI" "$PKI/late/cert.pem" 2>>"$WORK/pki.log"
sleep 1.1
after=$(DOCKER_CERT_PATH=$PKI/late timeout 30 docker ps 2>&1; echo "rc=$?")
tap_check "the CRL changed while apid runs: the newly revoked certificate is refused" bash -c '
	grep -q "rc=0" <<<"$1" && grep -q "rc=1" <<<"$2" && grep -q "revoked" <<<"$2"' _ "$before" "$after"
mkdir -p "$WORK/nocert"; cp "$PKI/ca.pem" "$WORK/nocert/"
out=$(DOCKER_CERT_PATH=$WORK/nocert timeout 30 docker ps 2>&1; echo "rc=$?")
tap_check "no client certificate: handshake failure" bash -c 'grep -q "remote error: tls: handshake failure" <<<"$1" && grep -q "rc=1" <<<"$1"' _ "$out"
out=$(DOCKER_TLS_VERIFY= timeout 30 docker ps 2>&1)
tap_check "plain HTTP: Go's 400 text" grep -q "Client sent an HTTP request to an HTTPS server" <<<"$out"

# ------------------------------------------------------------ appliance endpoints
sys=$(k viewer "$U/berth/v1/system")
tap_check "GET /berth/v1/system (viewer): version, uptime, data usage, certificate expiry" bash -c '
	python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d[\"Version\"] and d[\"UptimeSeconds\"] > 0 and d[\"BootTime\"].endswith(\"Z\"); assert d[\"Data\"][\"TotalBytes\"] > 0; assert d[\"Certificates\"][\"ServerNotAfter\"] and d[\"Certificates\"][\"ClientCANotAfter\"]" "$1"' _ "$sys"
out=$(k admin -i "$U/berth/v1/services" | tr -d '\r')
tap_check "GET /berth/v1/services without PID 1's socket: 503 naming it, with Api-Version" bash -c '
	grep -q "^HTTP/1.1 503" <<<"$1" && grep -q "^Api-Version: 1.47" <<<"$1" && grep -q "init.sock" <<<"$1"' _ "$out"

# ------------------------------------------------------------ audit
al=$WORK/audit/api.log
tap_check "audit: the refused create by viewer, with subject, serial and status" bash -c '
	grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z subject=\"CN=viewer-dev,O=viewer\" serial=[0-9a-f]+ method=POST path=/v1.47/containers/create status=403$" "$1" "$1.1"' _ "$al"
for i in $(seq 60); do k viewer -X POST "$U/v1.47/containers/x$i/stop" >/dev/null; done
tap_check "audit: rotated past audit_max (api.log.1 exists, api.log under 8K)" bash -c \
	'[ -s "$1.1" ] && [ $(stat -c %s "$1") -le 8192 ]' _ "$al"
tap_check "audit: no GET is logged" bash -c '! grep -hq "method=GET" "$1" "$1.1"' _ "$al"

# ------------------------------------------------------------ the connection cap
python3 - "$PORT" >"$WORK/flood.log" 2>&1 <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
idle = []
for i in range(200):
    s = socket.create_connection(("127.0.0.1", port)); idle.append(s)
slow = socket.create_connection(("127.0.0.1", port))
hello = bytes.fromhex("160301")
for b in hello:
    slow.send(bytes([b])); time.sleep(1)
time.sleep(20)
EOF
FLOOD=$!
sleep 2
t0=$(date +%s%N)
out=$(as admin version 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tap_check "200 idle connections + a slowloris: admin's docker version completes (${ms} ms)" \
	bash -c 'grep -q "Server: berth" <<<"$1" && [ "$2" -lt 5000 ]' _ "$out" "$ms"
kill $FLOOD 2>/dev/null; wait $FLOOD 2>/dev/null

# ------------------------------------------------------------ handshake churn
fds() { ls /proc/$APID/fd | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' /proc/$APID/status; }
cat >"$WORK/churn.py" <<'EOF'
# churn.py PORT PKI N SEED: N connections, each cut at a random point of the
# handshake or the request (most early, so the server's cost stays low):
# connect and close; part of a ClientHello; a whole ClientHello, close
# before reading; the server's flight read, part of ours sent; a whole
# handshake, then close (half with close_notify); part of a request; a
# whole request and its answer. The handshake is driven through memory
# BIOs so that it can stop between any two flights.
import random, socket, ssl, sys, time
port, pki, n, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_verify_locations(pki + "/ca.pem")
ctx.load_cert_chain(pki + "/admin/cert.pem", pki + "/admin/key.pem")
random.seed(seed)
kinds = [0] * 30 + [1] * 30 + [2] * 12 + [3] * 10 + [4] * 8 + [5] * 5 + [6] * 5
count = [0] * 7
def handshake(s, stop):
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    t = ctx.wrap_bio(i, o, server_hostname="127.0.0.1")
    step = 0
    while True:
        try:
            t.do_handshake()
            break
        except ssl.SSLWantReadError:
            out = o.read()
            if step == stop:
                return None, out
            s.sendall(out)
            step += 1
            data = s.recv(65536)
            if not data:
                raise EOFError
            i.write(data)
    out = o.read()
    if out:
        s.sendall(out)
    return (t, i, o), b""
t0 = time.time()
for k in range(n):
    kind = random.choice(kinds)
    count[kind] += 1
    s = socket.create_connection(("127.0.0.1", port))
    try:
        if kind == 1:
            s.send(bytes.fromhex("16030100c8010000c40303")[: random.randint(1, 11)])
        elif kind in (2, 3):
            # 2: the ClientHello, then gone; 3: the server's flight read, part of ours
            h, out = handshake(s, 0 if kind == 2 else 1)
            s.sendall(out if kind == 2 else out[: random.randint(1, max(1, len(out) - 1))])
        elif kind >= 4:
            (t, i, o), _ = handshake(s, -1)
            req = b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"
            if kind == 4 and random.random() < 0.5:
                try:
                    t.unwrap()
                except ssl.SSLWantReadError:
                    pass
                s.sendall(o.read())
            elif kind == 5:
                t.write(req[: random.randint(1, len(req) - 1)])
                s.sendall(o.read())
            elif kind == 6:
                t.write(req)
                s.sendall(o.read())
                while True:
                    data = s.recv(65536)
                    if not data:
                        break
                    i.write(data)
                    try:
                        if b"\r\n\r\n" in t.read(65536):
                            break
                    except ssl.SSLWantReadError:
                        pass
    except (OSError, EOFError, ssl.SSLError):
        pass
    s.close()
print("%d connections in %.1f s: connect-close %d, partial ClientHello %d, ClientHello only %d, "
      "cut in our second flight %d, handshake then close %d, partial request %d, whole request %d"
      % (n, time.time() - t0, *count))
EOF
# two clients at once (2 CPUs: the client's python costs as much as apid)
churn() { python3 "$WORK/churn.py" "$PORT" "$PKI" $(($1 / 2)) 7 & python3 "$WORK/churn.py" "$PORT" "$PKI" $(($1 - $1 / 2)) 8; wait $!; }
churn 300 >/dev/null 2>&1	# warm up: stacks, arenas and the waiting threads used once
sleep 1
fd0=$(fds) rss0=$(rss) t0=$(date +%s)
churn "${API_CHURN:-10000}" >"$WORK/churn.log" 2>&1
sleep 1
fd1=$(fds) rss1=$(rss) t1=$(date +%s)
tap_check "${API_CHURN:-10000} connections with random aborts in $((t1 - t0 - 1)) s: fds flat ($fd0 → $fd1), RSS flat ($rss0 → $rss1 KiB) ($(tr '\n' ' ' <"$WORK/churn.log"))" \
	bash -c '[ "$3" -le $(($1 + 2)) ] && [ "$4" -le $(($2 + 2048)) ]' _ "$fd0" "$rss0" "$fd1" "$rss1"

# ------------------------------------------------------------ kill -9 during an attach
aid=$(as operator run -d -i $IMG cat 2>&1)
(sleep 30 | DOCKER_CERT_PATH=$PKI/operator timeout 40 docker attach "$aid" >/dev/null 2>&1 &)
sleep 2
kill -9 "$APID"; wait "$APID" 2>/dev/null
sleep 1
st=$(DOCKER_HOST=unix://$S DOCKER_TLS_VERIFY= docker inspect -f '{{.State.Status}}' "$aid" 2>&1)
tap_check "kill -9 of apid during an attach: the container keeps running ($st)" test "$st" = running
# started again as PID 1 does (restart = always), with only the capabilities
# of the image's services.d/apid.conf
caps=$(sed -n 's/^capabilities = //p' "$TOP/rootfs/skeleton/etc/berth/services.d/apid.conf" |
	sed 's/cap_/+/g; s/ /,/g')
APID_WRAP="setpriv --bounding-set=-all,$caps --inh-caps=-all"
start_apid "$PORT" && tap_check "apid started again with only apid.conf's capabilities ($caps) serves" as admin ps

tap_done
