#!/bin/bash
# disk_signed.sh — the disk image takes only updates signed with the key
# baked into it (/etc/berth/update-key): an unsigned update and one signed
# by another key are refused and nothing is written; a signed one goes into
# slot b. The key is the development one (build/pki/update/key.pem: every
# image built without SITE=dir/update/key.pub holds its public half), or a
# site's, given as BERTH_TEST_SITE_KEY (PEM) with an image built with it:
#   make SITE=dir DEV=1 disk && BERTH_TEST_SITE_KEY=key.pem tests/system/disk_signed.sh
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/vm_disk.sh"

if why=$(vm_disk_skip); then
	tap_skip "signed updates" "$why"; tap_done; exit
fi
key=${BERTH_TEST_SITE_KEY:-$BUILD/pki/update/key.pem}
# The image's key (its raw point) must be the public half of $key.
if [ ! -f "$key" ] || ! openssl ec -in "$key" -pubout -outform DER 2> /dev/null | tail -c 65 | cmp -s - "$BUILD/pki/update-key"; then
	tap_skip "signed updates" "berth-dev.img holds another update key than $key (a SITE=dir image: set BERTH_TEST_SITE_KEY to its private key)"
	tap_done; exit
fi
sdboot=$BUILD/src/systemd-boot-efi/usr/lib/systemd/boot/efi
initrd=$(ls "$BUILD"/images/initramfs-dev.cpio.* | head -1)
"$TOP/rootfs/mkuki.sh" "$sdboot/linuxx64.efi.stub" "$BUILD/images/vmlinuz" "$initrd" "console=ttyS0" signed-test "$WORK/new.efi"
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/other.pem" 2>/dev/null
openssl dgst -sha256 -sign "$WORK/other.pem" -out "$WORK/other.sig" "$WORK/new.efi"
openssl dgst -sha256 -sign "$key" -out "$WORK/good.sig" "$WORK/new.efi"

vm_disk_start disk-signed 1G || { tap_fail "boots" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
KEY=$BUILD/pki/ssh/id_ed25519
vssh() {
	ssh -p "$SSH_PORT" -i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR root@127.0.0.1 "$@"
}
push() {
	for _ in $(seq 60); do vssh "cat > /tmp/$2" < "$1" 2>/dev/null && return 0; sleep 1; done
	return 1
}
tap_check "copy the update into the guest" push "$WORK/new.efi" new.efi
before=$(vm_run "ls -a /boot/efi/EFI/Linux")
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
[ $rc = 1 ] && grep -q 'only signed updates' <<< "$out" && tap_ok "an unsigned update is refused" || tap_fail "unsigned refused" "rc=$rc $out"
push "$WORK/other.sig" new.efi.sig
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
[ $rc = 1 ] && grep -q 'bad signature' <<< "$out" && tap_ok "an update signed by another key is refused" ||
	tap_fail "other key refused" "rc=$rc $out"
[ "$(vm_run "ls -a /boot/efi/EFI/Linux")" = "$before" ] && tap_ok "... and nothing is written" ||
	tap_fail "nothing written" "$(vm_run "ls -a /boot/efi/EFI/Linux")"
push "$WORK/good.sig" new.efi.sig
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
[ $rc = 0 ] && grep -q '"Slot":"b","Version":"signed-test"' <<< "$out" && tap_ok "the update signed with the image's key goes into slot b" ||
	tap_fail "signed update" "rc=$rc $out"
vm_stop
rm -f "$DISK_IMG" "$DISK_IMG.vars"
tap_done
