/* reader.c — the table-driven strict reader of create and exec bodies
 * (policy-internal.h): Go's key matching, strict types, bounded pools. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/policy/create.h"
#include "runtime/policy/policy-internal.h"

/* The longest key compared: every known name is ASCII and short, and Go's
 * folding maps at most 3 bytes (U+212A) to one letter, so a longer key can
 * fold to none of them. */
#define KEY_MAX 256

int rd_init(struct rd *d, const char *body, size_t len, jsmntok_t *tok, int maxtok,
	    char *pool, size_t pool_size, size_t *pool_used, const char **strs, int strs_max,
	    int *strs_used, struct berr *e)
{
	memset(d, 0, sizeof *d);
	d->pool = pool;
	d->pool_size = pool_size;
	d->pool_used = pool_used;
	d->strs = strs;
	d->strs_max = strs_max;
	d->strs_used = strs_used;
	*pool_used = 0;
	*strs_used = 0;
	if (json_parse(&d->j, body, len, tok, maxtok, e) < 0) {
		if (e->errnum == E2BIG)
			return berr_set(e, E2BIG, "body: more than %d JSON tokens", maxtok);
		return berr_prefix(e, "body");
	}
	if (json_type(&d->j, 0) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "body: expected a JSON object");
	return 0;
}

int rd_fail(struct rd *d, struct berr *e, int errnum, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return berr_set(e, errnum, "%s: %s", d->plen ? d->path : "body", what);
}

static size_t push(struct rd *d, const char *fmt, const char *s, int n)
{
	size_t old = d->plen;
	int k;

	if (s)
		k = snprintf(d->path + old, sizeof d->path - old, fmt, s);
	else
		k = snprintf(d->path + old, sizeof d->path - old, fmt, n);
	if (k < 0 || (size_t)k >= sizeof d->path - old) {
		/* a path too long for messages is cut, with a mark */
		memcpy(d->path + sizeof d->path - 4, "...", 4);
		d->plen = sizeof d->path - 1;
	} else {
		d->plen = old + (size_t)k;
	}
	return old;
}

size_t rd_push(struct rd *d, const char *name)
{
	return push(d, d->plen ? ".%s" : "%s", name, 0);
}

size_t rd_push_index(struct rd *d, int n)
{
	return push(d, "[%d]", NULL, n);
}

size_t rd_push_key(struct rd *d, const char *key)
{
	return push(d, "[%.64s]", key, 0);
}

void rd_pop(struct rd *d, size_t len)
{
	d->plen = len;
	d->path[len] = '\0';
}

int rd_keep(struct rd *d, const char *s, size_t n, const char **out, struct berr *e)
{
	if (*d->pool_used + n + 1 > d->pool_size)
		return rd_fail(d, e, E2BIG, "the body's strings exceed %zu bytes", d->pool_size);
	memcpy(d->pool + *d->pool_used, s, n);
	d->pool[*d->pool_used + n] = '\0';
	*out = d->pool + *d->pool_used;
	*d->pool_used += n + 1;
	return 0;
}

int rd_path_keep(struct rd *d, const char **out, struct berr *e)
{
	return rd_keep(d, d->path, d->plen, out, e);
}

int rd_string(struct rd *d, int tok, const char **out, struct berr *e)
{
	char *at = d->pool + *d->pool_used;
	size_t n;

	if (json_type(&d->j, tok) != JSMN_STRING)
		return rd_fail(d, e, EPROTO, "expected a string");
	if (json_strn(&d->j, tok, at, d->pool_size - *d->pool_used, &n, e) < 0)
		return rd_fail(d, e, E2BIG, "the body's strings exceed %zu bytes", d->pool_size);
	if (strlen(at) != n)
		return rd_fail(d, e, EPROTO, "a string with \\u0000");
	*out = at;
	*d->pool_used += n + 1;
	return 0;
}

bool rd_null(struct rd *d, int tok)
{
	return json_is_null(&d->j, tok);
}

int rd_bool(struct rd *d, int tok, int *out, struct berr *e)
{
	bool b;

	if (json_type(&d->j, tok) != JSMN_PRIMITIVE || json_bool(&d->j, tok, &b, e) < 0)
		return rd_fail(d, e, EPROTO, "expected a boolean");
	*out = b;
	return 0;
}

