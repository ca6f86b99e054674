#!/bin/bash
# berthctl_tls.sh — berthctl's remote mode against a stand-in HTTPS server
# (berthctl_tls_server.py: canned JSON for berth-apid's appliance endpoints, a
# client certificate required, the role from its O): the commands and their
# output, -H/--tlsdir and the BERTH_*/DOCKER_* environment, and one clear line
# naming the host and what failed for an unknown CA, a certificate without the
# host's name or address, a refused client certificate, a refused role (the
# 403 body), no certificate, nothing listening and a bad -H.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
. "$TOP/tests/lib/port.sh"
command -v python3 > /dev/null || { tap_skip "berthctl over TLS" "python3 is not installed"; tap_done; exit; }
command -v openssl > /dev/null || { tap_skip "berthctl over TLS" "openssl is not installed"; tap_done; exit; }
ctl=$BIN/berthctl
d=$WORK/pki
pki_dev "$d" && pki_client "$d" old /CN=old/O=admin --expired && pki_client "$d" far /CN=far/O=admin --other-ca ||
	{ tap_fail "the test PKI"; tap_done; exit; }
# a server certificate for another name only: IP and name checks
mkdir -p "$d/wrong" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-keyout "$d/wrong/key.pem" -out "$d/wrong/self.pem" -subj /CN=x 2> /dev/null
openssl req -new -key "$d/wrong/key.pem" -subj /CN=elsewhere -out "$d/wrong/req.csr" 2> /dev/null
openssl x509 -req -in "$d/wrong/req.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" -days 30 -out "$d/wrong/cert.pem" \
	-extfile <(printf 'subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth\n') 2> /dev/null

pids=()
serve() { # NAME CERT KEY: start a server; its port in $WORK/NAME.port
	rm -f "$WORK/$1.port"
	python3 "$TOP/tests/host/berthctl_tls_server.py" "$2" "$3" "$d/ca.pem" "$WORK/$1.port" "$WORK/$1.log" \
		> /dev/null 2> "$WORK/$1.err" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$WORK/$1.port" ] && break; sleep 0.05; done
}
trap 'kill "${pids[@]}" 2> /dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
serve good "$d/server/cert.pem" "$d/server/key.pem"
port=$(cat "$WORK/good.port" 2> /dev/null)
[ -n "$port" ] && tap_ok "the stand-in server listens" || { tap_fail "the stand-in server listens" "$(cat "$WORK/good.err")"; tap_done; exit; }
H=tcp://127.0.0.1:$port

run() { out=$("$@" 2> "$WORK/stderr"); rc=$?; err=$(cat "$WORK/stderr"); }
expect() { # NAME RC PATTERN(stdout) [PATTERN(stderr)]
	if [ "$rc" = "$2" ] && grep -qE -- "$3" <<< "$out" && { [ -z "${4:-}" ] || grep -qE -- "$4" <<< "$err"; }; then
		tap_ok "$1"
	else
		tap_fail "$1" "rc=$rc stdout: $out
stderr: $err"
	fi
}
one_line() { # NAME: stderr is one line
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && tap_ok "$1: one line" || tap_fail "$1: one line" "$err"
}

run env -u DOCKER_HOST -u BERTH_HOST "$ctl" -H "$H" --tlsdir "$d/admin" services
expect "services: the table from JSON" 0 "^berthd +running +42 +1 +12.345$"
grep -q "^GET /berth/v1/services 127.0.0.1:$port admin$" "$WORK/good.log" &&
	tap_ok "GET /berth/v1/services with Host 127.0.0.1:$port, as admin" || tap_fail "GET with Host, as admin" "$(cat "$WORK/good.log")"
run env BERTH_HOST="$H" BERTH_CERT_PATH="$d/admin" "$ctl" services
expect "BERTH_HOST and BERTH_CERT_PATH" 0 "berth-apid +backoff"
run env -u BERTH_HOST -u BERTH_CERT_PATH DOCKER_HOST="$H" DOCKER_CERT_PATH="$d/viewer" "$ctl" system
expect "DOCKER_HOST (tcp://) and DOCKER_CERT_PATH: system" 0 "Server certificate: expires 2029-03-05T12:00:00Z"
grep -qE "Data: +/var/lib/berth: 512.0 MiB used of 1.0 GiB" <<< "$out" && tap_ok "system: data usage" || tap_fail "system: data usage" "$out"
run env -u BERTH_HOST DOCKER_HOST=unix:///nonexistent.sock "$ctl" --socket "$WORK/none.sock" services
expect "DOCKER_HOST=unix:// keeps the local mode" 111 "" "$WORK/none.sock"
run "$ctl" --host "127.0.0.1:$port" --cert-dir "$d/admin" restart berthd
expect "restart as admin (--host HOST:PORT, --cert-dir)" 0 "^berthd: restarted$"
run "$ctl" -H "$H" --tlsdir "$d/viewer" restart berthd
expect "restart as viewer: 403 and the server's message" 1 "^$" \
	"^berthctl: error: 127.0.0.1:$port: 403 Forbidden: role viewer may not POST /berth/v1/services/berthd/restart: it needs admin$"
