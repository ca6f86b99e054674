#!/bin/bash
# init_services.sh — services.d supervision with the real init as PID 1 of a
# fresh pid+mount+cgroup namespace: start order from `after =`, restarts with
# growing back-off gaps, restart=never, orphans reaped, privilege drop, the
# size-bounded logs, the control socket (berthctl), a malformed file reported
# as file:line while the others run, and shutdown in reverse order with
# SIGKILL for a service that ignores its stop signal.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "services under init" || { tap_done; exit; }

S=$WORK/services.d
O=$WORK/out          # what services write; writable by nobody
mkdir -p "$S" "$O" && chmod 0777 "$O" && chmod 0755 "$WORK" # the scripts are read by nobody

svc() { # NAME BODY [EXTRA CONF LINES…]
	local name=$1 body=$2; shift 2
	printf '#!/bin/sh\n%s\n' "$body" > "$WORK/$name.sh"
	chmod 0755 "$WORK/$name.sh"
	{ echo "[service]"; echo "command = /bin/sh $WORK/$name.sh"; printf '%s\n' "$@"; } > "$S/$name.conf"
}
# A long-running service that records its start and its stop.
steady='trap "echo stop $0 >> '$O'/stops; exit 0" TERM
echo start $0 >> '$O'/starts
while :; do sleep 0.05; done'
svc zeta "$steady"
svc alpha "$steady" "after = zeta"
svc mid "$steady" "after = alpha"
svc crash "date +%s%N >> $O/crash.times; echo crash: error: on purpose; exit 3" "restart = on-failure"
svc never "echo ran >> $O/never.count; exit 1" "restart = never"
svc stubborn "trap '' TERM; echo up > $O/stubborn; while :; do sleep 0.05; done" "stop_timeout = 700ms"
svc orphans "for i in \$(seq 50); do ( sleep 0.3 & ); done; exit 0" "restart = never"
svc unpriv "grep -E '^(Uid|Gid|CapEff|CapBnd|CapAmb|NoNewPrivs)' /proc/self/status > $O/unpriv; exec sleep 1000" \
	"user = nobody" "group = nogroup"
svc bindcap "grep -E '^(Uid|CapEff|CapAmb)' /proc/self/status > $O/bindcap; exec sleep 1000" \
	"user = nobody" "capabilities = cap_net_bind_service"
svc chatty "head -c 700000 /dev/zero | tr '\\0' x; exec sleep 1000" "console = none"
svc envd "echo \"\$GREETING\" > $O/env; exec sleep 1000" "env = GREETING=hello world"
printf '[service]\ncommand = /bin/true\nrestart = sometimes\n' > "$S/broken.conf"

printf '#!/bin/sh\necho late > %s/late\nexec sleep 1000\n' "$O" > "$WORK/late.sh"
cat > "$WORK/console.sh" <<SH
#!/bin/sh
sleep 4
printf '[service]\\ncommand = /bin/sh $WORK/late.sh\\n' > $S/late.conf
kill -HUP 1
sleep 0.5
# A zombie seen twice, half a second apart, is one nobody reaps (a process
# that just exited is a zombie for a moment, until PID 1 gets to it).
zombies() { for s in /proc/[0-9]*/status; do grep -q '^State:.*Z' \$s 2>/dev/null && echo "\$s \$(grep -m1 '^Name' \$s)"; done | sort; }
zombies > $O/z1; sleep 0.5; zombies > $O/z2
comm -12 $O/z1 $O/z2 > $O/zombies
ls -l /run/berth/log > $O/logs.ls 2>&1
stat -c '%s' /run/berth/log/chatty.log > $O/chatty.size
stat -c '%s' /run/berth/log/chatty.log.1 > $O/chatty1.size
cat /run/berth/log/crash.log > $O/crash.log
stat -c '%a %U' /run/berth/init.sock > $O/sock.mode
stat -c '%a %U' /run/berth > $O/dir.mode
cat /proc/self/cgroup > $O/shell.cgroup
cat /sys/fs/cgroup/system/zeta/cgroup.procs > $O/zeta.procs 2>&1
awk -v d=$WORK/data '\$2 == d { print \$3 }' /proc/mounts > $O/data.fs
stat -c '%s %a' $WORK/data/random-seed > $O/seed 2>&1
# A client that connects and says nothing is answered and dropped at its
# deadline (a second), not left holding the one client slot.
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c '
import socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/run/berth/init.sock"); s.settimeout(5); t = time.monotonic()
try:
    r = s.recv(4096); print("answered %d bytes after %.1f s" % (len(r), time.monotonic() - t))
except socket.timeout:
    print("no answer after 5 s")' > $O/silent.txt 2>&1
$BIN/berthctl services > $O/services.txt 2>&1
$BIN/berthctl restart nosuch > $O/restart-nosuch.txt 2>&1; echo \$? >> $O/restart-nosuch.txt
setpriv --reuid 65534 $BIN/berthctl services > $O/nonroot.txt 2>&1; echo \$? >> $O/nonroot.txt
# past the 0700 directory and 0660 socket (CAP_DAC_OVERRIDE): the peer check refuses
setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps +dac_override --ambient-caps +dac_override \
	$BIN/berthctl services > $O/nonroot-dac.txt 2>&1; echo \$? >> $O/nonroot-dac.txt
