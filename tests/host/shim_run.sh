#!/bin/bash
# shim_run.sh — berth-shim driven through its client library
# (tests/host/helpers/shim_client.c): the container's exit code and
# signal in state.json, the log and its rotation, attach before start and
# while logging, a client that never reads, a client killed with -9.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/shim.sh"
shim_setup || { tap_done; exit; }

# --- exit code and a signal in state.json
shim_new ex -- /bin/sh -c 'exit 3'
out=$(shim_spawn ex)
[ "$out" = ok ] && [ "$(client state "$WORK/ex")" = "created exit 0" ] &&
	tap_ok "spawn: ready, state.json says created" || tap_fail "spawn" "$out $(cat "$WORK/ex/state.json")"
(client wait "$(ctl ex)" > "$WORK/ex.wait" 2> "$WORK/ex.wait.err" &)
wait_for "$WORK/ex.wait.err" connected
client start "$(ctl ex)" > /dev/null
shim_wait_gone ex && [ "$(client state "$WORK/ex")" = "exited exit 3" ] && grep -q '^exit 3 oom 0$' "$WORK/ex.wait" &&
	tap_ok "exit code 3: recorded in state.json, answered to a waiter, the shim is gone" ||
	tap_fail "exit code" "$(cat "$WORK/ex/state.json" "$WORK/ex.wait")"
grep -q '"started_ns":[1-9]' "$WORK/ex/state.json" && grep -q '"finished_ns":[1-9]' "$WORK/ex/state.json" &&
	tap_ok "start and finish times recorded" || tap_fail "times" "$(cat "$WORK/ex/state.json")"

shim_new sig -- /bin/sh -c 'trap "exit 42" TERM; while true; do sleep 0.1; done'
shim_spawn sig > /dev/null
client start "$(ctl sig)" > /dev/null
(client wait "$(ctl sig)" > "$WORK/sig.wait" 2> "$WORK/sig.wait.err" &)
wait_for "$WORK/sig.wait.err" connected
grep -q '"status":"running"' "$WORK/sig/state.json" && tap_ok "started: running in state.json" ||
	tap_fail "running" "$(cat "$WORK/sig/state.json")"
client kill "$(ctl sig)" 15 > /dev/null
shim_wait_gone sig && [ "$(client state "$WORK/sig")" = "exited exit 42" ] && grep -q '^exit 42' "$WORK/sig.wait" &&
	tap_ok "SIGTERM through the shim reaches the container's trap (exit 42)" || tap_fail "signal" "$(cat "$WORK/sig/state.json")"

# --- start failures: a missing command is 127, and the shim ends
shim_new nf -- /no/such/command
shim_spawn nf > /dev/null
out=$(client start "$(ctl nf)")
shim_wait_gone nf && [[ $out == "error 5 127: "* ]] && [ "$(client state "$WORK/nf")" = "exited exit 127" ] &&
	grep -q '"error":"exec /no/such/command: No such file' "$WORK/nf/state.json" &&
	tap_ok "a missing command: start fails with class exec, 127, the error in state.json" ||
	tap_fail "missing command" "$out $(cat "$WORK/nf/state.json")"
mkdir -p "$WORK/bad"
echo '{"version":1,"rootfs":"/nonexistent","argv":["true"]}' > "$WORK/bad/spec.json"
out=$(shim_spawn bad)
[[ $out == "error 3 0: berth-shim: root /nonexistent"* ]] && [ ! -e "$(ctl bad)" ] && ! pgrep -f "$WORK/bad" > /dev/null &&
	tap_ok "a spec the launcher refuses: the shim's message (image class), nothing left running" ||
	tap_fail "bad spec" "$out"

out=$(timeout 20 "$CLIENT" spawn "$WORK/no-such-shim" "$WORK/bad" "$WORK/run/x/ctl")
[[ $out == *"berth-shim ended without saying it was ready"* ]] && tap_ok "a shim binary that cannot run: an error, no hang" ||
	tap_fail "missing shim binary" "$out"