one_line "refused role"
run "$ctl" -H "$H" --tlsdir "$d/admin" restart nosuch
expect "restart of an unknown service: 404 and why" 1 "^$" "404 Not Found: PID 1: no such service: nosuch"
run "$ctl" -H "$H" --tlsdir "$d/admin" reboot
expect "reboot" 0 "^reboot: requested$"
grep -q "^POST /berth/v1/system/reboot " "$WORK/good.log" && tap_ok "reboot is POST /berth/v1/system/reboot" || tap_fail "reboot is POST /berth/v1/system/reboot"
run "$ctl" -H "$H" --tlsdir "$d/admin" poweroff
expect "poweroff" 0 "^poweroff: requested$"
run "$ctl" -H "$H" --tlsdir "$d/viewer" logs berthd -f
expect "logs -f streams the chunked body" 0 "^followed$"
grep -q "^GET /berth/v1/logs?service=berthd&follow=1 " "$WORK/good.log" && tap_ok "logs -f asks follow=1" || tap_fail "logs -f asks follow=1"
run "$ctl" -H "$H" --tlsdir "$d/monitor" logs berthd
expect "logs as monitor: 403" 1 "^$" "403 Forbidden: role monitor"
run "$ctl" -H "$H" --tlsdir "$d/monitor" metrics
expect "metrics: the raw text" 0 '^berth_build_info\{version="28.2.2-berth"\} 1$'
run "$ctl" -H "$H" --tlsdir "$d/viewer" ps
expect "ps: the containers" 0 "^0123456789ab +alpine:3.20 +Up 5 minutes +web$"
run "$ctl" -H "$H" --tlsdir "$d/admin" restart "../x"
expect "a service name that is not a name: usage" 100 "^$" "unknown command or wrong arguments"

# Failures: one line naming the host and what failed.
mkdir -p "$WORK/foreign" && cp "$d/other-ca/ca.pem" "$WORK/foreign/ca.pem" && cp "$d/admin/cert.pem" "$d/admin/key.pem" "$WORK/foreign/"
run "$ctl" -H "$H" --tlsdir "$WORK/foreign" services
expect "unknown CA" 111 "^$" "^berthctl: error: 127.0.0.1:$port: TLS: the server's certificate is not signed by $WORK/foreign/ca.pem$"
one_line "unknown CA"
serve wrong "$d/wrong/cert.pem" "$d/wrong/key.pem"
wport=$(cat "$WORK/wrong.port" 2> /dev/null)
run "$ctl" -H "tcp://127.0.0.1:$wport" --tlsdir "$d/admin" services
expect "a certificate without the IP" 111 "^$" "^berthctl: error: 127.0.0.1:$wport: TLS: the server's certificate is not valid for 127.0.0.1 \(no IP SAN"
one_line "wrong IP"
run "$ctl" -H "tcp://localhost:$wport" --tlsdir "$d/admin" services
expect "a certificate without the name" 111 "^$" "^berthctl: error: localhost:$wport: TLS: the server's certificate is not valid for localhost"
run "$ctl" -H "tcp://localhost:$port" --tlsdir "$d/admin" services
expect "by name (DNS:localhost)" 0 "berthd"
run "$ctl" -H "$H" --tlsdir "$d/old" services
expect "a refused client certificate (expired)" 111 "^$" "^berthctl: error: 127.0.0.1:$port: TLS: the server refused our client certificate \(alert 45"
one_line "refused client certificate"
mkdir -p "$WORK/nocert" && cp "$d/ca.pem" "$WORK/nocert/"
run "$ctl" -H "$H" --tlsdir "$WORK/nocert" services
expect "no client certificate" 111 "^$" "the server refused us: no cert.pem/key.pem in the TLS directory"
run "$ctl" -H "$H" --tlsdir "$WORK/none" services
expect "no ca.pem: named" 100 "^$" "^berthctl: error: 127.0.0.1:$port: the CA to check the server with: .*$WORK/none/ca.pem"
free=$(free_port)
run "$ctl" -H "tcp://127.0.0.1:$free" --tlsdir "$d/admin" services
expect "nothing listening" 111 "^$" "^berthctl: error: 127.0.0.1:$free: cannot connect: Connection refused"
one_line "nothing listening"
run "$ctl" -H "unix:///run/x.sock" services
expect "-H with another scheme: usage" 100 "^$" "want tcp://HOST:PORT"
tap_done
