#!/bin/bash
# qemu_stop.sh — tools/qemu-run.sh never blocks on a FIFO whose reader (qemu)
# is gone: `make stop` after qemu was killed (it may linger as a zombie, so
# kill -0 still succeeds, or still be exiting with SIGKILL pending), after
# qemu hangs without reading its console, and `send` to a dead VM each
# return within a bound with a clear message. No qemu is started: a copy of
# sleep named qemu-system-fake stands in for it.
. "$(dirname "$0")/../lib/env.sh"
RUN=$TOP/tools/qemu-run.sh
FAKE=$WORK/qemu-system-fake
cp "$(command -v sleep)" "$FAKE"

# A VM directory as `qemu-run.sh bg` leaves it, FIFOs without a reader.
mkvm() {
	rm -rf "$1" && mkdir -p "$1" && mkfifo "$1/serial.in" "$1/monitor.in" && echo "$2" > "$1/qemu.pid"
}
# timed NAME CMD...: run CMD under a 60 s timeout; sets OUT, RC and SECS.
timed() {
	local t0=$SECONDS
	OUT=$(timeout 60 "$@" 2>&1); RC=$?
	SECS=$((SECONDS - t0))
}

# 1. qemu killed, not yet reaped: a zombie whose name is qemu's.
( "$FAKE" 0.1 & echo $! > "$WORK/zpid"; exec "$FAKE" 120 ) &
holder=$!
sleep 0.5
zpid=$(cat "$WORK/zpid")
if grep -q '^State:.*Z' "/proc/$zpid/status" 2>/dev/null; then
	mkvm "$WORK/dead" "$zpid"
	timed "$RUN" stop "$WORK/dead"
	[ "$RC" = 0 ] && [ "$SECS" -le 10 ] && tap_ok "stop after qemu was killed (a zombie) returns in ${SECS}s" ||
		tap_fail "stop after qemu was killed (a zombie) returns within 10 s" "exit $RC after ${SECS}s: $OUT"
	tap_check "stop says qemu is not running any more" grep -q 'is not running any more' <<< "$OUT"
	tap_check "stop removed the pid file" test ! -e "$WORK/dead/qemu.pid"
	mkvm "$WORK/dead" "$zpid"
	timed "$RUN" send "$WORK/dead" "echo hello"
	[ "$RC" = 1 ] && [ "$SECS" -le 10 ] && grep -q 'no running qemu' <<< "$OUT" &&
		tap_ok "send to a killed qemu fails at once with a message" ||
		tap_fail "send to a killed qemu fails at once with a message" "exit $RC after ${SECS}s: $OUT"
else
	tap_fail "a zombie stands in for a killed qemu" "pid $zpid: $(cat "/proc/$zpid/status" 2>&1 | head -3)"
fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# 2. gone entirely (reaped; the pid may even be reused by now).
mkvm "$WORK/gone" 999999
timed "$RUN" stop "$WORK/gone"
[ "$RC" = 0 ] && [ "$SECS" -le 10 ] && grep -q 'is not running any more' <<< "$OUT" &&
	tap_ok "stop with a stale pid file returns at once" || tap_fail "stop with a stale pid file returns at once" "exit $RC after ${SECS}s: $OUT"

# 3. qemu killed but not gone yet: a real qemu tears down its guest's memory
# for a while after SIGKILL (seen in CI: `stop` right after `kill -9` took
# the live path). A stand-in frozen by the v1 freezer keeps SIGKILL pending
# for as long as the test needs.
fz=/sys/fs/cgroup/freezer
if [ -w "$fz/cgroup.procs" ] 2>/dev/null && mkdir "$fz/berth-qemu-stop-$$" 2>/dev/null; then
	"$FAKE" 120 &
	dying=$!
	echo "$dying" > "$fz/berth-qemu-stop-$$/cgroup.procs"
	echo FROZEN > "$fz/berth-qemu-stop-$$/freezer.state"
	kill -9 "$dying"
	mkvm "$WORK/dying" "$dying"
	"$RUN" running "$WORK/dying" && tap_fail "running: a killed, exiting qemu is not running" "exit 0" ||
		tap_ok "running: a killed, exiting qemu is not running"
	timed env FIFO_TIMEOUT=2 "$RUN" stop "$WORK/dying"
	[ "$RC" = 0 ] && [ "$SECS" -le 10 ] && grep -q 'is not running any more' <<< "$OUT" &&
		tap_ok "stop right after qemu was killed (still exiting) says so in ${SECS}s" ||
		tap_fail "stop right after qemu was killed (still exiting) says it is not running" "exit $RC after ${SECS}s: $OUT"
	echo THAWED > "$fz/berth-qemu-stop-$$/freezer.state"
	wait "$dying" 2>/dev/null
	rmdir "$fz/berth-qemu-stop-$$"
else
	tap_skip "stop right after qemu was killed (still exiting)" "no writable cgroup v1 freezer at $fz to hold a killed process"
fi

# 4. qemu alive but reading neither its console nor its monitor.
"$FAKE" 120 &
hung=$!
mkvm "$WORK/hung" "$hung"
tap_check "running: a live qemu is running" "$RUN" running "$WORK/hung"
timed env FIFO_TIMEOUT=1 STOP_WAIT=2 "$RUN" stop "$WORK/hung"
[ "$RC" = 0 ] && [ "$SECS" -le 20 ] && ! kill -0 "$hung" 2>/dev/null &&
	tap_ok "stop of a qemu that reads nothing ends it in ${SECS}s" ||
	tap_fail "stop of a qemu that reads nothing ends it within 20 s" "exit $RC after ${SECS}s: $OUT"
tap_check "stop says the console took no input" grep -q 'does not take input' <<< "$OUT"
kill -9 "$hung" 2>/dev/null; wait "$hung" 2>/dev/null
tap_done