int rd_int(struct rd *d, int tok, int64_t min, int64_t max, int64_t *out, struct berr *e)
{
	const char *s = d->j.js + d->j.tok[tok].start;

	if (json_type(&d->j, tok) != JSMN_PRIMITIVE || (*s != '-' && (*s < '0' || *s > '9')))
		return rd_fail(d, e, EPROTO, "expected an integer");
	if (json_i64(&d->j, tok, min, max, out, e) < 0) {
		if (e->errnum == ERANGE)
			return rd_fail(d, e, ERANGE, "out of range (%lld to %lld)", (long long)min,
				       (long long)max);
		return rd_fail(d, e, EPROTO, "expected an integer");
	}
	return 0;
}

bool rd_fold_eq(const char *key, size_t n, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;
	size_t i = 0;

	for (; *name; name++) {
		unsigned char want = (unsigned char)*name;

		if (want >= 'a' && want <= 'z')
			want = (unsigned char)(want - 'a' + 'A');
		if (i >= n)
			return false;
		if (k[i] < 0x80) {
			unsigned char c = k[i] >= 'a' && k[i] <= 'z' ? (unsigned char)(k[i] - 'a' + 'A') : k[i];

			if (c != want)
				return false;
			i++;
		} else if (want == 'S' && n - i >= 2 && k[i] == 0xc5 && k[i + 1] == 0xbf) {
			i += 2; /* U+017F LATIN SMALL LETTER LONG S */
		} else if (want == 'K' && n - i >= 3 && k[i] == 0xe2 && k[i + 1] == 0x84 &&
			   k[i + 2] == 0xaa) {
			i += 3; /* U+212A KELVIN SIGN */
		} else {
			return false; /* no other rune folds to an ASCII letter */
		}
	}
	return i == n;
}

static int strs_read(struct rd *d, int tok, const struct rd_field *f, struct create_strs *s,
		     struct berr *e)
{
	struct json_iter it;
	int k, v, n = 0;

	s->v = d->strs + *d->strs_used;
	s->n = 0;
	s->set = 0;
	if (rd_null(d, tok))
		return 0;
	if (f->kind == F_STRSLICE && json_type(&d->j, tok) == JSMN_STRING) {
		if (*d->strs_used >= d->strs_max)
			return rd_fail(d, e, E2BIG, "more than %d list strings in the body", d->strs_max);
		if (rd_string(d, tok, &d->strs[*d->strs_used], e) < 0)
			return -1;
		(*d->strs_used)++;
		s->n = 1;
		s->set = 1;
		return 0;
	}
	if (json_type(&d->j, tok) != JSMN_ARRAY)
		return rd_fail(d, e, EPROTO, "expected an array of strings");
	if (d->j.tok[tok].size > f->max)
		return rd_fail(d, e, E2BIG, "more than %lld entries", (long long)f->max);
	if (*d->strs_used + d->j.tok[tok].size > d->strs_max)
		return rd_fail(d, e, E2BIG, "more than %d list strings in the body", d->strs_max);
	json_iter_init(&d->j, tok, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		size_t old = rd_push_index(d, n);

		if (rd_string(d, v, &d->strs[*d->strs_used + n], e) < 0)
			return -1;
		rd_pop(d, old);
		n++;
	}
	*d->strs_used += n;
	s->n = n;
	s->set = 1;
	return 0;
}

