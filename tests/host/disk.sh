#!/bin/bash
# disk.sh — the disk image of `make disk` (DEV=1: build/images/berth-dev.img)
# read back with Debian's tools: its GPT (sgdisk), the ESP's files and the
# two slots (mtools, objdump), the data partition's ext4 label (dumpe2fs);
# and reproducibility: the slot image and the disk built twice, at
# different times, are the same bytes (cmp). Secure Boot: systemd-boot and
# the slot image are signed with the image's key (sbverify), the slot
# image's update signature berth-dev.efi.sig verifies with the development
# update key, which the image holds as /etc/berth/update-key.
. "$(dirname "$0")/../lib/env.sh"

img=$BUILD/images/berth-dev.img uki=$BUILD/images/berth-dev.efi
sdboot=$BUILD/src/systemd-boot-efi/usr/lib/systemd/boot/efi
for t in sgdisk mdir mcopy mkfs.fat faketime objdump dumpe2fs; do
	command -v "$t" > /dev/null || { tap_skip "disk image" "$t is missing (tools/host-bootstrap.sh)"; tap_done; exit; }
done
[ -f "$img" ] && [ -f "$uki" ] || { tap_skip "disk image" "no $img (make disk DEV=1)"; tap_done; exit; }
export MTOOLS_SKIP_CHECK=1

# ---- the partition table
table=$(sgdisk -p "$img" 2>&1)
grep -qE '^ +1 +2048 .* EF00 +EFI system partition$' <<< "$table" &&
	tap_ok "partition 1 is the EFI system partition at 1 MiB" || tap_fail "partition 1 is the ESP" "$table"
grep -qE "^ +2 .* $((CONFIG_DISK_DATA_MB)).0 MiB +8300 +berth-data$" <<< "$table" &&
	tap_ok "partition 2, last, is berth-data ($CONFIG_DISK_DATA_MB MiB)" || tap_fail "partition 2 is berth-data" "$table"
[ "$(grep -cE '^ +[0-9]+ ' <<< "$table")" = 2 ] && tap_ok "two partitions" || tap_fail "two partitions" "$table"
v=$(sgdisk -v "$img" 2>&1)
grep -q 'No problems found' <<< "$v" && tap_ok "sgdisk -v: no problems" || tap_fail "sgdisk -v: no problems" "$v"

