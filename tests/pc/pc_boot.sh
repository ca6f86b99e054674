#!/bin/bash
# pc_boot.sh — pc-x86_64's disk image (the production berth.img a host is
# flashed with, built in PC_BUILD by `make check-pc`) boots through OVMF on
# a q35 machine that looks like a PC: the disk on NVMe, an e1000e NIC, an
# i6300esb watchdog beside q35's own TCO timer. Checked: it reaches ready;
# first boot grows the data partition on the NVMe disk and mounts it; the
# NIC is driven by e1000e and got its DHCP address; both hardware watchdogs
# (i6300esb, q35's iTCO) are registered and PID 1 armed one and feeds it
# (the machine outlives a whole timeout, and qemu runs with -no-reboot, so a
# reset would end it); the power button powers it off. Over SSH with the
# build's development key: the production image has no console shell.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
PC=${PC_BUILD:-$BUILD/pc}
img=$PC/images/berth.img
KEY=$PC/pki/ssh/id_ed25519
for need in "$img:make pc-disk" "$KEY:make pc-disk" "/usr/share/OVMF/OVMF_CODE_4M.fd:apt-get install ovmf"; do
	[ -f "${need%%:*}" ] || { tap_skip "pc-x86_64 boots as a PC" "no ${need%%:*} (${need#*:})"; tap_done; exit; }
done
command -v ssh > /dev/null || { tap_skip "pc-x86_64 boots as a PC" "no ssh client (openssh-client)"; tap_done; exit; }
# shellcheck source=/dev/null
. "$PC/config/auto.conf"

export SSH_PORT=${SSH_PORT:-12532} API_PORT=${API_PORT:-12546} BOARD_DIR=$TOP/board/pc-x86_64 QEMU_NO_REBOOT=1
export MEM_MB=$CONFIG_BOARD_MEMORY_MB CPUS=$CONFIG_BOARD_CPUS BOOT_TIMEOUT=${BOOT_TIMEOUT:-400}
export DISK_IMG=$BUILD/test/disk-pc.img
VM_DIR=$BUILD/test/vm-pc
mkdir -p "$BUILD/test"
rm -f "$DISK_IMG" "$DISK_IMG.vars"
cp --sparse=always "$img" "$DISK_IMG" && truncate -s 1G "$DISK_IMG" || { tap_fail "a 1 GiB copy of the image"; tap_done; exit; }
trap '"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null 2>&1; rm -f "$DISK_IMG" "$DISK_IMG.vars"; rm -rf "$WORK"' EXIT

vssh() {
	ssh -p "$SSH_PORT" -i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -o ConnectTimeout=20 -o LogLevel=ERROR root@127.0.0.1 "$@"
}
if ! "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > "$WORK/bg.out" 2>&1; then
	tap_fail "boots to 'berth: ready'" "$(cat "$WORK/bg.out"; tail -20 "$VM_DIR/console.log" 2>/dev/null)"
	tap_done; exit
fi
tap_ok "boots by UEFI from NVMe to 'berth: ready' ($(cat "$VM_DIR/ready.ms") ms after qemu started)"
args=$(tr '\0' ' ' < "/proc/$(cat "$VM_DIR/qemu.pid")/cmdline")
[[ $args == *"-device nvme,drive=disk0"* && $args == *"e1000e,netdev=net0"* && $args == *"-device i6300esb"* && $args != *-kernel* ]] &&
	tap_ok "the machine: NVMe disk, e1000e NIC, i6300esb, no -kernel" || tap_fail "the machine: NVMe, e1000e, i6300esb" "$args"
log=$(tr -d '\r' < "$VM_DIR/console.log")
grep -q 'data partition: partition nvme0n1p2 grown from' <<< "$log" &&
	tap_ok "first boot grew the data partition on the NVMe disk: $(grep -o 'partition nvme0n1p2 grown from [^(]*' <<< "$log" | head -1)" ||
	tap_fail "first boot grew the data partition on the NVMe disk" "$(grep 'data partition' <<< "$log")"
