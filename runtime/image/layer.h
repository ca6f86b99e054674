/* layer.h — one layer blob: decompress (gzip or zstd, streaming), sha256 the tar
 * (its diff_id), and, when a target is given, pipe it into a berth-unpack
 * process, then mark the opaque directories it reports. Safe to run several
 * at once from different threads (each job owns its buffers and fds).
 */
#ifndef BERTH_RUNTIME_IMAGE_LAYER_H
#define BERTH_RUNTIME_IMAGE_LAYER_H

#include <stdint.h>

#include "lib/err.h"
#include "runtime/image/digest.h"
#include "runtime/image/manifest.h"

struct layer_job {
	int dirfd;              /* spool directory */
	const char *spool;      /* spooled blob name in it */
	int comp;               /* LAYER_TAR, LAYER_GZIP, LAYER_ZSTD, or 0: sniff */
	const char *target;     /* directory to unpack into, or NULL: hash only */
	const char *unpack;     /* berth-unpack path */
	const char *label;      /* "layer 2/5 sha256:..." for messages */
	int no_setid;
	uint64_t max_bytes, max_entries;
	unsigned ratio_max;
	/* userns_size > 0: berth-unpack runs as root of a new user namespace
	 * mapping 0..size-1 to userns_base.., so the layer's owners are shifted */
	uint32_t userns_base, userns_size;
	/* sha256 of the blob as spooled, or NULL: an uncompressed blob's is its
	 * diff_id, so it is then spliced to berth-unpack without hashing */
	const char *hashed;
	/* out: uncompressed bytes so far (read with __atomic_load_n from other
	 * threads), and whether a failure was the system's (1) or the layer's */
	uint64_t bytes;
	int sys_failed;
};

/* Returns 0 with the uncompressed sha256 in diff_out. */
int layer_run(struct layer_job *j, char *diff_out, struct berr *e);

#endif
