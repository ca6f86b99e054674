/* unpack.h — apply one layer's tar stream to a directory, refusing anything
 * that could escape or bomb it. Runs inside berth-unpack's sandbox, with "/"
 * being the layer directory, but does not rely on it: every path is checked
 * (no absolute paths, no "..", no symlink crossed, no device nodes, limits).
 * Each refusal names the entry.
 */
#ifndef BERTH_RUNTIME_IMAGE_UNPACK_H
#define BERTH_RUNTIME_IMAGE_UNPACK_H

#include <stdint.h>

#include "lib/err.h"
#include "runtime/image/tar.h"

#define UNPACK_OPAQUE_BUF 65536 /* bytes of opaque-directory paths reported */
#define UNPACK_DIRTIMES_MAX (8u << 20) /* bytes of directory times kept for the end */

struct unpack_policy {
	uint64_t max_bytes;     /* sum of file sizes */
	uint64_t max_entries;
	unsigned max_depth;     /* path components */
	int allow_setid;        /* setuid/setgid files */
};

struct unpack_stats {
	uint64_t entries, bytes;
};

struct unpack {
	struct unpack_policy pol;
	struct unpack_stats st;
	int rootfd;             /* the layer directory */
	/* cache of the last parent directory walked */
	char cache_path[TAR_NAME_MAX + 1];
	int cache_fd;
	/* opaque directories (".wh..wh..opq"), NUL-separated, for the caller
	 * to mark with trusted.overlay.opaque (which needs CAP_SYS_ADMIN) */
	char opaque[UNPACK_OPAQUE_BUF];
	size_t opaque_len;
	/* directories' mtimes, set again at the end (entries created inside
	 * change them): records of int64 mtime + NUL-terminated path */
	char *dirtimes;
	size_t dirtimes_len, dirtimes_cap;
	int dirtimes_full;      /* past UNPACK_DIRTIMES_MAX: later ones keep "now" */
	struct tar_entry ent;
	unsigned char buf[65536];
};

/* u->pol and u->rootfd must be set; the rest is initialised here. */
int unpack_run(struct unpack *u, struct tar_reader *r, struct berr *e);

/* Normalize an entry path into out: strip "./" and trailing "/", collapse
 * "//"; refuse absolute paths, "..", and more than max_depth components.
 * "" means the layer root. Exposed for unit tests. */
int unpack_clean_path(const char *in, char *out, size_t size, unsigned max_depth,
		      struct berr *e);

#endif