for _ in $(seq 60); do [ "$(vssh echo ok 2>/dev/null)" = ok ] && break; sleep 1; done
mnt=$(vssh "grep ' /var/lib/berth ' /proc/mounts")
[[ $mnt == "/dev/nvme0n1p2 /var/lib/berth ext4 "* ]] && tap_ok "the data partition /dev/nvme0n1p2 is mounted on /var/lib/berth" ||
	tap_fail "the data partition on NVMe is mounted" "'$mnt'"
net=$(vssh 'for n in /sys/class/net/*; do [ -e $n/device/driver ] && echo ${n##*/} $(basename $(readlink $n/device/driver)); done; ip -4 -o addr show')
grep -q ' e1000e$' <<< "$net" && grep -q 'inet 10\.0\.2\.15/' <<< "$net" &&
	tap_ok "the e1000e NIC has its DHCP address 10.0.2.15" || tap_fail "the e1000e NIC has its DHCP address" "$net"
mods=$(vssh "cut -d' ' -f1 /proc/modules")
for m in nvme e1000e i6300esb; do
	grep -qx "$m" <<< "$mods" && tap_ok "module $m is loaded" || tap_fail "module $m is loaded" "$(tr '\n' ' ' <<< "$mods")"
done
# The machine has two hardware watchdogs, the i6300esb and q35's ICH9 TCO
# timer (iTCO_wdt, on the device lpc_ich creates), and the board loads
# softdog as the fallback: all of them load after ready, in one set, and
# the kernel numbers them as their probes finish. PID 1 opens one once that
# set is in (seconds after ready on a loaded host) and must feed a hardware
# one, whichever the kernel numbered first.
t=$CONFIG_INIT_WATCHDOG_TIMEOUT_S
for _ in $(seq 600); do grep -q 'watchdog: .* armed' "$VM_DIR/console.log" && break; sleep 0.1; done
log=$(tr -d '\r' < "$VM_DIR/console.log")
dev=$(sed -n "s/.*watchdog: \/dev\/\(watchdog[0-9]*\) armed, $t s.*/\1/p" <<< "$log" | head -1)
wd=$(vssh "cat /sys/class/watchdog/${dev:-none}/identity; cat /sys/class/watchdog/${dev:-none}/state; cat /sys/class/watchdog/*/identity | tr '\n' ,")
id=$(sed -n 1p <<< "$wd") all=$(sed -n 3p <<< "$wd")
if [ "${CONFIG_INIT_WATCHDOG:-}" != y ]; then
	tap_skip "a hardware watchdog is fed" "CONFIG_INIT_WATCHDOG is off"
elif [ -n "$dev" ] && [[ $id == "i6300ESB timer" || $id == iTCO_wdt ]] && [ "$(sed -n 2p <<< "$wd")" = active ] &&
	[[ ,$all == *",i6300ESB timer,"* && ,$all == *,iTCO_wdt,* ]]; then
	tap_ok "PID 1 armed a hardware watchdog, $dev ($id; all: $all), $t s"
	sleep $((t + 5))
	[ "$(vssh echo alive)" = alive ] && vm_alive && tap_ok "fed: the machine outlived a whole timeout ($t s)" ||
		tap_fail "fed: the machine outlived a whole timeout" "$(tail -5 "$VM_DIR/console.log")"
else
	tap_fail "PID 1 armed a hardware watchdog (i6300ESB timer and iTCO_wdt both registered)" \
		"device '$dev': $wd; $(grep 'watchdog' <<< "$log")"
fi
errs=$(grep 'berth-init: error' <<< "$log")
[ -z "$errs" ] && tap_ok "init logged no errors while booting" || tap_fail "init logged no errors while booting" "$errs"
out=$("$TOP/tools/qemu-run.sh" stop "$VM_DIR" 2>&1)
grep -q 'reboot: Power down' "$VM_DIR/console.log" && ! grep -q 'quitting qemu' <<< "$out" &&
	tap_ok "the power button powers it off in order" || tap_fail "the power button powers it off in order" "$out $(tail -5 "$VM_DIR/console.log")"
tap_done
