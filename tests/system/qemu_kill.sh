#!/bin/bash
# qemu_kill.sh — a power cut: qemu is killed (SIGKILL) under a running VM,
# then `tools/qemu-run.sh stop` (what `make stop` runs) returns within a
# bound with a clear message instead of blocking on the console FIFO that
# nobody reads any more. tests/host/qemu_stop.sh covers the same without
# qemu (an unreaped zombie, a stale pid, a hung qemu).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12272 API_PORT=12426
vm_start kill; rc=$?
if [ $rc = 2 ]; then
	tap_skip "stop after qemu was killed" "CONFIG_INIT_CONSOLE_SHELL is off: vm_start needs the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
kill -9 "$(cat "$VM_DIR/qemu.pid")"
t0=$SECONDS
out=$(timeout 60 "$TOP/tools/qemu-run.sh" stop "$VM_DIR" 2>&1); rc=$?
secs=$((SECONDS - t0))
[ "$rc" = 0 ] && [ "$secs" -le 10 ] && tap_ok "stop returns in ${secs}s after qemu was killed" ||
	tap_fail "stop returns within 10 s after qemu was killed" "exit $rc after ${secs}s: $out"
tap_check "with a clear message" grep -q 'is not running any more (it exited or was killed)' <<< "$out"
out=$(timeout 60 "$TOP/tools/qemu-run.sh" send "$VM_DIR" "echo hi" 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q 'no running qemu' <<< "$out" && tap_ok "send to the dead VM fails at once: $out" ||
	tap_fail "send to the dead VM fails at once" "exit $rc: $out"
rm -f "$DATA_IMG"
tap_done
