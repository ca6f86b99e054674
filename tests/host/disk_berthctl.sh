#!/bin/bash
# disk_berthctl.sh — `berthctl update` and `berthctl slots` against a
# stand-in for berthd on a Unix socket (python3): update sends the file
# with its sha256 (and FILE.sig as signature=HEX) and prints the answer;
# a refusal sent before the body was read (berthd closes early) is still
# read and reported (exit 1, not a send error); no server: exit 111.
# Then over TLS, `berthctl -H 127.0.0.1:PORT --tlsdir DIR slots|update`
# through a real berth-apid (the development PKI, in a mount and network
# namespace of its own) to the same stand-in as berthd: the admin's update
# (17 MB) streams through with progress on stderr, a refusal names
# HOST:PORT, and the viewer certificate gets apid's 403 before any of the
# body is sent (Expect: 100-continue).
if [ -z "${API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
	API_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
# shellcheck source=tests/lib/daemons.sh
. "$TOP/tests/lib/daemons.sh" # port.sh too
command -v python3 > /dev/null || { tap_skip "berthctl update" "no python3"; tap_done; exit; }
sock=$WORK/engine.sock
cat > "$WORK/srv.py" <<'PY'
import hashlib, os, socket, sys
path, mode, log = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); s.listen(1)
open(path + ".up", "w").close()
c, _ = s.accept()
buf = b""
while b"\r\n\r\n" not in buf:
    buf += c.recv(65536)
head, body = buf.split(b"\r\n\r\n", 1)
open(log, "wb").write(head.split(b"\r\n")[0] + b"\n")
def reply(status, text):
    c.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (status, len(text), text))
if mode == "early":
    reply(403, b'{"message":"this host takes only signed updates"}'); c.close(); sys.exit(0)
if mode == "slots":
    reply(200, b'{"Running":"a","Next":"a","Slots":[]}'); c.close(); sys.exit(0)
n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
h, got = hashlib.sha256(body), len(body)
while got < n:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b); got += len(b)
reply(200, b'{"Slot":"b","Got":"%s"}' % h.hexdigest().encode())
c.close()
PY
serve() {
	rm -f "$sock" "$sock.up"
	python3 "$WORK/srv.py" "$sock" "$1" "$WORK/req" & srv=$!
	for _ in $(seq 50); do [ -e "$sock.up" ] && return; sleep 0.1; done
}
head -c 3000000 /dev/urandom > "$WORK/img.efi"
sha=$(sha256sum < "$WORK/img.efi" | cut -d' ' -f1)
export BERTH_ENGINE_SOCK=$sock

serve ok
out=$("$BIN/berthctl" update "$WORK/img.efi" 2>&1); rc=$?; wait $srv
[ $rc = 0 ] && grep -q "\"Got\":\"$sha\"" <<< "$out" && tap_ok "update sends the whole file; the answer printed" ||
	tap_fail "update sends the file" "rc=$rc $out"
grep -q "^POST /berth/v1/system/update?sha256=$sha HTTP/1.1" "$WORK/req" && tap_ok "... with its sha256 in the query" ||
	tap_fail "sha256 in the query" "$(cat "$WORK/req")"

printf '\x30\x06\x02\x01\x01\x02\x01\x02' > "$WORK/img.efi.sig"
serve ok
"$BIN/berthctl" update "$WORK/img.efi" > /dev/null 2>&1; wait $srv
grep -q "?sha256=$sha&signature=3006020101020102 " "$WORK/req" && tap_ok "FILE.sig goes along as signature=HEX" ||
	tap_fail "signature in the query" "$(cat "$WORK/req")"
rm -f "$WORK/img.efi.sig"

serve early
out=$("$BIN/berthctl" update "$WORK/img.efi" 2>&1); rc=$?; wait $srv
[ $rc = 1 ] && grep -q 'only signed updates' <<< "$out" && tap_ok "a refusal sent before the body was read is reported (exit 1)" ||
	tap_fail "early refusal" "rc=$rc $out"

serve slots
out=$("$BIN/berthctl" slots 2>&1); rc=$?; wait $srv
[ $rc = 0 ] && grep -q '"Running":"a"' <<< "$out" && grep -q '^GET /berth/v1/slots ' "$WORK/req" &&
	tap_ok "slots prints GET /berth/v1/slots" || tap_fail "slots" "rc=$rc $out"

rm -f "$sock"
out=$("$BIN/berthctl" slots 2>&1); rc=$?
[ $rc = 111 ] && grep -q 'is berthd running' <<< "$out" && tap_ok "no berthd: exit 111, said" || tap_fail "no berthd" "rc=$rc $out"

