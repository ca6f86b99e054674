#!/bin/bash
# metrics_agent.sh — the example agent (tools/agent-example.c with
# rootfs/examples/agent-example.conf) as a service of the real init, PID 1 of
# fresh pid+mount+cgroup namespaces, beside berthd as a service: the agent
# writes its lines to its log, runs unprivileged in /sys/fs/cgroup/system/agent,
# and berthd's GET /metrics reports the services from init's control socket —
# up, restarts after the agent is killed, its last exit code (137), and its
# memory as its cgroup's memory.current says where the memory controller is.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init
AGENT=$BUILD/examples/berth-agent-example

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "agent under init" "CONFIG_ENGINE is off"; tap_done; exit; fi
[ -x "$AGENT" ] || { tap_skip "agent under init" "$AGENT is not built (make agent-example)"; tap_done; exit; }
init_need "agent under init" || { tap_done; exit; }
command -v curl >/dev/null || { tap_skip "agent under init" "curl is missing"; tap_done; exit; }

S=$WORK/services.d O=$WORK/out
mkdir -p "$S" "$O" && chmod 0777 "$O" && chmod 0755 "$WORK"
cp "$AGENT" "$WORK/berth-agent-example" && chmod 0755 "$WORK/berth-agent-example"
# the shipped file, with the program where this test has it and a short interval
# (init refuses to start a service whose limits cannot apply: where this host's
# cgroup v2 lacks the memory or pids controller, the limits are left out)
ctl=$(cat /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)
limits=1
grep -qw memory <<<"$ctl" && grep -qw pids <<<"$ctl" || limits=0
sed -e "s|^command = .*|command = $WORK/berth-agent-example -i 1|" \
	-e "$([ $limits = 1 ] || echo '/^\(memory\|pids\)_max/d')" "$TOP/rootfs/examples/agent-example.conf" > "$S/agent.conf"
printf '[service]\ncommand = %s --data-root %s --run-dir /run/berth --socket /run/berth/engine.sock --libexec %s\nuser = root\ncapabilities = all\nstop_timeout = 5s\n' \
	"$BIN/berthd" "$WORK/engine" "$BIN" > "$S/berthd.conf"

