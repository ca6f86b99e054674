# vm_disk.sh — boot the disk image (build/images/berth-dev.img, make disk
# DEV=1) through OVMF, as a flashed host would (sourced after vm.sh).
#
#   vm_disk_start NAME SIZE  a fresh copy of the image grown to SIZE
#                            (truncate's units) as the machine's only disk,
#                            $BUILD/test/disk-NAME.img; waits for "berth: ready"
#                            and then for the ESP on /boot/efi (PID 1 mounts
#                            it once the modules after ready are in)
#   vm_disk_skip             prints why disk tests cannot run (status 0), or
#                            nothing (status 1)
# Then vm_run, vm_stop and VM_DIR as vm.sh has them. Boot time under TCG:
# OVMF and systemd-boot add about 20 s to a -kernel boot.
vm_disk_skip() {
	[ "${CONFIG_INIT_CONSOLE_SHELL:-}" = y ] || { echo "CONFIG_INIT_CONSOLE_SHELL is off"; return 0; }
	[ -f "$BUILD/images/berth-dev.img" ] || { echo "no build/images/berth-dev.img (make disk DEV=1)"; return 0; }
	[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "no OVMF (apt-get install ovmf)"; return 0; }
	return 1
}
vm_disk_start() {
	VM_DIR=$BUILD/test/vm-$1
	export SSH_PORT=${SSH_PORT:-12222} API_PORT=${API_PORT:-12376}
	export DISK_IMG=$BUILD/test/disk-$1.img MEM_MB=${CONFIG_BOARD_MEMORY_MB:-512} CPUS=${CONFIG_BOARD_CPUS:-2}
	export BOARD_DIR=$TOP/board/qemu-x86_64 BOOT_TIMEOUT=${BOOT_TIMEOUT:-400}
	rm -f "$DISK_IMG" "$DISK_IMG.vars"
	cp --sparse=always "$BUILD/images/berth-dev.img" "$DISK_IMG" && truncate -s "$2" "$DISK_IMG" || return 1
	"$TOP/tools/qemu-run.sh" bg "$VM_DIR" || return 1
	vm_disk_wait_esp 1 120
}
# vm_disk_wait_esp N SECS: until the console has said N times that the ESP
# is mounted (N boots of the same VM).
vm_disk_wait_esp() {
	local end=$((SECONDS + $2))
	while [ "$(tr -d '\r' < "$VM_DIR/console.log" | grep -c 'EFI system partition .* mounted on /boot/efi')" -lt "$1" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}
