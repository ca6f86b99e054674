#!/bin/sh
# mkuki.sh — one unified kernel image (UKI): systemd's EFI stub with the
# kernel, the initramfs, the command line and an os-release added as PE
# sections with objcopy (bookworm's systemd 252 has no ukify).
#
# Usage: rootfs/mkuki.sh STUB KERNEL INITRD CMDLINE VERSION OUT
# The os-release carries PRETTY_NAME and VERSION but no ID or IMAGE_ID, so
# that systemd-boot orders the slots by file name (docs/disk.md "Slots").
# Sections follow the stub's last one, each at a 4 KiB boundary; the output
# depends on nothing but the inputs (the stub's PE timestamp is 0).
# With SECUREBOOT_KEY and SECUREBOOT_CERT (PEM) set, the image is signed for
# Secure Boot with sbsign, at SOURCE_DATE_EPOCH (the signing time is in the
# signature: sbsign runs under faketime so that the bytes stay the same).
# Exit codes: 0 ok, 100 usage, 111 a tool failed.
set -eu
[ $# = 6 ] || { echo "usage: $0 STUB KERNEL INITRD CMDLINE VERSION OUT" >&2; exit 100; }
stub=$1 kernel=$2 initrd=$3 cmdline=$4 version=$5 out=$6
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkuki.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'NAME=berth\nPRETTY_NAME="berth %s"\nVERSION="%s"\n' "$version" "$version" > "$tmp/osrel"
printf '%s' "$cmdline" > "$tmp/cmdline"

# The first free address after the stub's sections (VMA + size, as objdump
# prints them in hex), then each added section in turn.
next=0
for e in $(objdump -h "$stub" | awk '$1 ~ /^[0-9]+$/ { print "0x" $4 "+0x" $3 }'); do
	e=$(( ${e%+*} + ${e#*+} )); [ "$e" -gt "$next" ] && next=$e
done
align() { echo $(( ($1 + 4095) / 4096 * 4096 )); }
args=""
for s in osrel:"$tmp/osrel" cmdline:"$tmp/cmdline" initrd:"$initrd" linux:"$kernel"; do
	name=${s%%:*} file=${s#*:}
	next=$(align "$next")
	args="$args --add-section .$name=$file --change-section-vma .$name=$(printf 0x%x "$next")"
	next=$((next + $(stat -c %s "$file")))
done
# shellcheck disable=SC2086
objcopy $args "$stub" "$tmp/uki.efi" || { echo "mkuki: objcopy failed" >&2; exit 111; }
# objcopy stamps the PE header with the time of day (SOURCE_DATE_EPOCH is not
# read for PE): TimeDateStamp, 8 bytes into the header at e_lfanew, back to
# 0, and the optional header's CheckSum (88 bytes in), which covers it, to 0
# as well (firmware does not check it; the stub's own is 0).
pe=$(od -An -tu4 -j60 -N4 "$tmp/uki.efi" | tr -d ' ')
for off in 8 88; do
	dd if=/dev/zero of="$tmp/uki.efi" bs=1 seek=$((pe + off)) count=4 conv=notrunc status=none
done
if [ -n "${SECUREBOOT_KEY:-}" ]; then
	"$(dirname "$0")/sbsign.sh" "$tmp/uki.efi" "$tmp/signed.efi" || exit 111
	mv "$tmp/signed.efi" "$tmp/uki.efi"
fi
mv "$tmp/uki.efi" "$out"
