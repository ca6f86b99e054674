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
#   vm_disk_wait_ready N SECS  until the console has said "berth: ready" N
#                            times (N boots of the same VM, after a reboot)
# Then vm_run, vm_stop and VM_DIR as vm.sh has them. The machine is the
# qemu-x86_64 board's (VM_DISK_BOARD: another board directory, for tests
# of these helpers). Boot time under TCG:
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
	export BOARD_DIR=${VM_DISK_BOARD:-$TOP/board/qemu-x86_64} BOOT_TIMEOUT=${BOOT_TIMEOUT:-400}
	rm -f "$DISK_IMG" "$DISK_IMG.vars"
	cp --sparse=always "$BUILD/images/berth-dev.img" "$DISK_IMG" && truncate -s "$2" "$DISK_IMG" || return 1
	if ! "$TOP/tools/qemu-run.sh" bg "$VM_DIR"; then
		# As vm_start: only a kernel that never started PID 1 is booted
		# once more.
		grep -q 'berth-init' "$VM_DIR/console.log" 2>/dev/null && { vm_give_up; return 1; }
		echo "vm_disk_start: the kernel never started PID 1; booting once more" >&2
		"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
		"$TOP/tools/qemu-run.sh" bg "$VM_DIR" || { vm_give_up; return 1; }
	fi
	vm_disk_wait_esp 1 120
}
# vm_disk_wait_ready N SECS: until the console has said "berth: ready" N
# times, at most SECS. A boot whose kernel stalls before it starts PID 1
# (RCU stall reports and no berth-init line since the firmware last started
# the boot loader: Debian's kernel under TCG, rarely, as vm_start says) is
# reset once through qemu's monitor, said on stderr; systemd-boot counts
# that boot as a try, as it would a power cycle. A boot that reached PID 1
# is never reset.
vm_disk_wait_ready() {
	local end=$((SECONDS + $2)) reset=
	while :; do
		[ "$(tr -d '\r' < "$VM_DIR/console.log" | grep -c 'berth: ready')" -lt "$1" ] || return 0
		[ $SECONDS -lt $end ] || return 1
		if [ -z "$reset" ] && grep -q 'BdsDxe: starting' "$VM_DIR/console.log" &&
			"$TOP/tools/qemu-run.sh" stalled "$VM_DIR"; then
			echo "vm_disk: the kernel stalled before it started PID 1 (RCU stall reports); resetting the machine once" >&2
			vm_monitor system_reset
			reset=1
		fi
		sleep 0.5
	done
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
