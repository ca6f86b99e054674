#!/bin/bash
# fuzz.sh — run every libFuzzer target briefly (FUZZ_SECONDS each, default
# 10) from its seed corpus. A crash, a sanitizer report, a leak or a timeout
# fails the target; the reproducer is kept under build/fuzz/crashes/.
. "$(dirname "$0")/../lib/env.sh"
secs=${FUZZ_SECONDS:-10}
if [ -z "${FUZZ_BINS:-}" ]; then
	tap_skip "fuzz targets" "none registered (FUZZ_BINS is empty)"
	tap_done; exit
fi
for bin in $FUZZ_BINS; do
	name=$(basename "$bin"); short=${name#fuzz_}
	if [ ! -x "$bin" ]; then
		tap_skip "$name runs ${secs}s clean" "not built: clang-14 with libFuzzer (libclang-rt-14-dev) is missing"
		continue
	fi
	corpus=$WORK/corpus-$short
	mkdir -p "$corpus" "$BUILD/fuzz/crashes"
	[ -d "$TOP/tests/fuzz/corpus/$short" ] && cp -r "$TOP/tests/fuzz/corpus/$short/." "$corpus/"
	if [ -x "$TOP/tests/fuzz/seeds/$short.sh" ] && ! "$TOP/tests/fuzz/seeds/$short.sh" "$corpus" > "$WORK/$name.seeds" 2>&1; then
		tap_fail "$name seeds" "$(cat "$WORK/$name.seeds")"
		continue
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/crashes/$name-" "$corpus" > "$WORK/$name.log" 2>&1; then
		runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$WORK/$name.log")
		tap_ok "$name runs ${secs}s clean (${runs:-?} inputs)"
	else
		tap_fail "$name runs ${secs}s clean" "$(grep -E 'ERROR|SUMMARY|Test unit written' "$WORK/$name.log" | head -5)"
	fi
done
tap_done
