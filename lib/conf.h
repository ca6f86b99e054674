/* conf.h — ini configuration files (read with inih) and typed values.
 *
 * Reading: conf_parse() hands every "key = value" to the caller's on_key
 * callback; when that returns < 0, its message goes to the caller's report
 * callback as file + line + message, the error is counted and parsing goes
 * on, so that one run reports every wrong line. The library never prints.
 * Continuation lines (indented) reach on_key again with the same key; keys
 * before the first [section] have section "". A line that is not a section,
 * "key = value" or a comment is reported as "not a section, key = value, or
 * comment" (inih tells only the first such line). Lines are at most
 * INI_MAX_LINE bytes (rootfs/deps/libinih.sh); nothing here allocates.
 *
 * Typed values: each helper takes the key (named in the message), the value
 * and its output, and fails with EINVAL and "KEY: want …: 'VALUE'" (the value
 * cut at 80 bytes), the same shape conf_bad() gives to the caller's own
 * checks. Numbers are decimal digits only (no sign unless the range allows
 * negative numbers, no blanks, no 0x); a number that overflows is refused,
 * never wrapped.
 *
 * This half (conf_parse*) links inih; the value helpers (conf_value.c) need
 * only libcap (capability names), so berth-run links them without inih.
 */
#ifndef BERTH_LIB_CONF_H
#define BERTH_LIB_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

/* A key's value: fill the caller's state; < 0 with *e set: reported. */
typedef int conf_key_fn(void *ctx, const char *section, const char *key, const char *value,
			struct berr *e);
/* One diagnostic. line 0: about the whole file (conf_report with 0). */
typedef void conf_report_fn(void *ctx, const char *file, int line, const char *msg);

struct conf_reader {
	const char *file;          /* named in every diagnostic */
	conf_key_fn *on_key;
	conf_report_fn *report;
	void *ctx;                 /* passed to on_key and report */
	int errors;                /* diagnostics reported so far */
};

/* Parse NUL-terminated text. Returns 0 (diagnostics only counted in
 * r->errors); < 0 only when inih itself fails. */
int conf_parse(struct conf_reader *r, const char *text, struct berr *e);

/* Read path (a regular file of at most size-1 bytes, lib/fs.h fs_read:
 * a symlink as last component, a FIFO or a device is refused) into buf
 * and parse it. A missing file fails with errnum ENOENT. */
int conf_parse_file(struct conf_reader *r, const char *path, char *buf, size_t size,
		    struct berr *e);

/* Report diag->msg at line (0: the whole file) and count it. */
void conf_report(struct conf_reader *r, int line, const struct berr *diag);

/* e = EINVAL, "KEY: WHAT: 'VALUE'" (printf format for WHAT). Returns -1. */
int conf_bad(struct berr *e, const char *key, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* yes/no, true/false, on/off, 1/0 (any case) → 1 or 0. */
int conf_bool(const char *key, const char *v, int *out, struct berr *e);

/* A decimal integer in [min, max]. */
int conf_int(const char *key, const char *v, long long min, long long max, long long *out,
	     struct berr *e);

/* Bytes: N, NK, NM or NG (powers of 1024), in [min, max] (min >= 0). */
int conf_size(const char *key, const char *v, long long min, long long max, long long *out,
	      struct berr *e);

/* A duration: Nms, Ns, Nm or Nh, or N alone for seconds, in [min_ms,
 * max_ms] (min_ms >= 0); *out_ms in milliseconds. */
int conf_duration(const char *key, const char *v, long long min_ms, long long max_ms,
		  long long *out_ms, struct berr *e);

/* An absolute path, normalised into out (size bytes with its NUL): it must
 * start with '/'; repeated slashes become one and a trailing slash goes
 * ("/a//b/" → "/a/b"; "/" stays); a "." or ".." component, a control
 * character (below 0x20, 0x7f) or a result of size bytes or more is
 * refused. Nothing is resolved: symlinks are the reader's concern. */
int conf_path(const char *key, const char *v, char *out, size_t size, struct berr *e);

/* A copy of v into out (size bytes with its NUL), refused when longer. */
int conf_string(const char *key, const char *v, char *out, size_t size, struct berr *e);

/* A host name (RFC 1123): dot-separated labels of 1-63 letters, digits and
 * '-', no label starting or ending with '-', no empty label (so no leading,
 * trailing or double dot), at most size-1 bytes in all. Copied to out
 * unless out is NULL (check only). The one hostname check of the tree. */
int conf_hostname(const char *key, const char *v, char *out, size_t size, struct berr *e);

/* A user or group: a number 0-4294967294 (*id set, name "") or a name of
 * POSIX's portable characters [A-Za-z0-9._-], not starting with '-', with
 * an optional final '$', at most CONF_ID_NAME_MAX bytes (copied to name,
 * *id 0). Looking the name up is the caller's business (the files differ:
 * host, image, service). */
#define CONF_ID_NAME_MAX 32
int conf_id(const char *key, const char *v, uint32_t *id, char name[CONF_ID_NAME_MAX + 1],
	    struct berr *e);

/* Capability names through libcap's own table (lib/caps.h), separated by
 * blanks or commas, with or without "cap_", any case: each sets its bit in
 * *mask (bits already set are kept). "all" (alone or in the list) sets
 * *all; "none" alone clears *mask and *all. */
int conf_caps(const char *key, const char *v, uint64_t *mask, int *all, struct berr *e);

/* One of names[0..n-1] (exact): *out = its index. The message lists them
 * ("want always, on-failure or never"). */
int conf_enum(const char *key, const char *v, const char *const *names, int n, int *out,
	      struct berr *e);

/* The next word of *v: skips the bytes of seps, returns the word's start
 * (its length in *len) and moves *v past it; NULL when none is left. */
const char *conf_word_next(const char **v, const char *seps, size_t *len);

/* A bounded list of words kept in the caller's storage: buf holds them
 * NUL-terminated, off[i] is where word i starts (so buf is at most 64 KiB). */
struct conf_words {
	char *buf;
	size_t size;
	unsigned short *off;
	int max;                   /* entries in off */
	int n;                     /* words so far */
};

/* Append the words of v (split on the bytes of seps) to w. More than
 * w->max words or w->size bytes fails and leaves w as it was. */
int conf_words_add(const char *key, const char *v, const char *seps, struct conf_words *w,
		   struct berr *e);

#endif
