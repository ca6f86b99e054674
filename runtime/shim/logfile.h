/* logfile.h — a container's log: Docker's json-file format, written by
 * berth-shim with size-based rotation, read and followed by berthd
 * (runtime/shim).
 *
 * The files are log.json (the newest), log.json.1 … log.json.N-1 in the
 * container's directory; each line is one entry:
 *   {"log":"text\n","stream":"stdout","time":"2026-11-30T18:00:00.123456789Z"}
 * Every chunk the container writes is cut at its newlines: each line is an
 * entry ending in "\n", and a trailing piece without one is an entry of its
 * own (so a prompt shows at once; a line longer than CONFIG_SHIM_LOG_LINE_MAX
 * is several entries). Bytes that are not UTF-8 become U+FFFD, as dockerd
 * writes them. The time is UTC with 9 fractional digits. When the next
 * entry would take log.json over the limit, the files move up by one
 * (log.json.N-1 is dropped) and a new log.json starts; an entry larger
 * than the limit is written whole to a fresh file.
 */
#ifndef BERTH_SHIM_LOGFILE_H
#define BERTH_SHIM_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"

#define LOGFILE_NAME "log.json"
#define LOGFILE_FILES_MAX 32

/* ------------------------------------------------------------------ writer */

struct logfile_w {
	int dirfd;            /* the container's directory (the caller's) */
	int fd;               /* log.json, append-only */
	uint64_t size;        /* its size */
	uint64_t max;         /* rotate beyond this */
	int files;            /* files kept, log.json included */
	char *entry;          /* one encoded entry (heap) */
};

/* Open (or continue) dirfd/log.json. max 0: CONFIG_SHIM_LOG_MAX_DEFAULT;
 * files 0: CONFIG_SHIM_LOG_FILES_DEFAULT (at most LOGFILE_FILES_MAX). */
int logfile_w_open(struct logfile_w *w, int dirfd, uint64_t max, int files, struct berr *e);
/* Log one chunk of stream (1 stdout, 2 stderr) read at t_ns (unix ns).
 * A rotation that fails is an error, but the entry still goes to log.json
 * (output is never dropped for it) and the rotation is tried again later. */
int logfile_w_write(struct logfile_w *w, int stream, const char *p, size_t n, int64_t t_ns,
		    struct berr *e);
/* Close the log (the directory fd stays the caller's). */
void logfile_w_close(struct logfile_w *w);

/* ------------------------------------------------------------------ reader */

struct logfile_opts {
	int64_t since_ns, until_ns; /* 0: unset; both inclusive */
	long tail;                  /* the last N entries that pass the filters; -1: all */
	int out, err;               /* streams wanted */
};
/* One entry; a return < 0 ends the reading (that value is returned). */
typedef int (*logfile_fn)(void *ctx, int stream /* 1 out, 2 err */, int64_t t_ns, const char *p, size_t n);

/* Where reading stopped: the file (device, inode) and the offset after
 * the last whole line read. */
struct logfile_pos {
	uint64_t dev, ino;
	int64_t off;
};

/* Read every file, oldest first, calling fn for each entry that passes o;
 * *end (may be NULL) gets the position after the last line of log.json.
 * No log at all is not an error. A malformed line is skipped. */
int logfile_read(int dirfd, const struct logfile_opts *o, logfile_fn fn, void *ctx, struct logfile_pos *end,
		 struct berr *e);

/* Then follow from *pos (across rotations: the file that was log.json is
 * read to its end before the one that replaced it) until stop(ctx)
 * returns 1, checked at least every 250 ms, draining what was written
 * before it said so. o's since/until/out/err apply, tail does not. A
 * return of fn < 0 ends it too (that value is returned). *pos is updated. */
int logfile_follow(int dirfd, struct logfile_pos *pos, const struct logfile_opts *o, logfile_fn fn,
		   void *ctx, int (*stop)(void *ctx), struct berr *e);

/* "2026-11-30T18:00:00.123456789Z" (31 bytes and NUL into buf[32]), and back
 * (any number of fractional digits, "Z" only). */
void logfile_format_time(int64_t ns, char buf[32]);
int logfile_parse_time(const char *s, size_t n, int64_t *ns);

#endif
