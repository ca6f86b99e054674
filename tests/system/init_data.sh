#!/bin/bash
# init_data.sh — the data partition (ext4 labelled berth-data, found by its
# superblock) is mounted on /var/lib/berth and a file written there survives
# a reboot; the RNG seed is kept there; every host hardening sysctl is set;
# berthctl status says the partition is mounted.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

vm_start data; rc=$?
if [ $rc = 2 ]; then
	tap_skip "data partition in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"; tap_done; exit; }

mnt=$(vm_run "grep ' /var/lib/berth ' /proc/mounts")
[[ $mnt == "$VM_DATA_DEV /var/lib/berth ext4 "* ]] && tap_ok "$VM_DATA_DEV (label berth-data) is mounted on /var/lib/berth" ||
	tap_fail "$VM_DATA_DEV (label berth-data) is mounted on /var/lib/berth" "$mnt"
# Every hardening sysctl (init/sysctl.c) has its value after boot, the
# per-interface ones on all, default and eth0.
want="kernel.kptr_restrict=2 kernel.dmesg_restrict=1 kernel.unprivileged_bpf_disabled=1
kernel.yama.ptrace_scope=2 kernel.kexec_load_disabled=1 kernel.perf_event_paranoid=3 kernel.sysrq=0
kernel.unprivileged_userns_clone=0 net.core.bpf_jit_harden=2 fs.suid_dumpable=0 fs.protected_hardlinks=1 fs.protected_symlinks=1
fs.protected_fifos=2 fs.protected_regular=2 dev.tty.ldisc_autoload=0
net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0"
for f in all default eth0; do
	want="$want net.ipv4.conf.$f.accept_redirects=0 net.ipv4.conf.$f.secure_redirects=0
net.ipv4.conf.$f.send_redirects=0 net.ipv4.conf.$f.accept_source_route=0 net.ipv4.conf.$f.rp_filter=1
net.ipv6.conf.$f.accept_redirects=0 net.ipv6.conf.$f.accept_source_route=0 net.ipv6.conf.$f.accept_ra=0"
done
# (busybox's line editor takes at most 1024 bytes: short commands)
got=$(vm_run 'for k in kernel/kptr_restrict kernel/dmesg_restrict kernel/unprivileged_bpf_disabled kernel/yama/ptrace_scope kernel/kexec_load_disabled kernel/perf_event_paranoid kernel/sysrq kernel/unprivileged_userns_clone net/core/bpf_jit_harden fs/suid_dumpable fs/protected_hardlinks fs/protected_symlinks fs/protected_fifos fs/protected_regular dev/tty/ldisc_autoload net/ipv4/ip_forward net/ipv6/conf/all/forwarding; do echo $k=$(cat /proc/sys/$k); done | tr / .'
     vm_run 'for f in all default eth0; do for k in ipv4/conf/$f/accept_redirects ipv4/conf/$f/secure_redirects ipv4/conf/$f/send_redirects ipv4/conf/$f/accept_source_route ipv4/conf/$f/rp_filter ipv6/conf/$f/accept_redirects ipv6/conf/$f/accept_source_route ipv6/conf/$f/accept_ra; do echo net/$k=$(cat /proc/sys/net/$k); done; done | tr / .')
for kv in $want; do
	grep -qx "$kv" <<< "$got" && tap_ok "sysctl $kv" || tap_fail "sysctl $kv" "got '$(grep "^${kv%=*}=" <<< "$got")'"
done
# berth-dhcpc (point 7): no CAP_NET_RAW even in its bounding set, its cgroup limits
dh=$(vm_run 'p=$(pidof berth-dhcpc); grep ^CapBnd: /proc/$p/status; cat /sys/fs/cgroup/system/dhcpc-eth0/memory.max /sys/fs/cgroup/system/dhcpc-eth0/pids.max')
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<< "$dh")
[ -n "$bnd" ] && (( (0x$bnd & (1 << 13)) == 0 )) && tap_ok "berth-dhcpc has no CAP_NET_RAW" ||
	tap_fail "berth-dhcpc has no CAP_NET_RAW" "$dh"
[ "$(sed -n 2,3p <<< "$dh" | tr '\n' ' ')" = "8388608 2 " ] && tap_ok "berth-dhcpc's cgroup: memory.max 8M, pids.max 2" ||
	tap_fail "berth-dhcpc's cgroup: memory.max 8M, pids.max 2" "$dh"
st=$(vm_run 'berthctl status')
[ "$st" = "data mounted: $VM_DATA_DEV on /var/lib/berth" ] && tap_ok "berthctl status: the data partition is mounted" ||
	tap_fail "berthctl status: the data partition is mounted" "berthctl status said: $st"
tap_check "a random seed is kept on the data partition" test "$(vm_run 'stat -c %s /var/lib/berth/random-seed')" = 512
token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
vm_run "echo $token > /var/lib/berth/survivor" >/dev/null

# busybox reboot sends SIGTERM to PID 1; qemu runs with -no-reboot, so
# the reboot ends it, and the same disk is booted again.
pid=$(cat "$VM_DIR/qemu.pid")
"$TOP/tools/qemu-run.sh" send "$VM_DIR" "reboot"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	tap_fail "reboot ends the VM" "$(tail -10 "$VM_DIR/console.log")"
else
	tap_ok "reboot ends the VM (qemu -no-reboot)"
fi
cp "$VM_DIR/console.log" "$WORK/first.log"
"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
tap_check "shutdown stops services, saves the seed, unmounts the data partition (each timed)" bash -c \
	"grep -q 'shutdown: reboot' '$WORK/first.log' && grep -q 'shutdown: random seed saved in' '$WORK/first.log' &&
	 grep -q '/var/lib/berth read-only and unmounted in' '$WORK/first.log'"

if "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null; then
	tap_ok "boots again from the same data disk"
	got=$(vm_run "cat /var/lib/berth/survivor")
	[ "$got" = "$token" ] && tap_ok "a file under /var/lib/berth survived the reboot" ||
		tap_fail "a file under /var/lib/berth survived the reboot" "got '$got', want '$token'"
	tap_check "the kept seed was credited to the RNG at boot" grep -q 'random seed: 512 bytes from /var/lib/berth/random-seed credited' "$VM_DIR/console.log"
	vm_stop || tap_fail "poweroff" "$(tail -5 "$VM_DIR/console.log")"
else
	tap_fail "boots again from the same data disk" "$(tail -20 "$VM_DIR/console.log")"
fi
rm -f "$DATA_IMG"
tap_done
