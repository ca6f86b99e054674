#!/bin/bash
# shutdown_hang.sh — shutdown is bounded when the data disk stops answering.
# The data directory is a filesystem on a device-mapper linear target
# (dm-mod, over a loop device on a file in /tmp), mounted over
# /var/lib/berth; the target is then suspended without flushing (as
# `dmsetup suspend --noflush --nolockfs` does: its I/O waits from then on)
# and a writer is left blocked on it in the kernel, where no signal reaches
# it. SIGTERM to PID 1 must still end in reboot(2) (qemu -no-reboot exits)
# within CONFIG_INIT_SHUTDOWN_SYNC_MS plus the earlier steps, with the hang
# reported on the console.
# Neither image carries dm-mod, loop or a device-mapper tool: the test boots
# the development image with one more cpio appended (the kernel unpacks
# both; the image uncompressed): the two modules, modules.dep and berth.conf naming them among the
# late modules, and tests/system/dm_suspend.c built here (static).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
export SSH_PORT=12252 API_PORT=12406

# The extra cpio: files only (their directories are in the image).
extra() {
	local rel kmods src x=$WORK/extra
	kmods=$(ls -d "$BUILD"/kmod/*/lib/modules/* 2>/dev/null | head -1)
	rel=$(basename "$kmods")
	src=$BUILD/src/linux-image-$rel/lib/modules/$rel/kernel/drivers
	[ -d "$kmods" ] && [ -f "$src/md/dm-mod.ko" ] && [ -f "$src/block/loop.ko" ] || return 1
	mkdir -p "$x/lib/modules/$rel" "$x/etc/berth" "$x/usr/bin"
	cp "$src/md/dm-mod.ko" "$src/block/loop.ko" "$x/lib/modules/$rel/"
	{ cat "$kmods/modules.dep"; printf 'dm-mod.ko:\nloop.ko:\n'; } > "$x/lib/modules/$rel/modules.dep"
	vm_image_conf | sed 's/^modules_late = .*/& loop dm_mod/' > "$x/etc/berth/berth.conf" || return 1
	grep -q '^modules_late = .* loop dm_mod$' "$x/etc/berth/berth.conf" || return 1
	gcc -static -O2 -Wall -o "$x/usr/bin/dm_suspend" "$TOP/tests/system/dm_suspend.c" || return 1
	vm_append "$x"
}
if ! extra; then
	tap_skip "shutdown with a suspended data disk" "no dm-mod/loop in the kernel package, no cpio, lz4 or gcc -static, or not an lz4 initramfs"
	tap_done; exit
fi
export INITRD=$WORK/initrd
vm_start hang; rc=$?
if [ $rc = 2 ]; then
	tap_skip "shutdown with a suspended data disk" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }

# The late modules load after ready: wait for them (30 s at most).
out=$(vm_run "for i in \$(seq 300); do [ -e /dev/mapper/control ] && [ -e /dev/loop0 ] && break; sleep 0.1; done
truncate -s 32M /tmp/hang.img && losetup /dev/loop0 /tmp/hang.img &&
dev=\$(dm_suspend create hang 7:0 0 65536) && mke2fs -q /dev/\$dev > /dev/null &&
mount /dev/\$dev /var/lib/berth && echo ok > /var/lib/berth/before && sync && echo \$dev")
[[ $out == dm-[0-9]* ]] && tap_ok "the data directory is on a device-mapper target ($out)" ||
	tap_fail "the data directory is on a device-mapper target" "$out"
dev=$out
out=$(vm_run "dm_suspend suspend hang && cat /sys/block/$dev/dm/suspended")
[ "$out" = 1 ] && tap_ok "the target is suspended" || tap_fail "the target is suspended" "$out"
vm_run "setsid sh -c 'dd if=/dev/zero of=/var/lib/berth/blocked bs=4k count=1 conv=fsync' < /dev/null > /dev/null 2>&1 & echo started" > /dev/null
sleep 1
st=$(vm_run "grep -l '^State:.*D' /proc/[0-9]*/status 2>/dev/null | wc -l")
[ "${st:-0}" -ge 1 ] && tap_ok "a writer is blocked on it in the kernel (D state)" ||
	tap_fail "a writer is blocked on it in the kernel (D state)" "$st"
t0=$SECONDS
"$TOP/tools/qemu-run.sh" send "$VM_DIR" "kill -TERM 1"
limit=$(( CONFIG_INIT_SHUTDOWN_SYNC_MS / 1000 + 40 ))
if vm_wait_exit "$limit"; then
	tap_ok "SIGTERM to PID 1 ends qemu (reboot) in $((SECONDS - t0))s"
else
	tap_fail "SIGTERM to PID 1 ends qemu (reboot) within ${limit}s" "$(tail -10 "$VM_DIR/console.log")"
fi
"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
log=$(tr -d '\r' < "$VM_DIR/console.log")
tap_check "init reported the hang and rebooted regardless" bash -c \
	"grep -q 'seed, sync and unmount not done within $CONFIG_INIT_SHUTDOWN_SYNC_MS ms' <<< \"\$1\" &&
	 grep -q 'shutdown: reboot after' <<< \"\$1\"" _ "$log"
# (not the watchdog: with PID 1 stuck it would reset the VM too, later)
tap_check "the kernel restarted for PID 1's reboot(2), not for the watchdog" bash -c \
	"grep -q 'reboot: Restarting system' <<< \"\$1\" && ! grep -q 'softdog: Initiating' <<< \"\$1\"" _ "$log"
rm -f "$DATA_IMG"
tap_done
