#!/bin/bash
# shim_exec.sh — berth-shim's terminal and exec: a tty container and its
# resize (stty size inside sees it), exec with and without a terminal,
# its exit code, a missing or non-executable command (dockerd's text,
# 127/126), the exec's user, environment and working directory, and the
# container's profile kept by an exec.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/shim.sh"
shim_setup || { tap_done; exit; }

# --- a tty container: resize before start and while it runs
shim_new tt --tty -- /bin/sh -c 'stty size; while [ ! -e /tmp/go-tt ]; do sleep 0.05; done; stty size; tty'
shim_spawn tt > /dev/null
client attach "$(ctl tt)" 2 > "$WORK/tt.out" 2> "$WORK/tt.err" &
ap=$!
wait_for "$WORK/tt.err" attached
client resize "$(ctl tt)" 33 77 > /dev/null
client start "$(ctl tt)" > /dev/null
wait_for "$WORK/tt.out" "33 77"
client resize "$(ctl tt)" 40 100 > /dev/null
touch "$ROOT/tmp/go-tt"
wait $ap
out=$(tr -d '\r' < "$WORK/tt.out")
[ "$out" = $'33 77\n40 100\n/dev/pts/0' ] && tap_ok "tty: the size set before start, then a resize, seen by stty inside" ||
	tap_fail "tty resize" "$out"
shim_wait_gone tt
grep -q '"log":"33 77\\r\\n"' "$WORK/tt/log.json" && tap_ok "tty output is logged as stdout (with the terminal's \\r\\n)" ||
	tap_fail "tty log" "$(head -n 2 "$WORK/tt/log.json")"
shim_new nt -- /bin/true
shim_spawn nt > /dev/null
out=$(client resize "$(ctl nt)" 10 10)
[[ $out == "error resize: not a terminal" ]] && tap_ok "resize without a terminal is refused" || tap_fail "resize no tty" "$out"
client kill "$(ctl nt)" 9 > /dev/null

# --- exec in a running container
shim_new ex --tty -- /bin/sh -c 'sleep 60'
shim_spawn ex > /dev/null
client start "$(ctl ex)" > /dev/null
C=$(ctl ex)
out=$(client exec "$C" 14 0 /bin/sh -c 'echo out; echo err >&2; exit 5' | od -An -c | tr -s ' ' | tr -d '\n')
want=$(printf '\001\0\0\0\0\0\0\004out\n\002\0\0\0\0\0\0\004err\nexit 5 running 0\n' | od -An -c | tr -s ' ' | tr -d '\n')
[ "$out" = "$want" ] && tap_ok "exec without a tty: stdout and stderr frames, exit code 5 final when the stream ends" ||
	tap_fail "exec mux" "$out"
out=$(client exec "$C" 6 1 /bin/sh -c 'tty; echo $TERM; exit 7' | tr -d '\r')
[[ $out == $'/dev/pts/'[0-9]*$'\nxterm\nexit 7 running 0' ]] && tap_ok "exec with a tty: its own terminal in the container's devpts, TERM, exit 7" ||
	tap_fail "exec tty" "$out"
out=$(echo piped | client exec "$C" 7 0 /bin/cat)
[ "$out" = $'piped\nexit 0 running 0' ] && tap_ok "exec stdin: the client's half-close ends the exec's stdin" || tap_fail "exec stdin" "$out"
out=$(client exec "$C" 14 0 no-such-cmd | tail -c +9)
[ "$out" = $'OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-cmd": executable file not found in $PATH: unknown\r\nexit 127 running 0' ] &&
	tap_ok "exec of a missing command: dockerd's text as a stdout frame, 127" || tap_fail "exec not found" "$out"
out=$(client exec "$C" 14 0 /etc/passwd | tail -c +9)
[[ $out == *'exec: "/etc/passwd": permission denied: unknown'*'exit 126 running 0' ]] &&
	tap_ok "exec of a file that is not executable: 126" || tap_fail "exec 126" "$out"
out=$(client exec "$C" 6 0 /bin/sh -c 'id -u; id -g; echo $HOME' 2>&1)
[ "$out" = $'0\n0\n/root\nexit 0 running 0' ] && tap_ok "exec as the container's user by default" || tap_fail "exec user" "$out"
out=$(client exec "$C" 6 0 -u app -e FOO=bar -e HOSTNAME=over -w /tmp /bin/sh -c 'id -u; id -g; echo $HOME $FOO $HOSTNAME; pwd' 2>&1)
[ "$out" = $'1000\n1001\n/home/app bar over\n/tmp\nexit 0 running 0' ] &&
	tap_ok "exec -u app -e -w: the image's passwd, its HOME, the env over the container's, the directory" ||
	tap_fail "exec user/env/workdir" "$out"
out=$(client exec "$C" 6 1 -r 20 50 /bin/sh -c 'sleep 0.3; stty size' | tr -d '\r')
[ "$out" = $'20 50\nexit 0 running 0' ] && tap_ok "exec resize: stty size inside the exec's terminal" || tap_fail "exec resize" "$out"
out=$(client exec "$C" 0 0 -d /bin/sh -c 'sleep 0.2; exit 4')
[ "$out" = "exit 4 running 0" ] && tap_ok "a detached exec: no connection, its exit code" || tap_fail "detached exec" "$out"
out=$(client exec "$C" 6 0 /bin/berth-probe | grep -E '^(CapEff|Seccomp|NoNewPrivs)=' | tr '\n' ' ')
[ "$out" = "CapEff=00000000a80425fb NoNewPrivs=1 Seccomp=2 " ] &&
	tap_ok "an exec keeps the container's profile: capabilities, no_new_privs, seccomp" || tap_fail "exec profile" "$out"
pid1=$(client exec "$C" 6 0 /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname' | head -n 2 | tr '\n' '|')
[ "$pid1" = "sleep 60 |shimtest|" ] && tap_ok "an exec sees the container's pid namespace and hostname" ||
	tap_fail "exec namespaces" "$pid1"
tap_done
