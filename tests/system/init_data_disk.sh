#!/bin/bash
# init_data_disk.sh — the data disk is found or the operator is told, and
# the RNG seed is used once:
#   - a berth-data disk whose superblock is zeroed: "data mount-failed" on the
#     console and in berthctl status, the data directory empty and read-only,
#     and not one byte of the disk changed;
#   - one whose superblock checksum is broken: the kernel refuses the mount
#     (made by PID 1's child beside boot with the NVMe disk), and that is
#     "data mount-failed" the same way;
#   - a disk plugged in (qemu monitor device_add) while PID 1 waits for it:
#     found and mounted;
#   - a power cut (qemu killed) after a boot: the next boot credits the seed
#     the first one left and leaves another on the disk, never the same.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

if [ "${CONFIG_INIT_CONSOLE_SHELL:-}" != y ]; then
	tap_skip "data disk states in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
export SSH_PORT=${SSH_PORT:-12222} API_PORT=${API_PORT:-12376}
mkdir -p "$BUILD/test"

# failed_disk NAME WHAT STATUS CONSOLE: boot with DATA_IMG as the test
# damaged it; berthctl status must match the regex STATUS and the console
# say "*** data mount-failed: DEV: CONSOLE…"; the data directory is then an
# empty read-only tmpfs, and not one byte of the disk changed.
failed_disk() {
	local what=$2 before st mnt
	before=$(sha256sum < "$DATA_IMG")
	VM_DIR=$BUILD/test/vm-$1
	if ! "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null; then
		tap_fail "$what: boots" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
		"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
		return
	fi
	tap_ok "$what: boots"
	st=$(vm_run "berthctl status")
	[[ $st =~ $3 ]] && tap_ok "$what: berthctl status says mount-failed and why ($st)" ||
		tap_fail "$what: berthctl status says mount-failed and why" "$st"
	tap_check "$what: the console says so loudly" grep -qF "*** data mount-failed: $VM_DATA_DEV: $4" "$VM_DIR/console.log"
	mnt=$(vm_run "grep ' /var/lib/berth ' /proc/mounts")
	[[ $mnt == "berth-nodata /var/lib/berth tmpfs ro,"* ]] && tap_ok "$what: the data directory is an empty read-only tmpfs" ||
		tap_fail "$what: the data directory is an empty read-only tmpfs" "$mnt"
	vm_stop || tap_fail "poweroff" "$(tail -5 "$VM_DIR/console.log")"
	[ "$(sha256sum < "$DATA_IMG")" = "$before" ] && tap_ok "$what: nothing was written to the disk" ||
		tap_fail "$what: nothing was written to the disk"
}

# --- a zeroed superblock -------------------------------------------------
# Both this and the late disk hand PID 1 a data disk of their own: in UEFI
# mode the data partition is the boot disk's (vda2), which is neither
# plugged in late nor damaged before first boot grows it.
if vm_uefi; then
	tap_skip "a data disk whose superblock is zeroed" "UEFI mode: the data partition is on the boot disk, not a disk of its own"
	tap_skip "a data disk whose superblock the kernel refuses" "UEFI mode: the data partition is on the boot disk, not a disk of its own"
	tap_skip "a data disk that appears late" "UEFI mode: the boot disk, which holds the data partition, cannot be plugged in after boot"
else
	vm_fresh_disk zeroed
	dd if=/dev/zero of="$DATA_IMG" bs=1024 seek=1 count=1 conv=notrunc status=none
	failed_disk zeroed "a zeroed superblock" \
		"^data mount-failed: $VM_DATA_DEV: superblock damaged \(e2fsck -b [0-9]+ $VM_DATA_DEV\)\$" "superblock damaged"
	rm -f "$DATA_IMG"

	# --- a superblock the kernel refuses --------------------------------------
	# Found by its label (the primary superblock), so mounted by PID 1's
	# child beside boot (NVMe; virtio-blk: by PID 1 after the boot set),
	# whose failure must reach the console and berthctl status as PID 1's
	# own would: a broken superblock checksum.
	vm_fresh_disk badsum
	printf '\xde\xad\xbe\xef' | dd of="$DATA_IMG" bs=1 seek=$((1024 + 0x3fc)) conv=notrunc status=none
	failed_disk badsum "a superblock checksum the kernel refuses" "^data mount-failed: $VM_DATA_DEV: mount: " "mount: "
	rm -f "$DATA_IMG"

	# --- a disk that appears late --------------------------------------------
	vm_fresh_disk late
	VM_DIR=$BUILD/test/vm-late
	rm -rf "$VM_DIR"
	DATA_HOTPLUG=1 "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > "$WORK/late.out" 2>&1 &
	bg=$!
	for _ in $(seq 2400); do
		grep -q 'data partition: waiting up to' "$VM_DIR/console.log" 2>/dev/null && break
		kill -0 $bg 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.3
	echo "device_add $(vm_data_device),bus=hp0" > "$VM_DIR/monitor.in"
	if wait $bg; then
		tap_check "PID 1 waited for the data disk" grep -q 'data partition: waiting up to' "$VM_DIR/console.log"
		tap_check "the disk plugged in while it waited is found" grep -q "data partition: $VM_DATA_DEV appeared after [0-9]* ms" "$VM_DIR/console.log"
		st=$(vm_run "berthctl status")
		[ "$st" = "data mounted: $VM_DATA_DEV on /var/lib/berth" ] && tap_ok "and mounted (berthctl status)" ||
			tap_fail "and mounted (berthctl status)" "$st; $(grep -a 'data' "$VM_DIR/console.log" | tail -5)"
		vm_stop || tap_fail "poweroff" "$(tail -5 "$VM_DIR/console.log")"
	else
		tap_fail "boots with a disk plugged in late" "$(cat "$WORK/late.out"; tail -20 "$VM_DIR/console.log" 2>/dev/null)"
		"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
	fi
	rm -f "$DATA_IMG"
fi

# --- a power cut: the seed is never credited twice ------------------------
vm_fresh_disk seed
VM_DIR=$BUILD/test/vm-seed
seed_sum() { vm_run "cat /var/lib/berth/random-seed | sha256sum"; }
if "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null; then
	first=$(seed_sum)
	pid=$(cat "$VM_DIR/qemu.pid")
	kill -9 "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	# not qemu-run.sh stop: it would type poweroff into a console nobody reads
	for f in drain-serial drain-monitor; do kill "$(cat "$VM_DIR/$f.pid")" 2>/dev/null; done
	rm -f "$VM_DIR/qemu.pid"
	if "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null; then
		tap_check "after a power cut the seed left by the last boot is credited" \
			grep -q 'random seed: 512 bytes from /var/lib/berth/random-seed credited' "$VM_DIR/console.log"
		second=$(seed_sum)
		[ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] &&
			tap_ok "and another seed is on the disk: no boot credits the same seed" ||
			tap_fail "and another seed is on the disk: no boot credits the same seed" "first '$first' second '$second'"
		vm_stop || tap_fail "poweroff" "$(tail -5 "$VM_DIR/console.log")"
	else
		tap_fail "boots again after a power cut" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
		"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
	fi
else
	tap_fail "boots with a fresh data disk" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1
fi
rm -f "$DATA_IMG"
tap_done
