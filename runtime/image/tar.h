/* tar.h — a bounded, streaming tar reader (ustar, GNU long names, PAX).
 *
 * The reader pulls bytes from a source callback and never holds more than
 * one header block plus one PAX/long-name payload (TAR_PAX_MAX). Every name
 * and number is checked: names longer than TAR_NAME_MAX or containing NUL,
 * bad checksums, numbers that overflow, sizes past TAR_SIZE_MAX and streams
 * that end inside an entry are errors naming the entry. The reader does not judge paths (absolute,
 * "..", symlinks): that is berth-unpack's policy.
 */
#ifndef BERTH_RUNTIME_IMAGE_TAR_H
#define BERTH_RUNTIME_IMAGE_TAR_H

#include <stdint.h>
#include <sys/types.h>

#include "autoconf.h"
#include "lib/err.h"

#define TAR_BLOCK 512
#define TAR_NAME_MAX CONFIG_IMAGE_TAR_NAME_MAX
#define TAR_PAX_MAX CONFIG_IMAGE_TAR_PAX_MAX
#define TAR_XATTR_MAX CONFIG_IMAGE_TAR_XATTR_MAX
#define TAR_XATTR_NAME_MAX 256
/* Largest entry accepted (the layer limit): bigger sizes, whether from a
 * header or a PAX record, are refused naming the entry, so that size plus
 * padding can never wrap. */
#define TAR_SIZE_MAX ((uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20)

/* Reads up to n bytes; returns the count, 0 at end of stream, <0 on error. */
typedef ssize_t (*tar_read_fn)(void *ctx, void *buf, size_t n, struct berr *e);

enum tar_type {
	TAR_FILE = '0',
	TAR_HARDLINK = '1',
	TAR_SYMLINK = '2',
	TAR_CHAR = '3',
	TAR_BLOCKDEV = '4',
	TAR_DIR = '5',
	TAR_FIFO = '6',
};

struct tar_xattr {
	char name[TAR_XATTR_NAME_MAX];
	size_t off, len;            /* value in tar_entry.xattr_data */
};

struct tar_entry {
	char path[TAR_NAME_MAX + 1];
	char link[TAR_NAME_MAX + 1];
	char type;                  /* enum tar_type (contiguous '7' is a file) */
	mode_t mode;                /* permission bits incl. setuid/setgid/sticky */
	uint64_t uid, gid;
	uint64_t size;              /* data bytes that follow */
	int64_t mtime;
	uint32_t devmajor, devminor;
	int nxattr;
	struct tar_xattr xattr[TAR_XATTR_MAX > 0 ? TAR_XATTR_MAX : 1];
	size_t xattr_used;
	unsigned char xattr_data[TAR_PAX_MAX];
};

struct tar_reader {
	tar_read_fn read;
	void *ctx;
	uint64_t left;              /* data bytes of the current entry not yet read */
	uint64_t pad;               /* padding after them */
	uint64_t offset;            /* bytes consumed from the source */
	int done;                   /* end-of-archive seen */
	char cur[TAR_NAME_MAX + 1]; /* current entry, for error messages */
	/* pending GNU long name/link and PAX extended header */
	char longname[TAR_NAME_MAX + 1];
	char longlink[TAR_NAME_MAX + 1];
	unsigned char pax[TAR_PAX_MAX + 1];
	unsigned char block[TAR_BLOCK];
};

void tar_init(struct tar_reader *r, tar_read_fn read, void *ctx);

/* Next entry into *ent (skipping unread data of the previous one).
 * Returns 1 with an entry, 0 at the end of the archive, <0 on error. */
int tar_next(struct tar_reader *r, struct tar_entry *ent, struct berr *e);

/* Read up to n bytes of the current entry's data; 0 when it is all read. */
ssize_t tar_read(struct tar_reader *r, void *buf, size_t n, struct berr *e);

/* The next component of the slash-separated path at *p into *c (empty and
 * "." components skipped); returns its length, 0 at the end, and moves *p
 * past it. Archive paths and layer entry paths are both walked with it. */
size_t tar_path_next(const char **p, const char **c);

/* Append the component c[0..n) to out[0..*o) (with a '/' unless out is
 * empty), NUL-terminated; -1 when it does not fit in size. */
int tar_path_push(char *out, size_t size, size_t *o, const char *c, size_t n);

/* A tar_read_fn over a file descriptor; ctx points to the int fd. */
ssize_t tar_fd_read(void *ctx, void *buf, size_t n, struct berr *e);

/* Parse a PAX extended header payload into ent (exposed for tests). */
int tar_pax_parse(const unsigned char *p, size_t len, struct tar_entry *ent,
		  struct berr *e);

#endif
