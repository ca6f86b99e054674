#!/bin/bash
# pull_auth.sh — docker pull with credentials and without TLS (issue 14):
# docker-registry with htpasswd basic auth (a pull without login is refused,
# `docker login` then a pull works, a wrong password is refused at login); a
# registry using token auth with a token server written for the test
# (tests/host/helpers/token_server.py: ES256 tokens, x5c); a plaintext
# registry, refused until [engine] insecure_registries lists it. The stock
# docker CLI against berthd, inside private mount and network namespaces.
if [ -z "${PULL_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	PULL_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_FETCH:-}" != y ]; then tap_skip "docker pull" "CONFIG_FETCH is off"; tap_done; exit; fi
need_root "docker pull" || { tap_done; exit; }
for t in docker-registry skopeo docker openssl curl python3 htpasswd; do
	command -v $t >/dev/null ||
		{ tap_skip "docker pull with auth" "$t is missing (apt-get install docker-registry skopeo apache2-utils)"; tap_done; exit; }
done
python3 -c 'import cryptography' 2>/dev/null ||
	{ tap_skip "docker pull with auth" "python3-cryptography is missing"; tap_done; exit; }
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bA
export DOCKER_CONFIG=$WORK/dockercfg DOCKER_HOST=unix://$S

"$TOP/tools/pki.sh" "$WORK/pki" --server-ip 127.0.0.1 >/dev/null 2>&1 ||
	{ tap_fail "test PKI" "tools/pki.sh failed"; tap_done; exit; }
CA=$WORK/pki/ca.pem
mkdir -p "$WORK/skcerts" && cp "$CA" "$WORK/skcerts/ca.crt"

# registry NAME PORT TLS(1|0) AUTH-YAML: start one, wait for it
registry() {
	local name=$1 port=$2 tls=$3 auth=$4 scheme=https
	{
		printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\n' "$WORK/$name"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
		[ "$tls" = 1 ] && printf '  tls: {certificate: %s, key: %s}\n' "$WORK/pki/server/cert.pem" "$WORK/pki/server/key.pem"
		printf '%s\n' "$auth"
	} >"$WORK/$name.yml"
	[ "$tls" = 1 ] || scheme=http
	docker-registry serve "$WORK/$name.yml" >"$WORK/$name.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		curl -s -o /dev/null --max-time 1 --cacert "$CA" "$scheme://127.0.0.1:$port/v2/" && return 0
		sleep 0.1
	done
	return 1
}

# one image, pushed into each registry
mkdir -p "$WORK/img/r1" "$WORK/img/r2/etc"
img_rootfs "$WORK/img/r1"
echo "with credentials" >"$WORK/img/r2/etc/motd"
img_layer "$WORK/img/r1" "$WORK/img/l1.tar"
img_layer "$WORK/img/r2" "$WORK/img/l2.tar"
img_oci "$WORK/img/oci" v1 "$WORK/img/l1.tar" "$WORK/img/l2.tar"
CFG=$IMG_CONFIG

# --- berthd
mkdir -p "$WORK/certs.d"
conf() { printf '[engine]\nca_bundle = %s\ncerts_dir = %s\n%s\n' "$WORK/none.pem" "$WORK/certs.d" "${1:-}" >"$WORK/berth.conf"; }
conf
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
listing() { docker images -q --no-trunc | sort; (cd "$D" && find . -path ./lock -prune -o -path ./tmp -prune -o -print | sort); }

# --- htpasswd basic auth
BP=$(free_port) B=127.0.0.1:$BP
htpasswd -Bbn alice s3cret-pw >"$WORK/htpasswd" 2>/dev/null
if registry basic "$BP" 1 "auth: {htpasswd: {realm: berth-test, path: $WORK/htpasswd}}"; then
	mkdir -p "$WORK/certs.d/$B" && cp "$CA" "$WORK/certs.d/$B/ca.crt"
	out=$(skopeo copy -q --dest-cert-dir "$WORK/skcerts" --dest-creds alice:s3cret-pw "oci:$WORK/img/oci:v1" \
		"docker://$B/team/app:v1" 2>&1)
	tap_check "skopeo pushes into the htpasswd registry" test -z "$out"
	before=$(listing)
	out=$(docker pull "$B/team/app:v1" 2>&1)
	tap_check "a pull without login is refused: unauthorized" bash -c '[ $1 != 0 ] && grep -q "unauthorized" <<<"$2"' _ $? "$out"
	tap_check "... and leaves nothing in the store" test "$before" = "$(listing)"
	out=$(echo wrong | docker login -u alice --password-stdin "$B" 2>&1)
	tap_check "docker login with a wrong password is refused" bash -c '[ $1 != 0 ] && grep -qi "unauthorized\|401" <<<"$2"' _ $? "$out"
	out=$(echo s3cret-pw | docker login -u alice --password-stdin "$B" 2>&1)
	tap_check "docker login" grep -q "Login Succeeded" <<<"$out"
	[ $? = 0 ] || echo "$out" | sed 's/^/# /'
	out=$(docker pull "$B/team/app:v1" 2>&1)
	tap_check "docker pull after docker login" grep -q "Status: Downloaded newer image for $B/team/app:v1" <<<"$out"
	[ $? = 0 ] || echo "$out" | sed 's/^/# /'
	tap_check "docker run of the image pulled with basic auth" \
		test "$(docker run --rm "$B/team/app:v1" cat /etc/motd 2>&1)" = "with credentials"
	docker logout "$B" >/dev/null 2>&1
	docker rmi -f "$CFG" >/dev/null 2>&1
