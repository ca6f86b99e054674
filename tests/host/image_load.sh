#!/bin/bash
# image_load.sh — berth-image imports test-built docker-save and OCI archives
# of a busybox root filesystem, with digests computed here by sha256sum;
# ls/inspect/check agree; layers shared between images are stored once;
# overlay mounts honour whiteouts and opaque directories and never write to
# a layer; rm and gc leave an empty store.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
bi() { "$B" --data-root "$S" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }

# layer 1: busybox root; layer 2: a file, a whiteout, an opaque directory
mkdir -p "$WORK/r1" "$WORK/r2/etc" "$WORK/r2/data"
img_rootfs "$WORK/r1"
mkdir -p "$WORK/r1/data"
echo old >"$WORK/r1/data/old"
echo hello >"$WORK/r2/etc/motd"
touch "$WORK/r2/etc/.wh.group" "$WORK/r2/data/.wh..wh..opq"
echo new >"$WORK/r2/data/new"
# a file with a file capability and a user xattr, a fifo, a hardlink
mkdir -p "$WORK/r2/usr/bin"
cp "$BUSYBOX" "$WORK/r2/usr/bin/pinger"
ln "$WORK/r2/usr/bin/pinger" "$WORK/r2/usr/bin/pinger2"
mkfifo "$WORK/r2/data/fifo"
have_caps=0
if command -v setcap >/dev/null && command -v getcap >/dev/null &&
	setcap cap_net_raw+ep "$WORK/r2/usr/bin/pinger" 2>/dev/null; then have_caps=1; fi
img_layer "$WORK/r1" "$WORK/l1.tar"
img_layer "$WORK/r2" "$WORK/l2.tar"
d1=sha256:$(img_sha "$WORK/l1.tar") d2=sha256:$(img_sha "$WORK/l2.tar")
img_oci "$WORK/oci" busybox:oci "$WORK/l1.tar" "$WORK/l2.tar"
img_pack "$WORK/oci" "$WORK/oci.tar"
cfg=$IMG_CONFIG man=$IMG_MANIFEST

out=$(bi load "$WORK/oci.tar" 2>&1)
tap_check "OCI layout loads" grep -q "loaded busybox:oci ($cfg)" <<<"$out"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
ins=$(bi inspect busybox:oci 2>&1)
tap_check "inspect shows the config digest" grep -qx "id $cfg" <<<"$ins"
tap_check "inspect shows the manifest digest" grep -qx "manifest $man" <<<"$ins"
tap_check "layer 1 diff_id is sha256 of its tar" grep -q "^layer 1 .* diff_id $d1 " <<<"$ins"
tap_check "layer 2 diff_id is sha256 of its tar" grep -q "^layer 2 .* diff_id $d2 " <<<"$ins"
chain2=sha256:$(printf '%s %s' "$d1" "$d2" | sha256sum | cut -d' ' -f1)
tap_check "layer 2 chain id is sha256(chain1 + ' ' + diff2)" grep -q "^layer 2 .* chain $chain2\$" <<<"$ins"
tap_check "inspect by short digest" bi inspect "${cfg:7:12}"
L2=$S/layers/${chain2:7}
if [ "$have_caps" = 1 ]; then
	tap_check "security.capability is kept" bash -c "getcap '$L2/usr/bin/pinger' | grep -q cap_net_raw"
else
	tap_skip "security.capability is kept" "setcap/getcap (libcap2-bin) missing or refused here"
fi
tap_check "hardlinks within the layer stay hardlinks" test "$L2/usr/bin/pinger" -ef "$L2/usr/bin/pinger2"
tap_check "fifos are unpacked" test -p "$L2/data/fifo"
if getfattr -n trusted.overlay.opaque --only-values "$L2/data" 2>/dev/null | grep -qx y ||
	python3 -c "import os,sys; sys.exit(os.getxattr('$L2/data','trusted.overlay.opaque')!=b'y')" 2>/dev/null; then
	tap_ok "opaque directory has trusted.overlay.opaque=y"
else
	tap_fail "opaque directory has trusted.overlay.opaque=y"
fi
wh=$(stat -c '%F %t:%T' "$L2/etc/group" 2>&1)
if [ "$wh" = "character special file 0:0" ]; then tap_ok "OCI whiteout became a 0:0 character device"; else tap_fail "OCI whiteout became a 0:0 character device" "$wh"; fi
tap_check "check passes" bi check

# the error class decides the exit code: the archive's fault 1, the host's 111
"$B" --data-root "$WORK/store-x" --unpack /nonexistent/berth-unpack load "$WORK/oci.tar" >/dev/null 2>&1
rc=$?
if [ "$rc" = 111 ]; then tap_ok "a berth-unpack that cannot run is a system failure (111)"; else tap_fail "a berth-unpack that cannot run is a system failure (111)" "exit $rc"; fi
head -c 3000 "$WORK/oci.tar" >"$WORK/cut.tar"
bi load "$WORK/cut.tar" >/dev/null 2>&1
rc=$?
if [ "$rc" = 1 ]; then tap_ok "a cut archive is refused (1)"; else tap_fail "a cut archive is refused (1)" "exit $rc"; fi

