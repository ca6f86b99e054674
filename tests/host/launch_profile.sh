#!/bin/bash
# launch_profile.sh — the REAL build/bin/berth-run on a busybox root with the
# probe inside: every statement of SECURITY.md's default profile that can be
# seen from inside the container (issue 4, "Tests", first item).
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run profile" || { tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }

# Extra fds open in the caller (5, 7) must not reach the container.
exec 5< /dev/null 7> "$WORK/fd7"
"$RUN" --hostname probe-host "$ROOT" /bin/berth-probe > "$WORK/p" 2> "$WORK/p.err"
rc=$?
exec 5<&- 7>&-
[ "$rc" = 0 ] && tap_ok "berth-run ran the probe (exit 0)" ||
	{ tap_fail "berth-run ran the probe (exit 0)" "exit $rc: $(cat "$WORK/p.err")"; tap_done; exit; }
val() { sed -n "s/^$1=//p" "$WORK/p" | head -n 1; }
is() { # is NAME KEY WANT
	local got
	got=$(val "$2")
	[ "$got" = "$3" ] && tap_ok "$1" || tap_fail "$1" "$2=$got, want $3"
}

is "CapBnd is Docker's 14 (0xa80425fb)" CapBnd 00000000a80425fb
is "CapPrm is Docker's 14 (0xa80425fb)" CapPrm 00000000a80425fb
is "CapEff is Docker's 14 (0xa80425fb)" CapEff 00000000a80425fb
is "CapInh is empty" CapInh 0000000000000000
is "CapAmb is empty" CapAmb 0000000000000000
is "NoNewPrivs is on" NoNewPrivs 1
is "Seccomp is in filter mode (2)" Seccomp 2
is "pid 1 is the command" pid 1
is "the command sees only itself (pids)" pids 1
is "only fds 0, 1, 2 are open (5 and 7 of the caller are not)" fds 0,1,2
is "hostname is --hostname" hostname probe-host
is "uid_map is the host's (no user namespace unless remapped)" uid_map "0 0 4294967295"
is "clone3 answers ENOSYS" clone3 ENOSYS
is "clone with CLONE_NEWNS is refused (EPERM)" clone_newns EPERM
is "clone with CLONE_NEWUSER is refused (EPERM)" clone_newuser EPERM
is "clone with CLONE_NEWNET is refused (EPERM)" clone_newnet EPERM
is "socket(AF_ALG) is refused (EPERM)" socket_alg EPERM
is "socket(AF_VSOCK) is refused (EPERM)" socket_vsock EPERM
is "socket(AF_INET) is allowed" socket_inet 0
is "personality(ADDR_NO_RANDOMIZE) is refused (EPERM)" personality_bad EPERM
is "personality(0xffffffff) is allowed" personality_query 0

# Every refused system call of the table answers EPERM.
n=0
while IFS='=' read -r k v; do
	n=$((n + 1))
	[ "$v" = EPERM ] && tap_ok "refused: ${k#refused.} → EPERM" || tap_fail "refused: ${k#refused.} → EPERM" "got $v"
done < <(grep '^refused\.' "$WORK/p")
[ "$n" -ge 40 ] && tap_ok "the probe tried $n refused system calls" || tap_fail "the probe tried the refused system calls" "only $n"

# The filter is what refuses them: unconfined, many answer otherwise.
"$RUN" --seccomp unconfined "$ROOT" /bin/berth-probe > "$WORK/u" 2>&1
differ=$(grep '^refused\.' "$WORK/u" | grep -vc '=EPERM$')
[ "$differ" -ge 20 ] && tap_ok "--seccomp unconfined: $differ of them answer something else (the filter decides)" ||
	tap_fail "--seccomp unconfined changes the answers" "only $differ differ"
grep -q '^Seccomp=0$' "$WORK/u" && tap_ok "--seccomp unconfined: Seccomp 0" || tap_fail "--seccomp unconfined: Seccomp 0" "$(grep Seccomp "$WORK/u")"

# Mounts, exactly the profile's (option checks on the mount flags).
mnt() { grep "^mount=$1 " "$WORK/p" | tail -n 1; }
has_opts() { # has_opts POINT FSTYPE OPT...
	local m point=$1 fs=$2
	shift 2
	m=$(mnt "$point")
	[ -n "$m" ] || { echo "no mount on $point"; return 1; }
	[ "$(echo "$m" | cut -d' ' -f2)" = "$fs" ] || { echo "$m: not $fs"; return 1; }
	for o in "$@"; do [[ ",$(echo "$m" | cut -d' ' -f3)," == *",$o,"* ]] || { echo "$m: no $o"; return 1; }; done
}
tap_check "/proc is proc, nosuid,nodev,noexec" has_opts /proc proc nosuid nodev noexec
tap_check "/dev is a tmpfs, nosuid" has_opts /dev tmpfs nosuid
tap_check "/dev/pts is devpts, nosuid,noexec" has_opts /dev/pts devpts nosuid noexec
tap_check "/dev/shm is a tmpfs, nosuid,nodev,noexec" has_opts /dev/shm tmpfs nosuid nodev noexec
tap_check "/dev/mqueue is mqueue, nosuid,nodev,noexec" has_opts /dev/mqueue mqueue nosuid nodev noexec
tap_check "/sys is sysfs, read-only" has_opts /sys sysfs ro nosuid nodev noexec
tap_check "/sys/fs/cgroup is cgroup2, read-only" has_opts /sys/fs/cgroup cgroup2 ro nosuid nodev noexec
"$RUN" "$ROOT" /bin/sh -c 'grep -E " /dev/(pts|shm) " /proc/self/mountinfo' > "$WORK/devopts" 2>&1
tap_check "devpts: ptmxmode=666, mode=620, gid=5" grep -qE '/dev/pts .*(gid=5,mode=620,ptmxmode=666)' "$WORK/devopts"
tap_check "/dev/shm is 64 MiB" grep -qE '/dev/shm .*size=65536k' "$WORK/devopts"
points=$(sed -n 's/^mount=\([^ ]*\) .*/\1/p' "$WORK/p" | sort | tr '\n' ' ')
bad=$(sed -n 's/^mount=\([^ ]*\) .*/\1/p' "$WORK/p" | grep -vE '^/$|^/(proc|dev|sys)(/|$)')
[ -z "$bad" ] && tap_ok "no mount outside /, /proc, /dev, /sys (the old root is detached)" ||
	tap_fail "no mount outside /, /proc, /dev, /sys (the old root is detached)" "$points"

