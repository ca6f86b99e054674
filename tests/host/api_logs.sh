#!/bin/bash
# api_logs.sh — GET /berth/v1/logs through berth-apid (privilege drop on,
# in a mount and network namespace of its own, 127.0.0.1, the development
# PKI): a service log PID 1 would write (LOG_DIR/NAME.log 0640
# root:berth-admin in a 0750 root:berth-admin directory) read by the admin
# and viewer certificates, tail=N, follow=1 seeing an appended line and a
# rotation (NAME.log → NAME.log.1), a bad name 400, a missing log 404, the
# monitor certificate 403, and `berthctl -H … logs NAME`. No berthd and no
# PID 1 are needed.
if [ -z "${API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	API_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"

if [ "${CONFIG_API:-}" != y ]; then tap_skip "apid logs" "CONFIG_API is off"; tap_done; exit; fi
need_root "apid logs" || { tap_done; exit; }
for t in curl python3 openssl; do
	command -v $t >/dev/null || { tap_skip "apid logs" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init aL
PKI=$WORK/pki L=$R/log
daemons_users || { tap_skip "apid logs" "cannot bind /etc/passwd"; tap_done; exit; }

pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }

# the log as PID 1 leaves it (init/svc_log.c)
install -d -m 0750 -o 0 -g 4244 "$L"
printf 'one\ntwo\nthree\n' >"$L/web.log"
chown 0:4244 "$L/web.log"; chmod 0640 "$L/web.log"

PORT=$(free_port)
cat >"$WORK/berth.conf" <<EOF
[api]
listen = 127.0.0.1:$PORT
cert = $PKI/server/cert.pem
key = $PKI/server/key.pem
client_ca = $PKI/ca.pem
engine_socket = $R/engine.sock
init_socket = $R/init.sock
log_dir = $L
audit_log = $WORK/audit/api.log
data_dir = $WORK
EOF
start_apid "$PORT"
tap_check "berth-apid starts (log_dir $L)" kill -0 "$APID" || { cat "$WORK/apid.log"; tap_done; exit; }

k() { local role=$1; shift; curl -s --max-time 20 --cacert "$PKI/ca.pem" --cert "$PKI/$role/cert.pem" \
	--key "$PKI/$role/key.pem" "$@"; }
U=https://127.0.0.1:$PORT/berth/v1/logs

out=$(k admin -D "$WORK/h1" "$U?service=web")
tap_check "admin reads the log whole" test "$out" = $'one\ntwo\nthree'
tap_check "text/plain, chunked" bash -c 'grep -qi "^content-type: text/plain" "$1" &&
	grep -qi "^transfer-encoding: chunked" "$1"' _ "$WORK/h1"
out=$(k viewer "$U?service=web&tail=2")
tap_check "viewer reads it, tail=2: the last two lines" test "$out" = $'two\nthree'
out=$(k admin "$U?service=web&tail=0")
tap_check "tail=0: nothing" test -z "$out"

code=$(k monitor -o "$WORK/mon" -w '%{http_code}' "$U?service=web")
tap_check "monitor: 403 naming the role it needs" bash -c '[ "$1" = 403 ] && grep -q "needs viewer" "$2"' _ "$code" "$WORK/mon"
for bad in '..' 'a%2Fb' '..%2Fweb' 'Web' ''; do
	code=$(k admin -o "$WORK/bad" -w '%{http_code}' "$U?service=$bad")
	tap_check "service=$bad: 400" bash -c '[ "$1" = 400 ] && grep -q "\"message\"" "$2"' _ "$code" "$WORK/bad"
done
code=$(k admin -o "$WORK/miss" -w '%{http_code}' "$U?service=nosuch")
tap_check "a missing log: 404 with a Docker JSON message" bash -c \
	'[ "$1" = 404 ] && grep -q "{\"message\":\"no log for service nosuch\"}" "$2"' _ "$code" "$WORK/miss"

n0=$(ls /proc/$APID/fd | wc -l)
# follow: a line appended, then a rotation as PID 1 does it
k admin -N --max-time 6 "$U?service=web&follow=1&tail=1" >"$WORK/follow" 2>/dev/null &
F=$!
sleep 1
echo four >>"$L/web.log"
sleep 1
mv "$L/web.log" "$L/web.log.1"; echo five >>"$L/web.log.1"
printf 'six\n' >"$L/web.log"; chown 0:4244 "$L/web.log"; chmod 0640 "$L/web.log"
sleep 1
echo seven >>"$L/web.log"
wait $F
tap_check "follow=1: the tail, an appended line, the rotated file's end, the new file" \
	test "$(cat "$WORK/follow")" = $'three\nfour\nfive\nsix\nseven'
sleep 0.5
n=$(ls /proc/$APID/fd | wc -l)
tap_check "apid left the follow when the client went away (fds $n0 before, $n after)" \
	bash -c 'kill -0 "$1" && [ "$2" -le "$3" ]' _ "$APID" "$n" "$n0"

out=$("$BIN/berthctl" -H "127.0.0.1:$PORT" --tlsdir "$PKI/admin" logs web 2>&1)
tap_check "berthctl -H … logs web prints it" test "$out" = $'six\nseven'

tap_done
