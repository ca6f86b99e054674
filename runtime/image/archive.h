/* archive.h — spool an image archive (tar, or gzip-compressed tar) into a
 * temporary directory, hashing every file on the way. Nothing in it is
 * trusted yet: import.c checks each file's sha256 against the digest that
 * refers to it before using it.
 */
#ifndef BERTH_RUNTIME_IMAGE_ARCHIVE_H
#define BERTH_RUNTIME_IMAGE_ARCHIVE_H

#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/image/digest.h"
#include "runtime/image/manifest.h"
#include "runtime/image/tar.h"

#define ARCHIVE_FILES_MAX CONFIG_IMAGE_ARCHIVE_FILES_MAX

struct arch_file {
	char path[ARCHIVE_PATH_MAX];     /* cleaned path inside the archive */
	char digest[DIGEST_STR_LEN + 1]; /* sha256 of its content */
	uint64_t size;
	int alias;                       /* a link: index of the file it names, or -1 */
	char link[ARCHIVE_PATH_MAX];     /* link target (cleaned, from the top) */
	int is_link;                     /* symlink or hardlink */
};

/* Which side a failed spool was: the archive's content, the source it was
 * read from, or this host. */
enum archive_failure { ARCHIVE_REFUSED, ARCHIVE_SOURCE, ARCHIVE_SYSTEM };

struct archive {
	int n;
	int dirfd;                       /* spool directory; file i is "f<i>" */
	uint64_t total;
	enum archive_failure failed;     /* after archive_spool failed */
	struct arch_file f[ARCHIVE_FILES_MAX];
};

/* Read the archive from read(ctx) into dirfd (which must be empty). Links
 * name files of the archive (one level: a link to a link, or out of the
 * archive, is refused). */
int archive_spool(struct archive *a, int dirfd, tar_read_fn read, void *ctx, struct berr *e);
/* Resolve every link of a->f[0..n) (archive_spool calls it; exposed for
 * the fuzz target). */
int archive_resolve_links(struct archive *a, struct berr *e);
/* The file at path (links followed), or NULL. */
const struct arch_file *archive_find(const struct archive *a, const char *path);
/* Spool name of f ("f<index>") into buf. */
void archive_spool_name(const struct archive *a, const struct arch_file *f, char *buf, size_t size);

#endif
