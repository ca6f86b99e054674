#!/bin/bash
# api_http10.sh — HTTP/1.0 and `Connection: close` on berth-apid and berthd
# (RFC 9112 §9.3): an HTTP/1.0 request keeps its connection only with
# `Connection: keep-alive`, and then the answer says `Connection: keep-alive`;
# without it the answer says `Connection: close` and the server closes after
# it; a streamed answer to HTTP/1.0 is not chunked (1.0 has no chunked coding:
# the body ends with the close). Checked on apid (forwarded /_ping, apid's own
# /metrics and errors) over mutual TLS and on berthd's engine.sock, with raw
# requests (python), then `ab -k -n 200 -c 4 -E` (HTTP/1.0) against apid's
# /_ping: all 200 kept alive. berthd and apid run as api_docker.sh runs them,
# in their own mount and network namespaces, on 127.0.0.1.
if [ -z "${API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	API_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"

if [ "${CONFIG_API:-}" != y ]; then tap_skip "apid" "CONFIG_API is off"; tap_done; exit; fi
need_root "apid" || { tap_done; exit; }
for t in curl python3 openssl; do
	command -v $t >/dev/null || { tap_skip "apid" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init aH
PKI=$WORK/pki
daemons_users || { tap_skip "apid" "cannot bind /etc/passwd"; tap_done; exit; }
pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
cat "$PKI/admin/cert.pem" "$PKI/admin/key.pem" >"$PKI/admin/both.pem"

PORT=$(free_port)
mkdir -p "$D"
api_conf "$PORT"
{ start_berthd && start_apid "$PORT"; } ||
	{ tap_fail "berthd and berth-apid start" "$(cat "$WORK/berthd.log" "$WORK/apid.log")"; tap_done; exit; }

# h10.py: each case (kind target version connection) on a new connection to
# berthd's socket (unix) or apid (tls, the admin certificate): the request
# twice (the second only when the first answer kept the connection); one
# line per case: "<status> conn=<Connection> te=<Transfer-Encoding>
# body=<bytes> then=<kept|closed>;" per answer, where "kept" is no close
# within 0.5 s after a whole answer and "closed" an EOF. One python for all
# the cases (its start-up with ssl is most of the test's time).
cat >"$WORK/h10.py" <<'EOF'
import socket, ssl, sys
sock, port, pki = sys.argv[1:4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(pki + "/ca.pem")
ctx.load_cert_chain(pki + "/admin/cert.pem", pki + "/admin/key.pem")
def case(kind, target, ver, conn):
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX); s.connect(sock)
    else:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))), server_hostname="127.0.0.1")
    s.settimeout(5)
    buf, out = [b""], ""
    def fill():
        d = s.recv(65536)
        buf[0] += d
        return len(d)
    for i in range(2):
        req = "GET %s HTTP/%s\r\nHost: x\r\n" % (target, ver)
        if conn != "-":
            req += "Connection: %s\r\n" % conn
        s.sendall((req + "\r\n").encode())
        while b"\r\n\r\n" not in buf[0]:
            if not fill(): return out + "EOF in head;"
        head, buf[0] = buf[0].split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        h = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        cl, closed = h.get("content-length"), False
        if cl is not None:
            while len(buf[0]) < int(cl):
                if not fill(): break
            n = min(len(buf[0]), int(cl)); buf[0] = buf[0][n:]
        elif "transfer-encoding" in h:
            while not buf[0].endswith(b"0\r\n\r\n"):
                if not fill(): closed = True; break
            n = len(buf[0]); buf[0] = b""
        else:
            while fill(): pass
            n = len(buf[0]); buf[0] = b""; closed = True
        if not closed:
            s.settimeout(0.5)
            try:
                closed = fill() == 0
            except (socket.timeout, TimeoutError):
                closed = False
            s.settimeout(5)
        out += "%s conn=%s te=%s body=%d then=%s;" % (lines[0].split()[1], h.get("connection", "-").lower(),
               h.get("transfer-encoding", "-"), n, "closed" if closed else "kept")
        if closed:
            break
    s.close()
    return out
for line in sys.stdin:
    try:
        print(case(*line.split()), flush=True)
    except Exception as x:
        print("error: %s" % x, flush=True)