# --- the log: lines, streams, rotation at the limit
shim_new lg --log-max 2000 --log-files 3 -- /bin/sh -c 'i=0; while [ $i -lt 100 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2'
shim_spawn lg > /dev/null
client start "$(ctl lg)" > /dev/null
shim_wait_gone lg
n=$(cat "$WORK"/lg/log.json* | wc -l)
sz=$(stat -c %s "$WORK/lg/log.json" "$WORK/lg/log.json.1" "$WORK/lg/log.json.2" 2> /dev/null | sort -n | tail -n 1)
[ -f "$WORK/lg/log.json.2" ] && [ ! -e "$WORK/lg/log.json.3" ] && [ "$sz" -le 2000 ] && [ "$n" -lt 101 ] &&
	tap_ok "rotated at 2000 bytes, 3 files kept ($n entries left of 101)" ||
	tap_fail "rotation" "$(ls -l "$WORK/lg")"
tail -n 1 "$WORK/lg/log.json" | grep -q '^{"log":"oops\\n","stream":"stderr","time":"20[0-9-]*T[0-9:]*\.[0-9]\{9\}Z"}$' &&
	cat "$WORK"/lg/log.json* | grep -q '^{"log":"line 99\\n","stream":"stdout"' &&
	tap_ok "json-file entries: the line, its stream, the time with 9 digits" || tap_fail "log format" "$(tail -n 2 "$WORK/lg/log.json")"

# --- attach before start gets the first line; several at once; multiplexed frames
shim_new at -- /bin/sh -c 'echo first; echo second >&2; sleep 0.3; echo third'
shim_spawn at > /dev/null
client attach "$(ctl at)" 6 > "$WORK/at.raw" 2> "$WORK/at.raw.err" &
a1=$!
client attach "$(ctl at)" 14 > "$WORK/at.mux" 2> "$WORK/at.mux.err" &
a2=$!
wait_for "$WORK/at.raw.err" attached
wait_for "$WORK/at.mux.err" attached
client start "$(ctl at)" > /dev/null
wait $a1 $a2
[ "$(cat "$WORK/at.raw")" = $'first\nsecond\nthird' ] &&
	tap_ok "attach before start: everything from the first line; closed at the end of the output" ||
	tap_fail "attach before start" "$(od -c "$WORK/at.raw" | head)"
want=$(printf '\001\0\0\0\0\0\0\006first\n\002\0\0\0\0\0\0\007second\n\001\0\0\0\0\0\0\006third\n' | od -An -c)
[ "$(od -An -c < "$WORK/at.mux")" = "$want" ] && tap_ok "a second attach with SHIM_MUX: DOCKER_API.md 5.2 frames" ||
	tap_fail "mux" "$(od -c "$WORK/at.mux" | head)"

# --- attach while logging, with stdin (StdinOnce: its end closes the container's stdin)
shim_new in --stdin --once -- /bin/sh -c 'echo ready; while read l; do echo "got $l"; done; echo done'
shim_spawn in > /dev/null
client start "$(ctl in)" > /dev/null
wait_for "$WORK/in/log.json" ready
out=$(printf 'a\nb\n' | client attach "$(ctl in)" 7 stdin 2> /dev/null)
shim_wait_gone in
[ "$out" = $'got a\ngot b\ndone' ] && grep -q '"log":"ready\\n"' "$WORK/in/log.json" && grep -q '"log":"done\\n"' "$WORK/in/log.json" &&
	tap_ok "attach while running: stdin in, its end closes the container's stdin (StdinOnce), output out and logged" ||
	tap_fail "attach with stdin" "$out"

# --- a client that never reads: the log and the container go on
shim_new slow -- /bin/sh -c 'i=0; while [ $i -lt 20000 ]; do echo "a long line of output to fill the buffers $i"; i=$((i+1)); done'
shim_spawn slow > /dev/null
python3 -c '
import socket, sys, array, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
a, b = socket.socketpair()
s.sendmsg([b"attach 6"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [b.fileno()]))])
print(s.recv(100).decode(), flush=True); b.close(); time.sleep(8)' "$(ctl slow)" > "$WORK/slow.out" &
py=$!
wait_for "$WORK/slow.out" ok
client start "$(ctl slow)" > /dev/null
for i in $(seq 50); do grep -q '"status":"exited"' "$WORK/slow/state.json" && break; sleep 0.1; done
n=$(grep -c 'buffers' "$WORK/slow/log.json")
[ "$n" = 20000 ] && grep -q '"status":"exited"' "$WORK/slow/state.json" &&
	tap_ok "an attached client that never reads: all 20000 lines (1 MB) logged, the container exited" ||
	tap_fail "slow client" "$n lines, $(cat "$WORK/slow/state.json")"
