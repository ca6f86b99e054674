#!/bin/bash
# bench/launch — berth-run against crun and runc, doing equivalent work:
# `ROOTFS /bin/true` on a busybox root with pid, net, ipc, uts, mount and
# cgroup namespaces, Docker's 14 capabilities, the default seccomp profile
# (the same table, as OCI JSON for crun and runc), no_new_privs, the masked
# and read-only paths and the same mounts. Cgroups: off for berth-run and
# crun (--cgroup-manager=disabled) where the host has no usable cgroup v2;
# runc has no such switch and makes its (v1) groups. crun refuses a hybrid
# host outright, so on one the whole run happens in a private mount
# namespace without the empty cgroup2 mount at /sys/fs/cgroup/unified (the
# same for all three).
#
# Usage: bench/launch/run.sh [RUNS [SEQ]]     (make bench-launch)
#   RUNS  interleaved timed starts of each runtime (default 30, at least 30)
#   SEQ   sequential starts for starts/second (default 100)
# Prints medians, ratios to crun, peak RSS and starts per second.
# Exit codes: 0 done, 100 usage, 1 a runtime is missing or failed.
# Goals (not tests): median <= 0.35x crun's, RSS <= 150 kB, >= 3x crun's starts/s.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BERTH_BUILD:-$TOP/build}
RUNS=${1:-30} SEQ=${2:-100}
[[ $RUNS =~ ^[0-9]+$ && $SEQ =~ ^[0-9]+$ && $RUNS -ge 30 && $SEQ -ge 1 ]] || { echo "usage: $0 [RUNS>=30 [SEQ]]" >&2; exit 100; }
[ "$(id -u)" = 0 ] || { echo "bench/launch: needs root" >&2; exit 1; }
if [ -z "${BENCH_LAUNCH_NS:-}" ] && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ] &&
	mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
	BENCH_LAUNCH_NS=1 exec unshare -m --propagation private bash -c \
		'umount /sys/fs/cgroup/unified && exec "$0" "$@"' "$0" "$@"
fi
BERTH=$BUILD/bin/berth-run
for t in "$BERTH" "$BUILD/host/seccomp_gen" /usr/bin/time; do
	[ -x "$t" ] || { echo "bench/launch: $t missing (make; apt-get install time)" >&2; exit 1; }
done
CRUN=$(command -v crun) RUNC=$(command -v runc)
[ -n "$CRUN" ] && [ -n "$RUNC" ] || { echo "bench/launch: needs crun and runc (apt-get install crun runc)" >&2; exit 1; }

