#!/bin/sh
# mkdisk.sh — the raw GPT disk image for dedicated hosts (`make disk`).
#
# Usage: rootfs/mkdisk.sh BOOTX64 UKI SEED ESP_MB DATA_MB OUT
#   BOOTX64  systemd-boot's systemd-bootx64.efi
#   UKI      the unified kernel image both slots start with
#   SEED     a string naming the build (board, version); the disk's GUIDs,
#            the ESP's serial and the ext4 UUIDs are derived from it
# Partition 1: the EFI system partition (FAT32, label BERTH-ESP) holding
# systemd-boot as the removable-media loader, loader/loader.conf and the
# two slots /EFI/Linux/berth-1-a.efi and berth-0-b.efi (docs/disk.md).
# Partition 2, last so that first boot can grow it: ext4 labelled berth-data.
# No root, no loop mounts: mkfs.fat, mtools on an image file, sgdisk,
# mkfs.ext4 (both under faketime: bookworm's read no SOURCE_DATE_EPOCH), dd.
# With SOURCE_DATE_EPOCH (default 1980-01-01, FAT's first day) every byte
# depends only on the inputs. With SECUREBOOT_KEY and SECUREBOOT_CERT set,
# systemd-boot is signed with them (rootfs/sbsign.sh); the UKI comes signed.
# Exit codes: 0 ok, 100 usage, 111 a tool failed.
set -eu
[ $# = 6 ] || { echo "usage: $0 BOOTX64 UKI SEED ESP_MB DATA_MB OUT" >&2; exit 100; }
boot=$1 uki=$2 seed=$3 esp_mb=$4 data_mb=$5 out=$6
epoch=${SOURCE_DATE_EPOCH:-315532800}
export TZ=UTC
export SOURCE_DATE_EPOCH=$epoch
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkdisk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "mkdisk: $*" >&2; exit 111; }

# A GUID (RFC 4122 form, version 4 bits) from the seed and a purpose.
guid() {
	h=$(printf 'berth-disk %s %s' "$seed" "$1" | sha256sum | cut -c1-32)
	echo "$h" | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12})$/\1-\2-4\3-8\4-\5/'
}

# ---- the ESP: files dated SOURCE_DATE_EPOCH, mtools' own clock fixed too
mkdir -p "$tmp/esp/EFI/BOOT" "$tmp/esp/EFI/Linux" "$tmp/esp/loader"
if [ -n "${SECUREBOOT_KEY:-}" ]; then
	"$(dirname "$0")/sbsign.sh" "$boot" "$tmp/esp/EFI/BOOT/BOOTX64.EFI" || exit 111
else
	cp "$boot" "$tmp/esp/EFI/BOOT/BOOTX64.EFI"
fi
cp "$uki" "$tmp/esp/EFI/Linux/berth-1-a.efi"
cp "$uki" "$tmp/esp/EFI/Linux/berth-0-b.efi"
cat > "$tmp/esp/loader/loader.conf" <<CONF
timeout 0
editor no
auto-entries no
auto-firmware no
CONF
find "$tmp/esp" -exec touch -h -d "@$epoch" {} +
volid=$(guid esp-serial | cut -c1-8)
fake() { faketime -f "@$(date -u -d "@$epoch" "+%Y-%m-%d %H:%M:%S")" "$@"; }
fake mkfs.fat -F 32 -n BERTH-ESP -i "$volid" -C "$tmp/esp.img" $((esp_mb * 1024)) > /dev/null ||
	fail "mkfs.fat failed"
export MTOOLS_SKIP_CHECK=1
for d in EFI EFI/BOOT EFI/Linux loader; do
	mmd -i "$tmp/esp.img" "::/$d" || fail "mmd $d failed"
done
(cd "$tmp/esp" && find . -type f | sort) | while read -r f; do
	mcopy -m -i "$tmp/esp.img" "$tmp/esp/$f" "::/${f#./}" || fail "mcopy $f failed"
done

# ---- the data partition, as build/images/data.img is made, fixed UUIDs
truncate -s "${data_mb}M" "$tmp/data.img"
fake mkfs.ext4 -q -F -L berth-data -U "$(guid data-uuid)" \
	-E "root_owner=0:0,hash_seed=$(guid data-hash-seed),nodiscard" "$tmp/data.img" || fail "mkfs.ext4 failed"

# ---- the disk: 1 MiB for the GPT, the two partitions, 1 MiB at the end
truncate -s $((esp_mb + data_mb + 2))M "$tmp/disk.img"
sgdisk -U "$(guid disk)" \
	-n "1:2048:+${esp_mb}M" -t 1:ef00 -c 1:"EFI system partition" -u "1:$(guid part-esp)" \
	-n "2:0:+${data_mb}M" -t 2:8300 -c 2:berth-data -u "2:$(guid part-data)" \
	"$tmp/disk.img" > /dev/null || fail "sgdisk failed"
dd if="$tmp/esp.img" of="$tmp/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$tmp/data.img" of="$tmp/disk.img" bs=1M seek=$((1 + esp_mb)) conv=notrunc,sparse status=none
mv "$tmp/disk.img" "$out"
