#!/bin/bash
# launch_tty.sh — berth-run --tty: the container gets a terminal from its
# own devpts instance as fds 0-2 and controlling terminal; berth-run relays
# its stdin/stdout, passes the window size on, and keeps the exit status.
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run --tty" || { tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }

out=$("$RUN" --tty "$ROOT" /bin/sh -c 'for f in 0 1 2; do readlink /proc/self/fd/$f; done; ls -1 /dev/pts; echo $TERM' < /dev/null | tr -d '\r')
[ "$out" = $'/dev/pts/0\n/dev/pts/0\n/dev/pts/0\n0\nptmx\nxterm' ] &&
	tap_ok "fds 0-2 are /dev/pts/0 of the container's own devpts; TERM=xterm" || tap_fail "tty fds" "$out"
out=$("$RUN" --tty "$ROOT" /bin/sh -c 'ps -o pid,tty,comm 2>/dev/null | grep -c pts/0; cat /proc/self/stat | cut -d" " -f7' < /dev/null | tr -d '\r')
[ "$(tail -n 1 <<< "$out")" != 0 ] && tap_ok "the terminal is the controlling terminal (tty_nr $(tail -n 1 <<< "$out"))" || tap_fail "controlling terminal" "$out"
printf 'echo in-$((6*7))\nexit 3\n' | "$RUN" --tty "$ROOT" /bin/sh > "$WORK/relay" 2>&1; rc=$?
out=$(tr -d '\r' < "$WORK/relay")
grep -q '^in-42$' <<< "$out" && [ "$rc" = 3 ] && tap_ok "stdin is relayed to an interactive shell; its exit status 3 comes back" ||
	tap_fail "stdin relay" "exit $rc: $out"
if command -v script > /dev/null; then
	# (script's stdin stays open: at its end script would pass an end
	# character on and hang up, racing the command)
	out=$(script -qc "stty rows 33 cols 77; '$RUN' --tty '$ROOT' /bin/sh -c 'stty size'" /dev/null < <(sleep 10) |
		tr -d '\r' | sed 's/\^@//g' | grep -v '^$' | grep -v '^berth-run: warning: no cgroup: ')
	[ "$out" = "33 77" ] && tap_ok "the window size of berth-run's terminal is passed on (33 77)" || tap_fail "window size" "$out"
else
	tap_skip "window size" "no script(1) to give berth-run a terminal"
fi
out=$("$RUN" --tty "$ROOT" /bin/berth-probe < /dev/null | tr -d '\r' | grep -E '^(fds|Seccomp|CapEff)=' | tr '\n' ' ')
[ "$out" = "fds=0,1,2 CapEff=00000000a80425fb Seccomp=2 " ] && tap_ok "with --tty, still only fds 0-2 and the same profile" || tap_fail "profile with --tty" "$out"
tap_done
