#!/bin/bash
# image_userns.sh — with --userns BASE:SIZE, berth-unpack runs as root of a
# user namespace: layer owners are shifted by BASE, whiteouts and opaque
# directories still work, ids outside the range and hostile entries are
# refused naming the entry.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
BASE=300000
bi() { "$B" --data-root "$S" --userns "$BASE:65536" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }
if ! unshare --user true 2>/dev/null; then
	tap_skip "user namespaces" "unshare --user fails here"
	tap_done; exit
fi
cd "$WORK" || exit 1

mkdir -p r1 r2/data r2/etc u
img_rootfs r1
echo old >r1/data_old
mkdir -p r1/data && echo old >r1/data/old
touch r2/data/.wh..wh..opq r2/etc/.wh.group
echo mine >u/mine
img_layer r1 l1.tar
img_layer r2 l2.tar
tar --owner=1000 --group=1001 --numeric-owner -C u -cf l3.tar mine
img_oci oci ns:1 l1.tar l2.tar l3.tar
img_pack oci oci.tar
out=$(bi load oci.tar 2>&1)
tap_check "loads with berth-unpack in a user namespace" grep -q "loaded ns:1" <<<"$out"
chain() { bi inspect ns:1 | sed -n "s/^layer $1 .* chain sha256:\\([0-9a-f]*\\)\$/\\1/p"; }
L1=$S/layers/$(chain 1) L2=$S/layers/$(chain 2) L3=$S/layers/$(chain 3)
tap_check "root-owned files are owned by BASE" test "$(stat -c %u:%g "$L1/bin/busybox")" = "$BASE:$BASE"
tap_check "uid 1000/gid 1001 become BASE+1000/BASE+1001" test "$(stat -c %u:%g "$L3/mine")" = "$((BASE + 1000)):$((BASE + 1001))"
tap_check "the whiteout is a 0:0 character device" test "$(stat -c '%F %t:%T' "$L2/etc/group")" = "character special file 0:0"
if getfattr -n trusted.overlay.opaque --only-values "$L2/data" 2>/dev/null | grep -qx y; then
	tap_ok "the opaque directory is marked"
else
	tap_fail "the opaque directory is marked"
fi
tap_check "check passes" bi check

tar --owner=70000 --numeric-owner -C u -cf big.tar mine
img_oci o2 big:1 big.tar && img_pack o2 big.tar.oci
out=$(bi load big.tar.oci 2>&1)
if [ $? != 0 ] && grep -q 'entry "mine": owner 70000:0 is outside the uid/gid range' <<<"$out"; then tap_ok "an owner outside the range is refused naming the entry"; else tap_fail "an owner outside the range is refused naming the entry" "$out"; fi

mkdir -p s && ln -s /etc s/lnk && cp u/mine s/f
tar -C s -cf sym.tar lnk && tar -C s -rf sym.tar --transform 's,^f$,lnk/passwd,' f
img_oci o3 sym:1 sym.tar && img_pack o3 sym.oci
out=$(bi load sym.oci 2>&1)
if [ $? != 0 ] && grep -q 'entry "lnk/passwd": path crosses the symlink' <<<"$out"; then tap_ok "a write through a symlink is refused"; else tap_fail "a write through a symlink is refused" "$out"; fi
tap_check "nothing of the refused imports is left" bash -c "[ -z \"\$(ls -A '$S/tmp')\" ] && '$B' --data-root '$S' ls | grep -c . | grep -qx 2"
tap_done
