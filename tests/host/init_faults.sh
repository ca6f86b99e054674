#!/bin/bash
# init_faults.sh — PID 1 where things go wrong, with the real static init as
# PID 1 of a fresh pid+mount namespace: --help given to PID 1; no signalfd
# (a seccomp filter refuses it: signals are then polled and children still
# reaped); a FIFO where berth.conf or a services.d file is expected; power
# signals and control requests from root without CAP_SYS_BOOT (refused);
# a reboot(2) that fails (retried, then halted while still reaping).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "init faults" || { tap_done; exit; }
chmod 0755 "$WORK"

conf() { # NAME SHELL-BODY: a berth.conf whose console shell runs BODY
	printf '#!/bin/sh\n%s\n' "$2" > "$WORK/$1.sh"
	chmod 0755 "$WORK/$1.sh"
	printf '[system]\ndata = %s/data\nservices = %s/%s.d\nconsole_shell = %s/%s.sh\n' \
		"$WORK" "$WORK" "$1" "$WORK" "$1" > "$WORK/$1.conf"
	mkdir -p "$WORK/$1.d"
}
zombies='grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l'

# --help as PID 1 prints the usage and boots all the same (a PID 1 that
# returns panics the kernel).
conf help "echo up > $WORK/help.result; kill -USR2 1; sleep 30"
init_run help 20 "$INIT" --help --config "$WORK/help.conf"
tap_check "--help as PID 1 prints the usage" grep -q '^usage: init' "$WORK/help.log"
[ -f "$WORK/help.result" ] && [ "$INIT_RC" = 130 ] && tap_ok "--help as PID 1: init boots and runs on" ||
	tap_fail "--help as PID 1: init boots and runs on" "exit $INIT_RC; $(tail -3 "$WORK/help.log")"

# No signalfd: signals are polled, orphans still reaped, SIGUSR2 still
# powers off.
if gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$WORK/no_signalfd" "$TOP/tests/host/helpers/no_signalfd.c"; then
	conf nosfd "for i in \$(seq 20); do ( sleep 0.2 & ); done
sleep 1.5
$zombies > $WORK/nosfd.zombies
kill -USR2 1
sleep 30"
	init_run nosfd 20 "$WORK/no_signalfd" "$INIT" --config "$WORK/nosfd.conf"
	tap_check "without a signalfd init says it polls" grep -q 'signals polled every' "$WORK/nosfd.log"
	[ "$(cat "$WORK/nosfd.zombies" 2>/dev/null)" = 0 ] && tap_ok "without a signalfd orphans are still reaped" ||
		tap_fail "without a signalfd orphans are still reaped" "zombies=$(cat "$WORK/nosfd.zombies" 2>/dev/null)"
	[ "$INIT_RC" = 130 ] && tap_ok "without a signalfd SIGUSR2 still powers off" ||
		tap_fail "without a signalfd SIGUSR2 still powers off" "exit $INIT_RC; $(tail -3 "$WORK/nosfd.log")"
else
	tap_fail "build tests/host/helpers/no_signalfd.c" "gcc failed"
fi

# A FIFO where a config file is expected is refused, not opened and waited
# on: berth.conf, then a services.d file beside a good one.
mkfifo "$WORK/fifo.conf"
if init_bg fifoconf "$INIT" --config "$WORK/fifo.conf"; then
	tap_ok "a FIFO as berth.conf: init boots to ready"
else
	tap_fail "a FIFO as berth.conf: init boots to ready" "$(tail -3 "$WORK/fifoconf.log")"
fi
init_end
tap_check "a FIFO as berth.conf is reported" grep -q 'fifo.conf: a FIFO' "$WORK/fifoconf.log"
conf fifosvc "sleep 1; cat /proc/[0-9]*/comm > $WORK/fifosvc.comm; kill -USR2 1; sleep 30"
mkfifo "$WORK/fifosvc.d/a-fifo.conf"
printf '[service]\ncommand = /bin/sleep 1000\n' > "$WORK/fifosvc.d/b-good.conf"
init_run fifosvc 20 "$INIT" --config "$WORK/fifosvc.conf"
tap_check "a FIFO in services.d is reported" grep -q 'a-fifo.conf: a FIFO' "$WORK/fifosvc.log"
grep -qx sleep "$WORK/fifosvc.comm" 2>/dev/null && [ "$INIT_RC" = 130 ] &&
	tap_ok "a FIFO in services.d: the other services start, init runs on" ||
	tap_fail "a FIFO in services.d: the other services start, init runs on" "exit $INIT_RC; $(tail -3 "$WORK/fifosvc.log")"

