#!/bin/bash
# watchdog.sh — with CONFIG_INIT_WATCHDOG (and its driver in the board's
# module list, softdog on the cloud kernel) PID 1 arms the watchdog and feeds
# it: the VM outlives a whole timeout; then PID 1 is frozen (cgroup freezer)
# and the watchdog resets the VM. Skipped when the option is off (the qemu
# board's default).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12262 API_PORT=12416
if [ "${CONFIG_INIT_WATCHDOG:-}" != y ]; then
	tap_skip "watchdog fed by PID 1" "CONFIG_INIT_WATCHDOG is off (the qemu board's default)"
	tap_done; exit
fi
vm_start watchdog; rc=$?
if [ $rc = 2 ]; then
	tap_skip "watchdog fed by PID 1" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
t=$CONFIG_INIT_WATCHDOG_TIMEOUT_S
# PID 1 opens it once the modules after ready (softdog) are in.
for _ in $(seq 600); do grep -q 'watchdog: .* armed' "$VM_DIR/console.log" && break; sleep 0.1; done
tap_check "PID 1 armed the watchdog" grep -q "watchdog: $CONFIG_INIT_WATCHDOG_DEVICE armed, $t s" "$VM_DIR/console.log"
sleep $((t + 5))
out=$(vm_run "echo alive")
[ "$out" = alive ] && vm_alive && ! grep -q 'watchdog did not stop\|Initiating system reboot' "$VM_DIR/console.log" &&
	tap_ok "fed: the VM outlived a whole timeout" || tap_fail "fed: the VM outlived a whole timeout" "$(tail -5 "$VM_DIR/console.log")"
# Hang PID 1: move it into a cgroup of its own and freeze that. Its loop
# stops, nobody feeds the watchdog, and it resets the VM (qemu -no-reboot
# exits) within the timeout.
"$TOP/tools/qemu-run.sh" send "$VM_DIR" \
	"mkdir /sys/fs/cgroup/hang && echo 1 > /sys/fs/cgroup/hang/cgroup.procs && echo 1 > /sys/fs/cgroup/hang/cgroup.freeze"
if vm_wait_exit $((t + 20)); then
	tap_ok "a frozen PID 1 is reset by the watchdog"
else
	tap_fail "a frozen PID 1 is reset by the watchdog" "$(tail -5 "$VM_DIR/console.log")"
fi
tap_check "the kernel's softdog did it" grep -q 'softdog: Initiating system reboot' "$VM_DIR/console.log"
"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
rm -f "$DATA_IMG"
tap_done
