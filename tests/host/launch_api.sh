#!/bin/bash
# launch_api.sh — runtime/launch as a library: tests/host/launch_api.c,
# linked with the launcher's objects, drives create/start/wait/kill/destroy
# and checks each failure's class.
. "$(dirname "$0")/../lib/env.sh"
need_root "runtime/launch library API" || { tap_done; exit; }
command -v musl-gcc > /dev/null || { tap_skip "runtime/launch library API" "no musl-gcc"; tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }
objs=()
for o in spec run child mounts mountfd user limits devices prepare tty; do
	objs+=("$BUILD/obj/runtime/launch/$o.o")
done
if ! musl-gcc -static -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
	-o "$WORK/launch_api" "$TOP/tests/host/launch_api.c" "${objs[@]}" "$BUILD/obj/build/gen/seccomp_default.o" \
	"$BUILD/obj/libberth.a" -L"$BUILD/sysroot/lib" -lcap 2> "$WORK/cc.err"; then
	tap_fail "build launch_api" "$(head -n 5 "$WORK/cc.err")"
	tap_done
	exit
fi
"$WORK/launch_api" "$ROOT" > "$WORK/out" 2> "$WORK/err"
while read -r line; do
	case $line in
	"ok "*) tap_ok "${line#ok * - }" ;;
	"not ok "*) tap_fail "${line#not ok * - }" "$(grep -A1 -F "$line" "$WORK/out" | sed -n '2s/^#   //p')" ;;
	esac
done < "$WORK/out"
grep -q '^1\.\.' "$WORK/out" || tap_fail "launch_api ran to its end" "$(tail -n 3 "$WORK/err")"
grep -q 'berth-run\|warning' "$WORK/err" && tap_fail "the library printed" "$(head -n 3 "$WORK/err")" ||
	tap_ok "the library printed nothing"
tap_done
