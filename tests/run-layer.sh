#!/bin/bash
# run-layer.sh — run one test layer and print its closing line.
#
# Usage: tests/run-layer.sh LAYER PROGRAM…
# Runs each PROGRAM (a unit test binary or a test script) in turn, passes its
# TAP through, and adds up the "# NAME: N passed, N failed, N skipped"
# comments each one closes with. A program that exits non-zero without
# reporting a failure counts as one failure, so a crash is never a pass.
# A program still running after TEST_TIMEOUT seconds (default 900: six times
# the longest test's time here) is stopped with its process group, counts as
# one failure, and any VM it left under $BERTH_BUILD/test is stopped, so that
# one hung test cannot eat the CI's time cap or hold the next one's ports.
# Prints "LAYER: N passed, N failed, N skipped" last and writes the three
# numbers to $RESULTS_DIR/LAYER when RESULTS_DIR is set.
# Exit codes: 0 nothing failed, 1 something failed, 100 usage.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LAYER PROGRAM..." >&2; exit 100; }
layer=$1; shift
limit=${TEST_TIMEOUT:-900}
[[ $limit =~ ^[1-9][0-9]*$ ]] || { echo "run-layer: TEST_TIMEOUT must be a number of seconds, not '$limit'" >&2; exit 100; }
# stop_vms: the VMs a stopped test left running (tools/qemu-run.sh stop).
stop_vms() {
	local d
	[ -n "${BERTH_BUILD:-}" ] && [ -n "${BERTH_TOP:-}" ] || return 0
	for d in "$BERTH_BUILD"/test/vm-*/; do
		[ -f "$d/qemu.pid" ] || continue
		echo "# stopping the VM it left in $d"
		"$BERTH_TOP/tools/qemu-run.sh" stop "$d" > /dev/null 2>&1
	done
}
pass=0 fail=0 skip=0
for prog in "$@"; do
	echo "# --- $layer: $(basename "$prog")"
	out=$(mktemp)
	start=$(date +%s)
	# timeout runs the program in a process group of its own and signals the
	# whole group: TERM at the limit, KILL 20 s later. Its stdin is
	# /dev/null: a background group reading a terminal would be stopped.
	timeout -k 20 "$limit" "$prog" < /dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^# [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ $(( $(date +%s) - start )) -ge "$limit" ]; then
		echo "not ok - $(basename "$prog") stopped after $limit s (TEST_TIMEOUT)"
		stop_vms
		fail=$((fail + 1))
		continue
	fi
	if [ -z "$line" ]; then
		echo "not ok - $(basename "$prog") ended (exit $rc) without a closing line"
		fail=$((fail + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $(basename "$prog") exited $rc after reporting no failure"
		fail=$((fail + 1))
	fi
	echo "# ($(basename "$prog"): $(( $(date +%s) - start )) s)"
done
echo "$layer: $pass passed, $fail failed, $skip skipped"
[ -n "${RESULTS_DIR:-}" ] && echo "$pass $fail $skip" > "$RESULTS_DIR/$layer"
[ "$fail" = 0 ]
