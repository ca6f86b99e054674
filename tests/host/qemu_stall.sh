#!/bin/bash
# qemu_stall.sh — a boot whose kernel stalls before it starts PID 1 (RCU
# stall reports and no berth-init line: Debian's kernel under TCG, rarely;
# once it held a CI run for an hour) is told apart from a boot that reached
# PID 1 and is retried once, never more:
#   tools/qemu-run.sh bg stops waiting at the first stall report, with its
#     own message, instead of at BOOT_TIMEOUT; a stall after PID 1 started
#     still waits for the deadline;
#   vm_start and vm_disk_start boot once more after such a stall, and not
#     after a boot that reached PID 1;
#   vm_disk_wait_ready (a disk image's warm reboot) resets the machine once
#     through the monitor when the boot after the firmware stalls, not when
#     that boot reached PID 1, and not a second time.
# No qemu runs: a fake one (a board whose qemu.sh names it) writes each boot's
# console from $STATE/boot.N and takes system_reset, quit and
# system_powerdown on its monitor.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/vm_disk.sh"
STATE=$WORK/state FB=$WORK/board
mkdir -p "$STATE" "$FB" "$WORK/build/images" "$WORK/build/test"
export STATE
cat > "$FB/qemu-system-fake" <<'EOF'
#!/bin/bash
# A fake qemu: "-daemonize" with -pidfile; the console goes to the serial
# chardev's logfile; each boot (the start, every system_reset) appends
# $STATE/boot.N, N counting boots across runs in $STATE/boots.
boot() {
	local n=$(( $(cat "$STATE/boots" 2>/dev/null || echo 0) + 1 ))
	echo "$n" > "$STATE/boots"
	[ ! -f "$STATE/boot.$n" ] || cat "$STATE/boot.$n" >> "$log"
}
if [ "${1:-}" = --daemon ]; then
	log=$2
	exec 3<> "$3.in"
	: >> "$log"
	# As qemu's -daemonize: the pid file names the daemon once it runs.
	echo $$ > "$4.tmp" && mv "$4.tmp" "$4"
	boot
	while read -r line <&3; do
		case $line in
		system_reset) boot ;;
		quit|system_powerdown) exit 0 ;;
		esac
	done
	exit 0
