#!/bin/bash
# image_hostile.sh — SECURITY.md item 13: every hostile archive is refused,
# the message names the offending entry or digest, and the store listing is
# identical before and after (nothing is left behind).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
bi() { "$B" --data-root "$S" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }

# a store with one good image in it
mkdir -p "$WORK/base"
img_rootfs "$WORK/base"
img_layer "$WORK/base" "$WORK/base.tar"
img_oci "$WORK/good" good:1 "$WORK/base.tar"
img_pack "$WORK/good" "$WORK/good.tar"
bi load "$WORK/good.tar" >/dev/null || { tap_fail "good image loads" "$(bi load "$WORK/good.tar" 2>&1)"; tap_done; exit; }

listing() { bi ls; (cd "$S" && find . -path ./lock -prune -o -printf '%p %s\n' | sort); }
before=$(listing)

# refused NAME PATTERN [berth-image options...] < archive: load fails, the
# message matches PATTERN, and the store is unchanged
refused() {
	local name=$1 pat=$2 out after
	shift 2
	if out=$(bi "$@" load - 2>&1); then
		tap_fail "$name: refused" "loaded: $out"
		return
	fi
	if grep -qE -- "$pat" <<<"$out"; then
		tap_ok "$name: refused naming $pat"
	else
		tap_fail "$name: refused naming $pat" "$out"
	fi
	after=$(listing)
	if [ "$before" = "$after" ]; then
		tap_ok "$name: store unchanged"
	else
		tap_fail "$name: store unchanged" "$(diff <(echo "$before") <(echo "$after"))"
	fi
}

# oci_of NAME LAYER.tar...: an OCI archive $WORK/NAME.tar of those layers
oci_of() {
	local n=$1
	shift
	rm -rf "$WORK/$n"
	img_oci "$WORK/$n" "$n:1" "$@"
	img_pack "$WORK/$n" "$WORK/$n.tar"
}

cd "$WORK" || exit 1
mkdir -p src && echo x >src/f && echo y >src/g

# --- digests
oci_of dm "$WORK/base.tar"
blob=$(ls "$WORK/dm/blobs/sha256" | while read -r h; do
	[ "sha256:$h" != "$IMG_CONFIG" ] && [ "sha256:$h" != "$IMG_MANIFEST" ] && echo "$h"; done)
tar -C src -cf other.tar . && gzip -n -c other.tar >"$WORK/dm/blobs/sha256/$blob"
img_pack "$WORK/dm" dm.tar
refused "layer digest mismatch" "layer sha256:$blob: digest mismatch" <dm.tar

oci_of dc "$WORK/base.tar"
echo >>"$WORK/dc/blobs/sha256/${IMG_CONFIG:7}"
img_pack "$WORK/dc" dc.tar
refused "config digest mismatch" "config $IMG_CONFIG: digest mismatch" <dc.tar

oci_of dmf "$WORK/base.tar"
echo >>"$WORK/dmf/blobs/sha256/${IMG_MANIFEST:7}"
img_pack "$WORK/dmf" dmf.tar
refused "manifest digest mismatch" "manifest $IMG_MANIFEST: digest mismatch" <dmf.tar

tar -C src -cf l-other.tar .
oci_of sz "$WORK/base.tar"
sed -i "s/\"size\":[0-9]*,\"annotations\"/\"size\":1,\"annotations\"/" "$WORK/sz/index.json"
img_pack "$WORK/sz" sz.tar
refused "manifest size mismatch" "manifest $IMG_MANIFEST: size mismatch: descriptor says 1 bytes" <sz.tar

# docker save layout whose layer.tar is a symlink out of the archive
img_docker "$WORK/esc" esc:1 "$WORK/base.tar"
lt=$(cd "$WORK/esc" && ls -d */ | head -1)
rm "$WORK/esc/${lt}layer.tar" && ln -s ../../../etc/passwd "$WORK/esc/${lt}layer.tar"
img_pack "$WORK/esc" esc.tar
refused "archive symlink leaving the archive" "${lt}layer.tar.*leaves the archive" <esc.tar

IMG_DIFF_TARS=$WORK/l-other.tar oci_of dd "$WORK/base.tar"
refused "diff_id mismatch" "diff_id mismatch: .* says sha256:$(img_sha l-other.tar)" <dd.tar

