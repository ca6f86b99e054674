#!/bin/bash
# tls_interop.sh — lib/tls's server (tests/host/tls_server.c) against other
# TLS stacks: curl and openssl s_client (OpenSSL) and the stock docker CLI
# (Go): mutual TLS with EC and RSA client keys, TLS 1.2 only, resumption seen
# by the client, and what the docker CLI prints when its certificate is
# missing or from another CA, when the server's is from an unknown CA, and
# for plain HTTP (DOCKER_API.md §1's table; Go withholds a certificate from a
# CA the server does not name, so that case is a handshake failure here);
# and the half-close: `docker attach` prints what follows its close_notify.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
for t in musl-gcc openssl curl; do
	command -v $t > /dev/null || { tap_skip "TLS interop" "$t is not installed"; tap_done; exit; }
done
if ! musl-gcc -static -O2 -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
	-o "$WORK/tls_server" "$TOP/tests/host/tls_server.c" "$BUILD/obj/libberth.a" -L"$BUILD/sysroot/lib" \
	-lbearssl -lpthread 2> "$WORK/cc.log"; then
	tap_fail "tls_server builds" "$(cat "$WORK/cc.log")"; tap_done; exit
fi
d=$WORK/pki
pki_dev "$d" && pki_client "$d" far /CN=far/O=admin --other-ca || { tap_fail "the test PKI"; tap_done; exit; }
# a server certificate from another CA, for the client's "unknown authority"
mkdir -p "$d/badsrv"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/badsrv/key.pem" \
	-subj /CN=bad -out "$d/badsrv/req.csr" 2> /dev/null
openssl x509 -req -in "$d/badsrv/req.csr" -CA "$d/other-ca/ca.pem" -CAkey "$d/other-ca/ca-key.pem" -days 30 \
	-out "$d/badsrv/cert.pem" -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') 2> /dev/null

pids=()
trap 'kill "${pids[@]}" 2> /dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
start() { # NAME CERT KEY
	"$WORK/tls_server" "$2" "$3" "$d/ca.pem" "$WORK/$1.port" > "$WORK/$1.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$WORK/$1.port" ] && break; sleep 0.05; done
}
start good "$d/server/cert.pem" "$d/server/key.pem"
port=$(cat "$WORK/good.port" 2> /dev/null)
[ -n "$port" ] && tap_ok "tls_server listens" || { tap_fail "tls_server listens" "$(cat "$WORK/good.out")"; tap_done; exit; }
url=https://127.0.0.1:$port

for who in admin rsa-admin; do
	out=$(curl -sS --max-time 10 --cacert "$d/ca.pem" --cert "$d/$who/cert.pem" --key "$d/$who/key.pem" "$url/whoami" 2>&1)
	grep -q "\"Subject\":\"CN=$who-dev,O=admin\"" <<< "$out" && tap_ok "curl with the $who key: the server saw CN=$who-dev,O=admin" ||
		tap_fail "curl with the $who key" "$out"
done
out=$(curl -sS --max-time 10 --cacert "$d/ca.pem" --cert "$d/admin/cert.pem" --key "$d/admin/key.pem" --tlsv1.3 "$url/x" 2>&1)
[ $? != 0 ] && tap_ok "TLS 1.3 only: refused (TLS 1.2 only)" || tap_fail "TLS 1.3 only: refused" "$out"
out=$(curl -sS --max-time 10 --cacert "$d/ca.pem" "$url/x" 2>&1)
[ $? != 0 ] && tap_ok "curl without a client certificate: refused" || tap_fail "curl without a client certificate: refused" "$out"
out=$(curl -sS --max-time 10 --cacert "$d/ca.pem" --cert "$d/far/cert.pem" --key "$d/far/key.pem" "$url/x" 2>&1)
grep -q "alert unknown ca" <<< "$out" && tap_ok "curl with another CA's certificate: alert unknown ca" ||
	tap_fail "curl with another CA's certificate: alert unknown ca" "$out"
out=$(curl -sS --max-time 10 "http://127.0.0.1:$port/x" 2>&1)
[ "$out" = "Client sent an HTTP request to an HTTPS server." ] && tap_ok "plain HTTP gets Go's answer" ||
	tap_fail "plain HTTP gets Go's answer" "$out"
out=$(echo | timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile "$d/ca.pem" -cert "$d/admin/cert.pem" \
	-key "$d/admin/key.pem" -reconnect 2>&1)
reused=$(grep -c '^Reused, TLSv1.2' <<< "$out")
[ "$reused" -ge 5 ] && tap_ok "openssl s_client -reconnect resumes ($reused of 5 reconnections)" ||
	tap_fail "openssl s_client -reconnect resumes" "$(grep -E '^(New|Reused),' <<< "$out")"