fi
for a; do
	case ${prev:-} in -pidfile) pidf=$a ;; esac
	case $a in
	*id=ser0*logfile=*) log=${a##*logfile=}; log=${log%%,*} ;;
	pipe,id=mon0,path=*) mon=${a##*path=}; mon=${mon%%,*} ;;
	esac
	prev=$a
done
setsid "$0" --daemon "$log" "$mon" "$pidf" < /dev/null > /dev/null 2>&1 &
for _ in $(seq 100); do [ -f "$pidf" ] && exit 0; sleep 0.05; done
exit 1
EOF
chmod +x "$FB/qemu-system-fake"
cat > "$FB/qemu.sh" <<EOF
QEMU=$FB/qemu-system-fake
qemu_board_args() { qemu_args=(); }
EOF
for f in vmlinuz initrd ovmf-code ovmf-vars images/berth-dev.img; do : > "$WORK/build/$f"; done
export BOARD_DIR=$FB VM_DISK_BOARD=$FB KERNEL=$WORK/build/vmlinuz INITRD=$WORK/build/initrd CMDLINE=x MEM_MB=64 CPUS=1
export OVMF_CODE=$WORK/build/ovmf-code OVMF_VARS=$WORK/build/ovmf-vars
export SSH_PORT=12295 API_PORT=12495 FIFO_TIMEOUT=1 STOP_WAIT=2
BUILD=$WORK/build CONFIG_INIT_CONSOLE_SHELL=y
VM_DIR=$BUILD/test/vm-stall

STALL='[  168.799854] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
[  168.800333] rcu: 	0-...!: (0 ticks this GP) idle=1e60/0/0x0 softirq=36/36 fqs=0'
FW='BdsDxe: starting Boot0002 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x4,0x0)'
PID1='[    0.300000] berth-init: info: started 300 ms after the kernel'
READY='[    0.500000] berth: ready in 200 ms
[    1.500000] berth-init: info: EFI system partition /dev/vda1 mounted on /boot/efi'
# boots TEXT…: boot N's console is the Nth TEXT; the count starts again.
boots() {
	local n=0 t
	rm -f "$STATE"/boot.* "$STATE/boots"
	for t; do n=$((n + 1)); printf '%s\n' "$t" > "$STATE/boot.$n"; done
}
nboots() { cat "$STATE/boots" 2>/dev/null || echo 0; }
stop() { "$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1; }
fake_left() { pgrep -f "^/bin/bash $FB/qemu-system-fake --daemon" > /dev/null; }

# 1. qemu-run.sh bg: a stall before PID 1 ends the wait, named.
boots "$STALL"
out=$(DATA_IMG=$WORK/build/initrd BOOT_TIMEOUT=100 timeout 60 "$TOP/tools/qemu-run.sh" bg "$VM_DIR" 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'qemu-run: the kernel stalled before it started PID 1 (RCU stall reports); VM left running' <<< "$out" &&
	tap_ok "bg: a stall before PID 1 ends the wait at once, named" || tap_fail "bg: stall before PID 1" "rc=$rc $out"
stop

# 2. A stall after PID 1 started is not that: bg waits for its deadline.
boots "$PID1
$STALL"
out=$(DATA_IMG=$WORK/build/initrd BOOT_TIMEOUT=2 timeout 60 "$TOP/tools/qemu-run.sh" bg "$VM_DIR" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "no 'berth: ready' within 2s" <<< "$out" && ! grep -q 'stalled before' <<< "$out" &&
	tap_ok "bg: a stall after PID 1 started waits for BOOT_TIMEOUT" || tap_fail "bg: stall after PID 1" "rc=$rc $out"
stop

# 3. vm_start boots once more after a stall before PID 1 …
boots "$STALL" "$PID1
$READY"
out=$(BOOT_TIMEOUT=100 vm_start stall 2>&1); rc=$?
[ $rc = 0 ] && [ "$(nboots)" = 2 ] && grep -q 'vm_start: the kernel never started PID 1 .*booting once more' <<< "$out" &&
	tap_ok "vm_start: a stall before PID 1 is booted once more, said" || tap_fail "vm_start retry" "rc=$rc boots=$(nboots) $out"
stop
# … and not after a boot that reached PID 1.
boots "$PID1
$STALL" "$PID1
$READY"
out=$(BOOT_TIMEOUT=2 vm_start stall 2>&1); rc=$?
[ $rc = 1 ] && [ "$(nboots)" = 1 ] && tap_ok "vm_start: a boot that reached PID 1 is not retried" ||
	tap_fail "vm_start no retry" "rc=$rc boots=$(nboots) $out"
stop

# 4. vm_disk_start: the same for the disk image's first boot.
boots "$FW
$STALL" "$FW
$PID1
$READY"
out=$(BOOT_TIMEOUT=100 vm_disk_start stall 64M 2>&1); rc=$?
[ $rc = 0 ] && [ "$(nboots)" = 2 ] && grep -q 'vm_disk_start: the kernel never started PID 1; booting once more' <<< "$out" &&
	tap_ok "vm_disk_start: a stall before PID 1 is booted once more, said" || tap_fail "vm_disk_start retry" "rc=$rc boots=$(nboots) $out"

# warm SECS: boot the disk VM, reboot it warm (a system_reset), then
# vm_disk_wait_ready 2 SECS; sets OUT and RC.
warm() {
	local out
	out=$(BOOT_TIMEOUT=100 vm_disk_start stall 64M 2>&1) || tap_fail "vm_disk_start" "$out"
	vm_monitor system_reset
	OUT=$(vm_disk_wait_ready 2 "$1" 2>&1); RC=$?
}

# 5. vm_disk_wait_ready after a warm reboot (here a system_reset): the boot
# after the firmware stalls before PID 1, one reset, then it is ready.
boots "$FW
$PID1
$READY" "$FW
$STALL" "$FW
$PID1
$READY"
stop
warm 60
[ $RC = 0 ] && [ "$(nboots)" = 3 ] && grep -q 'vm_disk: the kernel stalled before it started PID 1 (RCU stall reports); resetting the machine once' <<< "$OUT" &&
	tap_ok "vm_disk_wait_ready: a reboot that stalls before PID 1 is reset once and gets ready" ||
	tap_fail "wait_ready reset" "rc=$RC boots=$(nboots) $OUT"
stop

# 6. … not a second time: boot 3 stalls as well.
boots "$FW
$PID1
$READY" "$FW
$STALL" "$FW
$STALL" "$FW
$PID1
$READY"
warm 4
[ $RC = 1 ] && [ "$(nboots)" = 3 ] && [ "$(grep -c 'resetting the machine once' <<< "$OUT")" = 1 ] &&
	tap_ok "vm_disk_wait_ready: only one reset" || tap_fail "wait_ready one reset" "rc=$RC boots=$(nboots) $OUT"
stop

# 7. A boot that reached PID 1 and then stalls is never reset.
boots "$FW
$PID1
$READY" "$FW
$PID1
$STALL" "$FW
$PID1
$READY"
warm 3
[ $RC = 1 ] && [ "$(nboots)" = 2 ] && ! grep -q 'resetting' <<< "$OUT" &&
	tap_ok "vm_disk_wait_ready: a boot that reached PID 1 is not reset" || tap_fail "wait_ready no reset" "rc=$RC boots=$(nboots) $OUT"
stop

fake_left && { tap_fail "no fake qemu left" "$(pgrep -af qemu-system-fake)"; pkill -f "$FB/qemu-system-fake"; } ||
	tap_ok "no fake qemu is left"
tap_done
