#!/bin/bash
# qemu-run.sh — boot the appliance image in qemu.
#
# Usage:
#   tools/qemu-run.sh fg            serial console on this terminal (ctrl-a x quits)
#   tools/qemu-run.sh bg DIR        in the background; returns once the console
#                                   says "berth: ready" (or fails after BOOT_TIMEOUT,
#                                   or as soon as the kernel stalls before PID 1)
#   tools/qemu-run.sh stop DIR      power a background VM off (the ACPI power
#                                   button, and poweroff on a console shell,
#                                   then qemu's quit after
#                                   STOP_WAIT s, then SIGTERM, SIGKILL); returns
#                                   within STOP_WAIT+20 s even when qemu hangs or
#                                   is already gone
#   tools/qemu-run.sh send DIR TEXT type TEXT and a newline on its console
#   tools/qemu-run.sh monitor DIR CMD  send CMD to qemu's monitor
#   tools/qemu-run.sh running DIR   exit 0 when DIR's qemu runs, 1 when it is
#                                   gone, a zombie or exiting after SIGKILL
#   tools/qemu-run.sh boot-log DIR [LINE]  the console from line LINE (1) on,
#                                   from the firmware's last start of the boot
#                                   loader there (a disk image's latest boot)
#   tools/qemu-run.sh stalled DIR [LINE]   exit 0 when that boot's kernel
#                                   stalled before it started PID 1
#
# Environment: BOARD_DIR KERNEL INITRD DATA_IMG CMDLINE MEM_MB CPUS (from make),
# or DISK_IMG MEM_MB CPUS (OVMF_CODE, OVMF_VARS; OVMF_SECBOOT=1 for a Secure Boot
# firmware: SMM and secure flash) to boot a disk image by UEFI,
# QEMU_NO_REBOOT=1 with DISK_IMG: -no-reboot as with -kernel (the system tests
# in UEFI mode: a reboot or a watchdog reset ends qemu); DISK_BUS NIC_MODEL
# WATCHDOG_MODEL with DISK_IMG: the devices (virtio by default; the board's
# qemu.sh may say otherwise: pc-x86_64 is NVMe, e1000e, i6300esb);
# SSH_PORT (2222), API_PORT (2376): host ports on 127.0.0.1 forwarded to the
# guest's 22 and 2376; BOOT_TIMEOUT seconds (240); STOP_WAIT seconds (20) that
# stop gives the guest to power off before quitting qemu.
# In DIR: console.log (everything the serial console printed), qemu.pid,
# serial.in/serial.out and monitor.in/monitor.out (FIFOs), ready.ms (wall
# milliseconds from qemu's launch to "berth: ready").
# Every FIFO is opened with a timeout (FIFO_TIMEOUT seconds, 5): a FIFO whose
# reader, qemu, is gone would block its writer forever.
# Exit codes: 0 ok, 1 boot failed or timed out (console tail printed), or
#             send/monitor found no running qemu, 100 usage, 111 qemu could not start.
set -euo pipefail

usage() { sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 100; }
[ $# -ge 1 ] || usage
mode=$1
SSH_PORT=${SSH_PORT:-2222}
API_PORT=${API_PORT:-2376}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}

FIFO_TIMEOUT=${FIFO_TIMEOUT:-5}
STOP_WAIT=${STOP_WAIT:-20}

now_ms() { date +%s%3N; }