# ---- the ESP
start=$(sgdisk -i 1 "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
esp="$img@@$((start * 512))"
files=$(mdir -i "$esp" -/ -b ::/ 2>&1 | sort)
want=$(printf '%s\n' ::/EFI/ ::/EFI/BOOT/ ::/EFI/BOOT/BOOTX64.EFI ::/EFI/Linux/ ::/EFI/Linux/berth-0-b.efi \
	::/EFI/Linux/berth-1-a.efi ::/loader/ ::/loader/loader.conf | sort)
[ "$files" = "$want" ] && tap_ok "ESP: systemd-boot, loader.conf, slots berth-1-a and berth-0-b, nothing else" ||
	tap_fail "ESP files" "$(diff <(echo "$want") <(echo "$files"))"
# The PE checksum at e_lfanew + 88, which sbsign sets, zeroed in a copy
# (and sbsign pads the file to 8 bytes: compared up to the original's size).
pe_nosum() {
	cp "$1" "$2" && dd if=/dev/zero of="$2" bs=1 seek=$(( $(od -An -tu4 -j60 -N4 "$2" | tr -d ' ') + 88 )) \
		count=4 conv=notrunc status=none
}
mcopy -n -i "$esp" ::/EFI/BOOT/BOOTX64.EFI "$WORK/boot.efi"
if command -v sbverify > /dev/null; then
	cp "$WORK/boot.efi" "$WORK/boot-unsigned.efi" && sbattach --remove "$WORK/boot-unsigned.efi" 2> /dev/null
	pe_nosum "$WORK/boot-unsigned.efi" "$WORK/b1" && pe_nosum "$sdboot/systemd-bootx64.efi" "$WORK/b2" &&
		cmp -s -n "$(stat -c %s "$WORK/b2")" "$WORK/b1" "$WORK/b2" && tap_ok "BOOTX64.EFI is the pinned systemd-boot" ||
		tap_fail "BOOTX64.EFI is the pinned systemd-boot"
	for f in "$WORK/boot.efi" "$uki"; do
		sbverify --cert "$BUILD/pki/image-secureboot/db.crt" "$f" > /dev/null 2>&1 &&
			tap_ok "$(basename "$f") is signed with the image's Secure Boot key" ||
			tap_fail "$(basename "$f") is signed for Secure Boot" "$(sbverify --list "$f" 2>&1 | head -5)"
	done
else
	tap_skip "Secure Boot signatures" "no sbverify (apt-get install sbsigntool)"
fi
pub=$BUILD/pki/update/key.pub
if [ -f "$uki.sig" ]; then
	openssl dgst -sha256 -verify "$pub" -signature "$uki.sig" "$uki" > /dev/null 2>&1 &&
		tap_ok "berth-dev.efi.sig: the update signed with the development update key" ||
		tap_fail "berth-dev.efi.sig verifies with $pub"
	lz4 -dc "$(ls "$BUILD"/images/initramfs-dev.cpio.* | head -1)" 2> /dev/null > "$WORK/initrd.cpio"
	(cd "$WORK" && cpio -id --quiet etc/berth/update-key < initrd.cpio 2> /dev/null)
	cmp -s "$WORK/etc/berth/update-key" <(openssl ec -pubin -in "$pub" -outform DER 2> /dev/null | tail -c 65) &&
		tap_ok "the image holds the development update key (/etc/berth/update-key)" ||
		tap_fail "/etc/berth/update-key is build/pki/update/key.pub"
else
	tap_skip "the development update key" "no berth-dev.efi.sig (SITE=dir with dir/update/key.pub)"
fi
conf=$(mtype -i "$esp" ::/loader/loader.conf)
grep -qx 'timeout 0' <<< "$conf" && grep -qx 'editor no' <<< "$conf" &&
	tap_ok "loader.conf: no menu, no editor" || tap_fail "loader.conf" "$conf"
for s in berth-1-a berth-0-b; do
	mcopy -n -i "$esp" "::/EFI/Linux/$s.efi" "$WORK/$s.efi"
	cmp -s "$WORK/$s.efi" "$uki" && tap_ok "slot $s is build/images/berth-dev.efi" || tap_fail "slot $s is berth-dev.efi"
done
secs=$(objdump -h "$uki" | awk '$2 ~ /^\./ {print $2}' | tr '\n' ' ')
[[ $secs == *".osrel .cmdline .initrd .linux "* ]] && tap_ok "the slot image has .osrel .cmdline .initrd .linux" ||
	tap_fail "UKI sections" "$secs"
objcopy -O binary --only-section=.osrel "$uki" "$WORK/osrel" 2>/dev/null
grep -q '^VERSION=' "$WORK/osrel" && ! grep -qE '^(ID|IMAGE_ID)=' "$WORK/osrel" &&
	tap_ok "os-release: VERSION, no ID (slots ordered by file name)" || tap_fail "os-release" "$(cat "$WORK/osrel")"

# ---- the data partition
dstart=$(sgdisk -i 2 "$img" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
dd if="$img" of="$WORK/data.img" bs=512 skip="$dstart" count=$((CONFIG_DISK_DATA_MB * 2048)) status=none
label=$(dumpe2fs -h "$WORK/data.img" 2>/dev/null | sed -n 's/^Filesystem volume name: *//p')
[ "$label" = berth-data ] && tap_ok "partition 2 holds ext4 labelled berth-data" || tap_fail "ext4 label" "'$label'"

# ---- reproducible: two builds of each, a second apart, signed for Secure
# Boot (sbsign puts the time into the signature: faketime fixes it)
sbkey= sbcert=
command -v sbsign > /dev/null && sbkey=$BUILD/pki/image-secureboot/db.key sbcert=$BUILD/pki/image-secureboot/db.crt
kernel=$BUILD/images/vmlinuz initrd=$(ls "$BUILD"/images/initramfs-dev.cpio.* | head -1)
for n in 1 2; do
	SECUREBOOT_KEY=$sbkey SECUREBOOT_CERT=$sbcert SOURCE_DATE_EPOCH=1700000000 "$TOP/rootfs/mkuki.sh" "$sdboot/linuxx64.efi.stub" "$kernel" "$initrd" \
		"console=ttyS0" v1 "$WORK/uki$n.efi" &&
	SECUREBOOT_KEY=$sbkey SECUREBOOT_CERT=$sbcert SOURCE_DATE_EPOCH=1700000000 "$TOP/rootfs/mkdisk.sh" "$sdboot/systemd-bootx64.efi" "$WORK/uki$n.efi" \
		"test v1" 64 16 "$WORK/disk$n.img" || tap_fail "build $n" "mkuki/mkdisk failed"
	sleep 1.1
done
tap_check "the slot image built twice: same bytes" cmp "$WORK/uki1.efi" "$WORK/uki2.efi"
tap_check "the disk image built twice: same bytes" cmp "$WORK/disk1.img" "$WORK/disk2.img"
SOURCE_DATE_EPOCH=1700000000 "$TOP/rootfs/mkdisk.sh" "$sdboot/systemd-bootx64.efi" "$WORK/uki1.efi" \
	"other v1" 64 16 "$WORK/disk3.img"
g1=$(sgdisk -p "$WORK/disk1.img" | sed -n 's/^Disk identifier (GUID): //p')
g3=$(sgdisk -p "$WORK/disk3.img" | sed -n 's/^Disk identifier (GUID): //p')
[ -n "$g1" ] && [ "$g1" != "$g3" ] && tap_ok "the disk GUID comes from the build's seed ($g1)" ||
	tap_fail "GUID from the seed" "'$g1' '$g3'"
if command -v bmaptool > /dev/null; then
	[ -f "$img.bmap" ] && grep -q '<bmap version=' "$img.bmap" && tap_ok "a .bmap next to the image" ||
		tap_fail "a .bmap next to the image"
else
	tap_skip "a .bmap next to the image" "bmaptool is missing"
fi
tap_done
