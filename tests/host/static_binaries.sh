#!/bin/bash
# static_binaries.sh — every binary in build/bin is static and none is glibc.
. "$(dirname "$0")/../lib/env.sh"
for f in "$BUILD"/bin/*; do
	n=$(basename "$f")
	info=$(file -b "$f")
	case $info in
	*"statically linked"*) tap_ok "$n is statically linked" ;;
	*) tap_fail "$n is statically linked" "$info" ;;
	esac
	# glibc binaries carry a GNU ABI note ("for GNU/Linux x.y.z") and
	# GLIBC_ version strings; musl ones neither.
	if echo "$info" | grep -q 'for GNU/Linux' || grep -qa 'GLIBC_2\.' "$f"; then
		tap_fail "$n does not use glibc" "$info"
	else
		tap_ok "$n does not use glibc"
	fi
	if echo "$info" | grep -q 'not stripped'; then tap_fail "$n is stripped" "$info"; else tap_ok "$n is stripped"; fi
done
tap_done
