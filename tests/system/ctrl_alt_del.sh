#!/bin/bash
# ctrl_alt_del.sh — ctrl-alt-del on the VM's keyboard makes PID 1 power off
# (the kernel turns it into SIGINT for init), and qemu exits.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12232 API_PORT=12386
vm_start cad; rc=$?
if [ $rc = 2 ]; then
	tap_skip "ctrl-alt-del powers off" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
vm_monitor "sendkey ctrl-alt-delete"
if ! vm_wait_exit 30; then
	tap_fail "ctrl-alt-del ends qemu within 30 s" "$(tail -10 "$VM_DIR/console.log")"
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
else
	tap_ok "ctrl-alt-del ends qemu within 30 s"
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
fi
tap_check "init logged a poweroff for it" grep -q 'shutdown: poweroff after' "$VM_DIR/console.log"
tap_check "the kernel powered down (not a reboot or panic)" grep -q 'reboot: Power down' "$VM_DIR/console.log"
rm -f "$DATA_IMG"
tap_done
