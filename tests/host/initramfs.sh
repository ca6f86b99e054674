#!/bin/bash
# initramfs.sh — what the image holds: init, console node, config, the
# board's modules with a modules.dep naming only files that are there, all
# owned by root; and the Kconfig switches are honoured. The production
# image has no console shell, the development one (initramfs-dev) has it;
# both are compressed with something the board's kernel unpacks.
. "$(dirname "$0")/../lib/env.sh"
img=$(ls "$BUILD"/images/initramfs.cpio.* 2>/dev/null | head -1)
dev=$(ls "$BUILD"/images/initramfs-dev.cpio.* 2>/dev/null | head -1)
[ -n "$img" ] && [ -n "$dev" ] && tap_ok "a production and a development image" ||
	{ tap_fail "a production and a development image" "$(ls "$BUILD/images")"; tap_done; exit; }
unpack() {
	case $1 in
	*.gz) gzip -dc "$1" ;; *.lz4) lz4 -dc "$1" ;; *.zst) zstd -dc "$1" ;; *) return 1 ;;
	esac
}
rd=$(case $img in *.gz) echo GZIP ;; *.lz4) echo LZ4 ;; *.zst) echo ZSTD ;; esac)
kconf=$(ls "$BUILD"/src/linux-image-*/boot/config-* 2>/dev/null | head -1)
if [ -n "$kconf" ]; then
	tap_check "the kernel unpacks the image's compression (CONFIG_RD_$rd=y)" grep -q "^CONFIG_RD_$rd=y" "$kconf"
fi
list=$WORK/list
unpack "$img" | cpio -tv --quiet > "$list" 2>/dev/null
names=$WORK/names
unpack "$img" | cpio -t --quiet > "$names" 2>/dev/null

tap_check "/sbin/init is in the image" grep -qx 'sbin/init' "$names"
tap_check "/dev/console is a character device 5,1" grep -qE '^crw------- +1 root +root +5, +1 .* dev/console$' "$list"
tap_check "/etc/berth/berth.conf is in the image" grep -qx 'etc/berth/berth.conf' "$names"
bad_owner=$(awk '$3 != "root" || $4 != "root"' "$list" | head -3)
[ -z "$bad_owner" ] && tap_ok "every entry is owned by root:root" || tap_fail "every entry is owned by root:root" "$bad_owner"

(cd "$WORK" && unpack "$img" | cpio -id --quiet 'etc/berth/berth.conf' 'lib/modules/*/modules.dep' \
	'lib/modules/*/modules.alias' 2>/dev/null)
dep=$(ls "$WORK"/lib/modules/*/modules.dep 2>/dev/null | head -1)
if [ -n "$dep" ]; then
	rel=$(basename "$(dirname "$dep")")
	missing=""
	for f in $(tr ':' ' ' < "$dep"); do
		grep -qx "lib/modules/$rel/$f" "$names" || missing="$missing $f"
	done
	[ -z "$missing" ] && tap_ok "every module modules.dep names is in the image" ||
		tap_fail "every module modules.dep names is in the image" "missing:$missing"
	# init skips a PCI driver whose hardware is absent: the image keeps the
	# PCI lines of modules.alias, and only those
	alias=$(dirname "$dep")/modules.alias
	[ -f "$alias" ] && ! grep -qv '^alias pci:[^ ]* [a-z0-9_]*$' "$alias" &&
		tap_ok "modules.alias is in the image, its PCI lines only ($(wc -l < "$alias"))" ||
		tap_fail "modules.alias is in the image, its PCI lines only" "$(head -3 "$alias" 2>&1)"
	bdir=$TOP/board/$(echo "$CONFIG_BOARD_NAME" | tr -d '"')
	for m in $(sed 's/#.*//' "$bdir/modules" $(ls "$bdir/modules.after" "$bdir/modules.late" 2>/dev/null)); do
		pat=$(echo "$m" | sed 's/[-_]/[-_]/g')
		grep -qE "(^|/)$pat\.ko:" "$dep" && tap_ok "board module $m is in modules.dep" ||
			tap_fail "board module $m is in modules.dep"
	done
else
	tap_fail "modules.dep is in the image"
fi
if [ "${CONFIG_ROOTFS_BUSYBOX:-}" = y ]; then
	tap_check "busybox and /bin/sh are in the image (CONFIG_ROOTFS_BUSYBOX=y)" grep -qx 'bin/sh' "$names"
	if grep -qE '^l.* sbin/init -> ' "$list"; then tap_fail "busybox does not replace /sbin/init"; else tap_ok "busybox does not replace /sbin/init"; fi
else
	if grep -qx 'bin/busybox' "$names"; then tap_fail "no busybox when CONFIG_ROOTFS_BUSYBOX is off"; else tap_ok "no busybox when CONFIG_ROOTFS_BUSYBOX is off"; fi
fi
if grep -q '^console_shell' "$WORK/etc/berth/berth.conf"; then
	tap_fail "the production image's berth.conf has no console_shell" "$(grep console_shell "$WORK/etc/berth/berth.conf")"
else
	tap_ok "the production image's berth.conf has no console_shell"
fi
mkdir -p "$WORK/dev"
(cd "$WORK/dev" && unpack "$dev" | cpio -id --quiet 'etc/berth/berth.conf' 'etc/os-release' 2>/dev/null)
(cd "$WORK" && unpack "$img" | cpio -id --quiet 'etc/os-release' 2>/dev/null)
tap_check "os-release names the production variant" grep -qx 'VARIANT_ID=production' "$WORK/etc/os-release"
tap_check "os-release names the development variant" grep -qx 'VARIANT_ID=development' "$WORK/dev/etc/os-release"
grep -q '^console_shell = /bin/sh' "$WORK/dev/etc/berth/berth.conf"; has_shell=$?
if [ "${CONFIG_INIT_CONSOLE_SHELL:-}" = y ]; then
	[ $has_shell = 0 ] && tap_ok "the development image has console_shell (CONFIG_INIT_CONSOLE_SHELL=y)" ||
		tap_fail "the development image has console_shell"
else
	[ $has_shell != 0 ] && tap_ok "no console_shell anywhere when CONFIG_INIT_CONSOLE_SHELL is off" ||
		tap_fail "no console_shell when CONFIG_INIT_CONSOLE_SHELL is off"
fi
# The archive is reproducible: the same inputs give the same bytes.
spec=$BUILD/initramfs-production.spec
if [ -f "$spec" ]; then
	a=$("$BUILD/host/mkcpio" < "$spec" | sha256sum); b=$("$BUILD/host/mkcpio" < "$spec" | sha256sum)
	[ "$a" = "$b" ] && tap_ok "mkcpio output is reproducible" || tap_fail "mkcpio output is reproducible"
fi
tap_done