IMG_LAYER_MEDIA=application/vnd.oci.image.layer.v1.tar+zstd oci_of zs "$WORK/base.tar"
refused "gzip blob named tar+zstd" "media type says tar\+zstd but the blob is not zstd" <zs.tar
IMG_LAYER_MEDIA=application/vnd.oci.image.layer.v1.tar+foo oci_of uk "$WORK/base.tar"
refused "unknown layer media type" "layer media type .*tar\+foo.* is unsupported" <uk.tar

oci_of tr "$WORK/base.tar"
head -c $(($(stat -c %s tr.tar) / 2)) tr.tar >tr-cut.tar
refused "truncated stream" "truncated" <tr-cut.tar

# --- entries
tar -P --transform 's,^f$,../evil,' -C src -cf l.tar f && oci_of dotdot l.tar
refused "'..' in a path" 'entry "\.\./evil".*\.\.' <dotdot.tar

tar -P --transform 's,^f$,/abs/evil,' -C src -cf l.tar f && oci_of abs l.tar
refused "absolute path" 'entry "/abs/evil": absolute path' <abs.tar

rm -rf s2 && mkdir s2 && ln -s /etc s2/lnk && cp src/f s2/f
tar -C s2 -cf l.tar lnk && tar -C s2 -rf l.tar --transform 's,^f$,lnk/passwd,' f && oci_of sym l.tar
refused "write through a symlink" 'entry "lnk/passwd": path crosses the symlink "lnk"' <sym.tar

rm -rf s3 && mkdir s3 && echo a >s3/f && ln s3/f s3/a
tar -P -C s3 --transform 's,^f$,../../etc/passwd,RSh' -cf l.tar f a && oci_of hl l.tar
refused "hardlink to a path outside" 'entry "a": hardlink target "\.\./\.\./etc/passwd"' <hl.tar

tar -C s3 --transform 's,^f$,etc/shadow,RSh' -cf l.tar f a && oci_of hl2 l.tar
refused "hardlink to a path not in the layer" 'entry "a": hardlink target "etc/shadow" is not in this layer' <hl2.tar

rm -rf s4 && mkdir s4 && mknod s4/null c 1 3
tar -C s4 -cf l.tar null && oci_of dev l.tar
refused "device node" 'entry "null": device node 1:3' <dev.tar

rm -rf s5 && mkdir s5 && p=s5 && for i in $(seq 200); do p=$p/d; done && mkdir -p "$p" && echo deep >"$p/f"
tar -C s5 -cf l.tar d && oci_of deep l.tar
refused "very deep directories" 'entry "(d/){128}.*more than 128 path components' <deep.tar

tar -C src -cf l.tar f && tar -C src -rf l.tar f && oci_of dup l.tar
refused "duplicate entries" 'entry "f": duplicate entry' <dup.tar

rm -rf s6 && mkdir s6 && head -c 3000000 /dev/urandom >s6/big
tar -C s6 -cf l.tar big && oci_of bomb l.tar
refused "tar bomb by size" 'entry "big": layer larger than 1000000 bytes' --layer-max-bytes 1000000 <bomb.tar

rm -rf s7 && mkdir s7 && for i in $(seq 100); do : >"s7/f$i"; done
tar -C s7 -cf l.tar . && oci_of many l.tar
refused "tar bomb by entry count" 'entry "\./f[0-9]+": more than 50 entries' --layer-max-entries 50 <many.tar

rm -rf s8 && mkdir s8 && head -c 20000000 /dev/zero >s8/zeros
tar -C s8 -cf l.tar zeros && oci_of gzb l.tar
refused "gzip bomb" "layer sha256:[0-9a-f]{64}.*gzip bomb: expands more than 50 times" --gzip-ratio-max 50 <gzb.tar

rm -rf s9 && mkdir s9 && cp src/f s9/su && chmod 4755 s9/su
tar -C s9 -cf l.tar su && oci_of setid l.tar
refused "setuid file when policy forbids" 'entry "su": setuid/setgid files are not allowed' --no-setid <setid.tar

tap_check "the good image still checks" bi check
tap_done