# Root without CAP_SYS_BOOT may not power off by signal or ask for a
# reboot or restart on the control socket; it may still list services.
nocap="setpriv --inh-caps=-all --bounding-set=-sys_boot"
# (the senders stay alive while PID 1 reads their capabilities: a root
# sender already gone is trusted, see init/signals.h)
conf nocap "$nocap /bin/sh -c 'kill -TERM 1; sleep 1' & $nocap /bin/sh -c 'kill -USR1 1; sleep 1'
sleep 1
echo alive > $WORK/nocap.alive
$nocap $BIN/berthctl reboot > $WORK/nocap.reboot 2>&1; echo \$? >> $WORK/nocap.reboot
$nocap $BIN/berthctl restart b > $WORK/nocap.restart 2>&1; echo \$? >> $WORK/nocap.restart
$nocap $BIN/berthctl services > $WORK/nocap.services 2>&1; echo \$? >> $WORK/nocap.services
$BIN/berthctl restart b > $WORK/root.restart 2>&1; echo \$? >> $WORK/root.restart
kill -USR2 1
sleep 30"
printf '[service]\ncommand = /bin/sleep 1000\n' > "$WORK/nocap.d/b.conf"
init_run nocap 30 "$INIT" --config "$WORK/nocap.conf"
[ -f "$WORK/nocap.alive" ] && [ "$(grep -c 'refused: sender lacks CAP_SYS_BOOT' "$WORK/nocap.log")" = 2 ] &&
	tap_ok "SIGTERM and SIGUSR1 from root without CAP_SYS_BOOT are refused" ||
	tap_fail "SIGTERM and SIGUSR1 from root without CAP_SYS_BOOT are refused" "$(grep -i 'signal\|shutdown' "$WORK/nocap.log" | tail -5)"
tail -1 "$WORK/nocap.reboot" 2>/dev/null | grep -qx 1 && grep -q 'CAP_SYS_BOOT' "$WORK/nocap.reboot" &&
	tap_ok "berthctl reboot without CAP_SYS_BOOT is refused" ||
	tap_fail "berthctl reboot without CAP_SYS_BOOT is refused" "$(cat "$WORK/nocap.reboot" 2>/dev/null)"
tail -1 "$WORK/nocap.restart" 2>/dev/null | grep -qx 1 &&
	tap_ok "berthctl restart without CAP_SYS_BOOT is refused" ||
	tap_fail "berthctl restart without CAP_SYS_BOOT is refused" "$(cat "$WORK/nocap.restart" 2>/dev/null)"
tail -1 "$WORK/nocap.services" 2>/dev/null | grep -qx 0 && grep -q '^b ' "$WORK/nocap.services" &&
	tap_ok "berthctl services works for root without CAP_SYS_BOOT" ||
	tap_fail "berthctl services works for root without CAP_SYS_BOOT" "$(cat "$WORK/nocap.services" 2>/dev/null)"
tail -1 "$WORK/root.restart" 2>/dev/null | grep -qx 0 && [ "$INIT_RC" = 130 ] &&
	tap_ok "root with its capabilities still restarts and powers off" ||
	tap_fail "root with its capabilities still restarts and powers off" "exit $INIT_RC; $(cat "$WORK/root.restart" 2>/dev/null)"

# The berth-admin group (from a bind-mounted /etc/group) may list services
# through the socket (0660 root:berth-admin in /run/berth, 0711 root) and no more.
sed '/^berth-admin:/d' /etc/group > "$WORK/group"
echo 'berth-admin:x:4242:' >> "$WORK/group"
as_admin="setpriv --reuid 65534 --regid 65534 --groups 4242 --inh-caps=-all --bounding-set=-all"
as_other="setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all --bounding-set=-all"
conf admin "stat -c '%a %U %g' /run/berth /run/berth/init.sock > $WORK/admin.modes
$as_admin $BIN/berthctl services > $WORK/admin.services 2>&1; echo \$? >> $WORK/admin.services
$as_admin $BIN/berthctl poweroff > $WORK/admin.poweroff 2>&1; echo \$? >> $WORK/admin.poweroff
$as_other $BIN/berthctl services > $WORK/other.services 2>&1; echo \$? >> $WORK/other.services
kill -USR2 1
sleep 30"
printf '[service]\ncommand = /bin/sleep 1000\n' > "$WORK/admin.d/b.conf"
init_run admin 30 /bin/sh -c "mount --bind '$WORK/group' /etc/group && exec '$INIT' --config '$WORK/admin.conf'"
[ "$(cat "$WORK/admin.modes" 2>/dev/null | tr '\n' ' ')" = "711 root 0 660 root 4242 " ] &&
	tap_ok "/run/berth is 0711 root and init.sock 0660 root:berth-admin" ||
	tap_fail "/run/berth is 0711 root and init.sock 0660 root:berth-admin" "$(cat "$WORK/admin.modes" 2>&1)"