static int field_read(struct rd *d, int tok, const struct rd_field *f, void *base, struct berr *e)
{
	char *at = (char *)base + f->off;
	int64_t v;
	int b;

	switch (f->kind) {
	case F_STR:
		return rd_null(d, tok) ? 0 : rd_string(d, tok, (const char **)(void *)at, e);
	case F_BOOL:
	case F_BOOL_SET:
		if (rd_null(d, tok))
			return 0;
		if (rd_bool(d, tok, &b, e) < 0)
			return -1;
		*(int *)(void *)at = b;
		if (f->kind == F_BOOL_SET)
			*(int *)(void *)((char *)base + f->off2) = 1;
		return 0;
	case F_INT:
	case F_INT_SET:
	case F_UINT:
		if (rd_null(d, tok))
			return 0;
		if (rd_int(d, tok, f->min, f->max, &v, e) < 0)
			return -1;
		if (f->kind == F_UINT)
			*(unsigned *)(void *)at = (unsigned)v;
		else
			*(int64_t *)(void *)at = v;
		if (f->kind == F_INT_SET)
			*(int *)(void *)((char *)base + f->off2) = 1;
		return 0;
	case F_STRS:
	case F_STRSLICE:
		return strs_read(d, tok, f, (struct create_strs *)(void *)at, e);
	case F_COUNT:
		if (rd_null(d, tok))
			return 0;
		if (json_type(&d->j, tok) != JSMN_ARRAY)
			return rd_fail(d, e, EPROTO, "expected an array");
		*(int *)(void *)at = d->j.tok[tok].size;
		return 0;
	case F_OBJ:
		return rd_obj(d, tok, f->sub, at, e);
	case F_FN:
		return f->fn(d, tok, at, e);
	case F_ANY:
		return 0;
	}
	return rd_fail(d, e, EINVAL, "no reader for this field");
}

/* The field named exactly key, or NULL; *folded the one it folds to. */
static const struct rd_field *field_find(const struct rd_field *fs, const char *key, size_t n,
					 const struct rd_field **folded)
{
	*folded = NULL;
	for (const struct rd_field *f = fs; f->name; f++)
		if (strlen(f->name) == n && memcmp(f->name, key, n) == 0)
			return f;
	for (const struct rd_field *f = fs; f->name; f++)
		if (rd_fold_eq(key, n, f->name)) {
			*folded = f;
			break;
		}
	return NULL;
}

int rd_misplaced(struct rd *d, int tok, const struct rd_field *here, const struct rd_field *there,
		 const char *where, struct berr *e)
{
	struct json_iter it;
	char key[KEY_MAX + 1];
	int k, v;

	json_iter_init(&d->j, json_type(&d->j, tok) == JSMN_OBJECT ? tok : -1, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		const struct rd_field *f, *folded;
		size_t n;
		struct berr ke;

		if (json_strn(&d->j, k, key, sizeof key, &n, &ke) < 0)
			continue;
		if (field_find(here, key, n, &folded) || folded)
			continue;
		f = field_find(there, key, n, &folded);
		if (f || folded) {
			size_t cut = strnlen(key, n);

			return berr_set(e, EPROTO, "%.*s: a %s field outside %s (dockerd before 25.0 read "
					"it there); berth reads it only inside %s", (int)(cut > 64 ? 64 : cut), key,
					where, where, where);
		}
	}
	return 0;
}

int rd_obj(struct rd *d, int tok, const struct rd_field *fs, void *base, struct berr *e)
{
	struct json_iter it;
	char key[KEY_MAX + 1];
	int k, v;

	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_OBJECT)
		return rd_fail(d, e, EPROTO, "expected an object");
	json_iter_init(&d->j, tok, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		const struct rd_field *f, *folded;
		size_t n, old;
		struct berr ke;

		if (json_strn(&d->j, k, key, sizeof key, &n, &ke) < 0)
			continue; /* longer than any key that folds to a known one */
		f = field_find(fs, key, n, &folded);
		if (!f && folded) {
			size_t cut = strnlen(key, n);

			old = rd_push(d, folded->name);
			rd_fail(d, e, EPROTO, "given as \"%.*s\": dockerd reads that key as %s, "
				"berth accepts only the exact name", (int)(cut > 64 ? 64 : cut), key,
				folded->name);
			rd_pop(d, old);
			return -1;
		}
		if (!f)
			continue; /* a field berth does not read */
		old = rd_push(d, f->name);
		if (field_read(d, v, f, base, e) < 0)
			return -1;
		rd_pop(d, old);
	}
	return 0;
}

int policy_path_norm(const char *path, char *out, size_t size, struct berr *e)
{
	const char *p = path;
	size_t o = 0;

	if (p[0] != '/')
		return berr_set(e, EINVAL, "'%.80s' is not an absolute path", path);
	if (size < 2)
		return berr_set(e, ENAMETOOLONG, "'%.80s': too long", path);
	out[o++] = '/';
	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the slash before the dropped component */
			continue;
		}
		if (o + (o > 1) + n + 1 > size)
			return berr_set(e, ENAMETOOLONG, "'%.80s': longer than %zu bytes", path, size - 1);
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}