# the same layers as docker save writes them, and the whole archive gzipped on stdin
img_docker "$WORK/dk" bb:legacy "$WORK/l1.tar" "$WORK/l2.tar"
img_pack "$WORK/dk" "$WORK/dk.tar"
gzip -c "$WORK/dk.tar" >"$WORK/dk.tar.gz"
out=$(bi load - <"$WORK/dk.tar.gz" 2>&1)
tap_check "docker-save layout loads gzipped from stdin" grep -q "loaded bb:legacy ($cfg)" <<<"$out"
n=$(ls "$S/layers" | wc -l)
if [ "$n" = 2 ]; then tap_ok "shared layers are stored once"; else tap_fail "shared layers are stored once" "$n layer dirs"; fi
tap_check "ls lists both names" bash -c "'$B' --data-root '$S' ls | grep -q '^busybox:oci ' && '$B' --data-root '$S' ls | grep -q '^bb:legacy '"

# a second image on the same base: only its top layer is new
mkdir -p "$WORK/r3/srv"
echo app >"$WORK/r3/srv/app"
img_layer "$WORK/r3" "$WORK/l3.tar"
img_oci "$WORK/oci2" app:1 "$WORK/l1.tar" "$WORK/l3.tar"
img_pack "$WORK/oci2" "$WORK/oci2.tar"
cfg2=$IMG_CONFIG
tap_check "second image loads" bi load "$WORK/oci2.tar"
n=$(ls "$S/layers" | wc -l)
if [ "$n" = 3 ]; then tap_ok "the shared base layer is not stored twice"; else tap_fail "the shared base layer is not stored twice" "$n layer dirs"; fi

# overlay root filesystems
M=$WORK/mnt
trap 'umount "$M" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$M"
layers_before=$(cd "$S/layers" && find . -printf '%p %s %m %T@\n' | sort | sha256sum)
if bi mount busybox:oci "$M" 2>"$WORK/err"; then
	tap_check "overlay: upper layer file visible" grep -qx hello "$M/etc/motd"
	tap_check "overlay: lower file visible" test -x "$M/bin/busybox"
	if [ -e "$M/etc/group" ]; then tap_fail "overlay: whiteout hides a lower file"; else tap_ok "overlay: whiteout hides a lower file"; fi
	if [ -e "$M/data/old" ]; then tap_fail "overlay: opaque directory hides lower files"; else tap_ok "overlay: opaque directory hides lower files"; fi
	tap_check "overlay: opaque directory keeps its own files" grep -qx new "$M/data/new"
	if touch "$M/x" 2>/dev/null; then tap_fail "overlay: read-only without a container id"; else tap_ok "overlay: read-only without a container id"; fi
	tap_check "umount" bi umount "$M"
	tap_check "mount --rw with a container id" bi mount --rw c1 busybox:oci "$M"
	echo w >"$M/etc/motd"; rm -f "$M/bin/ls"; echo x >"$M/newfile"
	tap_check "overlay: container writes are visible" grep -qx w "$M/etc/motd"
	bi umount "$M"
	tap_check "overlay: writes land in containers/c1/upper" test -f "$S/containers/c1/upper/newfile"
	layers_after=$(cd "$S/layers" && find . -printf '%p %s %m %T@\n' | sort | sha256sum)
	if [ "$layers_before" = "$layers_after" ]; then tap_ok "overlay: a container's writes never touch the layers"; else tap_fail "overlay: a container's writes never touch the layers"; fi
	tap_check "single-layer image mounts read-only" bash -c "
		mkdir -p '$WORK/r4' && echo one >'$WORK/r4/one' && . '$TOP/tests/lib/image.sh' &&
		img_layer '$WORK/r4' '$WORK/l4.tar' && img_oci '$WORK/oci4' one:1 '$WORK/l4.tar' &&
		img_pack '$WORK/oci4' '$WORK/oci4.tar' && '$B' --data-root '$S' load '$WORK/oci4.tar' >/dev/null &&
		'$B' --data-root '$S' mount one:1 '$M' && grep -qx one '$M/one' && '$B' --data-root '$S' umount '$M'"
else
	tap_skip "overlay mounts" "mount failed: $(cat "$WORK/err")"
fi

# check finds a damaged blob and names it
lb=$(bi inspect busybox:oci | sed -n 's/^layer 1 blob sha256:\([0-9a-f]*\) .*/\1/p')
cp "$S/blobs/sha256/$lb" "$WORK/blob.bak"
printf 'x' | dd of="$S/blobs/sha256/$lb" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$(bi check 2>&1)
if [ $? != 0 ] && grep -q "layer blob sha256:$lb: content hashes to" <<<"$out"; then
	tap_ok "check names a damaged layer blob"
else
	tap_fail "check names a damaged layer blob" "$out"
fi
cp "$WORK/blob.bak" "$S/blobs/sha256/$lb"
tap_check "check passes again once it is repaired" bi check

# rm and gc
tap_check "rm one of two names keeps the image" bi rm bb:legacy
tap_check "the image is still there" bi inspect busybox:oci
tap_check "rm the last name" bi rm busybox:oci
if bi inspect "$cfg" >/dev/null 2>&1; then tap_fail "image gone with its last name"; else tap_ok "image gone with its last name"; fi
tap_check "app:1 is untouched and still mounts its base" bash -c "'$B' --data-root '$S' check && test -d '$S/layers/${d1:7}'"
bi rm app:1 >/dev/null; bi rm one:1 >/dev/null
n=$(ls "$S/layers" "$S/blobs/sha256" "$S/images" | grep -vc ':$\|^$')
if [ "$n" = 0 ]; then tap_ok "removing every image leaves no blobs, layers or records"; else tap_fail "removing every image leaves no blobs, layers or records" "$(ls -R "$S/layers" "$S/blobs" "$S/images" | head)"; fi
tap_check "check passes on the empty store" bi check
tap_check "gc on a clean store removes nothing" bash -c "'$B' --data-root '$S' gc | grep -qx 'removed 0 blobs, 0 layers'"
tap_done