grep -q "Server Temp Key: X25519" <<< "$out" && tap_ok "key exchange X25519" || tap_fail "key exchange X25519" "$(grep -i 'temp key' <<< "$out")"
grep -qE "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256" <<< "$out" && tap_ok "suite ECDHE-ECDSA-AES128-GCM-SHA256" ||
	tap_fail "suite ECDHE-ECDSA-AES128-GCM-SHA256" "$(grep -i cipher <<< "$out" | head -3)"

docker=/usr/local/bin/docker
if [ ! -x "$docker" ]; then
	tap_skip "the docker CLI" "no $docker"
else
	dk() { env -u DOCKER_CONTEXT DOCKER_CONFIG="$WORK/dockercfg" DOCKER_HOST="$1" "${@:2}" 2>&1; }
	out=$(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$d/admin" dk "tcp://127.0.0.1:$port" timeout 20 "$docker" version --format '{{.Server.Version}}')
	[ "$out" = "tls-test" ] && tap_ok "docker version over mutual TLS" || tap_fail "docker version over mutual TLS" "$out"
	mkdir -p "$WORK/nocert" && cp "$d/ca.pem" "$WORK/nocert/"
	out=$(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$WORK/nocert" dk "tcp://127.0.0.1:$port" timeout 20 "$docker" version)
	grep -q "remote error: tls: handshake failure" <<< "$out" && tap_ok "docker without a certificate: remote error: tls: handshake failure" ||
		tap_fail "docker without a certificate" "$out"
	# Go sends a client certificate only when its issuer is among the CA names
	# of the CertificateRequest (BearSSL always lists the client CA): another
	# CA's certificate is withheld, so the CLI sees a handshake failure.
	mkdir -p "$WORK/far" && cp "$d/ca.pem" "$WORK/far/" && cp "$d/far/cert.pem" "$d/far/key.pem" "$WORK/far/"
	out=$(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$WORK/far" dk "tcp://127.0.0.1:$port" timeout 20 "$docker" version)
	grep -q "remote error: tls: handshake failure" <<< "$out" && tap_ok "docker with another CA's certificate: Go withholds it, handshake failure" ||
		tap_fail "docker with another CA's certificate" "$out"
	out=$(dk "tcp://127.0.0.1:$port" timeout 20 "$docker" version)
	grep -q "Client sent an HTTP request to an HTTPS server" <<< "$out" && tap_ok "docker without TLS: Client sent an HTTP request to an HTTPS server" ||
		tap_fail "docker without TLS" "$out"
	# the CLI's CloseWrite after a 101 is a close_notify: input ends, output goes on
	ok=0
	for i in $(seq 10); do
		out=$(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$d/admin" dk "tcp://127.0.0.1:$port" timeout 20 "$docker" attach x)
		[ "$out" = "hi" ] && ok=$((ok + 1))
	done
	[ $ok = 10 ] && tap_ok "docker attach: the output after the CLI's close_notify arrives (10 of 10)" ||
		tap_fail "docker attach: the output after the CLI's close_notify arrives ($ok of 10)" "$out"
	n=$(grep -c "^attach: input ended$" "$WORK/good.out")
	[ "$n" = 10 ] && tap_ok "the server saw the close_notify as end of input each time" ||
		tap_fail "the server saw the close_notify as end of input each time" "$n: $(grep attach "$WORK/good.out" | sort | uniq -c)"
	start bad "$d/badsrv/cert.pem" "$d/badsrv/key.pem"
	bport=$(cat "$WORK/bad.port" 2> /dev/null)
	out=$(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$d/admin" dk "tcp://127.0.0.1:$bport" timeout 20 "$docker" version)
	grep -q "certificate signed by unknown authority" <<< "$out" && tap_ok "docker against a server from an unknown CA" ||
		tap_fail "docker against a server from an unknown CA" "$out"
fi
grep -q "^refused 2 no certificate$" "$WORK/good.out" && tap_ok "the server counted the missing certificate (TLS_FAIL_NO_CERT)" ||
	tap_fail "the server counted the missing certificate" "$(cat "$WORK/good.out")"
grep -q "^refused 3 unknown CA$" "$WORK/good.out" && tap_ok "the server counted the unknown CA (TLS_FAIL_BAD_CERT)" ||
	tap_fail "the server counted the unknown CA" "$(cat "$WORK/good.out")"
grep -q "^refused 1 plain HTTP$" "$WORK/good.out" && tap_ok "the server counted plain HTTP (TLS_FAIL_PLAINTEXT)" ||
	tap_fail "the server counted plain HTTP" "$(cat "$WORK/good.out")"
tap_done
