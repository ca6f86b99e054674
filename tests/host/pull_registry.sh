#!/bin/bash
# pull_registry.sh — docker pull against berthd (issue 14): Debian's
# docker-registry on 127.0.0.1 with TLS from a test CA (tools/pki.sh), an
# image of three layers pushed into it with skopeo; the stock docker CLI
# pulls it by tag and by digest through berthd's socket and runs it;
# berth-fetch's /proc/PID/status during a pull (uid, CapEff, NoNewPrivs,
# Seccomp); refusals, each with its message and nothing left in the store:
# a registry the policy does not allow, an unknown CA (trusted once it is in
# DATA_ROOT/certs.d), a manifest whose digest is not the one asked for, a
# blob larger than its descriptor, a missing tag. Inside its own mount and network namespaces.
if [ -z "${PULL_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	PULL_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_FETCH:-}" != y ]; then tap_skip "docker pull" "CONFIG_FETCH is off"; tap_done; exit; fi
need_root "docker pull" || { tap_done; exit; }
for t in docker-registry skopeo docker openssl curl python3; do
	command -v $t >/dev/null || { tap_skip "docker pull" "$t is missing (apt-get install docker-registry skopeo)"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bP

# --- the registry: TLS from a test CA
"$TOP/tools/pki.sh" "$WORK/pki" --server-ip 127.0.0.1 --server-dns registry.test >/dev/null 2>&1 ||
	{ tap_fail "test PKI" "tools/pki.sh failed"; tap_done; exit; }
PORT=$(free_port)
REG=127.0.0.1:$PORT
start_registry() { # CONFIG LOG
	docker-registry serve "$1" >"$2" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		curl -s --max-time 1 --cacert "$WORK/pki/ca.pem" "https://$REG/v2/" >/dev/null && return 0
		sleep 0.1
	done
	return 1
}
cat >"$WORK/reg.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/reg}}
http:
  addr: $REG
  tls: {certificate: $WORK/pki/server/cert.pem, key: $WORK/pki/server/key.pem}
EOF
start_registry "$WORK/reg.yml" "$WORK/reg.log" || { tap_fail "registry starts" "$(cat "$WORK/reg.log")"; tap_done; exit; }
tap_ok "docker-registry serves TLS on $REG"

# --- an image of three layers, pushed with skopeo
mkdir -p "$WORK/img/r1" "$WORK/img/r2/etc" "$WORK/img/r3/data"
img_rootfs "$WORK/img/r1"
echo "pulled over TLS" >"$WORK/img/r2/etc/motd"
head -c 3000000 /dev/urandom >"$WORK/img/r3/data/blob"
for i in 1 2 3; do img_layer "$WORK/img/r$i" "$WORK/img/l$i.tar"; done
img_oci "$WORK/img/oci" v1 "$WORK/img/l1.tar" "$WORK/img/l2.tar" "$WORK/img/l3.tar"
CFG=$IMG_CONFIG MAN=$IMG_MANIFEST
mkdir -p "$WORK/skcerts" && cp "$WORK/pki/ca.pem" "$WORK/skcerts/ca.crt"
push() { skopeo copy -q --dest-cert-dir "$WORK/skcerts" "oci:$1" "docker://$REG/$2" 2>&1; }
out=$(push "$WORK/img/oci:v1" test/busy:v1)
tap_check "skopeo pushes the image" test -z "$out"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'

# --- berthd with the test CA in certs_dir
mkdir -p "$WORK/certs.d/$REG"
cp "$WORK/pki/ca.pem" "$WORK/certs.d/$REG/ca.crt"
conf() { printf '[engine]\nca_bundle = %s\ncerts_dir = %s\n%s\n[container_network]\npublish_addresses = 127.0.0.1\n' \
	"$WORK/none.pem" "$WORK/certs.d" "${1:-}" >"$WORK/berth.conf"; }
conf
export DOCKER_HOST=unix://$S
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
# the store and data root; pull/ (downloads to resume) is checked on its own
listing() { docker images -q --no-trunc | sort; (cd "$D" && find . -path ./lock -prune -o -path ./tmp -prune -o -path ./pull -prune -o -print | sort); }

out=$(docker pull "$REG/test/busy:v1" 2>&1)
echo "$out" | sed 's/^/# /'
tap_check "docker pull by tag: Pull complete for each layer" test "$(grep -c 'Pull complete' <<<"$out")" = 3
tap_check "docker pull prints the manifest digest" grep -qx "Digest: $MAN" <<<"$out"
tap_check "docker pull says it downloaded the image" grep -qx "Status: Downloaded newer image for $REG/test/busy:v1" <<<"$out"
tap_check "the image is in the store under its config digest" \
	test "$(docker image inspect -f '{{.Id}}' "$REG/test/busy:v1" 2>&1)" = "$CFG"
out=$(docker run --rm "$REG/test/busy:v1" cat /etc/motd 2>&1)
tap_check "docker run of the pulled image" test "$out" = "pulled over TLS"
push "$WORK/img/oci:v1" test/other:v1 >/dev/null
out=$(docker pull "$REG/test/other:v1" 2>&1)
tap_check "layers the store has are not downloaded again (Already exists)" \
	bash -c '[ "$(grep -c "Already exists" <<<"$1")" = 3 ] && grep -q "Status: Image is up to date for $2" <<<"$1"' _ "$out" "$REG/test/other:v1"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi "$REG/test/other:v1" >/dev/null 2>&1
# one layer twice in a manifest: one download, one file, no deadlock on itself
img_oci "$WORK/img/dup" v1 "$WORK/img/l1.tar" "$WORK/img/l2.tar" "$WORK/img/l2.tar"
push "$WORK/img/dup:v1" test/dup:v1 >/dev/null
out=$(timeout 60 docker pull "$REG/test/dup:v1" 2>&1)
tap_check "a manifest naming one layer twice" grep -q "Status: Downloaded newer image for $REG/test/dup:v1" <<<"$out"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi "$REG/test/dup:v1" >/dev/null 2>&1
out=$(docker pull "$REG/test/busy:v1" 2>&1)
tap_check "a second pull: up to date" grep -qx "Status: Image is up to date for $REG/test/busy:v1" <<<"$out"
docker rmi -f "$REG/test/busy:v1" >/dev/null 2>&1
out=$(docker pull "$REG/test/busy@$MAN" 2>&1)
tap_check "docker pull by digest" bash -c 'grep -q "Digest: $1" <<<"$2" && docker image inspect "$3" >/dev/null' _ "$MAN" "$out" "$CFG"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'

# a registry by name, through DNS: this mount namespace's resolv.conf names a
# server on 127.0.0.1 that answers registry.test with a CNAME and an A record
printf 'nameserver 127.0.0.1\n' >"$WORK/resolv.conf"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
"$TOP/tests/host/helpers/dns_server.py" registry.test 127.0.0.1 >"$WORK/dns.out" 2>"$WORK/dns.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/dns.out" ] && break; sleep 0.1; done
for n in registry.test nowhere.test; do
	mkdir -p "$WORK/certs.d/$n:$PORT" && cp "$WORK/pki/ca.pem" "$WORK/certs.d/$n:$PORT/ca.crt"