$BIN/berthctl poweroff > $O/poweroff.txt 2>&1
sleep 30
SH
init_boot svc-test "$S" 90
rc=$INIT_RC
LOG=$WORK/init.log
[ "$rc" = 130 ] && tap_ok "init ran and powered off (berthctl poweroff)" ||
	tap_fail "init ran and powered off (berthctl poweroff)" "unshare exit $rc; log:"$'\n'"$(tail -20 "$LOG")"

# --- configuration
tap_check "malformed services.d file reported as file:line" grep -q "$S/broken.conf:3: restart: want always, on-failure or never" "$LOG"
tap_check "malformed service is skipped" grep -q "broken.conf: 1 error: service skipped" "$LOG"
tap_check "other services run next to the malformed one" grep -q "^start.*zeta.sh" "$O/starts"

# --- order
# (init's own log: the services' first lines race each other)
starts=$(sed -n 's/.*service \(zeta\|alpha\|mid\): started (pid.*/\1/p' "$LOG" | tr '\n' ' ')
[ "$starts" = "zeta alpha mid " ] && tap_ok "services start in 'after =' order (zeta alpha mid)" ||
	tap_fail "services start in 'after =' order" "got: $starts"
stops=$(awk '{ n = split($2, p, "/"); sub(/\.sh$/, "", p[n]); printf "%s ", p[n] }' "$O/stops" 2>/dev/null)
[ "$stops" = "mid alpha zeta " ] && tap_ok "shutdown stops them in reverse order (mid alpha zeta)" ||
	tap_fail "shutdown stops them in reverse order" "got: $stops"
tap_check "shutdown logs each service's stop with its duration" grep -qE "service mid: stopped \(exited with 0\) in [0-9]+ ms" "$LOG"

