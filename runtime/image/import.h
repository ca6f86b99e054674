/* import.h — import an image archive into the store.
 *
 * Layouts: docker save (manifest.json + config + layer tars, and the OCI
 * layout newer Docker writes inside it) and an OCI image layout (oci-layout,
 * index.json, blobs/sha256/...); several images per archive. Every blob is
 * checked against the digest, size and media type that refer to it (index ->
 * manifest -> config and layers) and every layer's uncompressed sha256
 * against the config's rootfs.diff_ids. Layers are unpacked by berth-unpack,
 * one sandboxed process each, several at once (at most `jobs`, by default
 * the number of CPUs). Any mismatch refuses the whole import, names the
 * digest or entry, and leaves nothing in the store.
 *
 * The archive comes from a reader (a file descriptor, or a chunked HTTP
 * body, without spooling it first); progress and the names loaded come
 * back through a callback, always called from the importing thread. The
 * store must be locked exclusively, and SIGPIPE ignored (a berth-unpack
 * that refuses a layer closes its pipe: EPIPE, not death).
 */
#ifndef BERTH_RUNTIME_IMAGE_IMPORT_H
#define BERTH_RUNTIME_IMAGE_IMPORT_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/image/store.h"

#define IMPORT_JOBS_MAX 16

/* Reads up to n bytes of the archive; the count, 0 at its end, <0 on
 * error (with *e set). */
struct import_reader {
	ssize_t (*read)(void *ctx, void *buf, size_t n, struct berr *e);
	void *ctx;
};

/* A reader over a file descriptor; ctx points to the int fd. */
ssize_t import_fd_read(void *ctx, void *buf, size_t n, struct berr *e);

enum import_event_kind {
	IMPORT_LAYER_START,     /* a layer starts: label, layer, nlayers */
	IMPORT_LAYER_PROGRESS,  /* bytes uncompressed so far (about 5 a second) */
	IMPORT_LAYER_DONE,      /* bytes, secs */
	IMPORT_LOADED,          /* an image is in the store: digest, name ("" when unnamed) */
};

struct import_event {
	enum import_event_kind kind;
	const char *label;      /* "layer 2/5 sha256:0123456789ab" */
	int layer, nlayers;
	uint64_t bytes;
	double secs;
	const char *name;
	const char *digest;     /* config digest of a loaded image */
};

typedef void (*import_event_fn)(void *ctx, const struct import_event *ev);

struct import_opts {
	const char *unpack;     /* path of berth-unpack */
	int no_setid;           /* refuse setuid/setgid files */
	uint64_t max_bytes;     /* uncompressed bytes per layer */
	uint64_t max_entries;   /* entries per layer */
	unsigned ratio_max;     /* gzip expansion */
	uint32_t userns_base, userns_size; /* see layer.h; size 0: off */
	int jobs;               /* layers unpacked at once; 0: one per CPU */
	import_event_fn event;  /* may be NULL */
	void *event_ctx;
};

/* Why an import failed, for the caller to map onto its own answers. */
enum import_class {
	IMPORT_OK = 0,
	IMPORT_REFUSED,         /* the archive is malformed, hostile or over a limit */
	IMPORT_SOURCE,          /* the reader failed (the client went away) */
	IMPORT_SYSTEM,          /* a system call, memory, or a berth-unpack process failed */
};

struct import_result {
	enum import_class cls;
	int nimages;            /* images loaded */
};

/* Import the archive read from in. */
int import_archive(struct store *s, const struct import_reader *in, const struct import_opts *o,
		 struct import_result *res, struct berr *e);

#endif