# Is PID a live qemu? A killed qemu may linger as a zombie (kill -0 still
# succeeds), or still be tearing down its guest's memory for a while after
# SIGKILL (exiting, or the signal still pending: it will never read a FIFO
# again), and a stale pid file may name an unrelated process by now.
qemu_alive() {
	local stat comm pnd
	local -a f
	kill -0 "$1" 2>/dev/null || return 1
	{ read -r stat < "/proc/$1/stat" && read -r comm < "/proc/$1/comm"; } 2>/dev/null || return 1
	read -r -a f <<< "${stat##*) }"
	case ${f[0]} in Z|X|x) return 1 ;; esac
	(( (f[6] & 0x4) == 0 )) || return 1 # PF_EXITING
	while read -r pnd; do # SigPnd, ShdPnd: SIGKILL is bit 9
		(( (16#${pnd##*[[:space:]]} & 0x100) == 0 )) || return 1
	done < <(grep -E '^(SigPnd|ShdPnd):' "/proc/$1/status" 2>/dev/null)
	[[ $comm == *qemu* ]]
}

# wait_gone PID SECONDS: wait until PID is no live qemu, at most SECONDS.
wait_gone() {
	local end=$((SECONDS + $2))
	while qemu_alive "$1"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# fifo_write FIFO TEXT: write TEXT to FIFO, giving up after FIFO_TIMEOUT s
# (opening a FIFO for writing blocks until it has a reader).
fifo_write() {
	timeout "$FIFO_TIMEOUT" bash -c 'printf "%s" "$1" > "$2"' fifo_write "$2" "$1" 2>/dev/null
}

# boot_log DIR [LINE]: DIR's console from line LINE (1) on, cut to the
# firmware's last start of the boot loader in it (a disk image's latest
# boot; a -kernel boot has none), without carriage returns.
boot_log() {
	local rest n
	rest=$(tail -n +"${2:-1}" "$1/console.log" 2>/dev/null | tr -d '\r' || true)
	n=$(grep -n 'BdsDxe: starting' <<< "$rest" | tail -1 | cut -d: -f1 || true)
	tail -n +"${n:-1}" <<< "$rest"
}

# stalled DIR [LINE]: did that boot's kernel stall before it started PID 1?
# Debian's kernel under TCG has, rarely (RCU stall reports, CPU 0 idle, its
# timers never firing); such a boot never gets ready.
stalled() {
	local log
	log=$(boot_log "$@")
	grep -q 'rcu: INFO' <<< "$log" && ! grep -q 'berth-init' <<< "$log"
}

# The pid of DIR's qemu when it is running, else nothing (status 1).
dir_qemu() {
	local pid
	pid=$(cat "$1/qemu.pid" 2>/dev/null) || return 1
	qemu_alive "$pid" || return 1
	echo "$pid"
}

# DISK_IMG set (make run-disk, the disk tests): the machine boots that raw
# GPT disk through UEFI firmware (OVMF from Debian's ovmf package: OVMF_CODE,
# and a copy of OVMF_VARS kept next to the disk as DISK_IMG.vars, the
# machine's NVRAM), not with -kernel. No -no-reboot: the boot counting of
# systemd-boot needs a failed boot to come round again (docs/disk.md).
uefi_args() {
	local code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd} vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
	for v in MEM_MB CPUS; do
		[ -n "${!v:-}" ] || { echo "qemu-run: $v is not set (run through make)" >&2; exit 100; }
	done
	for f in "$DISK_IMG" "$code" "$vars"; do
		[ -f "$f" ] || { echo "qemu-run: $f is missing (make disk; apt-get install ovmf)" >&2; exit 100; }
	done
	[ -f "$DISK_IMG.vars" ] || cp "$vars" "$DISK_IMG.vars"
	QEMU=qemu-system-x86_64
	qemu_args=(
		-machine "q35,accel=tcg${OVMF_SECBOOT:+,smm=on}" -cpu max -m "$MEM_MB" -smp "$CPUS"
		${OVMF_SECBOOT:+-global driver=cfi.pflash01,property=secure,value=on}
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
		-drive "if=pflash,format=raw,unit=1,file=$DISK_IMG.vars"
		-drive "file=$DISK_IMG,if=virtio,format=raw,cache=writeback"
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$API_PORT-:2376${HOSTFWD:+,hostfwd=${HOSTFWD//,/,hostfwd=}}"
		-device virtio-net-pci,netdev=net0
		-device virtio-rng-pci
	)
}

# The system tests' UEFI mode (tests/lib/vm.sh): a reboot ends qemu, as it
# does for a -kernel boot, instead of going round through the firmware.
# Then the board's devices (uefi_device_args).
uefi_test_args() {
	[ "${QEMU_NO_REBOOT:-}" != 1 ] || qemu_args+=(-no-reboot)
	uefi_device_args
}

# The machine's devices when it boots the disk image: virtio unless the
# board's qemu.sh (qemu_uefi_board_args, pc-x86_64: a PC's) or the
# environment says otherwise. DISK_BUS virtio, nvme or ahci (q35's
# built-in ICH9 controller); NIC_MODEL a qemu NIC (virtio-net-pci, e1000e);
# WATCHDOG_MODEL a qemu watchdog device (i6300esb) or empty.
uefi_device_args() {
	local i
	if [ -n "${BOARD_DIR:-}" ] && [ -f "$BOARD_DIR/qemu.sh" ]; then
		# shellcheck source=/dev/null
		. "$BOARD_DIR/qemu.sh"
		! declare -F qemu_uefi_board_args > /dev/null || qemu_uefi_board_args
	fi
	for i in "${!qemu_args[@]}"; do
		case ${qemu_args[$i]} in
		"file=$DISK_IMG,if=virtio,"*)
			[ "${DISK_BUS:-virtio}" != virtio ] || continue
			qemu_args[i]=${qemu_args[i]/,if=virtio,/,if=none,id=disk0,}
			case $DISK_BUS in
			nvme) qemu_args+=(-device nvme,drive=disk0,serial=berth0) ;;
			ahci) qemu_args+=(-device ide-hd,drive=disk0,bus=ide.0) ;;
			*) echo "qemu-run: DISK_BUS=$DISK_BUS: virtio, nvme or ahci" >&2; exit 100 ;;
			esac ;;
		virtio-net-pci,netdev=net0) qemu_args[i]=${NIC_MODEL:-virtio-net-pci},netdev=net0 ;;
		esac
	done
	[ -z "${WATCHDOG_MODEL:-}" ] || qemu_args+=(-device "$WATCHDOG_MODEL")
}