# --- restarts and back-off
mapfile -t times < "$O/crash.times"
gaps=()
for ((i = 1; i < ${#times[@]}; i++)); do gaps+=($(( (times[i] - times[i-1]) / 1000000 ))); done
# Each gap is at least its back-off (100 ms doubling); scheduling noise only
# adds to it, so the lower bounds hold on a loaded machine too.
grow=1 want=100
for ((i = 0; i < ${#gaps[@]}; i++)); do
	[ "${gaps[i]}" -ge $((want - 5)) ] || grow=0
	want=$((want * 2))
done
n=${#gaps[@]}
[ "$n" -ge 3 ] && [ "${gaps[n-1]}" -gt $(( gaps[0] * 2 )) ] || grow=0
if [ $grow = 1 ]; then
	tap_ok "a crashing service restarts with growing gaps (ms: ${gaps[*]})"
else
	tap_fail "a crashing service restarts with growing gaps" "starts: ${#times[@]}, gaps ms: ${gaps[*]}"
fi
tap_check "restart delays double from 100 ms" grep -q "service crash: exited with 3 after [0-9]* ms; restart in 400 ms" "$LOG"
[ "$(cat "$O/never.count" 2>/dev/null | wc -l)" = 1 ] && tap_ok "restart=never stays down (ran once)" ||
	tap_fail "restart=never stays down" "ran $(wc -l < "$O/never.count") times"
tap_check "restart=never logged as staying down" grep -q "service never: exited with 1 after .*restart=never: stays down" "$LOG"

# --- reaping
[ -f "$O/zombies" ] && [ ! -s "$O/zombies" ] && tap_ok "orphans of a service are reaped (no zombies)" ||
	tap_fail "orphans of a service are reaped" "zombies: $(cat "$O/zombies" 2>&1)"

# --- stop timeout
tap_check "a service ignoring SIGTERM gets SIGKILL after its stop timeout" \
	grep -q "service stubborn: still running 700 ms after signal 15: SIGKILL" "$LOG"
tap_check "the killed service is reported stopped" grep -q "service stubborn: stopped (killed by signal 9)" "$LOG"
tap_check "then every remaining process gets SIGTERM" grep -q "shutdown: SIGTERM to all" "$LOG"

# --- privileges
f=$O/unpriv
if grep -qE '^Uid:\s+65534' "$f" && grep -qE '^Gid:\s+65534' "$f" && grep -qE '^CapEff:\s+0+$' "$f" &&
	grep -qE '^CapBnd:\s+0+$' "$f" && grep -qE '^NoNewPrivs:\s+1' "$f"; then
	tap_ok "user = nobody: uid/gid 65534, no capabilities, empty bounding set, no_new_privs"
else tap_fail "user = nobody runs without privileges" "$(cat "$f" 2>&1)"; fi
f=$O/bindcap
if grep -qE '^CapEff:\s+0+400$' "$f" && grep -qE '^CapAmb:\s+0+400$' "$f"; then
	tap_ok "capabilities = cap_net_bind_service kept (effective and ambient) for a non-root user"
else tap_fail "capabilities kept for a non-root user" "$(cat "$f" 2>&1)"; fi
[ "$(cat "$O/env" 2>/dev/null)" = "hello world" ] && tap_ok "env = KEY=VALUE reaches the service" ||
	tap_fail "env = KEY=VALUE reaches the service" "got: $(cat "$O/env" 2>&1)"

# --- logs
tap_check "service output goes to /run/berth/log/NAME.log" grep -q "crash: error: on purpose" "$O/crash.log"
tap_check "lines with 'error' are mirrored to the console" grep -q "crash: crash: error: on purpose" "$LOG"
s=$(cat "$O/chatty.size" 2>/dev/null); s1=$(cat "$O/chatty1.size" 2>/dev/null)
max=$(( CONFIG_INIT_SVC_LOG_KB * 1024 ))
if [ -n "$s" ] && [ -n "$s1" ] && [ "$s" -le $max ] && [ "$s1" -le $max ]; then
	tap_ok "a service log is bounded ($s + $s1 bytes, at most $max each)"
else tap_fail "a service log is bounded" "sizes '$s' '$s1'; max $max; $(cat "$O/logs.ls")"; fi
tap_check "console = none keeps a service off the console" bash -c "! grep -q 'chatty: xxxx' '$LOG'"

# --- cgroups
tap_check "a service runs in /sys/fs/cgroup/system/NAME" test -s "$O/zeta.procs"

# --- data directory, hardening
[ "$(cat "$O/data.fs")" = tmpfs ] && tap_ok "no data partition: the data directory is a tmpfs" ||
	tap_fail "no data partition: the data directory is a tmpfs" "$(cat "$O/data.fs")"
tap_check "no data partition: a loud warning says state will not survive" grep -q "will NOT survive a reboot" "$LOG"
[ "$(cat "$O/seed")" = "512 600" ] && tap_ok "a fresh random seed (512 bytes, 0600) is written at boot" ||
	tap_fail "a fresh random seed is written at boot" "$(cat "$O/seed")"
tap_check "host hardening is left alone inside a pid namespace" grep -q "host hardening skipped" "$LOG"
tap_check "shutdown saves the seed, syncs, unmounts the data directory (timed)" bash -c \
	"grep -q 'shutdown: random seed saved in' '$LOG' && grep -q 'shutdown: sync in' '$LOG' && grep -q 'read-only and unmounted in' '$LOG'"

# --- reload
[ "$(cat "$O/late" 2>/dev/null)" = late ] && tap_ok "SIGHUP starts a service added to services.d" ||
	tap_fail "SIGHUP starts a service added to services.d" "$(grep -i 'late\|SIGHUP' "$LOG")"
tap_check "SIGHUP leaves known services alone (zeta started once)" test "$(grep -c 'service zeta: started' "$LOG")" = 1

# --- control socket
tap_check "berthctl services lists every service with its state" \
	bash -c "grep -qE '^zeta +running +[0-9]+ +0 ' '$O/services.txt' && grep -qE '^never +down +0 +0 .* exit 1' '$O/services.txt'"
if [ -x /usr/bin/python3 ]; then
	tap_check "a silent control client is answered and dropped at its 1 s deadline" \
		grep -qE '^answered [0-9]+ bytes after 1\.[0-9] s' "$O/silent.txt"
else tap_skip "a silent control client is dropped at its deadline" "no /usr/bin/python3"; fi
tap_check "berthctl services shows the crashing service's restarts" grep -qE '^crash +(backoff|running) +[0-9]+ +[1-9]' "$O/services.txt"
tap_check "berthctl restart of an unknown service fails (exit 1)" \
	bash -c "grep -q 'no such service' '$O/restart-nosuch.txt' && tail -1 '$O/restart-nosuch.txt' | grep -qx 1"
tap_check "the control socket refuses a non-root peer (SO_PEERCRED)" \
	bash -c "grep -q 'only root' '$O/nonroot.txt' || grep -q 'Permission denied' '$O/nonroot.txt'"
tap_check "a non-root peer past the file modes is refused by its uid (exit 1, logged)" \
	bash -c "grep -q 'only root and the berth-admin group may use the control socket' '$O/nonroot-dac.txt' && tail -1 '$O/nonroot-dac.txt' | grep -qx 1 && grep -q 'control socket: refused uid 65534: peer uid 65534 gid 65534 pid [0-9]*: not uid 0' '$LOG'"
# 0660 root:berth-admin; the host has no berth-admin group, so root:root
[ "$(cat "$O/sock.mode" 2>/dev/null)" = "660 root" ] && tap_ok "init.sock is 0660 root" ||
	tap_fail "init.sock is 0660 root" "$(cat "$O/sock.mode" 2>&1)"
[ "$(cat "$O/dir.mode" 2>/dev/null)" = "711 root" ] && tap_ok "/run/berth is 0711 root (each socket's own mode decides)" ||
	tap_fail "/run/berth is 0711 root (each socket's own mode decides)" "$(cat "$O/dir.mode" 2>&1)"
tap_check "control-socket poweroff is logged" grep -q "control socket: poweroff asked" "$LOG"
tap_done
