/* spec.h — the launch spec of one container as a file: berthd writes
 * D/containers/<id>/spec.json with shimspec_write, berth-shim reads it
 * back with shimspec_read (runtime/shim).
 *
 * Every field of struct launch_spec but stdio (descriptors do not travel
 * in a file) is written, plus the shim's own options. The reader is
 * strict (lib/json: duplicate keys, bad UTF-8 and wrong types refused),
 * bounded (CONFIG_SHIM_SPEC_MAX bytes, CONFIG_SHIM_SPEC_TOKENS_MAX tokens,
 * the launch_spec array sizes, CONFIG_SHIM_ARGV_MAX arguments) and
 * ignores keys it does not know, so that an older shim still reads a
 * newer berthd's file; "version" must be 1.
 */
#ifndef BERTH_SHIM_SPEC_H
#define BERTH_SHIM_SPEC_H

#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/launch/launch.h"

/* What the shim does besides launching. */
struct shim_opts {
	int open_stdin;       /* the container gets a stdin pipe (docker -i) */
	int stdin_once;       /* its stdin closes when the first attach's stdin ends */
	uint64_t log_max;     /* rotate log.json at this size; 0: CONFIG_SHIM_LOG_MAX_DEFAULT */
	int log_files;        /* files kept, log.json included; 0: CONFIG_SHIM_LOG_FILES_DEFAULT */
};

/* Write s and o to dirfd/name atomically (lib/fs: temporary, fsync,
 * rename, fsync of the directory), mode 0600. */
int shimspec_write(int dirfd, const char *name, const struct launch_spec *s, const struct shim_opts *o,
		   struct berr *e);

/* A spec read back: every string of spec points into pool. Big (the pool
 * is CONFIG_SHIM_SPEC_MAX bytes): allocate it, do not put it on a small
 * stack. */
struct shimspec {
	struct launch_spec spec;
	struct shim_opts opts;
	char *argv[CONFIG_SHIM_ARGV_MAX + 1];
	size_t pool_used;
	char pool[CONFIG_SHIM_SPEC_MAX];
};

/* Read dirfd/name into *out (overwritten whole). The spec's stdio is -1
 * (the caller sets it). EFBIG over the size limit, E2BIG over a count,
 * EPROTO for a malformed file, naming the field. */
int shimspec_read(int dirfd, const char *name, struct shimspec *out, struct berr *e);
/* The same on a buffer (the parser, fed bytes). */
int shimspec_parse(const char *js, size_t len, struct shimspec *out, struct berr *e);

#endif
