# pc-x86_64 — sourced (bash) by tools/qemu-run.sh for `make run` (-kernel):
# the generic kernel has the virtio drivers too, so the qemu-x86_64 VM
# serves. `make run-disk` (and make check-pc) boots the disk image through
# OVMF instead, on a machine that looks like a PC rather than a VM.
# shellcheck source=/dev/null
. "$BOARD_DIR/../qemu-x86_64/qemu.sh"
# The disk image's machine: the disk on NVMe, an Intel e1000e NIC and an
# i6300esb watchdog (q35 also has the ICH9 TCO timer iTCO_wdt drives);
# DISK_BUS, NIC_MODEL and WATCHDOG_MODEL in the environment win.
qemu_uefi_board_args() {
	: "${DISK_BUS:=nvme}" "${NIC_MODEL:=e1000e}" "${WATCHDOG_MODEL=i6300esb}"
}