# /dev holds exactly the default nodes.
devs=$("$RUN" "$ROOT" /bin/ls -A /dev | tr '\n' ' ')
want="fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
[ "$devs" = "$want" ] && tap_ok "/dev holds exactly the default nodes" || tap_fail "/dev holds exactly the default nodes" "got:  $devs"$'\n'"want: $want"
kinds=$("$RUN" "$ROOT" /bin/sh -c 'for n in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$n; done; readlink /dev/ptmx')
want_kinds="/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
pts/ptmx"
[ "$kinds" = "$want_kinds" ] && tap_ok "the nodes are the launcher's (types, numbers, modes; ptmx → pts/ptmx)" ||
	tap_fail "the nodes are the launcher's" "$kinds"

# Masked paths read empty (or are absent on this kernel); read-only paths EROFS.
masked="/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/sched_debug /proc/scsi /proc/timer_list /proc/timer_stats /sys/devices/virtual/powercap /sys/firmware"
for m in $masked; do
	if [ ! -e "$m" ]; then tap_skip "masked $m" "absent on this host's kernel"; continue; fi
	if [ -d "$m" ]; then
		out=$("$RUN" "$ROOT" /bin/sh -c "ls -A $m | wc -l; grep -c ' $m ' /proc/self/mountinfo")
		[ "$out" = $'0\n1' ] && tap_ok "masked $m: an empty directory, mounted over" || tap_fail "masked $m" "$out"
	else
		out=$("$RUN" "$ROOT" /bin/berth-probe read "$m")
		[[ $out == "read.$m=0" || $out == "read.$m=EACCES" ]] && tap_ok "masked $m reads empty" || tap_fail "masked $m reads empty" "$out"
	fi
done
for p in /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sysrq-trigger; do
	if [ ! -e "$p" ]; then tap_skip "read-only $p" "absent on this host's kernel"; continue; fi
	out=$("$RUN" "$ROOT" /bin/berth-probe write "$p")
	[ "$out" = "write.$p=EROFS" ] && tap_ok "read-only $p (EROFS)" || tap_fail "read-only $p (EROFS)" "$out"
done
for p in /proc/bus /proc/fs /proc/irq /proc/sys; do
	m=$(mnt "$p")
	[[ -n $m && ",$(echo "$m" | cut -d' ' -f3)," == *,ro,* ]] && tap_ok "$p is mounted read-only" || tap_fail "$p is mounted read-only" "${m:-no mount}"
done
out=$("$RUN" "$ROOT" /bin/sh -c 'grep -c "berth-mask" /proc/self/mountinfo; ls -A /dev | grep -c berth-mask')
first=$(echo "$out" | head -n 1) second=$(echo "$out" | tail -n 1)
[ "$second" = 0 ] && [ "$first" -ge 1 ] && tap_ok "masked files are binds of the launcher's own empty file, removed from /dev" ||
	tap_fail "masked files are binds of the launcher's own empty file" "$out"

# The command starts with no signal blocked or ignored (berth-run blocks
# the ones it forwards and ignores SIGPIPE).
sig=$(trap '' PIPE; "$RUN" "$ROOT" /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status | tr -s '\t ' ' ' | tr '\n' ' ')
[ "$sig" = "SigBlk: 0000000000000000 SigIgn: 0000000000000000 " ] && tap_ok "the command starts with no signal blocked or ignored" ||
	tap_fail "signal mask and dispositions" "$sig"

# rlimits: NOFILE 1048576 unless the host's hard limit is lower.
host_hard=$(ulimit -Hn)
want_nofile=1048576
nf=$(val nofile)
[ "${nf%%:*}" = "${nf##*:}" ] && { [ "${nf%%:*}" = $want_nofile ] || [ "${nf%%:*}" = "$host_hard" ]; } &&
	tap_ok "RLIMIT_NOFILE is 1048576 (or the host's hard limit $host_hard without CAP_SYS_RESOURCE): $nf" ||
	tap_fail "RLIMIT_NOFILE" "nofile=$nf"
tap_done
