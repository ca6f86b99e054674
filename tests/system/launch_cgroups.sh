#!/bin/bash
# launch_cgroups.sh — berth-run in the qemu-booted image, where cgroup v2
# has its controllers: the profile from inside, the container's group and
# its removal, OOM kill → 137, a pids limit stopping a fork bomb while the
# host still forks, the device program stopping mknod+read of a block
# device, and cpu.max throttling (nr_throttled grows).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

vm_start launch; rc=$?
if [ $rc = 2 ]; then
	tap_skip "berth-run in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
if [ $rc != 0 ]; then
	tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	tap_done; exit
fi
# A busybox root in the guest's /tmp (tmpfs), with the probe.
vm_run 'R=/tmp/r; mkdir -p $R/bin $R/etc $R/tmp $R/proc $R/sys $R/dev && cp /bin/busybox /usr/bin/berth-probe $R/bin/ &&
for a in sh cat ls head mknod sleep true echo seq grep wc; do ln -sf busybox $R/bin/$a; done &&
echo root:x:0:0::/:/bin/sh > $R/etc/passwd' > /dev/null
run() { vm_run "berth-run $*"; }

# PID 1 moved the root from the initramfs to a tmpfs, so pivot_root works
# here: the container has exactly Docker's 14 capabilities.
out=$(run /tmp/r /bin/berth-probe)
grep -q '^CapEff=00000000a80425fb$' <<< "$out" && grep -q '^Seccomp=2$' <<< "$out" && grep -q '^pid=1$' <<< "$out" &&
	tap_ok "berth-run runs the probe in the image (exactly Docker's 14 caps, seccomp, pid 1)" || tap_fail "berth-run in the image" "$out"
# With the old root detached, a chroot inside the container (allowed: it
# holds SYS_CHROOT) reaches nothing of the appliance's.
out2=$(run /tmp/r /bin/sh -c "'mkdir /tmp/c; chroot /tmp/c /bin/true; echo rc=\$?; ls /sbin /usr/bin 2>&1 | grep -c berth'")
[[ $out2 == *rc=127*$'\n'0 ]] && tap_ok "chroot inside the container works and the appliance's files stay out of reach" || tap_fail "chroot inside the container" "$out2"
grep -q '^mount=/sys/fs/cgroup cgroup2 ro' <<< "$out" && tap_ok "the container's cgroup2 is read-only" || tap_fail "cgroup2 ro" "$(grep cgroup <<< "$out")"
out=$(run /tmp/r /bin/sh -c "'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max; ls /sys/fs/cgroup | grep -c cgroup.procs'")
[[ $out == "0::/"$'\n'4096$'\n'1 || $out == "0::/"$'\n'"$CONFIG_LAUNCH_PIDS_DEFAULT"$'\n'1 ]] &&
	tap_ok "the container is in its own group (cgroupns root) with the default pids.max" || tap_fail "own cgroup" "$out"
left=$(vm_run 'ls /sys/fs/cgroup/berth | grep -c ^run-')
[ "$left" = 0 ] && tap_ok "the container's group is removed after exit" || tap_fail "group removed" "$left left: $(vm_run 'ls /sys/fs/cgroup/berth')"

# memory limit → OOM kill → 137
out=$(run --memory 16m /tmp/r /bin/sh -c "'x=a; while :; do x=\$x\$x; done'"; echo "rc=$?")
[[ $out == *rc=137 ]] && tap_ok "--memory 16m: a growing shell is OOM-killed, reported as 137" || tap_fail "OOM → 137" "$out"

# pids limit stops a fork bomb; the host still forks
# (only shell builtins once the bomb went off: the limit stops forks)
out=$(run --pids-limit 20 /tmp/r /bin/sh -c "'( for i in \$(seq 100); do sleep 5 & done ) 2>/dev/null; echo /proc/[0-9]*; while read l; do echo \$l; done < /sys/fs/cgroup/pids.events'")
n=$(head -n 1 <<< "$out" | wc -w)
[ -n "$n" ] && [ "$n" -le 20 ] && grep -qE 'max [1-9]' <<< "$out" && tap_ok "--pids-limit 20: at most 20 processes ($n), pids.events max > 0" ||
	tap_fail "--pids-limit 20" "$out"
tap_check "the host still forks during and after" vm_run "sh -c 'for i in 1 2 3 4 5; do true & done; wait'"

# the device program: mknod works (CAP_MKNOD) but the block device cannot be
# read: the data disk's own numbers (259:0 for NVMe, 254:0 for virtio-blk),
# which the host reads
mm=$(vm_run "cat /sys/class/block/${VM_DATA_DEV#/dev/}/dev")
if [[ $mm =~ ^([0-9]+):([0-9]+)$ ]] && vm_run "head -c1 $VM_DATA_DEV > /dev/null"; then
	out=$(run /tmp/r /bin/sh -c "'mknod /tmp/disk b ${BASH_REMATCH[1]} ${BASH_REMATCH[2]} 2>&1; head -c1 /tmp/disk > /dev/null; echo rc=\$?; head -c1 /dev/null; echo null=\$?'")
	[[ $out == *rc=1*null=0* ]] && tap_ok "the device program stops mknod+read of the data disk ($mm, which the host reads), /dev/null works" ||
		tap_fail "device program" "$out"
else
	tap_fail "the data disk's numbers, read on the host" "'$mm'"
fi
out=$(run /tmp/r /bin/sh -c "'mknod /tmp/mem c 1 1 && head -c1 /tmp/mem > /dev/null; echo mem=\$?; mknod /tmp/kmsg c 1 11 && head -c1 /tmp/kmsg >/dev/null; echo kmsg=\$?'")
[[ $out == *mem=1*kmsg=1* ]] && tap_ok "the device program stops /dev/mem (1:1) and /dev/kmsg (1:11)" || tap_fail "mem/kmsg" "$out"

# never the host's console (5:1): opened only, a read would wait for input
out=$(run /tmp/r /bin/sh -c "'mknod /tmp/console c 5 1 && (exec 3< /tmp/console) 2>/dev/null; echo console=\$?'")
[[ $out == *console=* && $out != *console=0* ]] && tap_ok "the device program stops opening the console (5:1)" ||
	tap_fail "console 5:1" "$out"

# cpu.max throttles
out=$(run --cpus 0.1 /tmp/r /bin/sh -c "'i=0; while [ \$i -lt 30000 ]; do i=\$((i+1)); done; grep nr_throttled /sys/fs/cgroup/cpu.stat'")
t=$(sed -n 's/^nr_throttled //p' <<< "$out")
[ -n "$t" ] && [ "$t" -gt 0 ] && tap_ok "--cpus 0.1: nr_throttled grows ($t)" || tap_fail "--cpus 0.1 throttles" "$out"

# --require-cgroups is satisfied here
out=$(run --require-cgroups /tmp/r /bin/true; echo "rc=$?")
[[ $out == *rc=0 ]] && tap_ok "--require-cgroups runs where cgroup v2 has its controllers" || tap_fail "--require-cgroups" "$out"
vm_stop > /dev/null
rm -f "$DATA_IMG"
tap_done
