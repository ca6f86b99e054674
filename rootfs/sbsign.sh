#!/bin/sh
# sbsign.sh — sign one EFI binary for Secure Boot (docs/disk.md "Secure Boot").
#
# Usage: SECUREBOOT_KEY=db.key SECUREBOOT_CERT=db.crt rootfs/sbsign.sh IN OUT
# sbsign (Debian's sbsigntool) puts the signing time into the signature, so
# it runs under faketime at SOURCE_DATE_EPOCH (default 1980-01-01): the same
# input and key give the same bytes. sbsign's warnings about the gap after
# the last PE section (objcopy's alignment) are dropped unless it fails.
# Exit codes: 0 ok, 100 usage, 111 sbsign failed or is missing.
set -eu
[ $# = 2 ] && [ -n "${SECUREBOOT_KEY:-}" ] && [ -n "${SECUREBOOT_CERT:-}" ] ||
	{ echo "usage: SECUREBOOT_KEY=K SECUREBOOT_CERT=C $0 IN OUT" >&2; exit 100; }
command -v sbsign > /dev/null || { echo "sbsign.sh: sbsign is missing (apt-get install sbsigntool)" >&2; exit 111; }
when=$(date -u -d "@${SOURCE_DATE_EPOCH:-315532800}" "+%Y-%m-%d %H:%M:%S")
log=$(faketime -f "@$when" sbsign --key "$SECUREBOOT_KEY" --cert "$SECUREBOOT_CERT" --output "$2" "$1" 2>&1) ||
	{ echo "$log" >&2; echo "sbsign.sh: signing $1 failed" >&2; exit 111; }
