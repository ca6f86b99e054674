#!/bin/bash
# run-layer.sh — run one test layer and print its closing line.
#
# Usage: tests/run-layer.sh LAYER PROGRAM…
# Runs each PROGRAM (a unit test binary or a test script) in turn, passes its
# TAP through, and adds up the "# NAME: N passed, N failed, N skipped"
# comments each one closes with. A program that exits non-zero without
# reporting a failure counts as one failure, so a crash is never a pass.
# Prints "LAYER: N passed, N failed, N skipped" last and writes the three
# numbers to $RESULTS_DIR/LAYER when RESULTS_DIR is set.
# Exit codes: 0 nothing failed, 1 something failed, 100 usage.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 LAYER PROGRAM..." >&2; exit 100; }
layer=$1; shift
pass=0 fail=0 skip=0
for prog in "$@"; do
	echo "# --- $layer: $(basename "$prog")"
	out=$(mktemp)
	start=$(date +%s)
	"$prog" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^# [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
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