# the next run's shim on the same socket path while this one still serves
old=$(shim_pid slow)
out=$(shim_spawn slow)
kill $py 2> /dev/null
wait $py 2> /dev/null
for i in $(seq 50); do kill -0 "$old" 2> /dev/null || break; sleep 0.1; done
! kill -0 "$old" 2> /dev/null && tap_ok "the slow client's end: the shim exits" || tap_fail "shim exit after the slow client" ""
[ "$out" = ok ] && [ -S "$(ctl slow)" ] && [ "$(client kill "$(ctl slow)" 9)" = ok ] &&
	tap_ok "a shim ending after the next run's shim took the socket path leaves that one's socket alone" ||
	tap_fail "socket of the next shim" "$out"
shim_wait_gone slow

# --- kill -9 of a client leaves the container and its shim running
shim_new k9 -- /bin/sh -c 'while true; do echo tick; sleep 0.1; done'
shim_spawn k9 > /dev/null
client start "$(ctl k9)" > /dev/null
client attach "$(ctl k9)" 6 > /dev/null 2> "$WORK/k9.err" &
cp=$!
wait_for "$WORK/k9.err" attached
{ kill -9 $cp; wait $cp; } 2> /dev/null
sleep 0.3
before=$(grep -c tick "$WORK/k9/log.json")
sleep 0.5
after=$(grep -c tick "$WORK/k9/log.json")
pid=$(shim_pid k9)
[ -e "$(ctl k9)" ] && kill -0 "$pid" && [ "$after" -gt "$before" ] && grep -q '"status":"running"' "$WORK/k9/state.json" &&
	tap_ok "kill -9 of an attached client: shim and container run on, the log grows" ||
	tap_fail "kill -9 client" "$before $after $(cat "$WORK/k9/state.json")"
read -r sid ppid < <(ps -o sid=,ppid= -p "$pid")
[ "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')" ] && [ "$ppid" != $$ ] &&
	tap_ok "the shim is detached: a session of its own, not a child of its spawner (ppid $ppid)" ||
	tap_fail "detached" "sid $sid ppid $ppid"
client kill "$(ctl k9)" 9 > /dev/null
shim_wait_gone k9 && [ "$(client state "$WORK/k9")" = "exited exit 137" ] && tap_ok "then SIGKILL: killed by signal 9 is exit 137" ||
	tap_fail "kill 9" "$(cat "$WORK/k9/state.json")"

# --- only root may use the control socket
shim_new rt -- /bin/sleep 60
shim_spawn rt > /dev/null
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$CLIENT" kill "$(ctl rt)" 9 2>&1)
[[ $out == *"Permission denied"* ]] && grep -q '"status":"created"' "$WORK/rt/state.json" &&
	tap_ok "the control socket refuses another user ($out)" || tap_fail "root only" "$out"
out=$(python3 -c '
import socket, sys
def ask(m):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.connect(sys.argv[1])
    s.send(m); r = s.recv(4096); s.close(); return r.decode() or "closed"
print(ask(b"x" * 70000), ask(b"kill\0 9"), ask(b"frobnicate"), ask(b"kill 99"), sep="|")' "$(ctl rt)" 2>&1)
[ "$out" = "closed|closed|err 22 4 0 unknown request 'frobnicate'|err 22 4 0 kill: bad signal '99'" ] &&
	grep -q '"status":"created"' "$WORK/rt/state.json" &&
	tap_ok "control messages over 64 KiB or with a NUL close the connection; unknown ones are refused; the shim serves on" ||
	tap_fail "bad control messages" "$out"
client kill "$(ctl rt)" 9 > /dev/null
shim_wait_gone rt
tap_done