else
	tap_fail "the htpasswd registry starts" "$(cat "$WORK/basic.log")"
fi

# --- token auth
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=berth-test-token \
	-keyout "$WORK/tok.key" -out "$WORK/tok.pem" >/dev/null 2>&1
"$TOP/tests/host/helpers/token_server.py" "$WORK/pki/server/cert.pem" "$WORK/pki/server/key.pem" \
	"$WORK/tok.pem" "$WORK/tok.key" bob t0ken-pw >"$WORK/tok.port" 2>"$WORK/tok.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/tok.port" ] && break; sleep 0.1; done
TP=$(head -1 "$WORK/tok.port") KP=$(free_port) K=127.0.0.1:$KP
if [ -n "$TP" ] && registry token "$KP" 1 "auth: {token: {realm: \"https://127.0.0.1:$TP/token\", service: berth-test, issuer: berth-test-issuer, rootcertbundle: $WORK/tok.pem}}"; then
	mkdir -p "$WORK/certs.d/$K" && cp "$CA" "$WORK/certs.d/$K/ca.crt"
	out=$(SSL_CERT_FILE=$CA skopeo copy -q --dest-cert-dir "$WORK/skcerts" --dest-creds bob:t0ken-pw \
		"oci:$WORK/img/oci:v1" "docker://$K/team/app:v1" 2>&1)
	tap_check "skopeo pushes into the token-auth registry" test -z "$out"
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	out=$(docker pull "$K/team/app:v1" 2>&1)
	tap_check "an anonymous token grants nothing: the pull is refused" bash -c '[ $1 != 0 ]' _ $?
	out=$(echo t0ken-pw | docker login -u bob --password-stdin "$K" 2>&1)
	tap_check "docker login against the token server" grep -q "Login Succeeded" <<<"$out"
	[ $? = 0 ] || echo "$out" | sed 's/^/# /'
	out=$(docker pull "$K/team/app:v1" 2>&1)
	tap_check "docker pull with a bearer token" grep -q "Status: Downloaded newer image for $K/team/app:v1" <<<"$out"
	[ $? = 0 ] || echo "$out" | sed 's/^/# /'
	docker logout "$K" >/dev/null 2>&1
	docker rmi -f "$CFG" >/dev/null 2>&1
else
	tap_fail "the token-auth registry starts" "$(cat "$WORK/token.log" "$WORK/tok.log" 2>/dev/null)"
fi

# --- plaintext: only when listed in insecure_registries
PP=$(free_port) P=127.0.0.1:$PP
if registry plain "$PP" 0 ""; then
	out=$(skopeo copy -q --dest-tls-verify=false "oci:$WORK/img/oci:v1" "docker://$P/team/app:v1" 2>&1)
	tap_check "skopeo pushes into the plaintext registry" test -z "$out"
	mkdir -p "$WORK/certs.d/$P" && cp "$CA" "$WORK/certs.d/$P/ca.crt"   # so that TLS is tried
	before=$(listing)
	out=$(docker pull "$P/team/app:v1" 2>&1)
	rc=$?
	if [ $rc != 0 ] && grep -q "TLS with 127.0.0.1:$PP" <<<"$out"; then
		tap_ok "a plaintext registry is refused by default (TLS fails)"
	else
		tap_fail "a plaintext registry is refused by default (TLS fails)" "rc=$rc $out"
	fi
	tap_check "... and leaves nothing in the store" test "$before" = "$(listing)"
	conf "insecure_registries = $P"
	restart_berthd
	out=$(docker pull "$P/team/app:v1" 2>&1)
	tap_check "a registry in insecure_registries is pulled over plain HTTP" \
		grep -q "Status: Downloaded newer image for $P/team/app:v1" <<<"$out"
	[ $? = 0 ] || echo "$out" | sed 's/^/# /'
else
	tap_fail "the plaintext registry starts" "$(cat "$WORK/plain.log")"
fi
tap_done