tail -1 "$WORK/admin.services" 2>/dev/null | grep -qx 0 && grep -q '^b ' "$WORK/admin.services" &&
	tap_ok "a berth-admin member lists services" ||
	tap_fail "a berth-admin member lists services" "$(cat "$WORK/admin.services" 2>&1)"
tail -1 "$WORK/admin.poweroff" 2>/dev/null | grep -qx 1 && grep -q 'Permission denied' "$WORK/other.services" &&
	[ "$INIT_RC" = 130 ] && tap_ok "a berth-admin member may not power off; a user outside it may not list" ||
	tap_fail "a berth-admin member may not power off; a user outside it may not list" \
		"$(cat "$WORK/admin.poweroff" "$WORK/other.services" 2>&1)"

# A restart starts the new run only once the old run's cgroup is empty:
# the new run counts the old run's 300 sleepers (SIGKILLed by cgroup.kill,
# some still exiting) in its cgroup as it starts.
cat > "$WORK/svc-linger.sh" <<SH
#!/bin/sh
n=\$(for p in \$(cat /sys/fs/cgroup/system/linger/cgroup.procs); do cat /proc/\$p/comm 2>/dev/null; done | grep -c '^sleep\$')
echo "start \$n" >> $WORK/linger.runs
for i in \$(seq 300); do sleep 1000 & done
echo ready >> $WORK/linger.runs
wait
SH
chmod 0755 "$WORK/svc-linger.sh"
conf linger "for i in \$(seq 200); do grep -q ready $WORK/linger.runs 2>/dev/null && break; sleep 0.1; done
$BIN/berthctl restart linger
for i in \$(seq 200); do [ \$(grep -c ready $WORK/linger.runs) = 2 ] && break; sleep 0.1; done
kill -USR2 1
sleep 30"
printf "[service]\ncommand = /bin/sh %s/svc-linger.sh\nstop_timeout = 1s\n" "$WORK" > "$WORK/linger.d/linger.conf"
touch "$WORK/linger.runs" && chmod 0666 "$WORK/linger.runs" # the service runs as nobody here
init_run linger 60 "$INIT" --config "$WORK/linger.conf"
[ "$(grep -c '^start 0$' "$WORK/linger.runs" 2>/dev/null)" = 2 ] &&
	tap_ok "a restarted service starts only once its old cgroup is empty" ||
	tap_fail "a restarted service starts only once its old cgroup is empty" "$(cat "$WORK/linger.runs" 2>&1; grep linger "$WORK/linger.log" | tail -4)"

# reboot(2) fails (init without CAP_SYS_BOOT): retried, then halted; the
# halted PID 1 still reaps and does not start a second shutdown.
conf noboot "sleep 30"
if init_bg noboot setpriv --inh-caps=-all --bounding-set=-sys_boot "$INIT" --config "$WORK/noboot.conf"; then
	kill -TERM "$INIT_PID" # from outside its PID namespace: pid 0, allowed
	if init_wait_log noboot 'halted; PID 1 only reaps' 20; then
		tap_ok "a failed reboot(2) is retried, then PID 1 stays halted"
	else
		tap_fail "a failed reboot(2) is retried, then PID 1 stays halted" "$(tail -5 "$WORK/noboot.log")"
	fi
	nsenter -t "$INIT_PID" -p -m /bin/sh -c '( sleep 0.2 & ); for i in 1 2 3 4 5; do ( true & ); done' 2>/dev/null
	kill -TERM "$INIT_PID"
	sleep 1
	z=$(ps -o stat= --ppid "$INIT_PID" | grep -c Z)
	kill -0 "$INIT_PID" 2>/dev/null && [ "$z" = 0 ] && tap_ok "halted PID 1 still reaps orphans" ||
		tap_fail "halted PID 1 still reaps orphans" "zombies=$z"
	[ "$(grep -c 'shutdown: reboot$' "$WORK/noboot.log")" = 1 ] && tap_ok "a halted PID 1 starts no second shutdown" ||
		tap_fail "a halted PID 1 starts no second shutdown" "$(grep 'shutdown' "$WORK/noboot.log" | tail -5)"
else
	tap_fail "init without CAP_SYS_BOOT boots" "$(tail -5 "$WORK/noboot.log")"
fi
init_end
tap_done
