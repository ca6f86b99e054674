#!/bin/bash
# disk_berthctl.sh — `berthctl update` and `berthctl slots` against a
# stand-in for berthd on a Unix socket (python3): update sends the file
# with its sha256 (and FILE.sig as signature=HEX) and prints the answer;
# a refusal sent before the body was read (berthd closes early) is still
# read and reported (exit 1, not a send error); no server: exit 111.
. "$(dirname "$0")/../lib/env.sh"
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
while len(body) < n:
    body += c.recv(65536)
reply(200, b'{"Slot":"b","Got":"%s"}' % hashlib.sha256(body).hexdigest().encode())
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
tap_done