done
out=$(docker pull "registry.test:$PORT/test/busy:v1" 2>&1)
if grep -q "Status: .* for registry.test:$PORT/test/busy:v1" <<<"$out"; then
	tap_ok "a registry named in DNS (CNAME, then A)"
else
	tap_fail "a registry named in DNS (CNAME, then A)" "$out"
fi
out=$(docker pull "nowhere.test:$PORT/test/busy:v1" 2>&1)
if grep -q 'cannot resolve "nowhere.test": no such host' <<<"$out"; then
	tap_ok "a name DNS does not know: cannot resolve"
else
	tap_fail "a name DNS does not know: cannot resolve" "$out"
fi
docker rmi -f "registry.test:$PORT/test/busy:v1" >/dev/null 2>&1

# docker run of an image that is not here: the CLI pulls it first
docker rmi -f "$CFG" >/dev/null 2>&1
out=$(docker run --rm "$REG/test/busy:v1" cat /etc/motd 2>&1)
tap_check "docker run of a missing image pulls it and runs it" bash -c \
	'grep -q "Unable to find image" <<<"$1" && grep -q "Pull complete" <<<"$1" && [ "$(tail -1 <<<"$1")" = "pulled over TLS" ]' _ "$out"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi -f "$CFG" >/dev/null 2>&1

# --- refusals: a clear message, nothing left in the store
before=$(listing)
refused() { # NAME PATTERN REF
	local out
	out=$(docker pull $3 2>&1)
	if [ $? != 0 ] && grep -qE -- "$2" <<<"$out"; then tap_ok "$1: refused naming $2"; else tap_fail "$1: refused naming $2" "$out"; fi
	if [ "$before" = "$(listing)" ] && [ -z "$(ls -A "$D/pull" 2>/dev/null)" ]; then tap_ok "$1: nothing left in the store"
	else tap_fail "$1: nothing left in the store" "$(diff <(echo "$before") <(listing)) $(ls -A "$D/pull" 2>&1)"; fi
}
refused "a missing tag" "manifest for v9 not found" "$REG/test/busy:v9"
refused "a digest the registry does not have" "not found|manifest unknown" "$REG/test/busy@sha256:$(printf x | sha256sum | cut -c1-64)"