WORK=$(mktemp -d /var/tmp/berth-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/bundle/rootfs
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || exit 1
"$BUILD/host/seccomp_gen" --oci "$WORK/seccomp.json" || exit 1
hard=$(ulimit -Hn); [ "$hard" = unlimited ] || [ "$hard" -gt 1048576 ] && hard=1048576
caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"'
cat > "$WORK/bundle/config.json" <<JSON
{
 "ociVersion": "1.0.2",
 "process": {
  "terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
  "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
  "capabilities": {"bounding": [$caps], "effective": [$caps], "permitted": [$caps], "inheritable": [], "ambient": []},
  "rlimits": [{"type": "RLIMIT_NOFILE", "hard": $hard, "soft": $hard}],
  "noNewPrivileges": true
 },
 "root": {"path": "rootfs", "readonly": false},
 "hostname": "bench",
 "mounts": [
  {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=64k"]},
  {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
  {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
  {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
  {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
  {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
 ],
 "linux": {
  "resources": {"devices": [{"allow": false, "access": "rwm"}]},
  "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
  "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
   "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware"],
  "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
  "seccomp": $(cat "$WORK/seccomp.json")
 }
}
JSON

# A second bundle whose command sleeps, to read each launcher's own peak
# resident memory (VmHWM) while its container runs.
mkdir -p "$WORK/sleep"
sed -e 's|"args": \["/bin/true"\]|"args": ["/bin/sleep", "0.4"]|' -e "s|\"path\": \"rootfs\"|\"path\": \"$ROOT\"|" \
	"$WORK/bundle/config.json" > "$WORK/sleep/config.json"
n=0
# TIMER=/usr/bin/time (with TIME=%M) measures a start's peak RSS.
TIMER=
start_berth() { $TIMER "$BERTH" "$ROOT" /bin/true; }
start_crun() { n=$((n + 1)); $TIMER "$CRUN" --cgroup-manager=disabled run -b "$WORK/bundle" "bench-$$-$n"; }
start_runc() { n=$((n + 1)); $TIMER "$RUNC" run -b "$WORK/bundle" "bench-$$-$n"; }
names=(berth crun runc)
for r in "${names[@]}"; do
	out=$(start_$r 2>&1) || { echo "bench/launch: $r failed to run /bin/true: $out" >&2; exit 1; }
done

# Interleaved: each round runs the three in a rotating order.
declare -A times
for i in $(seq "$RUNS"); do
	for k in 0 1 2; do
		r=${names[$(( (i + k) % 3 ))]}
		t0=$EPOCHREALTIME
		start_$r > /dev/null 2>&1 || { echo "bench/launch: $r failed in round $i" >&2; exit 1; }
		t1=$EPOCHREALTIME
		times[$r]+="$(( ${t1/./} - ${t0/./} )) "
	done
done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A med rss sps hwm
for r in "${names[@]}"; do
	med[$r]=$(median "${times[$r]}")
	# peak RSS of the runtime and what it waited for (GNU time's %M, kB), highest of 5
	rss[$r]=$(for _ in 1 2 3 4 5; do TIME="%M" TIMER=/usr/bin/time start_$r 2>&1 > /dev/null | tail -n 1; done | sort -n | tail -n 1)
	case $r in
	berth) "$BERTH" "$ROOT" /bin/sleep 0.4 & ;;
	crun) "$CRUN" --cgroup-manager=disabled run -b "$WORK/sleep" "bench-$$-hwm" & ;;
	runc) "$RUNC" run -b "$WORK/sleep" "bench-$$-hwm" & ;;
	esac
	sleep 0.3
	hwm[$r]=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$!/status)
	wait
done
# Sequential starts, in 5 interleaved batches so that the load of a shared
# machine falls on all three alike.
declare -A seq_us
batch=$(( (SEQ + 4) / 5 ))
for b in 1 2 3 4 5; do
	for k in 0 1 2; do
		r=${names[$(( (b + k) % 3 ))]}
		t0=$EPOCHREALTIME
		for _ in $(seq "$batch"); do start_$r > /dev/null 2>&1; done
		t1=$EPOCHREALTIME
		seq_us[$r]=$(( ${seq_us[$r]:-0} + ${t1/./} - ${t0/./} ))
	done
done
for r in "${names[@]}"; do
	sps[$r]=$(awk -v n=$((batch * 5)) -v us="${seq_us[$r]}" 'BEGIN { printf "%.1f", n / (us / 1e6) }')
done
echo "bench/launch: ROOTFS /bin/true, $RUNS interleaved runs each, $((batch * 5)) sequential starts ($(nproc) CPUs, $(uname -r))"
printf '  %-8s %12s %9s %16s %16s %10s\n' runtime "median (ms)" "vs crun" "launcher (kB)" "with child (kB)" "starts/s"
for r in "${names[@]}"; do
	printf '  %-8s %12s %9s %16s %16s %10s\n' "$r" "$(awk -v u="${med[$r]}" 'BEGIN { printf "%.2f", u / 1000 }')" \
		"$(awk -v a="${med[$r]}" -v b="${med[crun]}" 'BEGIN { printf "%.2fx", a / b }')" "${hwm[$r]}" "${rss[$r]}" "${sps[$r]}"
done
echo "  starts/s vs crun: berth $(awk -v a="${sps[berth]}" -v b="${sps[crun]}" 'BEGIN { printf "%.2fx", a / b }'), runc $(awk -v a="${sps[runc]}" -v b="${sps[crun]}" 'BEGIN { printf "%.2fx", a / b }')"
echo "  launcher: VmHWM of the runtime's own foreground process while its container runs
  with child: GNU time's maximum resident set of that process and the children it waited for"
echo "  berth-run: $(stat -c %s "$BERTH") bytes, static"
