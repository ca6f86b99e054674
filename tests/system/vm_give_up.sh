#!/bin/bash
# vm_give_up.sh — a boot that fails leaves no VM behind (tests/lib/vm.sh
# vm_give_up). `qemu-run.sh bg` leaves qemu running when 'berth: ready' does
# not come in BOOT_TIMEOUT (for the developer to look at); a test that then
# went on to the next would leave that qemu holding the ports the next test
# boots with (seen in CI: api.sh's failed boot made power_button.sh fail with
# "port in use"). Here BOOT_TIMEOUT is 1 s, shorter than any kernel takes to
# start PID 1 under emulation, so vm_start fails, boots once more (its retry
# for a kernel that never started PID 1), fails again and gives up.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12282 API_PORT=12436
if [ "${CONFIG_INIT_CONSOLE_SHELL:-}" != y ]; then
	tap_skip "a failed boot leaves no VM" "CONFIG_INIT_CONSOLE_SHELL is off: vm_start needs the console shell"
	tap_done; exit
fi
listening() { ss -Htln "( sport = :$SSH_PORT or sport = :$API_PORT )" | grep -q .; }
if listening; then
	tap_fail "ports $SSH_PORT and $API_PORT are free before the test" "$(ss -Htlnp "( sport = :$SSH_PORT or sport = :$API_PORT )")"
	tap_done; exit
fi
BOOT_TIMEOUT=1 vm_start giveup 2> "$WORK/err"; rc=$?
[ "$rc" = 1 ] && tap_ok "vm_start fails when 'berth: ready' does not come in BOOT_TIMEOUT" ||
	tap_fail "vm_start fails when 'berth: ready' does not come in BOOT_TIMEOUT" "exit $rc: $(tail -3 "$WORK/err")"
tap_check "it booted twice (the retry for a kernel that never started PID 1)" grep -q 'booting once more' "$WORK/err"
left=$(pgrep -af "$VM_DIR/" || true)
[ -z "$left" ] && tap_ok "no qemu (or console drain) of the VM is left" || tap_fail "no qemu (or console drain) of the VM is left" "$left"
listening && tap_fail "the VM's forwarded ports are free again" "$(ss -Htlnp "( sport = :$SSH_PORT or sport = :$API_PORT )")" ||
	tap_ok "the VM's forwarded ports are free again"
tap_check "the failed boot's console log is kept" test -e "$VM_DIR/console.log"
tap_check "no pid file is left" test ! -e "$VM_DIR/qemu.pid"
rm -f "$DATA_IMG"
tap_done
