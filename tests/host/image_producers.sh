#!/bin/bash
# image_producers.sh — archives written by independent producers load:
# umoci builds an OCI image layout of a busybox root filesystem, skopeo
# copies it into a docker-archive (docker save's format) and back into
# another OCI layout; plus a Docker 25-style archive (OCI layout with a
# manifest.json beside it) and a multi-image docker-save archive.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image
S=$WORK/store
bi() { "$B" --data-root "$S" "$@"; }

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }
cd "$WORK" || exit 1

# Docker 25+: the OCI layout plus manifest.json naming blobs/sha256/<hex>
mkdir -p r1 r2 && img_rootfs r1 && echo two >r2/two
img_layer r1 l1.tar && img_layer r2 l2.tar
img_oci d25 latest l1.tar l2.tar
printf '[{"Config":"blobs/sha256/%s","RepoTags":["busybox:d25"],"Layers":["blobs/sha256/x","blobs/sha256/y"]}]' \
	"${IMG_CONFIG:7}" >d25/manifest.json
img_pack d25 d25.tar
out=$(bi load d25.tar 2>&1)
tap_check "Docker 25 layout: loads with its RepoTags name" grep -q "loaded busybox:d25 ($IMG_CONFIG)" <<<"$out"
tap_check "Docker 25 layout: and its OCI ref.name" grep -q "loaded latest ($IMG_CONFIG)" <<<"$out"

# a multi-platform index: the linux/amd64 manifest is taken
img_oci mp mp:1 l1.tar
mhex=${IMG_MANIFEST:7}
msize=$(stat -c %s "mp/blobs/sha256/$mhex")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' \
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$(printf x | sha256sum | cut -c1-64)\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}" \
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$IMG_MANIFEST\",\"size\":$msize,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}" >mp/nested
nh=$(img_sha mp/nested)
mv mp/nested "mp/blobs/sha256/$nh"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"multi:1"}}]}' \
	"$nh" "$(stat -c %s "mp/blobs/sha256/$nh")" >mp/index.json
img_pack mp mp.tar
out=$(bi load mp.tar 2>&1)
tap_check "multi-platform index: the linux/amd64 image loads" grep -q "loaded multi:1 ($IMG_CONFIG)" <<<"$out"

# two images in one docker-save archive
img_docker m1 one:1 l1.tar && c1=$IMG_CONFIG
img_docker m2 two:1 l1.tar l2.tar && c2=$IMG_CONFIG
mkdir -p multi && cp -r m1/. m2/. multi/
printf '[%s,%s]' "$(tail -c +2 m1/manifest.json | head -c -1)" "$(tail -c +2 m2/manifest.json | head -c -1)" >multi/manifest.json
img_pack multi multi.tar
out=$(bi load multi.tar 2>&1)
tap_check "multi-image docker-save: first image" grep -q "loaded one:1 ($c1)" <<<"$out"
tap_check "multi-image docker-save: second image" grep -q "loaded two:1 ($c2)" <<<"$out"

if ! command -v umoci >/dev/null || ! command -v skopeo >/dev/null; then
	tap_skip "umoci/skopeo archives" "umoci or skopeo not installed (Debian packages umoci, skopeo)"
	tap_done
	exit
fi
umoci init --layout L >/dev/null 2>&1 && umoci new --image L:bb >/dev/null 2>&1 &&
	umoci unpack --image L:bb bundle >/dev/null 2>&1 || { tap_fail "umoci builds a layout" "$(umoci unpack --image L:bb bundle 2>&1)"; tap_done; exit; }
img_rootfs bundle/rootfs
umoci repack --image L:bb bundle >/dev/null 2>&1
rm -rf bundle && umoci unpack --image L:bb bundle >/dev/null 2>&1
mkdir -p bundle/rootfs/srv && echo v2 >bundle/rootfs/srv/v && rm bundle/rootfs/etc/group
umoci repack --image L:bb bundle >/dev/null 2>&1
tar -C L -cf umoci.tar .
out=$(bi load umoci.tar 2>&1)
tap_check "umoci OCI layout loads" grep -q "loaded bb (sha256:" <<<"$out"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
tap_check "umoci image: 2 layers (two repacks)" bash -c "'$B' --data-root '$S' inspect bb | grep -c '^layer ' | grep -qx 2"

skopeo copy oci:L:bb docker-archive:sk.tar:bb:skopeo >/dev/null 2>&1 || tap_fail "skopeo writes a docker-archive"
out=$(bi load sk.tar 2>&1)
tap_check "skopeo docker-archive loads" grep -q "loaded docker.io/library/bb:skopeo (sha256:" <<<"$out"
[ -n "$out" ] && echo "$out" | sed 's/^/# /'
skopeo copy oci:L:bb oci-archive:sko.tar:bb:oci >/dev/null 2>&1 || tap_fail "skopeo writes an oci-archive"
tap_check "skopeo oci-archive loads" bi load sko.tar
tap_check "check passes" bi check

M=$WORK/mnt
mkdir -p "$M"
trap 'umount "$M" 2>/dev/null; rm -rf "$WORK"' EXIT
if bi mount bb:skopeo "$M" 2>"$WORK/err"; then
	tap_check "skopeo image mounts: top layer file" grep -qx v2 "$M/srv/v"
	if [ -e "$M/etc/group" ]; then tap_fail "skopeo image: umoci's whiteout hides /etc/group"; else tap_ok "skopeo image: umoci's whiteout hides /etc/group"; fi
	bi umount "$M"
else
	tap_skip "mount" "$(cat "$WORK/err")"
fi
tap_check "rm by Docker Hub short name removes only that name" bash -c \
	"'$B' --data-root '$S' rm bb:skopeo && '$B' --data-root '$S' inspect bb >/dev/null &&
	 ! '$B' --data-root '$S' ls | grep -q 'docker.io/library/bb:skopeo'"
tap_done
