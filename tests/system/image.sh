#!/bin/bash
# image.sh — in the appliance (kernel 6.1, the image's static binaries):
# an OCI archive built in the guest with busybox (tar, gzip, sha256sum)
# loads through berth-unpack's sandbox, checks, mounts as an overlay (the
# board's overlay module) and a shell runs inside it with chroot.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store in qemu" "CONFIG_IMAGE is off"; tap_done; exit; fi
vm_start image; rc=$?
if [ $rc = 2 ]; then
	tap_skip "image store in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
if [ $rc != 0 ]; then
	tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	tap_done; exit
fi

# one layer: busybox and a shell; digests with the guest's own sha256sum
tap_check "a layer is built in the guest" vm_run "mkdir -p /tmp/r/bin /tmp/o/blobs/sha256 && cp /bin/busybox /tmp/r/bin/ && ln -s busybox /tmp/r/bin/sh && echo in-image >/tmp/r/hello && tar -C /tmp/r -cf /tmp/l.tar . && gzip -c /tmp/l.tar >/tmp/l.gz"
# (console lines stay short: the shell's line editor cuts long ones; shell
# variables persist between vm_run calls)
Q='"'
steps=(
	'cd /tmp/o && d=$(sha256sum </tmp/l.tar | cut -c1-64) && g=$(sha256sum </tmp/l.gz | cut -c1-64) && cp /tmp/l.gz blobs/sha256/$g'
	"printf '{${Q}architecture${Q}:${Q}amd64${Q},${Q}os${Q}:${Q}linux${Q},${Q}rootfs${Q}:{${Q}type${Q}:${Q}layers${Q},${Q}diff_ids${Q}:[${Q}sha256:%s${Q}]}}' \$d >c"
	'c=$(sha256sum <c | cut -c1-64) && mv c blobs/sha256/$c && cs=$(wc -c <blobs/sha256/$c) && gs=$(wc -c <blobs/sha256/$g)'
	"printf '{${Q}schemaVersion${Q}:2,${Q}config${Q}:{${Q}mediaType${Q}:${Q}application/vnd.oci.image.config.v1+json${Q},${Q}digest${Q}:${Q}sha256:%s${Q},${Q}size${Q}:%s},' \$c \$cs >m"
	"printf '${Q}layers${Q}:[{${Q}mediaType${Q}:${Q}application/vnd.oci.image.layer.v1.tar+gzip${Q},${Q}digest${Q}:${Q}sha256:%s${Q},${Q}size${Q}:%s}]}' \$g \$gs >>m"
	'm=$(sha256sum <m | cut -c1-64) && mv m blobs/sha256/$m && ms=$(wc -c <blobs/sha256/$m)'
	"printf '{${Q}schemaVersion${Q}:2,${Q}manifests${Q}:[{${Q}mediaType${Q}:${Q}application/vnd.oci.image.manifest.v1+json${Q},${Q}digest${Q}:${Q}sha256:%s${Q},${Q}size${Q}:%s,' \$m \$ms >index.json"
	"printf '${Q}annotations${Q}:{${Q}org.opencontainers.image.ref.name${Q}:${Q}guest:1${Q}}}]}' >>index.json"
	"printf '{${Q}imageLayoutVersion${Q}:${Q}1.0.0${Q}}' >oci-layout && tar -cf /tmp/img.tar -C /tmp/o . && cd /"
)
ok=1
for st in "${steps[@]}"; do
	out=$(vm_run "$st") || { ok=0; tap_fail "an OCI layout is written in the guest" "$st: $out"; break; }
done
[ $ok = 1 ] && tap_ok "an OCI layout is written in the guest"
out=$(vm_run "berth-image --data-root /tmp/store load /tmp/img.tar")
tap_check "berth-image loads it (berth-unpack sandboxed on this kernel)" grep -q '^loaded guest:1 (sha256:' <<<"$out"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
tap_check "the store checks" vm_run "berth-image --data-root /tmp/store check"
tap_check "overlay mount (read-only, one layer)" vm_run "mkdir -p /tmp/mnt && berth-image --data-root /tmp/store mount guest:1 /tmp/mnt"
tap_check "a shell runs in the mounted root filesystem" test "$(vm_run "chroot /tmp/mnt /bin/sh -c 'read x </hello; echo \$x'")" = in-image
tap_check "writable mount for a container" vm_run "berth-image --data-root /tmp/store umount /tmp/mnt && berth-image --data-root /tmp/store mount --rw c1 guest:1 /tmp/mnt && echo x >/tmp/mnt/new && test -f /tmp/store/containers/c1/upper/new && berth-image --data-root /tmp/store umount /tmp/mnt"
vm_stop >/dev/null
tap_done
