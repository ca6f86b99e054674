#!/bin/bash
# init_pid1.sh — the real static init as PID 1 of a fresh pid+mount
# namespace: it boots, reaps orphaned grandchildren, reports bad config lines
# with file:line and keeps going, and ends when it calls reboot() inside the
# namespace (the kernel then kills it with SIGINT).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

tap_check "init refuses to run when it is not PID 1 (exit 100)" \
	bash -c "'$INIT' --config /nonexistent > '$WORK/notpid1' 2>&1; rc=\$?; [ \$rc = 100 ] && grep -q 'must run as PID 1' '$WORK/notpid1'"

init_need "init as PID 1 (orphans, reboot)" || { tap_done; exit; }

# The "console shell" is this script: 100 orphans, then look for zombies,
# then ask init to power off (SIGUSR2) — as busybox poweroff does.
cat > "$WORK/orphans.sh" <<SH
#!/bin/sh
# Each subshell starts a sleeper and exits at once: the sleeper's parent is
# gone before it ends, so it is reparented to PID 1 and must be reaped there.
for i in \$(seq 100); do ( sleep 6 & ) ; done
# Count the sleepers ever seen with PID 1 as their parent (by pid: on a
# loaded machine the last ones start after the first have ended) until all
# 100 are seen, for at most 50 looks.
count() { n=0; for s in /proc/[0-9]*/status; do
	grep -q "^Name:.*sleep" \$s 2>/dev/null && grep -q "\$1" \$s 2>/dev/null && n=\$((n + 1))
done; echo \$n; }
reparented() { for s in /proc/[0-9]*/status; do
	grep -q "^Name:.*sleep" \$s 2>/dev/null && grep -q '^PPid:[[:space:]]*1\$' \$s 2>/dev/null && echo \$s
done; }
tries=0 orphans=0
: > $WORK/seen
while [ \$orphans -lt 100 ] && [ \$tries -lt 50 ]; do
	reparented >> $WORK/seen
	orphans=\$(sort -u $WORK/seen | wc -l)
	sleep 0.1; tries=\$((tries + 1))
done
# Then wait until no sleeper is alive (at most 20 s), and look for zombies.
tries=0
while [ \$(count '^State:[[:space:]]*[^Z]') -gt 0 ] && [ \$tries -lt 200 ]; do
	sleep 0.1; tries=\$((tries + 1))
done
sleep 0.5
zombies=\$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
{
	echo "mypid=\$\$"
	echo "orphans=\$orphans"
	echo "zombies=\$zombies"
	echo "hostname=\$(hostname)"
	echo "proc1=\$(cat /proc/1/comm)"
	# the topmost mount on each point (the host's, now hidden, are listed too)
	echo "mounts=\$(awk '{ top[\$2] = \$3 } END { for (m in top) print m ":" top[m] }' /proc/mounts | grep -E '^/(proc|sys|dev|dev/pts|dev/shm|run|tmp|sys/fs/cgroup):' | sort | tr '\n' ' ')"
} > $WORK/result
kill -USR2 1
sleep 30
SH
chmod +x "$WORK/orphans.sh"
cat > "$WORK/berth.conf" <<CONF
[system]
hostname = berth-hosttest
data = $WORK/data
data_ephemeral = 16M
console_shell = $WORK/orphans.sh
CONF
init_run orphans 60 "$INIT" --config "$WORK/berth.conf"
res() { sed -n "s/^$1=//p" "$WORK/result" 2>/dev/null; }

if [ -f "$WORK/result" ]; then tap_ok "the console shell ran under init"; else
	tap_fail "the console shell ran under init" "$(cat "$WORK/orphans.log")"; fi
