#!/bin/bash
# disk_update.sh — updates of a disk-image host through berthd, booted by
# OVMF: an update with a wrong sha256, an unsigned one and one signed by
# another key than the image's are refused and nothing is written;
# an update (a slot image of another version) goes into slot b with 3
# tries, `berthctl reboot` boots it, PID 1 marks it good once the API
# answers and `berthctl slots` shows it running; then a broken update (its
# kernel finds no init and panics) is tried 3 times by systemd-boot and the
# machine comes back on slot b by itself, the data partition intact.
# Prints the update time and the time to roll back.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/vm_disk.sh"

if why=$(vm_disk_skip); then
	tap_skip "disk image updates" "$why"; tap_done; exit
fi
command -v ssh > /dev/null || { tap_skip "disk image updates" "no ssh client"; tap_done; exit; }
sdboot=$BUILD/src/systemd-boot-efi/usr/lib/systemd/boot/efi
initrd=$(ls "$BUILD"/images/initramfs-dev.cpio.* | head -1)
cmdline="console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/sbin/init"
"$TOP/rootfs/mkuki.sh" "$sdboot/linuxx64.efi.stub" "$BUILD/images/vmlinuz" "$initrd" "$cmdline" \
	update-test "$WORK/new.efi" || { tap_fail "build the update" "mkuki failed"; tap_done; exit; }
"$TOP/rootfs/mkuki.sh" "$sdboot/linuxx64.efi.stub" "$BUILD/images/vmlinuz" "$initrd" \
	"${cmdline/rdinit=\/sbin\/init/rdinit=/berth-no-such-init}" broken-test "$WORK/broken.efi" ||
	{ tap_fail "build the broken update" "mkuki failed"; tap_done; exit; }

# The image takes only signed updates (docs/disk.md "Signed updates"): with
# the development key, or BERTH_TEST_SITE_KEY for an image built with SITE:
#   make SITE=dir DEV=1 disk && BERTH_TEST_SITE_KEY=key.pem tests/system/disk_update.sh
key=${BERTH_TEST_SITE_KEY:-$BUILD/pki/update/key.pem}
# The image's key (its raw point) must be the public half of $key.
if [ ! -f "$key" ] || ! openssl ec -in "$key" -pubout -outform DER 2> /dev/null | tail -c 65 | cmp -s - "$BUILD/pki/update-key"; then
	tap_skip "disk image updates" "berth-dev.img holds another update key than $key (a SITE=dir image: set BERTH_TEST_SITE_KEY to its private key)"
	tap_done; exit
fi
for f in new broken; do
	openssl dgst -sha256 -sign "$key" -out "$WORK/$f.efi.sig" "$WORK/$f.efi" ||
		{ tap_fail "sign the updates" "with $key"; tap_done; exit; }
done

if ! vm_disk_start disk-update 1G; then
	tap_fail "boots the disk image" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"; tap_done; exit
fi
tap_ok "boots the disk image ($(cat "$VM_DIR/ready.ms") ms)"
KEY=$BUILD/pki/ssh/id_ed25519
# push FILE NAME: the file into the guest's /tmp over SSH, once a login
# works (dropbear makes its host key on first boot): at most 90 s to wait
# and 30 s for the copy.
push() { vm_wait_ssh "$KEY" 90 && VM_SSH_TIMEOUT=30 vm_ssh "$KEY" "cat > /tmp/$2" < "$1"; }
# boot_log LINE: for a boot that never got ready, what the console printed
# from the firmware's last start of the boot loader after LINE: its first 30
# lines, then the last 10 that are not the kernel's repeated RCU stall
# dumps (which fill a hung boot's tail).
boot_log() {
	local rest
	rest=$("$TOP/tools/qemu-run.sh" boot-log "$VM_DIR" "$1")
	head -30 <<< "$rest"
	[ "$(wc -l <<< "$rest")" -gt 30 ] || return 0
	echo "[...] ($(grep -c 'rcu: INFO' <<< "$rest") RCU stall reports in all)"
	tail -n +31 <<< "$rest" | grep -v -E 'rcu: |^ *$' | tail -10
}
# berthctl slots, once berthd answers (it starts just after "berth: ready").
slots() {
	local out
	for _ in $(seq 30); do
		out=$(vm_run "berthctl slots") && break
		sleep 1
	done
	echo "$out"
}

tap_check "copy the update into the guest" push "$WORK/new.efi" new.efi
push "$WORK/new.efi.sig" new.efi.sig
vm_run "echo keep-me > /var/lib/berth/proof && sync" > /dev/null
before=$(vm_run "ls /boot/efi/EFI/Linux")
out=$(vm_run "berthctl update --sha256 $(printf '0%.0s' $(seq 64)) /tmp/new.efi"); rc=$?
[ $rc = 1 ] && grep -q 'sha256 mismatch' <<< "$out" && tap_ok "a wrong sha256 is refused" ||
	tap_fail "a wrong sha256 is refused" "rc=$rc $out"
