#!/bin/bash
# boot.sh — the image boots in qemu to "berth: ready" within BOOT_TIMEOUT;
# PID 1 is our init; cgroup2 is mounted with its controllers; the board's
# modules are loaded (those after ready and the late ones too, after ready)
# and then module loading is disabled; poweroff ends qemu.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

# jump_label_update traced (a static key turned on or off): see below
vm_uefi || export CMDLINE="$CMDLINE ftrace=function ftrace_filter=jump_label_update trace_clock=boot"
vm_start boot; rc=$?
if [ $rc = 2 ]; then
	tap_skip "boot in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
if [ $rc != 0 ]; then
	tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	tap_done; exit
fi
tap_ok "boots to 'berth: ready' ($(cat "$VM_DIR/ready.ms") ms after qemu started)"

want=$(sha256sum < "$BUILD/bin/init" | cut -d' ' -f1)
got=$(vm_run "sha256sum /proc/1/exe" | awk '{print $1}')
[ "$got" = "$want" ] && tap_ok "/proc/1/exe is build/bin/init (sha256)" ||
	tap_fail "/proc/1/exe is build/bin/init (sha256)" "got '$got', want '$want'"
tap_check "/proc/1/exe is /sbin/init" test "$(vm_run 'readlink /proc/1/exe')" = /sbin/init
# PID 1 made / a mount of its own (a bind of the initramfs moved over the
# rootfs), which pivot_root can move: its parent is another mount (the
# rootfs is "1 1", its own parent). Nothing was copied.
root=$(vm_run "awk '\$5 == \"/\"' /proc/self/mountinfo")
read -r id parent _ <<< "$root"
[ -n "$id" ] && [ "$id" != "$parent" ] && tap_ok "/ is a mount with a parent, not the rootfs itself" ||
	tap_fail "/ is a mount with a parent, not the rootfs itself" "$root"
tap_check "the root switch was logged" grep -q 'root moved from the initramfs to a bind mount of it' "$VM_DIR/console.log"

mnt=$(vm_run "grep ' /sys/fs/cgroup ' /proc/mounts")
[[ $mnt == "cgroup2 /sys/fs/cgroup cgroup2 "* ]] && tap_ok "cgroup2 is mounted on /sys/fs/cgroup" ||
	tap_fail "cgroup2 is mounted on /sys/fs/cgroup" "$mnt"
ctl=$(vm_run "cat /sys/fs/cgroup/cgroup.controllers")
sub=$(vm_run "cat /sys/fs/cgroup/cgroup.subtree_control")
for c in cpu memory pids io; do
	[[ " $ctl " == *" $c "* ]] && tap_ok "cgroup2 offers the $c controller" || tap_fail "cgroup2 offers the $c controller" "controllers: $ctl"
	[[ " $sub " == *" $c "* ]] && tap_ok "$c is enabled for child groups" || tap_fail "$c is enabled for child groups" "subtree_control: $sub"
done

# The modules after ready (softdog, evdev among them) and the late ones
# (overlay among them) load after ready, at once; once both sets are in,
# with CONFIG_INIT_MODULES_LOCK, module loading is disabled.
for _ in $(seq 200); do
	after=$(tr -d '\r' < "$VM_DIR/console.log" | sed -n '/berth: ready/,$p')
	grep -q 'modules: after ready: .* in [0-9]* ms' <<< "$after" && grep -q 'modules: late: .* in [0-9]* ms' <<< "$after" && break
	sleep 0.3
done
tap_check "the modules after ready and the late ones are loaded after 'berth: ready' (readiness waits for neither)" \
	grep -q 'modules: after ready: [0-9]* named loaded, 0 failed' <<< "$after"
mods=$(vm_run "cut -d' ' -f1 /proc/modules")
if [ "${CONFIG_INIT_MODULES_LOCK:-}" = y ]; then
	for _ in $(seq 100); do grep -q 'modules: loading disabled' <(tr -d '\r' < "$VM_DIR/console.log") && break; sleep 0.3; done
	tap_check "module loading is disabled once the late modules are in (kernel.modules_disabled=1)" \
		test "$(vm_run 'cat /proc/sys/kernel/modules_disabled')" = 1
	out=$(vm_run 'insmod /lib/modules/$(uname -r)/kernel/net/llc/llc.ko 2>&1; rmmod veth 2>&1; echo rc=$?')
	grep -q 'rc=0' <<< "$out" && tap_fail "no module can be removed or loaded after that" "$out" ||
		tap_ok "no module can be removed or loaded after that"