# ---- over TLS through berth-apid
tls_skip() { tap_skip "berthctl -H slots/update through berth-apid" "$1"; tap_done; exit; }
[ "${CONFIG_API:-}" = y ] || tls_skip "CONFIG_API is off"
[ -n "${API_NS:-}" ] || tls_skip "needs root and unshare (a namespace for apid)"
command -v openssl > /dev/null || tls_skip "no openssl"
. "$TOP/tests/lib/pki.sh"
ip link set lo up 2> /dev/null
R=$(mktemp -d /tmp/dB.XXXXXX)
chmod 0711 "$R"
APID=
trap '[ -n "$APID" ] && kill "$APID" 2>/dev/null; wait 2>/dev/null; rm -rf "$R"' EXIT
daemons_users || tls_skip "cannot bind /etc/passwd"
PKI=$WORK/pki
pki_dev "$PKI" 2> "$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
PORT=$(free_port)
sock=$R/engine.sock
cat > "$WORK/berth.conf" <<EOF
[api]
listen = 127.0.0.1:$PORT
cert = $PKI/server/cert.pem
key = $PKI/server/key.pem
client_ca = $PKI/ca.pem
engine_socket = $sock
init_socket = $R/init.sock
log_dir = $R/log
audit_log = $WORK/audit/api.log
data_dir = $WORK
EOF
PIDS=()
start_apid "$PORT"
kill -0 "$APID" 2> /dev/null || { tap_fail "berth-apid starts" "$(cat "$WORK/apid.log")"; tap_done; exit; }
# tserve MODE: the stand-in, reachable by berth-apid after its privilege drop
tserve() { serve "$1"; chmod 0666 "$sock"; }
bctl() { "$BIN/berthctl" -H "127.0.0.1:$PORT" --tlsdir "$PKI/$1" "${@:2}"; }

tserve slots
out=$(bctl viewer slots 2>&1); rc=$?; wait $srv
[ $rc = 0 ] && grep -q '"Running":"a"' <<< "$out" && grep -q '^GET /berth/v1/slots ' "$WORK/req" &&
	tap_ok "-H: slots through berth-apid (viewer)" || tap_fail "-H slots" "rc=$rc $out $(tail -3 "$WORK/apid.log")"

head -c 17000000 /dev/urandom > "$WORK/big.efi"
sha=$(sha256sum < "$WORK/big.efi" | cut -d' ' -f1)
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/k.pem" 2> /dev/null
openssl dgst -sha256 -sign "$WORK/k.pem" -out "$WORK/big.efi.sig" "$WORK/big.efi"
sighex=$(od -An -tx1 -v "$WORK/big.efi.sig" | tr -d ' \n')
tserve ok
t0=$(date +%s%3N)
bctl admin update "$WORK/big.efi" > "$WORK/out" 2> "$WORK/err"; rc=$?; wait $srv
ms=$(( $(date +%s%3N) - t0 ))
[ $rc = 0 ] && grep -q "\"Got\":\"$sha\"" "$WORK/out" &&
	tap_ok "-H: update streams 17 MB through berth-apid, berthd's answer printed ($ms ms)" ||
	tap_fail "-H update" "rc=$rc $(cat "$WORK/out" "$WORK/err") $(tail -3 "$WORK/apid.log")"
grep -q "^POST /berth/v1/system/update?sha256=$sha&signature=$sighex HTTP/1.1" "$WORK/req" &&
	tap_ok "... with its sha256 and FILE.sig in the query" || tap_fail "-H update query" "$(cat "$WORK/req")"
grep -q 'sent 17000000 of 17000000 bytes (100%)' "$WORK/err" && grep -q '(25%)' "$WORK/err" &&
	tap_ok "... progress on stderr" || tap_fail "-H update progress" "$(cat "$WORK/err")"

# berthd refusing on the head alone (an unsigned update): apid has said
# 100 Continue and passed part of the body on when berthd's answer comes;
# apid relays it and drains the rest, so berthctl reads the refusal (exit 1)
# rather than a reset (before: a send error, exit 111, mostly).
tserve early
out=$(timeout 60 "$BIN/berthctl" -H "127.0.0.1:$PORT" --tlsdir "$PKI/admin" update "$WORK/big.efi" 2>&1); rc=$?; wait $srv
[ $rc = 1 ] && grep -q "berthctl: error: 127.0.0.1:$PORT: 403 Forbidden: this host takes only signed" <<< "$out" &&
	tap_ok "-H: berthd's refusal of the head reaches berthctl through apid: exit 1, names 127.0.0.1:$PORT" ||
	tap_fail "-H early refusal" "rc=$rc $out"

out=$(bctl viewer update "$WORK/big.efi" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "127.0.0.1:$PORT: 403 Forbidden: role viewer may not POST /berth/v1/system/update" <<< "$out" &&
	tap_ok "-H: the viewer certificate is refused with apid's 403" || tap_fail "-H viewer update" "rc=$rc $out"

rm -f "$sock"
out=$(bctl admin slots 2>&1); rc=$?
[ $rc = 1 ] && grep -q "127.0.0.1:$PORT: 5[0-9][0-9]" <<< "$out" && tap_ok "-H: no berthd behind apid: exit 1, apid's status" ||
	tap_fail "-H no berthd" "rc=$rc $out"
tap_done