EOF
mapfile -t res < <(timeout 60 python3 "$WORK/h10.py" "$S" "$PORT" "$PKI" 2>&1 <<EOF
unix /_ping 1.0 keep-alive
unix /_ping 1.0 -
unix /_ping 1.1 close
unix /nope 1.0 keep-alive
unix /metrics 1.0 keep-alive
tls /_ping 1.0 keep-alive
tls /_ping 1.0 -
tls /_ping 1.1 close
tls /_ping 1.1 -
tls /berth/v1/logs?service=Bad 1.0 keep-alive
tls /metrics 1.0 keep-alive
tls /metrics 1.1 -
EOF
)
KA="200 conn=keep-alive te=- body=2 then=kept;200 conn=keep-alive te=- body=2 then=kept;"
CL="200 conn=close te=- body=2 then=closed;"

# -------------------------------------------------------------- berthd
tap_check "berthd: HTTP/1.0 keep-alive: both answers say keep-alive, connection kept (${res[0]:-})" \
	test "${res[0]:-}" = "$KA"
tap_check "berthd: HTTP/1.0 without keep-alive: Connection: close, then closed (${res[1]:-})" \
	test "${res[1]:-}" = "$CL"
tap_check "berthd: HTTP/1.1 Connection: close: Connection: close, then closed (${res[2]:-})" \
	test "${res[2]:-}" = "$CL"
tap_check "berthd: an HTTP/1.0 keep-alive error answer keeps it too (${res[3]:-})" \
	bash -c '[[ "$1" == "404 conn=keep-alive te=- body="*"then=kept;404 conn=keep-alive"*"then=kept;" ]]' _ "${res[3]:-}"
tap_check "berthd: a streamed answer to HTTP/1.0 is not chunked and ends with the close (${res[4]:-})" \
	bash -c '[[ "$1" == "200 conn=close te=- body="*" then=closed;" && "$1" != *"body=0 "* ]]' _ "${res[4]:-}"

# -------------------------------------------------------------- apid
tap_check "apid: HTTP/1.0 keep-alive /_ping (berthd's): keep-alive, kept (${res[5]:-})" \
	test "${res[5]:-}" = "$KA"
tap_check "apid: HTTP/1.0 without keep-alive: Connection: close, then closed (${res[6]:-})" \
	test "${res[6]:-}" = "$CL"
tap_check "apid: HTTP/1.1 Connection: close: Connection: close, then closed (${res[7]:-})" \
	test "${res[7]:-}" = "$CL"
tap_check "apid: HTTP/1.1: no Connection header, kept (${res[8]:-})" \
	test "${res[8]:-}" = "200 conn=- te=- body=2 then=kept;200 conn=- te=- body=2 then=kept;"
tap_check "apid: its own HTTP/1.0 keep-alive error answer keeps it (${res[9]:-})" \
	bash -c '[[ "$1" == "400 conn=keep-alive te=- body="*"then=kept;400 conn=keep-alive"*"then=kept;" ]]' _ "${res[9]:-}"
tap_check "apid: /metrics to HTTP/1.0 is not chunked and ends with the close (${res[10]:-})" \
	bash -c '[[ "$1" == "200 conn=close te=- body="*" then=closed;" && "$1" != *"body=0 "* ]]' _ "${res[10]:-}"
tap_check "apid: /metrics to HTTP/1.1 is chunked and kept (${res[11]:-})" \
	bash -c '[[ "$1" == "200 conn=- te=chunked body="*" then=kept;200 conn=- te=chunked"*"then=kept;" ]]' _ "${res[11]:-}"

# -------------------------------------------------------------- ab -k
if command -v ab >/dev/null; then
	out=$(timeout 15 ab -k -s 3 -n 200 -c 4 -E "$PKI/admin/both.pem" "https://127.0.0.1:$PORT/_ping" 2>&1)
	ok=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' <<<"$out")
	ka=$(sed -n 's/^Keep-Alive requests: *\([0-9]*\).*/\1/p' <<<"$out")
	fail=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' <<<"$out")
	tap_check "ab -k -n 200 -c 4 -E against apid's /_ping: complete ${ok:-?}, keep-alive ${ka:-?}, failed ${fail:-?}" \
		test "${ok:-0}/${ka:-0}/${fail:-1}" = "200/200/0"
else
	tap_skip "ab -k against apid" "ab is missing (apt-get install apache2-utils)"
fi
tap_done
