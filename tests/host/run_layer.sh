#!/bin/bash
# run_layer.sh — tests/run-layer.sh, the runner every layer of make check goes
# through: a program's closing line is added up, a crash without one is a
# failure, and a program that hangs is stopped after TEST_TIMEOUT with its
# whole process group and any VM it left under $BERTH_BUILD/test, counted
# as a failure, and the layer goes on (a hung reboot in a system test once
# held the CI for over an hour). A bad TEST_TIMEOUT is refused, named.
# No qemu is started: a copy of sleep named qemu-system-fake stands in.
. "$(dirname "$0")/../lib/env.sh"
RL=$TOP/tests/run-layer.sh
P=$WORK/progs
B=$WORK/build
mkdir -p "$P" "$B/test"
FAKE=$WORK/qemu-system-fake
cp "$(command -v sleep)" "$FAKE"

cat > "$P/a_ok.sh" <<'EOF'
#!/bin/sh
echo "ok 1 - one"; echo "ok 2 - two"
echo "# a_ok.sh: 2 passed, 0 failed, 0 skipped"
EOF
cat > "$P/b_crash.sh" <<'EOF'
#!/bin/sh
echo "ok 1 - before the crash"
exit 3
EOF
# Hangs, with a child in its group and a "VM" that left the group (qemu
# -daemonize does).
cat > "$P/c_hang.sh" <<EOF
#!/bin/bash
sleep 300 & echo \$! > "$WORK/child.pid"
mkdir -p "$B/test/vm-rlfake" && mkfifo "$B/test/vm-rlfake/serial.in" "$B/test/vm-rlfake/monitor.in"
setsid "$FAKE" 300 < /dev/null > /dev/null 2>&1 & echo \$! > "$B/test/vm-rlfake/qemu.pid"
echo "ok 1 - started"
sleep 300
EOF
# Its stdin: /dev/null, never the caller's terminal (a background group
# reading a terminal is stopped).
cat > "$P/d_stdin.sh" <<'EOF'
#!/bin/sh
echo "# stdin: $(readlink /proc/self/fd/0)"
echo "# d_stdin.sh: 1 passed, 0 failed, 0 skipped"
EOF
chmod +x "$P"/*.sh

t0=$SECONDS
out=$(BERTH_TOP=$TOP BERTH_BUILD=$B TEST_TIMEOUT=3 FIFO_TIMEOUT=1 STOP_WAIT=2 \
	timeout 120 "$RL" probe "$P/a_ok.sh" "$P/b_crash.sh" "$P/c_hang.sh" "$P/d_stdin.sh" < /dev/zero 2>&1)
rc=$?
secs=$((SECONDS - t0))
[ $rc != 124 ] && tap_ok "the layer ends although a program hangs ($secs s)" ||
	tap_fail "the layer ends although a program hangs" "still running after 120 s: $out"
[ $rc = 1 ] && tap_ok "it exits 1 (something failed)" || tap_fail "exit status" "rc=$rc $out"
grep -q '^not ok - c_hang.sh stopped after 3 s (TEST_TIMEOUT)$' <<< "$out" &&
	tap_ok "the hung program is named, with the limit" || tap_fail "hung program named" "$out"
grep -q '^not ok - b_crash.sh ended (exit 3) without a closing line$' <<< "$out" &&
	tap_ok "a crash without a closing line is a failure" || tap_fail "crash counted" "$out"
grep -q '^probe: 3 passed, 2 failed, 0 skipped$' <<< "$out" &&
	tap_ok "closing line: the passes of a_ok and d_stdin, the crash and the hang as failures" ||
	tap_fail "closing line" "$out"
grep -q '^# stdin: /dev/null$' <<< "$out" && tap_ok "a program's stdin is /dev/null" ||
	tap_fail "stdin" "$(grep '# stdin' <<< "$out")"
child=$(cat "$WORK/child.pid" 2>/dev/null)
[ -n "$child" ] && ! kill -0 "$child" 2>/dev/null && tap_ok "the hung program's child is stopped with it" ||
	{ tap_fail "child stopped" "pid ${child:-?} still runs"; kill "$child" 2>/dev/null; }
vm=$(cat "$B/test/vm-rlfake/qemu.pid" 2>/dev/null)
if [ -z "$vm" ] && grep -q "stopping the VM it left in $B/test/vm-rlfake/" <<< "$out"; then
	tap_ok "the VM it left running is stopped (pid file gone)"
else
	tap_fail "VM stopped" "pid file: ${vm:-none}; $out"
fi
pgrep -f "^$FAKE 300" > /dev/null && { tap_fail "no fake qemu left" "$(pgrep -af "$FAKE")"; pkill -f "^$FAKE"; } ||
	tap_ok "no fake qemu is left"

out=$(TEST_TIMEOUT=soon "$RL" probe "$P/a_ok.sh" 2>&1); rc=$?
[ $rc = 100 ] && grep -q "TEST_TIMEOUT must be a number of seconds, not 'soon'" <<< "$out" &&
	tap_ok "a bad TEST_TIMEOUT is refused, named" || tap_fail "bad TEST_TIMEOUT" "rc=$rc $out"
tap_done
