#!/bin/bash
# disk_secureboot.sh — the development disk image (berth-dev.img, signed by
# `make disk` with the development Secure Boot key, Debian's snakeoil pair)
# under OVMF with Secure Boot enforcing: Debian's OVMF_VARS_4M.snakeoil.fd,
# which holds the snakeoil certificate as PK, KEK and db (docs/disk.md
# "Secure Boot"), with OVMF_CODE_4M.fd: it enforces Secure Boot as the SMM
# build (OVMF_CODE_4M.snakeoil.fd, qemu-run.sh's OVMF_SECBOOT=1) does, and
# boots in 74 s where that one took 195 s under TCG (SMM is slow to
# emulate). SB_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd
# SB_OVMF_SECBOOT=1 runs it with the SMM build. The disk's slot a is replaced by an
# unsigned copy of the slot image with one try left, named to boot first:
# systemd-boot counts the try and the firmware refuses the image (the
# console says so); the machine stops in the firmware's boot menu, and a
# reset boots the signed slot b (slot a is bad now) to ready; inside, the
# SecureBoot EFI variable reads 1 and the kernel says Secure Boot is on.
# One boot and a reset.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/vm_disk.sh"

code=${SB_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd} vars=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
img=$BUILD/images/berth-dev.img
export MTOOLS_SKIP_CHECK=1
if why=$(vm_disk_skip); then
	tap_skip "Secure Boot" "$why"; tap_done; exit
fi
for t in sbverify sbattach mcopy; do
	command -v $t > /dev/null || { tap_skip "Secure Boot" "no $t (apt-get install sbsigntool mtools)"; tap_done; exit; }
done
[ -f "$code" ] && [ -f "$vars" ] && [ -f /usr/share/ovmf/PkKek-1-snakeoil.pem ] ||
	{ tap_skip "Secure Boot" "no $vars (Debian's ovmf 2022.11 has it)"; tap_done; exit; }
mcopy -n -i "$img@@1M" ::/EFI/BOOT/BOOTX64.EFI "$WORK/boot.efi" &&
	sbverify --cert /usr/share/ovmf/PkKek-1-snakeoil.pem "$WORK/boot.efi" > /dev/null 2>&1 ||
	{ tap_skip "Secure Boot" "berth-dev.img is not signed with the snakeoil key (SITE=dir/secureboot, or build/pki/secureboot made before ovmf was installed)"
	  tap_done; exit; }
cp "$BUILD/images/berth-dev.efi" "$WORK/unsigned.efi" && sbattach --remove "$WORK/unsigned.efi" > /dev/null 2>&1 &&
	! sbverify --cert /usr/share/ovmf/PkKek-1-snakeoil.pem "$WORK/unsigned.efi" > /dev/null 2>&1 ||
	{ tap_fail "an unsigned copy of the slot image"; tap_done; exit; }

VM_DIR=$BUILD/test/vm-disk-secureboot
export SSH_PORT=${SSH_PORT:-12731} API_PORT=${API_PORT:-12732}
export DISK_IMG=$BUILD/test/disk-secureboot.img MEM_MB=${CONFIG_BOARD_MEMORY_MB:-512} CPUS=${CONFIG_BOARD_CPUS:-2}
export BOARD_DIR=$TOP/board/qemu-x86_64 BOOT_TIMEOUT=${BOOT_TIMEOUT:-400}
export OVMF_CODE=$code OVMF_VARS=$vars OVMF_SECBOOT=${SB_OVMF_SECBOOT:-}
rm -f "$DISK_IMG" "$DISK_IMG.vars"
cp --sparse=always "$img" "$DISK_IMG"
# Slot a: unsigned, generation 2 (above b's 0), one try left.
mdel -i "$DISK_IMG@@1M" ::/EFI/Linux/berth-1-a.efi &&
	mcopy -i "$DISK_IMG@@1M" "$WORK/unsigned.efi" ::/EFI/Linux/berth-2-a+1.efi ||
	{ tap_fail "put the unsigned slot a on the disk"; tap_done; exit; }

# The refusal: systemd-boot counts the try (berth-2-a+0-1), the firmware
# refuses to load it, systemd-boot gives up, and the firmware goes on to its
# other boot options (network boot, its shell: refused as well) and stops in
# its boot menu. A reset (a power cycle, on a host) then boots slot b.
rm -rf "$VM_DIR"   # no console.log of an earlier run to match
"$TOP/tools/qemu-run.sh" bg "$VM_DIR" > "$WORK/bg.log" 2>&1 & bg=$!
t0=$SECONDS refusal=
while [ $((SECONDS - t0)) -lt 300 ] && kill -0 $bg 2> /dev/null; do
	refusal=$(tr -d '\r' 2> /dev/null < "$VM_DIR/console.log" | sed 's/\x1b\[[0-9;=]*[a-zA-Z]//g' |
		grep -a -m1 -E 'Error loading .*berth-2-a.*: (Access Denied|Security Violation)')
	[ -n "$refusal" ] && break
	sleep 0.5
done
[ -n "$refusal" ] && tap_ok "the unsigned slot a is refused ($((SECONDS - t0)) s after launch): $refusal" ||
	tap_fail "the unsigned slot is refused" "$(tail -20 "$VM_DIR/console.log" 2> /dev/null)"
"$TOP/tools/qemu-run.sh" monitor "$VM_DIR" system_reset
if ! wait $bg; then
	tap_fail "after a reset, the signed slot b boots to ready" "$(cat "$WORK/bg.log"; tail -30 "$VM_DIR/console.log" 2>/dev/null)"
	vm_stop; tap_done; exit
fi
tap_ok "after a reset, the signed slot b boots to ready under Secure Boot ($(cat "$VM_DIR/ready.ms") ms from launch)"
# efivarfs is mounted with the ESP, by the modules loaded after ready
vm_disk_wait_esp 1 120 || tap_fail "the ESP is mounted after ready" "$(tail -20 "$VM_DIR/console.log")"
sb=$(vm_run "od -An -tu1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c")
[ "$(echo $sb | awk '{print $NF}')" = 1 ] && tap_ok "inside: the SecureBoot variable reads 1" || tap_fail "SecureBoot variable" "$sb"
k=$(vm_run "dmesg | grep -i 'secure boot'")
grep -qi 'secure boot enabled' <<< "$k" && tap_ok "inside: the kernel says Secure boot enabled" || tap_fail "kernel Secure Boot line" "$k"
files=$(vm_run "ls /boot/efi/EFI/Linux")
grep -q 'berth-2-a+0-1.efi' <<< "$files" && grep -q 'berth-0-b.efi' <<< "$files" &&
	tap_ok "slot a's try is counted (berth-2-a+0-1: bad), slot b runs" || tap_fail "slot files" "$files"
vm_stop
rm -f "$DISK_IMG" "$DISK_IMG.vars"
tap_done
