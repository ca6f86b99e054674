# vm.sh — boot the image in qemu and run commands on its console (sourced).
#
#   vm_start NAME      boot in the background with a fresh data disk; waits
#                      for "berth: ready" (BOOT_TIMEOUT, default 240 s)
#   vm_run CMD         run CMD in the console shell; its output (stdout and
#                      stderr) on stdout; returns CMD's exit status
#   vm_stop            power off through the console and wait for qemu to exit
#   vm_monitor CMD     send CMD to qemu's monitor (fails when qemu is gone)
#   vm_wait_exit SECS  wait at most SECS for qemu to exit (0: it did)
#   VM_DIR             console.log, qemu.pid, ready.ms of the running VM
#   vm_docker KEY      the stock docker CLI for the VM over ssh://: an ssh
#                      wrapper in $WORK/path gives it KEY and a throwaway
#                      known-hosts file (the host key is new on every fresh
#                      data disk); then dk ARGS runs docker against the VM
#   vm_ssh KEY CMD     run CMD on the VM as root over SSH with KEY (the same
#                      throwaway known-hosts; at most VM_SSH_TIMEOUT, 60 s)
#   vm_wait_ssh KEY N  wait at most N seconds until an SSH login with KEY
#                      runs a command (0: it did). "berth: ready" comes
#                      before SSH answers: on a fresh data disk dropbear
#                      first makes its host key, and a connection through
#                      qemu's port forward before it listens is reset
#                      ("kex_exchange_identification: read: Connection
#                      reset by peer", seen in CI); one made before eth0
#                      has its DHCP address waits in qemu's user network
#   vm_fresh_disk NAME the fresh disk(s) a boot of NAME starts from (vm_start
#                      does it; for a test that runs qemu-run.sh bg itself)
#   vm_uefi            status 0 when the VMs boot by UEFI (BERTH_VM_BOOT=uefi)
#   VM_DATA_DEV        the data partition's device in the guest: the data
#                      disk, /dev/nvme0n1 (-kernel; /dev/vda with
#                      DATA_BUS=virtio: board/qemu-x86_64/qemu.sh), or
#                      /dev/vda2 (UEFI)
#   vm_data_device     the data disk's qemu device (the board's), for a
#                      monitor `device_add` under DATA_HOTPLUG=1
#   vm_data_fs         the data filesystem as dumpe2fs/e2fsck take it (after
#                      the VM stopped): DATA_IMG, or the disk's partition 2
#   vm_image_conf      the image's etc/berth/berth.conf (INITRD) on stdout;
#                      fails unless INITRD is lz4 and cpio and lz4 are here
#   vm_append DIR      $WORK/initrd: INITRD with a cpio of DIR's files (not
#                      its directories: those are in the image) after it,
#                      for one boot with more files (INITRD=$WORK/initrd)
# Needs CONFIG_INIT_CONSOLE_SHELL (vm_start returns 2 without it) and the
# environment make check gives (QEMU_ENV). Ports: SSH_PORT/API_PORT default to
# 12222/12376 so that tests do not collide with `make run`.
#
# Two ways to boot (BERTH_VM_BOOT): "kernel" (the default) hands qemu the
# kernel and initramfs (-kernel) with a fresh 256 MiB ext4 labelled
# berth-data as the second disk, DATA_IMG. "uefi" (make check-system-uefi)
# boots the disk image built from the same initramfs (berth-dev.img, or
# berth.img when INITRD is the production initramfs) through OVMF and
# systemd-boot, as a flashed host does: a fresh copy per boot, grown to
# VM_UEFI_DISK (default 512M) so that first boot grows the data partition
# (vda2) to about 380 MiB; DISK_IMG and DATA_IMG both name that copy, so a
# second `qemu-run.sh bg "$VM_DIR"` boots the same disk and `rm -f
# "$DATA_IMG"` removes it. Both modes run qemu with -no-reboot, so a reboot
# or a watchdog reset ends qemu. Tests that cannot apply to one mode skip
# with the reason (vm_uefi).
vm_uefi() { [ "${BERTH_VM_BOOT:-kernel}" = uefi ]; }
vm_data_fs() {
	local first
	vm_uefi || { echo "$DATA_IMG"; return; }
	first=$(sgdisk -i 2 "$DISK_IMG" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
	[ -n "$first" ] || return 1
	echo "$DISK_IMG?offset=$((first * 512))"
}
vm_image_conf() {
	[[ ${INITRD:-} == *.lz4 ]] && command -v cpio > /dev/null && command -v lz4 > /dev/null || return 1
	lz4 -dc "$INITRD" | cpio -i --quiet --to-stdout etc/berth/berth.conf
}
# The image goes uncompressed: the kernel's lz4 decoder takes no trailing
# archive. The kernel unpacks both; a file in the second replaces the first's.
vm_append() {
	lz4 -dc "$INITRD" > "$WORK/initrd" &&
		(cd "$1" && find . -type f | cpio -o -H newc -R 0:0 --quiet) >> "$WORK/initrd"
}
# vm_fresh_disk NAME: the disk(s) the next boot of NAME starts from.
vm_fresh_disk() {
	local img
	mkdir -p "$BUILD/test"
	if ! vm_uefi; then
		# A fresh data disk per boot: tests never touch the developer's data.img.
		export DATA_IMG=$BUILD/test/data-$1.img
		VM_DATA_DEV=/dev/nvme0n1
		[ "${DATA_BUS:-nvme}" = nvme ] || VM_DATA_DEV=/dev/vda
		rm -f "$DATA_IMG"
		truncate -s 256M "$DATA_IMG" && mkfs.ext4 -q -F -L berth-data "$DATA_IMG"
		return
	fi
	img=$BUILD/images/berth-dev.img
	[[ ${INITRD:-} == */initramfs.* ]] && img=$BUILD/images/berth.img
	[ -f "$img" ] || { echo "vm_start: no $img (make check-system-uefi builds it)" >&2; return 1; }
	[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || { echo "vm_start: no OVMF (apt-get install ovmf)" >&2; return 1; }
	export DISK_IMG=$BUILD/test/disk-$1.img QEMU_NO_REBOOT=1 BOOT_TIMEOUT=${BOOT_TIMEOUT:-400}
	export DATA_IMG=$DISK_IMG
	VM_DATA_DEV=/dev/vda2
	rm -f "$DISK_IMG" "$DISK_IMG.vars"
	cp --sparse=always "$img" "$DISK_IMG" && truncate -s "${VM_UEFI_DISK:-512M}" "$DISK_IMG"
}
vm_data_device() { (. "$BOARD_DIR/qemu.sh" && qemu_data_device); }
vm_start() {
	local name=$1
	if [ "${CONFIG_INIT_CONSOLE_SHELL:-}" != y ]; then
		return 2
	fi
	VM_DIR=$BUILD/test/vm-$name
	export SSH_PORT=${SSH_PORT:-12222} API_PORT=${API_PORT:-12376}
	vm_fresh_disk "$name" || return 1
	"$TOP/tools/qemu-run.sh" bg "$VM_DIR" && return 0
	# Debian's kernel under TCG has, rarely, stalled before it started PID
	# 1 (RCU stall reports and not one berth-init line; qemu-run.sh bg
	# stops waiting at the first report): that is not berth's code, so say
	# so and boot once more. A boot that reached PID 1 is never retried.
	grep -q 'berth-init' "$VM_DIR/console.log" 2>/dev/null && { vm_give_up; return 1; }
	echo "vm_start: the kernel never started PID 1 ($(tail -1 "$VM_DIR/console.log" 2>/dev/null | tr -d '\r')); booting once more" >&2
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
	"$TOP/tools/qemu-run.sh" bg "$VM_DIR" && return 0
	vm_give_up; return 1
}
# A boot that failed leaves no VM behind (qemu-run.sh bg leaves it running):
# it would hold the ports the next test boots with (seen in CI: api.sh's
# failed boot made power_button.sh fail with "port in use"). console.log
# stays as the boot left it, for the test's failure message.
vm_give_up() {
	cp "$VM_DIR/console.log" "$VM_DIR/console.failed" 2> /dev/null
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
	mv -f "$VM_DIR/console.failed" "$VM_DIR/console.log" 2> /dev/null
}
vm_run() {
	local n out status
	# A counter in a file: vm_run usually runs in a $(…) subshell.
	n=$(( $(cat "$VM_DIR/seq" 2>/dev/null || echo 0) + 1 ))
	echo "$n" > "$VM_DIR/seq"
	# Every output line comes back as "@@O-n@@ LINE" and the status as
	# "@@E-n@@ STATUS": other lines on the console (service logs, kernel
	# messages) are ignored. The markers are split in the typed line, so
	# the console's echo of the command never matches them.
	"$TOP/tools/qemu-run.sh" send "$VM_DIR" \
		"{ $1 ; } > /tmp/.o 2>&1; s=\$?; sed 's/^/@@O-$n''@@ /' /tmp/.o; echo '@@E-$n''@@' \$s"
	for _ in $(seq 600); do
		grep -q "^@@E-$n@@" <(tr -d '\r' < "$VM_DIR/console.log") && break
		sleep 0.1
	done
	out=$(tr -d '\r' < "$VM_DIR/console.log")
	status=$(sed -n "s/^@@E-$n@@ //p" <<< "$out" | head -1)
	sed -n "s/^@@O-$n@@ //p" <<< "$out"
	[ -n "$status" ] || { echo "vm_run: no answer within 60 s to: $1" >&2; return 255; }
	return "$status"
}
# Every FIFO write goes through qemu-run.sh (a timeout on each open); every
# wait for qemu is bounded and sees a killed qemu (unreaped, or still
# exiting) as gone: qemu-run.sh running decides.
vm_alive() { "$TOP/tools/qemu-run.sh" running "$VM_DIR"; }
vm_wait_exit() {
	local end=$((SECONDS + $1))
	while vm_alive; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
vm_monitor() { "$TOP/tools/qemu-run.sh" monitor "$VM_DIR" "$1"; }
vm_stop() {
	[ -f "$VM_DIR/qemu.pid" ] || return 0
	"$TOP/tools/qemu-run.sh" send "$VM_DIR" "poweroff"
	if ! vm_wait_exit 30; then
		"$TOP/tools/qemu-run.sh" stop "$VM_DIR" >/dev/null
		return 1
	fi
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" >/dev/null
	return 0
}
vm_docker() {
	mkdir -p "$WORK/path"
	cat > "$WORK/path/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -i "$1" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes "\$@"
EOF
	chmod +x "$WORK/path/ssh"
	export PATH=$WORK/path:$PATH DOCKER_CONFIG=$WORK/docker-config
}
vm_ssh() {
	local key=$1; shift
	timeout "${VM_SSH_TIMEOUT:-60}" /usr/bin/ssh -p "$SSH_PORT" -i "$key" -o IdentitiesOnly=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o ConnectTimeout=20 -o LogLevel=ERROR root@127.0.0.1 "$@"
}
vm_wait_ssh() {
	local end=$((SECONDS + $2))
	while [ "$(VM_SSH_TIMEOUT=30 vm_ssh "$1" echo ok 2> /dev/null)" != ok ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 1
	done
}
dk() { DOCKER_HOST=ssh://root@127.0.0.1:$SSH_PORT timeout 300 docker "$@"; }
