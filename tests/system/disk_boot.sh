#!/bin/bash
# disk_boot.sh — the disk image boots through UEFI firmware (OVMF, then
# systemd-boot, then slot a's unified kernel image) to "berth: ready" on a
# 4 GiB disk, and its first boot grows the data partition and the ext4 on
# it to the end of that disk; the ESP is mounted on /boot/efi and PID 1
# knows the running slot. After poweroff the GPT reads back clean.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/vm_disk.sh"

if why=$(vm_disk_skip); then
	tap_skip "disk image boot" "$why"; tap_done; exit
fi
if ! vm_disk_start disk-boot 4G; then
	tap_fail "boots the disk image to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	tap_done; exit
fi
tap_ok "boots the disk image by UEFI to 'berth: ready' ($(cat "$VM_DIR/ready.ms") ms after qemu started)"
tap_check "systemd-boot started slot a" grep -q 'BdsDxe: starting' "$VM_DIR/console.log"
tap_check "not booted with -kernel" sh -c "! grep -q -- '-kernel' /proc/$(cat "$VM_DIR/qemu.pid")/cmdline"
grep -q 'data partition: partition vda2 grown from' "$VM_DIR/console.log" &&
	tap_ok "first boot grew the partition: $(grep -o 'partition vda2 grown from [^(]*' "$VM_DIR/console.log" | head -1)" ||
	tap_fail "first boot grew the partition" "$(grep 'data partition' "$VM_DIR/console.log")"
mb=$(vm_run "df -m /var/lib/berth | awk 'NR==2 {print \$2}'")
[ "${mb:-0}" -gt 3500 ] && tap_ok "the data filesystem fills the 4 GiB disk ($mb MiB)" || tap_fail "data fills the disk" "df: '$mb' MiB"
tap_check "the ESP is mounted on /boot/efi" vm_run "grep -q ' /boot/efi vfat ' /proc/mounts"
sel=$(vm_run "tail -c +5 /sys/firmware/efi/efivars/LoaderEntrySelected-* | tr -d '\\0'; echo")
[ "$sel" = berth-1-a.efi ] && tap_ok "systemd-boot says it booted berth-1-a.efi" || tap_fail "LoaderEntrySelected" "'$sel'"
vm_stop
v=$(sgdisk -v "$DISK_IMG" 2>&1)
grep -q 'No problems found' <<< "$v" && tap_ok "after first boot the GPT is clean (sgdisk -v)" || tap_fail "GPT clean" "$v"
end=$(sgdisk -i 2 "$DISK_IMG" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
[ "${end:-0}" -ge $((4 * 1024 * 2048 - 34)) ] && tap_ok "partition 2 ends at the disk's end (sector $end)" ||
	tap_fail "partition 2 ends at the disk's end" "last sector '$end'"
rm -f "$DISK_IMG" "$DISK_IMG.vars"
tap_done
