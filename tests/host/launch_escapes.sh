#!/bin/bash
# launch_escapes.sh — SECURITY.md's escape classes 1-12, each a named test
# against the real berth-run on a busybox root (races as bounded loops).
# Class 13 (image import) belongs to berth-unpack.
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run escape classes" || { tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }
STARTS=${LAUNCH_ESCAPE_STARTS:-1000}

# ---- 1. /proc/self/exe overwrite (CVE-2019-5736)
before=$(sha256sum < "$RUN")
cp "$RUN" "$WORK/berth-run.copy"
fails=0
for i in $(seq "$STARTS"); do
	"$WORK/berth-run.copy" "$ROOT" /bin/sh -c 'for f in /proc/self/exe /proc/[0-9]*/exe; do echo x >> $f; done' \
		> /dev/null 2>&1 || fails=$((fails + 1))
done
after=$(sha256sum < "$WORK/berth-run.copy")
[ "$before" = "$after" ] && tap_ok "class 1: $STARTS starts writing to /proc/*/exe leave the launcher's hash unchanged" ||
	tap_fail "class 1: the launcher's hash changed" "before $before, after $after"
# The launcher's own process is never inside: the container sees only its PID 1.
out=$("$RUN" "$ROOT" /bin/berth-probe | grep -E '^(pid|pids)=' | tr '\n' ' ')
[ "$out" = "pid=1 pids=1 " ] && tap_ok "class 1: no launcher process is visible in the container" || tap_fail "class 1: processes visible" "$out"

# ---- 2. leaked fds and cwd outside the root (CVE-2024-21626)
exec 3< /dev/null 4< "$ROOT" 6< / 9> "$WORK/fd9"
out=$("$RUN" "$ROOT" /bin/berth-probe | sed -n 's/^fds=//p')
exec 3<&- 4<&- 6<&- 9>&-
[ "$out" = "0,1,2" ] && tap_ok "class 2: /proc/1/fd holds only 0 1 2 (the caller had 3 4 6 9 open, one a host directory)" ||
	tap_fail "class 2: leaked fds" "$out"
bad=""
for n in $(seq 3 64); do
	out=$("$RUN" --workdir "/proc/self/fd/$n" "$ROOT" /bin/sh -c 'pwd; ls /' 2>&1); rc=$?
	[ "$rc" = 0 ] && bad="$bad $n"
done
[ -z "$bad" ] && tap_ok "class 2: WorkingDir /proc/self/fd/N (N=3..64) fails" || tap_fail "class 2: WorkingDir /proc/self/fd/N started" "$bad"
out=$("$RUN" "$ROOT" /bin/sh -c 'cd /..; pwd; ls / | grep -c berth-probe' 2>&1)
[ "$out" = $'/\n0' ] || [[ $out == "/"* ]] && tap_ok "class 2: the cwd starts inside (cd /.. stays at /)" || tap_fail "class 2: cwd" "$out"

# ---- 3. symlinks and rename races on mount targets (CVE-2021-30465)
for d in dev proc sys; do
	bad=$WORK/bad-$d
	"$TOP/tests/probe/mkroot.sh" "$BUILD" "$bad" > /dev/null
	rmdir "$bad/$d" && ln -s / "$bad/$d"
	out=$("$RUN" "$bad" /bin/true 2>&1); rc=$?
	[ "$rc" = 100 ] && grep -q "/$d is a symlink" <<< "$out" && tap_ok "class 3/5: an image whose /$d is a symlink is refused" ||
		tap_fail "class 3/5: symlinked /$d" "exit $rc: $out"
done
mkdir -p "$WORK/src" "$ROOT/vol/sub"
echo marker > "$WORK/src/berth-race-marker"
( # the racer: swap vol/sub between a directory and a symlink to /
	end=$((SECONDS + 120))
	while [ $SECONDS -lt $end ] && [ ! -e "$WORK/stop" ]; do
		mv -T "$ROOT/vol/sub" "$ROOT/vol/sub.d"; ln -sn / "$ROOT/vol/sub"
		rm -f "$ROOT/vol/sub"; [ -d "$ROOT/vol/sub" ] && rmdir "$ROOT/vol/sub"
		mv -T "$ROOT/vol/sub.d" "$ROOT/vol/sub"
	done 2> /dev/null
) & racer=$!
outside=0 odd="" inside=0
for i in $(seq 200); do
	out=$("$RUN" --bind "$WORK/src:/vol/sub" "$ROOT" /bin/sh -c \
		'for d in / /vol/sub; do [ -e $d/berth-race-marker ] && echo at:$d; done; exit 0' 2>&1)
	rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 111 ] || odd="$odd $i:$rc:$out"
	[[ $out == *at:* ]] && inside=$((inside + 1))
	[ -e /berth-race-marker ] && outside=$((outside + 1))
done
touch "$WORK/stop"; wait $racer
rm -rf "$ROOT/vol"
[ "$outside" = 0 ] && [ -z "$odd" ] && tap_ok "class 3: 200 starts against a symlink-swapping racer never mount outside the root ($inside saw the bind inside, the rest failed cleanly)" ||
	tap_fail "class 3: racer" "outside=$outside odd exits:$odd"
