#!/bin/bash
# shutdown_hang.sh — shutdown is bounded when the data disk stops answering.
# The data filesystem is frozen (fsfreeze: what `dmsetup suspend` does to
# the filesystem on a device-mapper target; the image has no dmsetup) and a
# writer is left blocked on it in the kernel, where no signal reaches it.
# SIGTERM to PID 1 must still end in reboot(2) (qemu -no-reboot exits)
# within CONFIG_INIT_SHUTDOWN_SYNC_MS plus the earlier steps, with the hang
# reported on the console.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12252 API_PORT=12406
vm_start hang; rc=$?
if [ $rc = 2 ]; then
	tap_skip "shutdown with a hung data disk" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }

out=$(vm_run "fsfreeze --freeze /var/lib/berth && echo frozen")
[ "$out" = frozen ] && tap_ok "the data filesystem is frozen" || tap_fail "the data filesystem is frozen" "$out"
vm_run "setsid sh -c 'echo x > /var/lib/berth/blocked' < /dev/null > /dev/null 2>&1 & echo started" > /dev/null
sleep 1
st=$(vm_run "grep -l '^State:.*D' /proc/[0-9]*/status 2>/dev/null | wc -l")
[ "${st:-0}" -ge 1 ] && tap_ok "a writer is blocked on it in the kernel (D state)" ||
	tap_fail "a writer is blocked on it in the kernel (D state)" "$st"
t0=$SECONDS
"$TOP/tools/qemu-run.sh" send "$VM_DIR" "kill -TERM 1"
limit=$(( CONFIG_INIT_SHUTDOWN_SYNC_MS / 1000 + 40 ))
if vm_wait_exit "$limit"; then
	tap_ok "SIGTERM to PID 1 ends qemu (reboot) in $((SECONDS - t0))s"
else
	tap_fail "SIGTERM to PID 1 ends qemu (reboot) within ${limit}s" "$(tail -10 "$VM_DIR/console.log")"
fi
"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
log=$(tr -d '\r' < "$VM_DIR/console.log")
tap_check "init reported the hang and rebooted regardless" bash -c \
	"grep -q 'seed, sync and unmount not done within $CONFIG_INIT_SHUTDOWN_SYNC_MS ms' <<< \"\$1\" &&
	 grep -q 'shutdown: reboot after' <<< \"\$1\"" _ "$log"
# (not the watchdog: with PID 1 stuck it would reset the VM too, later)
tap_check "the kernel restarted for PID 1's reboot(2), not for the watchdog" bash -c \
	"grep -q 'reboot: Restarting system' <<< \"\$1\" && ! grep -q 'softdog: Initiating' <<< \"\$1\"" _ "$log"
rm -f "$DATA_IMG"
tap_done