fi
# The services' cgroups are made once the boot set is in, never beside its
# loaders: that pairing hung the emulated machine for good (init/main.c).
boot=$(tr -d '\r' < "$VM_DIR/console.log" | sed -n '1,/berth: ready/p')
l_mod=$(grep -n 'berth-init: info: modules: [0-9]* named loaded' <<< "$boot" | head -1 | cut -d: -f1)
l_svc=$(grep -n 'berth-init: info: services: [0-9]* loaded from' <<< "$boot" | head -1 | cut -d: -f1)
if grep -q 'modules: the devices boot waits for are there: the boot set loads after ready' <<< "$boot"; then
	# The data disk was there at PID 1's start (DATA_BUS=nvme: its driver
	# is built in): no loader ran before ready at all.
	[ -z "$l_mod" ] && [ -n "$l_svc" ] &&
		tap_ok "the boot set is left for after ready: no loader ran beside the services' cgroups" ||
		tap_fail "no loader before ready" "$(grep -E 'modules: |services: [0-9]* loaded' <<< "$boot")"
	[ "${DATA_BUS:-nvme}" = nvme ] && tap_ok "... as it should with the NVMe data disk" ||
		tap_fail "boot set deferred with DATA_BUS=$DATA_BUS" "$(grep -E 'modules: ' <<< "$boot")"
	# With no loader the partition is mounted by a child while PID 1 sets
	# the sysctls, the control socket, loopback and the services' cgroups.
	l_child=$(grep -n "data partition: mounting $VM_DATA_DEV in a child while boot goes on" <<< "$boot" | head -1 | cut -d: -f1)
	l_sys=$(grep -n 'host hardening: ' <<< "$boot" | head -1 | cut -d: -f1)
	l_mnt=$(grep -n "data partition $VM_DATA_DEV (berth-data) mounted on /var/lib/berth" <<< "$boot" | head -1 | cut -d: -f1)
	[ -n "$l_child" ] && [ -n "$l_sys" ] && [ -n "$l_mnt" ] && [ "$l_child" -lt "$l_sys" ] &&
		[ "$l_child" -lt "$l_svc" ] && [ "$l_sys" -lt "$l_mnt" ] &&
		tap_ok "the data partition is mounted by a child beside the sysctls and the services' cgroups (lines $l_child, $l_sys, $l_svc, $l_mnt)" ||
		tap_fail "the data partition is mounted by a child beside PID 1's work" "$(grep -nE 'services: [0-9]* loaded|data partition|host hardening' <<< "$boot")"
else
	[ -n "$l_mod" ] && [ -n "$l_svc" ] && [ "$l_mod" -lt "$l_svc" ] &&
		tap_ok "the services and their cgroups come after the boot modules (lines $l_mod, $l_svc)" ||
		tap_fail "the services and their cgroups come after the boot modules" "$(grep -E 'modules: [0-9]* named|services: [0-9]* loaded' <<< "$boot")"
	vm_uefi || [ "${DATA_BUS:-nvme}" != nvme ] && tap_ok "... as it should with a virtio data disk" ||
		tap_fail "the boot set was not left for after ready, though the NVMe data disk was there" "$(grep -E 'modules: |data partition' <<< "$boot")"
fi
# Every kernel static key PID 1 turns on before ready (the first child
# cgroup turns on the memcg and cpuset ones: code patched while every CPU
# runs) is turned on before PID 1 has a child, said by "early filesystems
# mounted": that patching beside a module loader hung the emulated machine
# for good now and then (init/svc.h). The kernel traced each
# jump_label_update (the command line below) on CLOCK_BOOTTIME, PID 1's.
if vm_uefi; then
	tap_skip "PID 1 turns static keys on before it has a child" "UEFI mode: the kernel command line is the signed image's"
else
	t_early=$(grep -o '^\[ *[0-9.]*\] berth-init: info: early filesystems mounted' <<< "$boot" | tr -d '[]' | awk '{print $1}')
	keys=$(vm_run "mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; grep -E '^ *init-1 +\[' /sys/kernel/tracing/trace" |
		awk '/jump_label_update/ { t = $4; sub(":", "", t); print t }')
	# (the kernel's own, from before it ran /sbin/init as pid 1, are in
	# the trace too: counted from PID 1's first line)
	t_first=$(grep -o '^\[ *[0-9.]*\] berth-init: ' <<< "$boot" | head -1 | tr -d '[]' | awk '{print $1}')
	late=$(awk -v e="$t_early" '$1 + 0 > e + 0' <<< "$keys")
	mine=$(awk -v f="$t_first" '$1 + 0 > f + 0' <<< "$keys" | wc -l)
	[ -n "$t_early" ] && [ -n "$keys" ] && [ -z "$late" ] && [ "$mine" -gt 0 ] &&
		tap_ok "PID 1 turns its $mine static keys on before it has a child (all before $t_early s)" ||
		tap_fail "PID 1 turns static keys on before it has a child" "early filesystems mounted at '$t_early'; PID 1's jump_label_update at: $(echo $keys)"
fi
for m in virtio_blk virtio_net virtio_pci virtio_rng evdev button softdog overlay; do
	grep -qx "$m" <<< "$mods" && tap_ok "module $m is loaded" || tap_fail "module $m is loaded" "$mods"
done
tap_check "the data disk is there (/sys/class/block/${VM_DATA_DEV#/dev/})" vm_run "test -e /sys/class/block/${VM_DATA_DEV#/dev/}"
tap_check "hostname is the configured one" test "$(vm_run hostname)" = "$(echo "$CONFIG_ROOTFS_HOSTNAME" | tr -d '"')"
errs=$(grep -c 'berth-init: error' <(tr -d '\r' < "$VM_DIR/console.log"))
[ "$errs" = 0 ] && tap_ok "init logged no errors while booting" || tap_fail "init logged no errors while booting" "$(grep 'berth-init: error' "$VM_DIR/console.log")"
tap_check "the kernel reported no soft lockup or RCU stall" \
	bash -c "! grep -qE 'soft lockup|rcu.*(stall|starved)' '$VM_DIR/console.log'"

start=$(date +%s%3N)
if vm_stop; then
	tap_ok "poweroff ends qemu ($(( $(date +%s%3N) - start )) ms)"
else
	tap_fail "poweroff ends qemu" "$(tail -10 "$VM_DIR/console.log")"
fi
tap_check "shutdown steps are logged" grep -q 'shutdown: poweroff after' "$VM_DIR/console.log"
rm -f "$DATA_IMG"
tap_done
