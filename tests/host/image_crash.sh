#!/bin/bash
# image_crash.sh — crash consistency: berth-image load is killed with
# SIGKILL (with its berth-unpack) at random points, N times; afterwards the
# store check passes (it first removes the leftovers) and the image is
# either complete or absent. IMAGE_CRASH_RUNS sets N (default 20).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
RUNS=${IMAGE_CRASH_RUNS:-20}
bi() { "$B" --data-root "$S" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }

# three layers, a few MB each, so that a load takes long enough to be cut
for i in 1 2 3; do
	mkdir -p "$WORK/r$i/l$i"
	for k in $(seq 40); do head -c 100000 /dev/urandom >"$WORK/r$i/l$i/f$k"; done
done
img_rootfs "$WORK/r1"
args=()
for i in 1 2 3; do img_layer "$WORK/r$i" "$WORK/l$i.tar"; args+=("$WORK/l$i.tar"); done
img_oci "$WORK/oci" crash:1 "${args[@]}"
img_pack "$WORK/oci" "$WORK/a.tar"
cfg=$IMG_CONFIG

t0=$(date +%s%N)
bi load "$WORK/a.tar" >/dev/null || { tap_fail "a full load works" "$(bi load "$WORK/a.tar" 2>&1)"; tap_done; exit; }
ms=$((($(date +%s%N) - t0) / 1000000 + 1))
bi rm crash:1 >/dev/null
echo "# a full load takes ${ms} ms; killing at random points in it"

complete=0 absent=0 bad=0
for run in $(seq "$RUNS"); do
	# a fresh session so that kill reaches berth-unpack too
	setsid "$B" --data-root "$S" load "$WORK/a.tar" >/dev/null 2>&1 &
	pid=$!
	# up to 1.5 times a full load: some runs finish, most are cut somewhere
	sleep "$(awk -v r="$RANDOM" -v ms="$ms" 'BEGIN { printf "%.3f", r % (ms * 3 / 2 + 1) / 1000.0 }')"
	kill -9 -- -"$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! out=$(bi check 2>&1); then
		bad=$((bad + 1))
		tap_fail "run $run: store check after kill -9" "$out"
		continue
	fi
	if bi inspect "$cfg" >/dev/null 2>&1; then
		complete=$((complete + 1))
		# complete: every layer is in place and mounts
		n=$(bi inspect "$cfg" | grep -c '^layer ')
		[ "$n" = 3 ] || { bad=$((bad + 1)); tap_fail "run $run: complete image has 3 layers" "$n"; }
		bi rm "$cfg" >/dev/null
	else
		absent=$((absent + 1))
	fi
	left=$(ls -A "$S/tmp")
	[ -z "$left" ] || { bad=$((bad + 1)); tap_fail "run $run: no leftovers after check" "$left"; }
done
if [ "$bad" = 0 ]; then
	tap_ok "$RUNS kills: store consistent every time ($complete complete, $absent absent)"
else
	tap_fail "$RUNS kills: store consistent every time" "$bad problems"
fi
# on failure: what gc said and what it left
gc_out=$(bi gc 2>&1) && gc_rc=0 || gc_rc=$?
left=$(find "$S/layers" "$S/images" -mindepth 1 2>&1)
if [ "$gc_rc" = 0 ] && [ -z "$left" ]; then
	tap_ok "gc leaves nothing after the last removal"
else
	tap_fail "gc leaves nothing after the last removal" \
		"gc exit $gc_rc: $gc_out"$'\n'"left under layers/ and images/:"$'\n'"${left:-(nothing)}"
fi
tap_done
