#!/bin/bash
# pull.sh — docker pull inside the booted appliance (issue 14): Debian's
# docker-registry on the build machine (127.0.0.1, TLS from a test CA whose
# server certificate names 10.0.2.2, the build machine's loopback as qemu's
# user network shows it to the guest), an image pushed into it with skopeo;
# the stock docker CLI over ssh:// pulls 10.0.2.2:PORT/test/hello:v1:
#   - refused (unknown CA) while the appliance does not trust the test CA;
#   - pulled and run once the CA is in /var/lib/berth/certs.d/HOST:PORT/
#     (the data partition: the root file system is read-only).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/image.sh"
. "$TOP/tests/lib/port.sh"
export SSH_PORT=${SSH_PORT:-12252} API_PORT=${API_PORT:-12406}
KEY=$BUILD/pki/ssh/id_ed25519

if [ "${CONFIG_FETCH:-}" != y ]; then tap_skip "docker pull in the appliance" "CONFIG_FETCH is off"; tap_done; exit; fi
for t in docker docker-registry skopeo openssl curl python3; do
	command -v $t >/dev/null ||
		{ tap_skip "docker pull in the appliance" "$t is missing (apt-get install docker-registry skopeo)"; tap_done; exit; }
done
if [ ! -x "$BUILD/bin/berthd" ] || [ ! -f "$KEY" ]; then
	tap_skip "docker pull in the appliance" "berthd or the development SSH key is not built"; tap_done; exit
fi

vm_docker "$KEY"
REGPID=
trap 'vm_stop >/dev/null 2>&1; [ -n "$REGPID" ] && kill "$REGPID" 2>/dev/null; rm -f "$DATA_IMG";
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

# --- the registry on the build machine's loopback
"$TOP/tools/pki.sh" "$WORK/pki" --server-ip 10.0.2.2 >/dev/null 2>&1 ||
	{ tap_fail "test PKI" "tools/pki.sh failed"; tap_done; exit; }
PORT=$(free_port)
cat > "$WORK/reg.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $WORK/reg}}
http:
  addr: 127.0.0.1:$PORT
  tls: {certificate: $WORK/pki/server/cert.pem, key: $WORK/pki/server/key.pem}
EOF
docker-registry serve "$WORK/reg.yml" > "$WORK/reg.log" 2>&1 &
REGPID=$!
for _ in $(seq 100); do
	curl -s --max-time 1 --cacert "$WORK/pki/ca.pem" "https://127.0.0.1:$PORT/v2/" >/dev/null && break
	sleep 0.1
done
tap_check "docker-registry serves TLS on 127.0.0.1:$PORT" \
	curl -s --max-time 2 --cacert "$WORK/pki/ca.pem" "https://127.0.0.1:$PORT/v2/"

mkdir -p "$WORK/r1" "$WORK/r2/etc" "$WORK/skcerts"
img_rootfs "$WORK/r1"
echo "pulled into the appliance" > "$WORK/r2/etc/motd"
img_layer "$WORK/r1" "$WORK/l1.tar"
img_layer "$WORK/r2" "$WORK/l2.tar"
img_oci "$WORK/oci" v1 "$WORK/l1.tar" "$WORK/l2.tar"
cp "$WORK/pki/ca.pem" "$WORK/skcerts/ca.crt"
out=$(skopeo copy -q --dest-cert-dir "$WORK/skcerts" "oci:$WORK/oci:v1" "docker://127.0.0.1:$PORT/test/hello:v1" 2>&1)
[ -z "$out" ] && tap_ok "skopeo pushes the image" || tap_fail "skopeo pushes the image" "$out"

# --- the appliance
vm_start pull; rc=$?
if [ $rc = 2 ]; then
	tap_skip "docker pull in the appliance" "CONFIG_INIT_CONSOLE_SHELL is off"; tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
for _ in $(seq 300); do vm_run 'test -S /run/berth/engine.sock' > /dev/null && break; sleep 0.2; done
IMG=10.0.2.2:$PORT/test/hello:v1
# docker over ssh:// needs SSH to answer, which comes after "berth: ready"
# on a fresh data disk (vm_wait_ssh)
vm_wait_ssh "$KEY" 120 || tap_fail "SSH answers within 120 s of ready" "$(tr -d '\r' < "$VM_DIR/console.log" | grep -E 'dropbear|dhcpc' | tail -6)"

# a registry by name: berth-fetch reads the appliance's /etc/resolv.conf (a
# symlink to the DHCP client's file; before, it refused it and said "no
# nameserver") and asks qemu's DNS, which knows no .invalid name
out=$(dk pull nosuch.invalid/x:1 2>&1); rc=$?
[ $rc != 0 ] && grep -q 'cannot resolve "nosuch.invalid"' <<< "$out" && ! grep -q 'no nameserver' <<< "$out" &&
	tap_ok "a registry name is looked up with the DHCP name server ($(grep -o 'cannot resolve.*' <<< "$out" | head -1))" ||
	tap_fail "a registry name is looked up with the DHCP name server" "exit $rc: $out"
out=$(dk pull "$IMG" 2>&1); rc=$?
[ $rc != 0 ] && grep -q "TLS with 10.0.2.2:$PORT.*unknown CA" <<< "$out" &&
	tap_ok "without the CA the pull is refused: unknown CA" ||
	tap_fail "without the CA the pull is refused: unknown CA" "exit $rc: $out"

ssh -p "$SSH_PORT" root@127.0.0.1 "mkdir -p /var/lib/berth/certs.d/10.0.2.2:$PORT &&
	cat > /var/lib/berth/certs.d/10.0.2.2:$PORT/ca.crt" < "$WORK/pki/ca.pem"
tap_check "the CA is copied to /var/lib/berth/certs.d/10.0.2.2:$PORT/ca.crt over ssh" \
	vm_run "grep -q 'BEGIN CERTIFICATE' /var/lib/berth/certs.d/10.0.2.2:$PORT/ca.crt"

t0=$(date +%s%N)
out=$(dk pull "$IMG" 2>&1); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$out" | sed 's/^/# /'
[ $rc = 0 ] && grep -q "Status: Downloaded newer image for $IMG" <<< "$out" &&
	tap_ok "docker pull $IMG through qemu's user network ($ms ms)" ||
	tap_fail "docker pull $IMG through qemu's user network" "exit $rc"
out=$(dk run --rm "$IMG" cat /etc/motd 2>&1)
[ "$out" = "pulled into the appliance" ] && tap_ok "docker run of the pulled image prints its output" ||
	tap_fail "docker run of the pulled image prints its output" "$out"
tap_done