cat > "$WORK/console.sh" <<SH
#!/bin/sh
scrape() { curl -s --max-time 10 --unix-socket /run/berth/engine.sock http://x/metrics > \$1; }
for i in \$(seq 100); do [ -S /run/berth/engine.sock ] && grep -q load1= /run/berth/log/agent.log 2>/dev/null && break; sleep 0.1; done
sleep 1.5
cp /run/berth/log/agent.log $O/agent.log
pid=\$(cat /sys/fs/cgroup/system/agent/cgroup.procs 2>/dev/null | head -1)
echo \$pid > $O/agent.pid
grep -E '^(Uid|CapEff)' /proc/\$pid/status > $O/agent.status
cat /proc/\$pid/cgroup > $O/agent.cgroup
cat /sys/fs/cgroup/system/agent/pids.max > $O/pids.max 2>&1
scrape $O/m1.txt
cat /sys/fs/cgroup/system/agent/memory.current > $O/memory.current 2>&1
kill -KILL \$pid
for i in \$(seq 50); do
	p=\$(cat /sys/fs/cgroup/system/agent/cgroup.procs 2>/dev/null | head -1)
	[ -n "\$p" ] && [ "\$p" != "\$pid" ] && break
	sleep 0.1
done
scrape $O/m2.txt
$BIN/berthctl services > $O/services.txt 2>&1
$BIN/berthctl poweroff > /dev/null 2>&1
sleep 30
SH
init_boot agent-test "$S" 120
rc=$INIT_RC
[ "$rc" = 130 ] && tap_ok "init ran the agent and berthd and powered off" ||
	tap_fail "init ran the agent and berthd and powered off" "unshare exit $rc; log:"$'\n'"$(tail -20 "$WORK/init.log")"

tap_check "the agent writes its lines to /run/berth/log/agent.log" \
	grep -qE '^load1=[0-9.]+ load5=[0-9.]+ load15=[0-9.]+ mem_available_bytes=[0-9]+ uid=[1-9][0-9]*$' "$O/agent.log"
tap_check "the agent runs unprivileged: a non-root uid, no capabilities" bash -c \
	'grep -qE "^Uid:\s+[1-9][0-9]*\s" "$1" && grep -qE "^CapEff:\s+0+$" "$1"' _ "$O/agent.status"
tap_check "the agent runs in its own cgroup /system/agent" grep -q '^0::/system/agent$' "$O/agent.cgroup"
if [ $limits = 1 ]; then
	tap_check "the agent's limits are applied (pids.max 4)" grep -qx 4 "$O/pids.max"
else
	tap_skip "the agent's limits are applied" "cgroup v2 here lacks memory or pids (controllers: $(echo $ctl))"
fi
m() { grep -E "^$2(\{| )" "$1" | grep -F "${3:-}" | awk '{print $NF}' | head -1; }
tap_check "GET /metrics: berth_service_up{name=\"agent\"} 1 and berthd's own 1, from init's control socket" \
	test "$(m "$O/m1.txt" berth_service_up 'name="agent"') $(m "$O/m1.txt" berth_service_up 'name="berthd"')" = "1 1"
tap_check "GET /metrics: the agent's restarts grow after its kill (0 → 1)" \
	test "$(m "$O/m1.txt" berth_service_restarts_total 'name="agent"') $(m "$O/m2.txt" berth_service_restarts_total 'name="agent"')" = "0 1"
tap_check "GET /metrics: its last exit code is 137 (SIGKILL)" \
	test "$(m "$O/m2.txt" berth_service_last_exit_code 'name="agent"')" = 137
tap_check "berthctl services agrees: agent restarted once" bash -c 'grep -E "^agent +running +[0-9]+ +1 " "$1"' _ "$O/services.txt"
if grep -qE '^[0-9]+$' "$O/memory.current" 2>/dev/null; then
	tap_check "GET /metrics: the agent's memory is its cgroup's memory.current (within 10%)" python3 -c \
		'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= b * 0.1 else 1)' \
		"$(m "$O/m1.txt" berth_service_memory_bytes 'name="agent"')" "$(cat "$O/memory.current")"
else
	tap_skip "the agent's memory equals memory.current" "no memory controller in cgroup v2 here"
fi
if command -v promtool >/dev/null; then
	tap_check "promtool check metrics: a scrape with services is clean" bash -c 'promtool check metrics < "$1"' _ "$O/m2.txt"
fi
# make SITE=dir: the image spec gets dir/services.d/*.conf and dir/bin/*
bd=$TOP/board/${CONFIG_BOARD_NAME:-qemu-x86_64}
rel=$(sed -n 's/^BOARD_KERNEL_RELEASE := //p' "$bd/board.mk" 2>/dev/null)
mkdir -p "$WORK/site/bin" "$WORK/site/services.d"
cp "$AGENT" "$WORK/site/bin/"
cp "$TOP/rootfs/examples/agent-example.conf" "$WORK/site/services.d/agent.conf"
if (cd "$WORK" && SITE=site "$TOP/rootfs/mkinitramfs.sh" "$TOP" "$BUILD" "$bd" "$rel" > "$WORK/spec.site" 2>"$WORK/spec.err") &&
	env -u SITE "$TOP/rootfs/mkinitramfs.sh" "$TOP" "$BUILD" "$bd" "$rel" > "$WORK/spec.plain" 2>>"$WORK/spec.err"; then
	tap_check "SITE=dir: the image gets /etc/berth/services.d/agent.conf and /usr/local/bin/berth-agent-example" bash -c '
		grep -qx "file /etc/berth/services.d/agent.conf $1/site/services.d/agent.conf 0644 0 0" "$2" &&
		grep -qx "file /usr/local/bin/berth-agent-example $1/site/bin/berth-agent-example 0755 0 0" "$2" &&
		grep -qx "dir /usr/local/bin 0755 0 0" "$2" && ! grep -q "agent" "$3"' _ "$WORK" "$WORK/spec.site" "$WORK/spec.plain"
else
	tap_fail "SITE=dir: rootfs/mkinitramfs.sh runs" "$(cat "$WORK/spec.err")"
fi
[ -n "${KEEP_WORK:-}" ] && echo "# work: $WORK"
tap_done
