#!/bin/bash
# init_rss.sh — PID 1 does not grow: its VmRSS after 1,000 service restarts
# (through the control socket, each one waited for) is what it was after the
# first few. Prints the numbers: after boot, after 10 restarts, after 1,010.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init
N=${RSS_RESTARTS:-1000}

init_need "PID 1 memory over restarts" || { tap_done; exit; }
mkdir -p "$WORK/services.d" "$WORK/out"
printf '[service]\ncommand = /bin/sleep 1000\nstop_timeout = 1s\n' > "$WORK/services.d/sleeper.conf"
cat > "$WORK/console.sh" <<SH
#!/bin/sh
ctl=$BIN/berthctl
rss() { awk '/^VmRSS/ { print \$2 }' /proc/1/status; }
restarts() { \$ctl services | awk '\$1 == "sleeper" && \$2 == "running" { print \$4 }'; }
# restart once and wait for the new run
# (a restart that never shows is reported, not waited for until the timeout)
one() {
	want=\$1 t=0
	\$ctl restart sleeper > /dev/null || { echo "restart \$want refused" > $WORK/out/stuck; return 1; }
	while [ "\$(restarts)" != "\$want" ]; do
		t=\$((t + 1))
		[ \$t -le 3000 ] || { echo "restart \$want never showed: \$(\$ctl services)" > $WORK/out/stuck; return 1; }
	done
}
sleep 0.3
rss > $WORK/out/boot
i=1; while [ \$i -le 10 ]; do one \$i || break; i=\$((i + 1)); done
rss > $WORK/out/warm
while [ \$i -le $((N + 10)) ]; do one \$i || break; i=\$((i + 1)); done
rss > $WORK/out/after
restarts > $WORK/out/restarts
kill -USR2 1
sleep 30
SH
chmod +x "$WORK/console.sh"
printf '[system]\nservices = %s\ndata = %s\ndata_ephemeral = 16M\nconsole_shell = %s\n' "$WORK/services.d" "$WORK/data" "$WORK/console.sh" > "$WORK/berth.conf"
init_run init 600 "$INIT" --config "$WORK/berth.conf"
boot=$(cat "$WORK/out/boot" 2>/dev/null) warm=$(cat "$WORK/out/warm" 2>/dev/null)
after=$(cat "$WORK/out/after" 2>/dev/null) n=$(cat "$WORK/out/restarts" 2>/dev/null)
[ "$n" = $((N + 10)) ] && tap_ok "the service was restarted $n times" ||
	tap_fail "the service was restarted $((N + 10)) times" "restarts: '$n'; $(cat "$WORK/out/stuck" 2>/dev/null); $(tail -5 "$WORK/init.log")"
if [ -n "$warm" ] && [ -n "$after" ] && [ "$after" -le "$warm" ]; then
	tap_ok "PID 1's VmRSS did not grow over $N restarts (boot $boot kB, after 10 $warm kB, after $((N + 10)) $after kB)"
else
	tap_fail "PID 1's VmRSS did not grow over $N restarts" "boot '$boot' kB, after 10 '$warm' kB, after $((N + 10)) '$after' kB"
fi
tap_done