tap_check "init printed 'berth: ready in N ms'" grep -qE 'berth: ready in [0-9]+ ms' "$WORK/orphans.log"
[ "$(res proc1)" = init ] && tap_ok "PID 1 in the namespace is init" || tap_fail "PID 1 in the namespace is init" "proc1=$(res proc1)"
o=$(res orphans)
[ "${o:-0}" -ge 90 ] && tap_ok "orphans were reparented to init ($o of 100 seen with PPid 1)" ||
	tap_fail "orphans were reparented to init" "orphans=$o"
[ "$(res zombies)" = 0 ] && tap_ok "no zombies after 100 orphans exited" ||
	tap_fail "no zombies after 100 orphans exited" "zombies=$(res zombies)"
[ "$(res hostname)" = berth-hosttest ] && tap_ok "hostname from berth.conf" ||
	tap_fail "hostname from berth.conf" "hostname=$(res hostname)"
want="/dev/pts:devpts /dev/shm:tmpfs /dev:devtmpfs /proc:proc /run:tmpfs /sys/fs/cgroup:cgroup2 /sys:sysfs /tmp:tmpfs "
[ "$(res mounts)" = "$want" ] && tap_ok "early filesystems mounted" ||
	tap_fail "early filesystems mounted" "got:  $(res mounts)"$'\n'"want: $want"
tap_check "shutdown was logged with its steps" grep -q 'shutdown: poweroff after' "$WORK/orphans.log"
# unshare re-raises the signal that killed its child: SIGINT → 130.
[ "$INIT_RC" = 130 ] && tap_ok "init ended by reboot() inside the namespace (SIGINT)" ||
	tap_fail "init ended by reboot() inside the namespace (SIGINT)" "unshare exit $INIT_RC; log:"$'\n'"$(tail -5 "$WORK/orphans.log")"

# A bad line is reported as file:line and skipped; the rest still applies.
cat > "$WORK/bad.conf" <<CONF
[system]
hostname = -not-a-hostname
modules = virtio/../../evil
console_shell = $WORK/poweroff.sh
data = $WORK/data
data_ephemeral = 16M
CONF
printf '#!/bin/sh\nhostname > %s/bad-result\nkill -USR2 1\nsleep 30\n' "$WORK" > "$WORK/poweroff.sh"
chmod +x "$WORK/poweroff.sh"
init_run bad 60 "$INIT" --config "$WORK/bad.conf"
tap_check "bad hostname reported as file:line" grep -q "$WORK/bad.conf:2: hostname:" "$WORK/bad.log"
tap_check "bad modules value reported as file:line" grep -q "$WORK/bad.conf:3: modules:" "$WORK/bad.log"
[ -f "$WORK/bad-result" ] && [ "$INIT_RC" = 130 ] && tap_ok "boot went on after the bad lines" ||
	tap_fail "boot went on after the bad lines" "$(tail -5 "$WORK/bad.log")"

# berthctl reboot and halt reach PID 1 through the control socket; inside a
# pid namespace reboot(2) then ends init with SIGHUP (reboot) or SIGINT (halt).
for how in reboot:129 halt:130; do
	cmd=${how%:*} want=${how#*:}
	printf '#!/bin/sh\n%s %s\nsleep 30\n' "$BIN/berthctl" "$cmd" > "$WORK/$cmd.sh"
	chmod +x "$WORK/$cmd.sh"
	printf '[system]\ndata = %s\ndata_ephemeral = 16M\nconsole_shell = %s\n' "$WORK/data" "$WORK/$cmd.sh" > "$WORK/$cmd.conf"
	init_run "$cmd" 60 "$INIT" --config "$WORK/$cmd.conf"
	if [ "$INIT_RC" = "$want" ] && grep -q "control socket: $cmd asked" "$WORK/$cmd.log" &&
		grep -q "shutdown: $cmd after" "$WORK/$cmd.log"; then
		tap_ok "berthctl $cmd: init shuts down and calls reboot(2) for $cmd"
	else
		tap_fail "berthctl $cmd: init shuts down and calls reboot(2) for $cmd" "exit $INIT_RC (want $want); $(tail -5 "$WORK/$cmd.log")"
	fi
done
tap_done
