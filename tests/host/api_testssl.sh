#!/bin/bash
# api_testssl.sh — testssl.sh (Debian's) against berth-apid on 127.0.0.1
# with the development PKI's CA added: only TLS 1.2 is offered, and no
# finding of severity MEDIUM or higher except those a private CA causes:
#   cert_revocation  the development certificates name no CRL or OCSP URI
# (testssl.sh 3.0 has no client certificate option: every check that needs
# a request after the handshake is reported as not testable, a WARN).
# About eight minutes on a loaded two-core machine.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
. "$TOP/tests/lib/daemons.sh"

if [ "${CONFIG_API:-}" != y ]; then tap_skip "testssl" "CONFIG_API is off"; tap_done; exit; fi
for t in testssl python3 openssl; do
	command -v $t >/dev/null || { tap_skip "testssl.sh against berth-apid" "$t is missing (apt-get install testssl.sh)"; tap_done; exit; }
done
PKI=$WORK/pki
pki_dev "$PKI" 2>"$WORK/pki.log" || { tap_fail "tools/pki.sh" "$(cat "$WORK/pki.log")"; tap_done; exit; }
PORT=$(free_port)
cat >"$WORK/berth.conf" <<EOF
[api]
listen = 127.0.0.1:$PORT
cert = $PKI/server/cert.pem
key = $PKI/server/key.pem
client_ca = $PKI/ca.pem
engine_socket = $WORK/run/engine.sock
audit_log = $WORK/audit/api.log
data_dir = $WORK
sandbox = no
EOF
"$BIN/berth-apid" --config "$WORK/berth.conf" 2>"$WORK/apid.log" &
APID=$!
trap 'kill $APID 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

# The checks that speak to the TLS layer: protocols, cipher categories,
# forward secrecy, server preference, server defaults (the certificate),
# vulnerabilities. Left out: HTTP headers (no request gets past the client
# certificate) and client simulation (about half of a full run's time).
timeout 1500 testssl --quiet --warnings off --color 0 --add-ca "$PKI/ca.pem" --severity MEDIUM -p -s -f -P -S -U \
	--jsonfile "$WORK/t.json" "127.0.0.1:$PORT" >"$WORK/t.txt" 2>&1
tap_check "testssl.sh ran to the end" grep -q "Done" "$WORK/t.txt"
prot=$(grep -E "^ (SSLv2|SSLv3|TLS 1|TLS 1.1|TLS 1.2|TLS 1.3) " "$WORK/t.txt")
tap_check "only TLS 1.2 is offered" bash -c '
	[ "$(grep -v "not offered" <<<"$1" | grep -c "offered")" = 1 ] && grep -qE "^ TLS 1.2 +offered" <<<"$1" &&
	[ "$(grep -c "not offered" <<<"$1")" = 5 ]' _ "$prot"
found=$(python3 -c '
import json, sys
allowed = {"cert_revocation"}
for f in json.load(open(sys.argv[1])):
    if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL") and f["id"] not in allowed:
        print(f["severity"], f["id"], f["finding"])' "$WORK/t.json" 2>&1)
tap_check "no MEDIUM or higher finding beyond the private CA's (cert_revocation)" test -z "$found"
echo "# findings: $found"
tap_done
