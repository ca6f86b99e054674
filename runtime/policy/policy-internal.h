/* policy-internal.h — the table-driven body reader shared by create.c,
 * create_mounts.c and exec.c (reader.c), and helpers shared with policy.c. */
#ifndef BERTH_POLICY_INTERNAL_H
#define BERTH_POLICY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/json.h"

#define RD_PATH_MAX 192

/* One read of one body. */
struct rd {
	struct json j;
	char *pool;             /* strings */
	size_t pool_size, *pool_used;
	const char **strs;      /* list elements */
	int strs_max, *strs_used;
	char path[RD_PATH_MAX]; /* the field being read, for messages */
	size_t plen;
	void *top;              /* the whole request */
};

enum rd_kind {
	F_STR,        /* const char * ("" when null) */
	F_BOOL,       /* int 0/1 */
	F_BOOL_SET,   /* int 0/1, and int at off2 = 1 when given */
	F_INT,        /* int64_t in [min, max] */
	F_INT_SET,    /* the same, and int at off2 = 1 when given */
	F_UINT,       /* unsigned in [min, max] */
	F_STRS,       /* struct create_strs, at most max elements */
	F_STRSLICE,   /* the same, or one string (Go's strslice.StrSlice) */
	F_COUNT,      /* int: the elements of an array (any content) */
	F_OBJ,        /* a nested object read with sub, base + off */
	F_FN,         /* fn(d, tok, base + off, e) */
	F_ANY,        /* known, any value, ignored */
};

struct rd_field {
	const char *name;
	enum rd_kind kind;
	size_t off, off2;
	int64_t min, max;
	const struct rd_field *sub;
	int (*fn)(struct rd *d, int tok, void *at, struct berr *e);
};

/* A table entry: RD_F("Name", F_KIND, offset, .off2 = …, .min = …). */
#define RD_F(n, k, o, ...) { .name = (n), .kind = (k), .off = (o), __VA_ARGS__ }
#define RD_END { .name = NULL }

/* Start a read of body into the caller's pool, list slots and tokens. */
int rd_init(struct rd *d, const char *body, size_t len, jsmntok_t *tok, int maxtok,
	    char *pool, size_t pool_size, size_t *pool_used, const char **strs, int strs_max,
	    int *strs_used, struct berr *e);
/* Read the object at tok with the fields of fs (ended by { NULL }) into base. */
int rd_obj(struct rd *d, int tok, const struct rd_field *fs, void *base, struct berr *e);
/* A key of the object at tok that is no field of here but is (exactly or
 * folded) one of there: 400 "KEY: a WHERE field outside WHERE". */
int rd_misplaced(struct rd *d, int tok, const struct rd_field *here, const struct rd_field *there,
		 const char *where, struct berr *e);
/* "PATH: what" with errnum; returns -1. */
int rd_fail(struct rd *d, struct berr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Push ".name" (or "name" at the top), "[n]" or "[key]" on the path; pop
 * back to a length saved before. */
size_t rd_push(struct rd *d, const char *name);
size_t rd_push_index(struct rd *d, int n);
size_t rd_push_key(struct rd *d, const char *key);
void rd_pop(struct rd *d, size_t len);
/* A copy of the current path in the pool (for messages made later). */
int rd_path_keep(struct rd *d, const char **out, struct berr *e);
/* String token (not null) into the pool. */
int rd_string(struct rd *d, int tok, const char **out, struct berr *e);
/* A copy of s[0..n) into the pool. */
int rd_keep(struct rd *d, const char *s, size_t n, const char **out, struct berr *e);
/* null: 1, else 0. */
bool rd_null(struct rd *d, int tok);
/* An integer in [min, max] ("PATH: expected an integer"). */
int rd_int(struct rd *d, int tok, int64_t min, int64_t max, int64_t *out, struct berr *e);
/* A boolean. */
int rd_bool(struct rd *d, int tok, int *out, struct berr *e);
/* Does key[0..n) equal the ASCII name under Go's encoding/json folding? */
bool rd_fold_eq(const char *key, size_t n, const char *name);

/* Lexical normalisation of an absolute path into out[size]: "//" → "/",
 * "." dropped, ".." applied (never above "/"), no trailing "/". -1 when
 * p is not absolute or the result does not fit (EINVAL, ENAMETOOLONG). */
int policy_path_norm(const char *p, char *out, size_t size, struct berr *e);

#endif