# the policy allows only another registry
conf $'[policy]\nregistries = registry.example.com'
restart_berthd
refused "a registry the policy does not allow" "pulling from $REG is not allowed by the policy" "$REG/test/busy:v1"
# no CA for the registry: the system bundle path does not exist, certs_dir is empty
mkdir -p "$WORK/empty.d"
printf '[engine]\nca_bundle = %s\ncerts_dir = %s\n' "$WORK/pki/rsa-admin/ca.pem" "$WORK/empty.d" >"$WORK/berth.conf"
"$TOP/tools/pki.sh" "$WORK/pki2" >/dev/null 2>&1
printf '[engine]\nca_bundle = %s\ncerts_dir = %s\n' "$WORK/pki2/ca.pem" "$WORK/empty.d" >"$WORK/berth.conf"
restart_berthd
refused "an unknown CA" "TLS with 127.0.0.1:$PORT.*(unknown CA|certificate|X.509|x509)" "$REG/test/busy:v1"
# the same configuration, the CA only on the data partition (DATA_ROOT/certs.d,
# where an appliance's operator can put it): trusted
mkdir -p "$D/certs.d/$REG" && cp "$WORK/pki/ca.pem" "$D/certs.d/$REG/ca.crt"
out=$(docker pull "$REG/test/busy:v1" 2>&1)
tap_check "a CA in the data root's certs.d is trusted" grep -q "Status: Downloaded newer image for $REG/test/busy:v1" <<<"$out"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi -f "$REG/test/busy:v1" >/dev/null 2>&1
rm -rf "$D/certs.d"
conf
restart_berthd

# a registry that lies: a small python3 server serving a manifest whose
# digest is not the one asked for, and a blob larger than its descriptor
"$TOP/tests/host/helpers/fake_registry.py" "$WORK/img/oci" "$WORK/pki/server/cert.pem" "$WORK/pki/server/key.pem" \
	>"$WORK/fake.port" 2>"$WORK/fake.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$WORK/fake.port" ] && break; sleep 0.1; done
FP=$(head -1 "$WORK/fake.port")
mkdir -p "$WORK/certs.d/127.0.0.1:$FP" && cp "$WORK/pki/ca.pem" "$WORK/certs.d/127.0.0.1:$FP/ca.crt"
# berth-fetch's sandbox, seen during a pull from a registry that answers
# blobs slowly (the status is read as soon as berth-fetch has confined itself)
( while [ ! -e "$WORK/pull.done" ]; do
	p=$(pgrep -x berth-fetch | head -1)
	# the last status read is berth-fetch's steady state: confined, waiting on the network
	[ -n "$p" ] && [ "$(awk '/^Uid:/ {print $2}' /proc/$p/status 2>/dev/null)" = "$CONFIG_FETCH_UID" ] &&
		cp /proc/$p/status "$WORK/fetch.status.new" 2>/dev/null && mv "$WORK/fetch.status.new" "$WORK/fetch.status"
	sleep 0.05
done ) &
WATCH=$!
out=$(docker pull "127.0.0.1:$FP/slow/busy:v1" 2>&1)
touch "$WORK/pull.done"
wait $WATCH
tap_check "a pull from a slow registry completes" grep -q "Status: Downloaded newer image for 127.0.0.1:$FP/slow/busy:v1" <<<"$out"
if [ -f "$WORK/fetch.status" ]; then
	st=$WORK/fetch.status
	tap_check "berth-fetch runs as uid $CONFIG_FETCH_UID, not 0" test "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "$st")" = \
		"$CONFIG_FETCH_UID$CONFIG_FETCH_UID$CONFIG_FETCH_UID$CONFIG_FETCH_UID"
	tap_check "berth-fetch has no capabilities (CapEff 0, CapPrm 0)" \
		bash -c 'grep -q "^CapEff:[[:space:]]*0*$" "$1" && grep -q "^CapPrm:[[:space:]]*0*$" "$1"' _ "$st"
	tap_check "berth-fetch has NoNewPrivs 1" grep -q "^NoNewPrivs:[[:space:]]*1" "$st"
	tap_check "berth-fetch runs under a seccomp filter (Seccomp 2)" grep -q "^Seccomp:[[:space:]]*2" "$st"
