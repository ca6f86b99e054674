# shim.sh — common setup for tests/host/shim_*.sh (sourced after env.sh):
# the test root, the client helper (tests/host/helpers/shim_client.c built
# against runtime/shim/client.h), and one container directory per test.
#
#   shim_setup            → ROOT, CLIENT, SHIM; 1 when it cannot run here
#   shim_new NAME ARGS…   → a container dir $WORK/NAME with spec.json
#                           (ARGS: shim_client spec options, --, command);
#                           its control socket is $WORK/run/NAME/ctl
#   shim_spawn NAME       → berth-shim started for it (prints the answer)
#   shim_wait_gone NAME   → wait (5 s) until its shim has exited
#   wait_for FILE TEXT    → wait (10 s) until FILE contains TEXT
# Every shim still running at the end is killed (pids from state.json).
shim_setup() {
	need_root "berth-shim" || return 1
	command -v musl-gcc > /dev/null || { tap_skip "berth-shim" "no musl-gcc"; return 1; }
	SHIM=$BIN/berth-shim
	[ -x "$SHIM" ] || { tap_fail "berth-shim built" "$SHIM missing"; return 1; }
	ROOT=$WORK/root
	"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; return 1; }
	CLIENT=$WORK/shim_client
	if ! musl-gcc -static -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
		-o "$CLIENT" "$TOP/tests/host/helpers/shim_client.c" "$TOP"/runtime/shim/{client,spawn,state,proto,spec}.c \
		"$TOP/runtime/launch/spec.c" "$BUILD/obj/libberth.a" -L"$BUILD/sysroot/lib" -lcap 2> "$WORK/cc.err"; then
		tap_fail "build shim_client" "$(head -n 5 "$WORK/cc.err")"
		return 1
	fi
	trap 'shim_cleanup; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
}
shim_cleanup() {
	local f pid
	for f in "$WORK"/*/state.json; do
		[ -f "$f" ] || continue
		pid=$(sed -n 's/.*"shim_pid":\([0-9]*\).*/\1/p' "$f")
		[ -n "$pid" ] && grep -q berth-shim "/proc/$pid/cmdline" 2> /dev/null && kill -9 "$pid" 2> /dev/null
	done
	return 0
}
shim_new() {
	local name=$1
	shift
	mkdir -p "$WORK/$name"
	"$CLIENT" spec "$WORK/$name" "$ROOT" "$@"
}
ctl() { echo "$WORK/run/$1/ctl"; }
shim_spawn() { timeout 20 "$CLIENT" spawn "$SHIM" "$WORK/$1" "$(ctl "$1")"; }
client() { timeout 20 "$CLIENT" "$@"; }
shim_wait_gone() {
	local i
	for i in $(seq 50); do
		[ -e "$(ctl "$1")" ] || return 0
		sleep 0.1
	done
	return 1
}
# Wait (10 s) until FILE contains TEXT: a background client is attached.
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
# The shim's pid from state.json.
shim_pid() { sed -n 's/.*"shim_pid":\([0-9]*\).*/\1/p' "$WORK/$1/state.json"; }
