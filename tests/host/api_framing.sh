#!/bin/bash
# api_framing.sh — hostile HTTP framing through berth-apid to berthd (both on
# temporary directories, in mount and network namespaces of their own, apid
# on 127.0.0.1 with the development PKI). Raw requests over mutual TLS:
# Content-Length with Transfer-Encoding, two different Content-Lengths, a
# folded header, an unknown transfer coding and a malformed chunked body each
# get an answer naming what was wrong (never a silent close); a request
# hidden in another's body never runs (nothing created, nothing audited);
# pipelined requests are answered in order; an unknown route needs admin.
if [ -z "${API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	API_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"

if [ "${CONFIG_API:-}" != y ]; then tap_skip "apid framing" "CONFIG_API is off"; tap_done; exit; fi
need_root "apid framing" || { tap_done; exit; }
for t in curl python3 openssl; do
	command -v $t >/dev/null || { tap_skip "apid framing" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init aF
PKI=$WORK/pki
daemons_users || { tap_skip "apid framing" "cannot bind /etc/passwd"; tap_done; exit; }
pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
PORT=$(free_port)
api_conf "$PORT"
{ start_berthd && start_apid "$PORT"; } ||
	{ tap_fail "berthd and berth-apid start" "$(cat "$WORK/berthd.log" "$WORK/apid.log")"; tap_done; exit; }

# raw ROLE: the bytes on stdin sent over mutual TLS with ROLE's certificate;
# what apid answers, up to an answer that closes the connection (or its
# close, or 1.5 s of silence), on stdout
cat >"$WORK/raw.py" <<'PY'
import socket, ssl, sys
port, pki, role = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = ssl.create_default_context(cafile=pki + "/ca.pem")
c.load_cert_chain(pki + "/%s/cert.pem" % role, pki + "/%s/key.pem" % role)
s = c.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
s.settimeout(1.5)
s.sendall(sys.stdin.buffer.read())
out = b""
def done(buf):
    """a whole answer that closes the connection is in buf"""
    while b"\r\n\r\n" in buf:
        head, rest = buf.split(b"\r\n\r\n", 1)
        h = head.lower()
        n = 0
        for line in h.split(b"\r\n"):
            if line.startswith(b"content-length:"):
                n = int(line.split(b":")[1])
        if b" 100 continue" in h.split(b"\r\n")[0] or len(rest) < n:
            return False
        if b"connection: close" in h:
            return True
        buf = rest[n:]
    return False
try:
    while not done(out):
        b = s.recv(65536)
        if not b:
            break
        out += b
except (socket.timeout, ssl.SSLError, OSError):
    pass
sys.stdout.write(out.decode("latin-1").replace("\r", ""))
PY
raw() { python3 "$WORK/raw.py" "$PORT" "$PKI" "$1"; }
# answers ROLE REQUEST EXPECT…: REQUEST (printf format, \r\n written out) gets
# an answer holding every EXPECT
answers() {
	local role=$1 req=$2 out
	shift 2
	out=$(printf "$req" | raw "$role")
	for x in "$@"; do grep -qF -- "$x" <<<"$out" || { echo "$out" | head -12; return 1; }; done
}
H='Host: x\r\n'
tap_check "Content-Length with Transfer-Encoding: 400 naming both" \
	answers viewer "POST /containers/create HTTP/1.1\r\n${H}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" \
	"400 Bad Request" "both Content-Length and Transfer-Encoding"
tap_check "two different Content-Lengths: 400" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab" \
	"400 Bad Request" "Content-Length given twice"
tap_check "a folded header: 400" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}X: a\r\n b\r\n\r\n" "400 Bad Request" "folded"
tap_check "a transfer coding other than chunked: 501" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n" "501 Not Implemented"
# before: apid closed the connection without a word (berthd had half a request)
tap_check "a chunk longer than its size says: 400 naming it, not a silent close" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n" \
	"400 Bad Request" "chunk data is not followed by CRLF"
tap_check "a chunk without a size: 400 naming it" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" \
	"400 Bad Request" "chunk size"
tap_check "the connection serves on after a well-formed chunked body" \
	answers viewer "GET /_ping HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /version HTTP/1.1\r\n${H}Connection: close\r\n\r\n" \
	"OK" '"ApiVersion"'
create='POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"Image":"x"}'
printf "GET /_ping HTTP/1.1\r\n${H}Content-Length: %d\r\n\r\n$create" "$(printf "$create" | wc -c)" | raw viewer >/dev/null
printf "GET /_ping HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n%x\r\n$create\r\n0\r\n\r\n" "$(printf "$create" | wc -c)" | raw viewer >/dev/null
tap_check "a create hidden in a viewer's GET body (Content-Length, chunked) never runs and is not audited" \
	bash -c '! grep -q "containers/create" "$1" 2>/dev/null && [ "$(curl -s --unix-socket "$2" "http://x/containers/json?all=1")" = "[]" ]' _ \
	"$WORK/audit/api.log" "$S"
tap_check "pipelined requests are answered in order" \
	bash -c 'out=$(printf "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" | python3 "$1" "$2" "$3" admin)
		out=$(tr -d "\n" <<<"$out"); [ "$(grep -o "HTTP/1.1 200 OK" <<<"$out" | wc -l)" = 2 ] && [[ $out == *"Swarm: inactive"*OKHTTP/1.1*ApiVersion* ]]' _ \
	"$WORK/raw.py" "$PORT" "$PKI"
tap_check "a path outside the route table needs admin (viewer: 403)" \
	answers viewer "GET /containers/%%2e%%2e/images/json HTTP/1.1\r\n${H}Connection: close\r\n\r\n" "403 Forbidden" "needs admin"
tap_check "a lower-case method is not GET: 403 for a viewer" \
	answers viewer "post /containers/create HTTP/1.1\r\n${H}Content-Length: 2\r\nConnection: close\r\n\r\n{}" "403 Forbidden"
tap_check "berth-apid is still running" kill -0 "$APID"
tap_done