else
	tap_fail "berth-fetch's /proc status seen during the pull" "no berth-fetch process seen"
fi
docker rmi -f "127.0.0.1:$FP/slow/busy:v1" >/dev/null 2>&1
out=$(docker pull "127.0.0.1:$FP/flaky/busy:v1" 2>&1)
tap_check "blobs cut off halfway are resumed with Range" bash -c \
	'grep -q "Status: Downloaded newer image" <<<"$1" && grep -q "^range sha256:" "$2"' _ "$out" "$WORK/fake.log"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi -f "127.0.0.1:$FP/flaky/busy:v1" >/dev/null 2>&1
out=$(docker pull "127.0.0.1:$FP/multi/busy:v1" 2>&1)
tap_check "an OCI index: linux/amd64 is selected" bash -c \
	'grep -q "Status: Downloaded newer image" <<<"$1" && ! grep -q "^Digest: $2" <<<"$1"' _ "$out" "$MAN"
[ $? = 0 ] || echo "$out" | sed 's/^/# /'
docker rmi -f "127.0.0.1:$FP/multi/busy:v1" >/dev/null 2>&1
# a pull that breaks off keeps what it had; the next pull resumes it (all
# blobs at once, so that each has its half before the first failure stops it)
conf "pull_parallel = 8"
restart_berthd
out=$(docker pull "127.0.0.1:$FP/dead/busy:v1" 2>&1)
tap_check "a pull whose blobs are cut off fails" bash -c '[ $1 != 0 ]' _ $?
tap_check "... and keeps the partial blobs in pull/" test -n "$(ls -A "$D/pull" 2>/dev/null)"
# a partial blob older than FETCH_PARTIAL_KEEP_H is removed when a pull starts
echo stale >"$D/pull/$(printf %064d 0)"
touch -d "-$((CONFIG_FETCH_PARTIAL_KEEP_H + 1)) hours" "$D/pull/$(printf %064d 0)"
out=$(docker pull "127.0.0.1:$FP/rangeonly/busy:v1" 2>&1)
if grep -q "Status: Downloaded newer image" <<<"$out" && [ -z "$(ls -A "$D/pull")" ]; then
	tap_ok "the next pull resumes them with Range (the registry serves nothing else) and removes them, and an expired one"
else
	tap_fail "the next pull resumes them with Range (the registry serves nothing else) and removes them" "$out $(ls -A "$D/pull")"
fi
docker rmi -f "127.0.0.1:$FP/rangeonly/busy:v1" >/dev/null 2>&1
# two pulls of the same image at once: each blob is downloaded once
n0=$(grep -c "^get " "$WORK/fake.log")
docker pull "127.0.0.1:$FP/shared/busy:v1" >"$WORK/p1.out" 2>&1 &
p1=$!
sleep 0.5
out=$(docker pull "127.0.0.1:$FP/shared/busy:v1" 2>&1)
wait $p1
gets=$(( $(grep -c "^get " "$WORK/fake.log") - n0 ))
blobs=$(ls "$WORK/img/oci/blobs/sha256" | wc -l)
if grep -q "Status: " <<<"$out" && grep -q "Status: " "$WORK/p1.out" && [ "$gets" = $((blobs - 1)) ]; then
	tap_ok "two pulls at once share the downloads ($gets blob GETs for $((blobs - 1)) blobs)"
else
	tap_fail "two pulls at once share the downloads" "$gets GETs for $((blobs - 1)) blobs; $out $(cat "$WORK/p1.out")"
fi
docker rmi -f "127.0.0.1:$FP/shared/busy:v1" >/dev/null 2>&1
before=$(listing)
refused "a platform the index does not have" "no manifest for linux/s390x in the index \\(it has: linux/arm64, linux/amd64\\)" \
	"--platform=linux/s390x 127.0.0.1:$FP/multi/busy:v1"
refused "a manifest whose digest does not match" "manifest digest mismatch" "127.0.0.1:$FP/bad/manifest@$MAN"
refused "a blob larger than its descriptor" "larger than its descriptor" "127.0.0.1:$FP/bad/bigblob:v1"
refused "a blob whose digest does not match" "blob digest mismatch" "127.0.0.1:$FP/bad/blobdigest:v1"
refused "a redirect to plaintext http" "redirect from https://127.0.0.1 to plaintext http://127.0.0.1 refused" \
	"127.0.0.1:$FP/bad/redirect:v1"
tap_done
