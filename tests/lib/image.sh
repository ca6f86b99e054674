# image.sh — build image archives for the image-store tests (sourced, bash).
#
#   img_rootfs DIR              a busybox root filesystem in DIR
#   img_layer SRC OUT.tar       a reproducible layer tar of SRC's contents
#   img_oci DIR NAME L.tar...   an OCI image layout in DIR (gzip layers), one image
#   img_docker DIR NAME L.tar.. a docker-save (legacy) layout in DIR, one image
#   img_pack DIR OUT.tar        the archive of a layout directory
#   img_sha FILE                sha256 hex of FILE
# img_oci sets IMG_CONFIG and IMG_MANIFEST, img_docker IMG_CONFIG.
# IMG_DIFF_TARS (config diff_ids from other tars) and IMG_LAYER_MEDIA (layer
# media type) make broken images for the hostile-archive tests. IMG_LAYER_COMP=zstd
# compresses img_oci's layers with zstd (media type tar+zstd) instead of gzip.
# IMG_ZSTD_OPTS are the zstd CLI's options then (e.g. -19, --long=29).
#
# Digests are computed here with sha256sum, independently of berth's code.
BUSYBOX=${BUSYBOX:-$BUILD/sysroot/bin/busybox}

img_sha() { sha256sum "$1" | cut -d' ' -f1; }

img_rootfs() {
	local d=$1
	mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root" "$d/proc" "$d/dev"
	cp "$BUSYBOX" "$d/bin/busybox"
	local a
	for a in sh ls cat echo mkdir rm true false id; do ln -sf busybox "$d/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
	printf 'root:x:0:\n' >"$d/etc/group"
	chmod 1777 "$d/tmp"
}

img_layer() {
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=pax \
		--pax-option=delete=atime,delete=ctime --xattrs --xattrs-include='security.capability' \
		--xattrs-include='user.*' -C "$1" -cf "$2" .
}

# descriptor JSON: media digest size [annotations-json]
_img_desc() {
	printf '{"mediaType":"%s","digest":"sha256:%s","size":%s%s}' "$1" "$2" "$3" "${4:+,\"annotations\":$4}"
}

# config JSON for the given layer tars (diff_ids = sha256 of each tar)
_img_config() {
	local ids="" t
	# IMG_DIFF_TARS: claim these tars' digests instead (diff_id mismatch tests)
	[ -n "${IMG_DIFF_TARS:-}" ] && set -- $IMG_DIFF_TARS
	for t in "$@"; do ids="$ids${ids:+,}\"sha256:$(img_sha "$t")\""; done
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$ids"
}

img_oci() {
	local dir=$1 name=$2 layers="" t h c m
	shift 2
	mkdir -p "$dir/blobs/sha256"
	for t in "$@"; do
		if [ "${IMG_LAYER_COMP:-gzip}" = zstd ]; then
			zstd -q -c ${IMG_ZSTD_OPTS:-} <"$t" >"$dir/blob.tmp"
		else
			gzip -n -c "$t" >"$dir/blob.tmp"
		fi
		h=$(img_sha "$dir/blob.tmp")
		mv "$dir/blob.tmp" "$dir/blobs/sha256/$h"
		layers="$layers${layers:+,}$(_img_desc "${IMG_LAYER_MEDIA:-application/vnd.oci.image.layer.v1.tar+${IMG_LAYER_COMP:-gzip}}" "$h" "$(stat -c %s "$dir/blobs/sha256/$h")")"
	done
	_img_config "$@" >"$dir/config.tmp"
	c=$(img_sha "$dir/config.tmp")
	mv "$dir/config.tmp" "$dir/blobs/sha256/$c"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
		"$(_img_desc application/vnd.oci.image.config.v1+json "$c" "$(stat -c %s "$dir/blobs/sha256/$c")")" \
		"$layers" >"$dir/manifest.tmp"
	m=$(img_sha "$dir/manifest.tmp")
	mv "$dir/manifest.tmp" "$dir/blobs/sha256/$m"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
		"$(_img_desc application/vnd.oci.image.manifest.v1+json "$m" "$(stat -c %s "$dir/blobs/sha256/$m")" \
			"{\"org.opencontainers.image.ref.name\":\"$name\"}")" >"$dir/index.json"
	IMG_CONFIG=sha256:$c IMG_MANIFEST=sha256:$m
}

img_docker() {
	local dir=$1 name=$2 layers="" t h i=0 c
	shift 2
	mkdir -p "$dir"
	for t in "$@"; do
		i=$((i + 1))
		h=$(printf 'layer%d-%s' "$i" "$name" | sha256sum | cut -d' ' -f1)
		mkdir -p "$dir/$h"
		cp "$t" "$dir/$h/layer.tar"
		layers="$layers${layers:+,}\"$h/layer.tar\""
	done
	_img_config "$@" >"$dir/config.tmp"
	c=$(img_sha "$dir/config.tmp")
	mv "$dir/config.tmp" "$dir/$c.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$c" "$name" "$layers" >"$dir/manifest.json"
	IMG_CONFIG=sha256:$c
}

img_pack() { tar --sort=name --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2" .; }
