#!/bin/bash
# check.sh — run the unit, host and system layers and print the total.
# Every layer runs even when an earlier one failed, so one report shows all.
# Environment (from make check): UNIT_BINS, HOST_TESTS, SYSTEM_TESTS, BERTH_*.
# Exit codes: 0 nothing failed, 1 something failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RESULTS_DIR=$(mktemp -d)
export RESULTS_DIR
start=$(date +%s)
# shellcheck disable=SC2086
"$here/run-layer.sh" unit $UNIT_BINS
"$here/run-layer.sh" host $HOST_TESTS
"$here/run-layer.sh" system $SYSTEM_TESTS
pass=0 fail=0 skip=0
echo "# --- summary ($(( $(date +%s) - start )) s)"
for layer in unit host system; do
	if [ -f "$RESULTS_DIR/$layer" ]; then
		read -r p f s < "$RESULTS_DIR/$layer"
		echo "#   $layer: $p passed, $f failed, $s skipped"
	else
		p=0 f=1 s=0
		echo "#   $layer: did not finish"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
rm -rf "$RESULTS_DIR"
echo "total: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
