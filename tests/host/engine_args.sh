#!/bin/bash
# engine_args.sh — berthd refuses, before it touches anything, what it
# cannot run with: an unknown option (100, the usage), a run directory too
# long for its shims' socket paths (100, naming the limit, instead of a
# failure at the first `docker run`), a config file that is not there.
. "$(dirname "$0")/../lib/env.sh"
B=$BIN/berthd
out=$("$B" --bogus 2>&1); rc=$?
[ $rc = 100 ] && grep -q 'usage: berthd' <<< "$out" && tap_ok "an unknown option: 100 and the usage" ||
	tap_fail "an unknown option: 100 and the usage" "exit $rc: $out"
long=$WORK/$(printf 'r%.0s' $(seq 60))
mkdir -p "$long"
out=$("$B" --data-root "$WORK/d" --run-dir "$long" --no-sandbox 2>&1); rc=$?
[ $rc = 100 ] && grep -q "run-dir .*too long for the shims' sockets (at most [0-9]* bytes)" <<< "$out" &&
	[ ! -e "$WORK/d" ] && tap_ok "a run dir too long for the shims' sockets: 100, before anything is made" ||
	tap_fail "a run dir too long for the shims' sockets: 100, before anything is made" "exit $rc: $out"
out=$("$B" --data-root "$WORK/d" --run-dir "$WORK/r" --config "$WORK/none.conf" --no-sandbox 2>&1); rc=$?
[ $rc != 0 ] && grep -q 'none.conf' <<< "$out" && tap_ok "a missing --config file is named ($rc)" ||
	tap_fail "a missing --config file is named" "exit $rc: $out"
tap_done