grep -q "$WORK/src" /proc/self/mountinfo && tap_fail "class 3: a bind stayed in the host's mount table" "" ||
	tap_ok "class 3: no bind reached the host's mount table"

# ---- 4. masked-path bind source substitution (CVE-2025-31133)
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$WORK/evil" > /dev/null
ln -s /etc/passwd "$WORK/evil/dev/null"; ln -s /etc/passwd "$WORK/evil/dev/.berth-mask"
out=$("$RUN" "$WORK/evil" /bin/sh -c 'stat -c "%F %t:%T" /dev/null; wc -c < /proc/keys; grep " /proc/keys " /proc/self/mountinfo | cut -d" " -f3,4; grep " /dev " /proc/self/mountinfo | cut -d" " -f3')
dev=$(echo "$out" | tail -n 1)
[[ $out == "character special file 1:3"$'\n'"0"$'\n'"$dev /.berth-mask//deleted"$'\n'"$dev" ]] &&
	tap_ok "class 4: masks come from the launcher's own file in its /dev tmpfs, not the image's /dev" ||
	tap_fail "class 4: mask source" "$out"

# ---- 5. redirected procfs writes
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
want=$((1 - host_fwd))
out=$("$RUN" --sysctl net.ipv4.ip_forward=$want "$ROOT" /bin/cat /proc/sys/net/ipv4/ip_forward 2>&1 |
	grep -v '^berth-run: warning: no cgroup: ')
[ "$out" = $want ] && [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] &&
	tap_ok "class 5: a sysctl is written through the container's own procfs (host unchanged)" || tap_fail "class 5: sysctl" "$out"

# ---- 6. inheritable/ambient capabilities (CVE-2022-24769)
cp "$BUILD/bin/berth-probe" "$ROOT/bin/probe-fcap"
if setcap cap_sys_admin+ei "$ROOT/bin/probe-fcap" 2>/dev/null; then
	for u in 0 1000; do
		out=$("$RUN" --user $u "$ROOT" /bin/probe-fcap 2>&1)
		eff=$(sed -n 's/^CapEff=//p' <<< "$out") prm=$(sed -n 's/^CapPrm=//p' <<< "$out")
		inh=$(sed -n 's/^CapInh=//p' <<< "$out") amb=$(sed -n 's/^CapAmb=//p' <<< "$out")
		[ $(( 0x$eff >> 21 & 1 )) = 0 ] && [ $(( 0x$prm >> 21 & 1 )) = 0 ] && [ "$inh" = 0000000000000000 ] && [ "$amb" = 0000000000000000 ] &&
			tap_ok "class 6: a cap_sys_admin+ei file gains nothing (user $u; Inh=Amb=0)" || tap_fail "class 6: file caps (user $u)" "$(grep Cap <<< "$out")"
	done
else
	tap_skip "class 6: file capabilities" "setcap failed on this filesystem"
fi

# ---- 7. cgroup release_agent / writable cgroupfs (CVE-2022-0492)
# (busybox's unshare has no -C; the probe makes the same calls and names the errno)
out=$("$RUN" "$ROOT" /bin/sh -c 'unshare -Urm true 2>&1; echo rc=$?; mkdir -p /tmp/cg; mount -t cgroup -o memory cgroup /tmp/cg 2>&1; echo rc=$?; touch /sys/fs/cgroup/x 2>&1; echo rc=$?')
! grep -q 'rc=0' <<< "$out" && grep -q 'Read-only file system' <<< "$out" &&
	tap_ok "class 7: unshare -Urm and mount -t cgroup fail, touch /sys/fs/cgroup/x is EROFS" || tap_fail "class 7: cgroupfs" "$out"
out=$("$RUN" "$ROOT" /bin/berth-probe | grep -E '^(refused\.(unshare|mount)|clone_newuser|clone_newns)=' | tr '\n' ' ')
[ "$out" = "refused.mount=EPERM refused.unshare=EPERM clone_newns=EPERM clone_newuser=EPERM " ] &&
	tap_ok "class 7: unshare, mount and clone with namespace flags are EPERM" || tap_fail "class 7: EPERM" "$out"
w=$("$RUN" "$ROOT" /bin/berth-probe write /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/cgroup.subtree_control | tr '\n' ' ')
[ "$w" = "write./sys/fs/cgroup/cgroup.procs=EROFS write./sys/fs/cgroup/cgroup.subtree_control=EROFS " ] &&
	tap_ok "class 7: the cgroupfs files are EROFS" || tap_fail "class 7: cgroupfs writable" "$w"

# ---- 8. kernel surface: every refused syscall answers EPERM, clone3 ENOSYS
out=$("$RUN" "$ROOT" /bin/berth-probe)
n=$(grep -c '^refused\.' <<< "$out"); ok=$(grep -c '^refused\..*=EPERM$' <<< "$out")
[ "$n" -ge 40 ] && [ "$n" = "$ok" ] && grep -q '^clone3=ENOSYS$' <<< "$out" &&
	tap_ok "class 8: all $n refused system calls answer EPERM, clone3 ENOSYS" || tap_fail "class 8" "$ok of $n EPERM; $(grep -v '=EPERM$' <<< "$out" | grep '^refused')"