board_args() {
	[ -z "${DISK_IMG:-}" ] || { uefi_args; uefi_test_args; return; }
	for v in BOARD_DIR KERNEL INITRD DATA_IMG CMDLINE MEM_MB CPUS; do
		[ -n "${!v:-}" ] || { echo "qemu-run: $v is not set (run through make)" >&2; exit 100; }
	done
	for f in "$KERNEL" "$INITRD" "$DATA_IMG"; do
		[ -f "$f" ] || { echo "qemu-run: $f is missing (make image)" >&2; exit 100; }
	done
	# shellcheck source=/dev/null
	. "$BOARD_DIR/qemu.sh"
	qemu_board_args
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case $mode in
fg)
	board_args
	for p in "$SSH_PORT" "$API_PORT"; do
		port_free "$p" || { echo "qemu-run: 127.0.0.1:$p is in use (another VM?); set SSH_PORT/API_PORT" >&2; exit 111; }
	done
	echo "berth: booting $(basename "$BOARD_DIR") in qemu (software emulation); ctrl-a x quits, ctrl-a c is qemu's monitor"
	echo "berth: SSH   ssh -p $SSH_PORT -i build/pki/ssh/id_ed25519 root@127.0.0.1"
	echo "berth: docker  ssh-add build/pki/ssh/id_ed25519; DOCKER_HOST=ssh://root@127.0.0.1:$SSH_PORT docker ps"
	echo "berth: docker over mTLS  DOCKER_HOST=tcp://127.0.0.1:$API_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=build/pki/admin docker ps"
	echo "berth: berthctl  build/bin/berthctl -H tcp://127.0.0.1:$API_PORT --tlsdir build/pki/admin services"
	exec "$QEMU" "${qemu_args[@]}" -nographic -serial mon:stdio
	;;
