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
# Two (FUZZ_JOBS, default the number of CPUs) targets run at once, each for
# its own FUZZ_SECONDS; the results are printed in the targets' order.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
# run_one BIN: seeds, then the fuzzer; writes $WORK/NAME.result ("ok INFO" or
# "fail WHAT: INFO")
run_one() {
	local bin=$1 name short corpus runs
	name=$(basename "$bin"); short=${name#fuzz_}
	corpus=$WORK/corpus-$short
	mkdir -p "$corpus" "$BUILD/fuzz/crashes"
	[ -d "$TOP/tests/fuzz/corpus/$short" ] && cp -r "$TOP/tests/fuzz/corpus/$short/." "$corpus/"
	if [ -x "$TOP/tests/fuzz/seeds/$short.sh" ] && ! "$TOP/tests/fuzz/seeds/$short.sh" "$corpus" > "$WORK/$name.seeds" 2>&1; then
		printf 'fail seeds: %s\n' "$(tr '\n' ' ' < "$WORK/$name.seeds")" > "$WORK/$name.result"
		return
	fi
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/crashes/$name-" "$corpus" > "$WORK/$name.log" 2>&1; then
		runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$WORK/$name.log")
		echo "ok ${runs:-?}" > "$WORK/$name.result"
	else
		printf 'fail run: %s\n' "$(grep -E 'ERROR|SUMMARY|Test unit written' "$WORK/$name.log" | head -5 | tr '\n' ' ')" > "$WORK/$name.result"
	fi
}
for bin in $FUZZ_BINS; do
	[ -x "$bin" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	run_one "$bin" &
done
wait
for bin in $FUZZ_BINS; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		tap_skip "$name runs ${secs}s clean" "not built: clang-14 with libFuzzer (libclang-rt-14-dev) is missing"
		continue
	fi
	read -r res info < "$WORK/$name.result" 2>/dev/null || { res=fail info="no result (the runner died)"; }
	case $res in
	ok) tap_ok "$name runs ${secs}s clean ($info inputs)" ;;
	*) case $info in
	   seeds:*) tap_fail "$name seeds" "${info#seeds: }" ;;
	   *) tap_fail "$name runs ${secs}s clean" "${info#run: }" ;;
	   esac ;;
	esac
done
tap_done