# ---- 9. information leaks: masked paths read empty or EACCES
bad=""
for m in /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/sched_debug /proc/timer_list /proc/timer_stats; do
	[ -e "$m" ] || continue
	r=$("$RUN" "$ROOT" /bin/berth-probe read "$m")
	[[ $r == *=0 || $r == *=EACCES ]] || bad="$bad $r"
done
for m in /proc/acpi /proc/asound /proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
	[ -e "$m" ] || continue
	r=$("$RUN" "$ROOT" /bin/ls -A "$m")
	[ -z "$r" ] || bad="$bad $m:$r"
done
for t in /sys/devices/system/cpu/cpu*/thermal_throttle; do
	[ -e "$t" ] || continue
	r=$("$RUN" "$ROOT" /bin/ls -A "$t")
	[ -z "$r" ] || bad="$bad $t:$r"
done
[ -z "$bad" ] && tap_ok "class 9: every masked path present on this host reads empty" || tap_fail "class 9" "$bad"

# ---- 10. device access
for spec in "sda b 8 0" "vda b 254 0" "mem c 1 1" "kmsg c 1 11"; do
	set -- $spec
	out=$("$RUN" "$ROOT" /bin/sh -c "mknod /tmp/$1 $2 $3 $4 && head -c1 /tmp/$1 > /dev/null" 2>&1); rc=$?
	[ "$rc" != 0 ] && tap_ok "class 10: mknod $1 ($2 $3:$4) + read fails" || tap_fail "class 10: read of $1 succeeded" "$out"
	rm -f "$ROOT/tmp/$1"
done
# The host's console (5:1) is not in the device program: opened only (a
# read would wait for someone to type).
out=$("$RUN" "$ROOT" /bin/sh -c 'mknod /tmp/console c 5 1 && exec 3< /tmp/console' 2>&1); rc=$?
[ "$rc" != 0 ] && tap_ok "class 10: mknod console (c 5:1) + open fails" || tap_fail "class 10: the console opened" "$out"
rm -f "$ROOT/tmp/console"
out=$("$RUN" "$ROOT" /bin/sh -c 'mknod /dev/x c 1 1' 2>&1); rc=$?
[ "$rc" != 0 ] && tap_ok "class 10: no node can be added to /dev" || tap_fail "class 10: mknod in /dev" "$out"

# ---- 11. control sockets: abstract Unix sockets of the host are unreachable
name=berth-test-$$
if command -v python3 > /dev/null; then
	python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind('\0$name'); s.listen(8)
open('$WORK/listening', 'w').close(); time.sleep(20)" & py=$!
	for _ in $(seq 100); do [ -e "$WORK/listening" ] && break; sleep 0.05; done
	out=$("$RUN" "$ROOT" /bin/berth-probe abstract "$name")
	[ "$out" = "abstract.$name=ECONNREFUSED" ] || [[ $out == "abstract.$name=E"* && $out != *=0 ]] &&
		tap_ok "class 11: a host abstract socket is unreachable ($out)" || tap_fail "class 11: abstract socket reachable" "$out"
	out=$("$RUN" --network host "$ROOT" /bin/berth-probe abstract "$name")
	[ "$out" = "abstract.$name=0" ] && tap_ok "class 11: (the check can fail: --network host reaches it)" || tap_fail "class 11: --network host check" "$out"
	kill $py 2>/dev/null; wait $py 2>/dev/null
else
	tap_skip "class 11: abstract sockets" "no python3 to listen"
fi

# ---- 12. exec user parsing: exactly the requested ids or an error
# uid 1000 is "app" in the image: like runc, its groups there are added.
out=$("$RUN" --user 1000:1000 "$ROOT" /bin/sh -c 'id -u; id -g; id -G')
[ "$out" = $'1000\n1000\n1000 10 29' ] && tap_ok "class 12: -u 1000:1000 gives exactly uid 1000, gid 1000 (+ the image's groups of uid 1000)" || tap_fail "class 12: 1000:1000" "$out"
out=$("$RUN" --user app "$ROOT" /bin/sh -c 'id -u; id -g')
[ "$out" = $'1000\n1001' ] && tap_ok "class 12: -u app gives the image's ids" || tap_fail "class 12: -u app" "$out"
bad=""
for u in "1000:1000:1" "0x10" "1e3" " 1000" "1000 " "+1000" "app:" "root:-1"; do
	"$RUN" --user "$u" "$ROOT" /bin/true > /dev/null 2>&1; rc=$?
	[ "$rc" = 100 ] || bad="$bad '$u':$rc"
done
[ -z "$bad" ] && tap_ok "class 12: malformed users are refused (100)" || tap_fail "class 12: malformed users" "$bad"
tap_done