bg)
	[ $# = 2 ] || usage
	dir=$2
	board_args
	for p in "$SSH_PORT" "$API_PORT"; do
		port_free "$p" || { echo "qemu-run: 127.0.0.1:$p is in use (another VM?); set SSH_PORT/API_PORT" >&2; exit 111; }
	done
	if dir_qemu "$dir" > /dev/null; then
		echo "qemu-run: a VM from $dir is still running (pid $(cat "$dir/qemu.pid")); stop it first" >&2
		exit 111
	fi
	rm -rf "$dir" && mkdir -p "$dir"
	mkfifo "$dir/serial.in" "$dir/serial.out" "$dir/monitor.in" "$dir/monitor.out"
	start=$(now_ms)
	"$QEMU" "${qemu_args[@]}" -display none \
		-chardev "pipe,id=ser0,path=$dir/serial,logfile=$dir/console.log" -serial chardev:ser0 \
		-chardev "pipe,id=mon0,path=$dir/monitor" -mon chardev=mon0,mode=readline \
		-pidfile "$dir/qemu.pid" -daemonize 2> "$dir/qemu.err" ||
		{ cat "$dir/qemu.err" >&2; echo "qemu-run: qemu did not start" >&2; exit 111; }
	# Nobody else reads the console and monitor output; without a reader
	# qemu would stall once a pipe buffer fills. console.log keeps it all.
	nohup cat "$dir/serial.out" > /dev/null 2>&1 &
	echo $! > "$dir/drain-serial.pid"
	nohup cat "$dir/monitor.out" > "$dir/monitor.log" 2>&1 &
	echo $! > "$dir/drain-monitor.pid"
	pid=$(cat "$dir/qemu.pid")
	echo "  QEMU    pid $pid, console log ${dir#"$PWD"/}/console.log; waiting for 'berth: ready' (up to ${BOOT_TIMEOUT}s)"
	deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
	while ! grep -q 'berth: ready' "$dir/console.log" 2>/dev/null; do
		if ! qemu_alive "$pid"; then
			tail -n 40 "$dir/console.log" >&2 || true
			echo "qemu-run: qemu exited before 'berth: ready'" >&2
			exit 1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			tail -n 40 "$dir/console.log" >&2 || true
			echo "qemu-run: no 'berth: ready' within ${BOOT_TIMEOUT}s; VM left running (tools/qemu-run.sh stop $dir)" >&2
			exit 1
		fi
		# A stall before PID 1 never gets ready: say so now, not at the
		# deadline.
		if stalled "$dir"; then
			tail -n 20 "$dir/console.log" >&2 || true
			echo "qemu-run: the kernel stalled before it started PID 1 (RCU stall reports); VM left running (tools/qemu-run.sh stop $dir)" >&2
			exit 1
		fi
		sleep 0.05
	done
	ms=$(( $(now_ms) - start ))
	echo "$ms" > "$dir/ready.ms"
	echo "  QEMU    ready $ms ms after launch: $(grep -m1 'berth: ready' "$dir/console.log" | tr -d '\r')"
	;;
running)
	[ $# = 2 ] || usage
	dir_qemu "$2" > /dev/null
	;;
boot-log|stalled)
	[ $# = 2 ] || [ $# = 3 ] || usage
	[ $# = 2 ] || [[ $3 =~ ^[1-9][0-9]*$ ]] || usage
	[ -f "$2/console.log" ] || { echo "qemu-run: no console log in $2" >&2; exit 1; }
	[ "$mode" = stalled ] || { boot_log "${@:2}"; exit 0; }
	stalled "${@:2}"
	;;
send|monitor)
	[ $# = 3 ] || usage
	dir_qemu "$2" > /dev/null || { echo "qemu-run: no running qemu in $2" >&2; exit 1; }
	fifo=serial.in; [ "$mode" = monitor ] && fifo=monitor.in
	fifo_write "$2/$fifo" "$3"$'\n' ||
		{ echo "qemu-run: $2/$fifo: nobody reads it within ${FIFO_TIMEOUT}s (qemu gone?)" >&2; exit 1; }
	;;
stop)
	[ $# = 2 ] || usage
	dir=$2
	[ -f "$dir/qemu.pid" ] || { echo "qemu-run: no VM in $dir"; exit 0; }
	pid=$(cat "$dir/qemu.pid")
	if ! qemu_alive "$pid"; then
		echo "qemu-run: qemu (pid $pid) is not running any more (it exited or was killed); cleaning up"
	else
		# The power button first (ACPI through qemu's monitor): PID 1 powers
		# off in order on KEY_POWER, and a production image has no console
		# shell. `poweroff` on the console too, for a development image
		# whose button is not watched yet (very early in boot).
		fifo_write "$dir/monitor.in" $'system_powerdown\n' ||
			echo "qemu-run: its monitor does not take input within ${FIFO_TIMEOUT}s" >&2
		fifo_write "$dir/serial.in" $'\npoweroff\n' ||
			echo "qemu-run: its console does not take input within ${FIFO_TIMEOUT}s" >&2
		if ! wait_gone "$pid" "$STOP_WAIT"; then
			echo "qemu-run: no poweroff within $STOP_WAIT s; quitting qemu" >&2
			fifo_write "$dir/monitor.in" $'quit\n' || true
			wait_gone "$pid" 5 || { kill "$pid" 2>/dev/null; wait_gone "$pid" 5; } || true
		fi
		if qemu_alive "$pid"; then
			echo "qemu-run: qemu (pid $pid) ignores SIGTERM; SIGKILL" >&2
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	for f in drain-serial drain-monitor; do
		[ -f "$dir/$f.pid" ] && kill "$(cat "$dir/$f.pid")" 2>/dev/null || true
	done
	rm -f "$dir/qemu.pid"
	echo "  QEMU    stopped"
	;;
*) usage ;;
esac