# Signatures (the image's baked key, docs/disk.md "Signed updates"): an
# unsigned update and one signed by another key are refused.
vm_run "mv /tmp/new.efi.sig /tmp/good.sig" > /dev/null
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
[ $rc = 1 ] && grep -q 'only signed updates' <<< "$out" && tap_ok "an unsigned update is refused" ||
	tap_fail "an unsigned update is refused" "rc=$rc $out"
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/other.pem" 2>/dev/null
openssl dgst -sha256 -sign "$WORK/other.pem" -out "$WORK/other.sig" "$WORK/new.efi"
push "$WORK/other.sig" new.efi.sig
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
[ $rc = 1 ] && grep -q 'bad signature' <<< "$out" && tap_ok "an update signed by another key is refused" ||
	tap_fail "an update signed by another key is refused" "rc=$rc $out"
vm_run "mv /tmp/good.sig /tmp/new.efi.sig" > /dev/null
[ "$(vm_run "ls /boot/efi/EFI/Linux")" = "$before" ] && tap_ok "... and nothing of the three refused updates is written to the ESP" ||
	tap_fail "nothing written" "$(vm_run "ls -a /boot/efi/EFI/Linux")"

t0=$(date +%s%3N)
out=$(vm_run "berthctl update /tmp/new.efi"); rc=$?
ms=$(( $(date +%s%3N) - t0 ))
[ $rc = 0 ] && grep -q '"Slot":"b"' <<< "$out" && tap_ok "update written to slot b in $ms ms" || tap_fail "update" "rc=$rc $out"
s=$(slots)
grep -q '"Next":"b"' <<< "$s" && grep -q '"Name":"b","Version":"update-test","State":"trying","TriesLeft":3' <<< "$s" &&
	tap_ok "slots: b is trying (3 tries) and boots next" || tap_fail "slots after update" "$s"

t0=$(date +%s)
line=$(( $(wc -l < "$VM_DIR/console.log") + 1 ))
"$TOP/tools/qemu-run.sh" send "$VM_DIR" "berthctl reboot"   # no answer: the machine goes
if vm_disk_wait_ready 2 400; then
	tap_ok "rebooted into the update in $(( $(date +%s) - t0 )) s"
	for _ in $(seq 60); do grep -q 'slot b (update-test) marked good' "$VM_DIR/console.log" && break; sleep 1; done
	s=$(slots)
	grep -q '"Running":"b"' <<< "$s" && grep -q '"Name":"b","Version":"update-test","State":"good"' <<< "$s" &&
		tap_ok "slots: b runs the new version and is marked good" || tap_fail "slots after reboot" "$s"
else
	# The rest needs a running machine: stop here rather than wait out
	# every later step's timeout.
	tap_fail "rebooted into the update (no 'berth: ready' in 400 s)" "$(boot_log "$line")"
	vm_stop; rm -f "$DISK_IMG" "$DISK_IMG.vars"; tap_done; exit
fi

tap_check "copy the broken update into the guest" push "$WORK/broken.efi" broken.efi
push "$WORK/broken.efi.sig" broken.efi.sig
out=$(vm_run "berthctl update /tmp/broken.efi"); rc=$?
[ $rc = 0 ] && grep -q '"Slot":"a"' <<< "$out" && tap_ok "broken update written to slot a" || tap_fail "broken update" "rc=$rc $out"
t0=$(date +%s)
line=$(( $(wc -l < "$VM_DIR/console.log") + 1 ))
"$TOP/tools/qemu-run.sh" send "$VM_DIR" "berthctl reboot"   # no answer: the machine goes
if vm_disk_wait_ready 3 600; then
	tries=$(tr -d '\r' < "$VM_DIR/console.log" | grep -c 'Kernel panic')
	tap_ok "rolled back by itself in $(( $(date +%s) - t0 )) s ($tries kernel panics on slot a)"
	s=$(slots)
	grep -q '"Running":"b"' <<< "$s" && grep -q '"Name":"a","Version":"broken-test","State":"bad"' <<< "$s" &&
		tap_ok "slots: b runs again, a is bad" || tap_fail "slots after rollback" "$s"
	[ "$(vm_run "cat /var/lib/berth/proof")" = keep-me ] && tap_ok "the data partition is intact" ||
		tap_fail "data intact" "$(vm_run "ls -la /var/lib/berth")"
else
	tap_fail "rolled back by itself (no 'berth: ready' in 600 s)" "$(boot_log "$line")"
fi
vm_stop
rm -f "$DISK_IMG" "$DISK_IMG.vars"
tap_done
