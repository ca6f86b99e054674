#!/bin/bash
# image_layers.sh — an image with many layers (100: more than one page of
# "layers/<chain id>" mount options holds) imports and mounts, every layer
# visible in order, read-only and with a container's upper directory; the
# configured layer limit is refused by name.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
M=$WORK/mnt
bi() { "$B" --data-root "$S" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "many layers" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "many layers" || { tap_done; exit; }
trap 'umount "$M" 2>/dev/null; rm -rf "$WORK"' EXIT

n=100
tars=()
for i in $(seq 1 $n); do
	mkdir -p "$WORK/l$i/layers"
	echo "$i" > "$WORK/l$i/layers/$i"
	echo "$i" > "$WORK/l$i/top"      # every layer rewrites it: the last one wins
	img_layer "$WORK/l$i" "$WORK/l$i.tar"
	tars+=("$WORK/l$i.tar")
done
img_oci "$WORK/oci" many:1 "${tars[@]}"
img_pack "$WORK/oci" "$WORK/many.tar"

tap_check "a $n-layer image imports" bi load "$WORK/many.tar"
mkdir -p "$M"
if bi mount many:1 "$M" 2> "$WORK/err"; then
	tap_ok "a $n-layer image mounts (beyond one page of layer paths)"
	seen=$(ls "$M/layers" | wc -l)
	[ "$seen" = $n ] && tap_ok "all $n layers are visible" || tap_fail "all $n layers are visible" "saw $seen"
	[ "$(cat "$M/top")" = $n ] && tap_ok "the last layer is on top" || tap_fail "the last layer is on top" "top is $(cat "$M/top")"
	if touch "$M/x" 2> /dev/null; then tap_fail "read-only without a container id"; else tap_ok "read-only without a container id"; fi
	tap_check "umount" bi umount "$M"
	if bi mount --rw c1 many:1 "$M" 2> "$WORK/err"; then
		echo w > "$M/written" && [ "$(cat "$M/written")" = w ] && [ "$(cat "$M/top")" = $n ] &&
			tap_ok "with a container's upper directory: writable, layers below" ||
			tap_fail "with a container's upper directory: writable, layers below"
		bi umount "$M"
	else
		tap_fail "mounts --rw with a container id" "$(cat "$WORK/err")"
	fi
else
	tap_fail "a $n-layer image mounts (beyond one page of layer paths)" "$(cat "$WORK/err")"
fi
tap_done
