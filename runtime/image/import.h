/* import.h — import an image archive into the store.
 *
 * Layouts: docker save (manifest.json + config + layer tars, and the OCI
 * layout newer Docker writes inside it) and an OCI image layout (oci-layout,
 * index.json, blobs/sha256/...); several images per archive. Every blob is
 * checked against the digest, size and media type that refer to it (index ->
 * manifest -> config and layers) and every layer's uncompressed sha256
 * against the config's rootfs.diff_ids. Layers are unpacked by berth-unpack,
 * one sandboxed process each. Any mismatch refuses the whole import, names
 * the digest or entry, and leaves nothing in the store.
 */
#ifndef BERTH_RUNTIME_IMAGE_IMPORT_H
#define BERTH_RUNTIME_IMAGE_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "runtime/image/store.h"

struct import_opts {
	const char *unpack;     /* path of berth-unpack */
	int progress;           /* a progress line per layer on stderr */
	int no_setid;           /* refuse setuid/setgid files */
	uint64_t max_bytes;     /* uncompressed bytes per layer */
	uint64_t max_entries;   /* entries per layer */
	unsigned ratio_max;     /* gzip expansion */
	uint32_t userns_base, userns_size; /* see layer.h; size 0: off */
};

/* Import the archive read from fd. Prints "loaded NAME (sha256:...)" lines
 * (or the digest of unnamed images) to out. */
int image_import(struct store *s, int fd, const struct import_opts *o, FILE *out, struct berr *e);

#endif
