/* json.c — jsmn tokens checked strictly, bounded lookups; see json.h.
 * The one translation unit that compiles jsmn's code (JSMN_STATIC).
 *
 * json_parse() makes three linear passes: a prescan (nesting depth, before
 * jsmn whose closing-bracket search grows with depth), jsmn, and a walk
 * over the tokens that checks what jsmn lets through: the separators
 * between tokens, literals and numbers, UTF-8 and escapes, and duplicate
 * keys (each object's keys are sorted through a list threaded in their
 * `size` fields, so a large object costs n log n, not n²).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* jsmn's code, before json.h includes jsmn.h for its types only */
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "lib/json.h"
#include "lib/json-internal.h"

/* ------------------------------------------------------------- UTF-8 */

static size_t utf8_put(unsigned char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Offset of the quote that closes the string starting at s[i] (len if
 * none): a quote preceded by an odd number of backslashes is escaped. */
static size_t string_end(const unsigned char *s, size_t i, size_t len)
{
	for (;;) {
		const unsigned char *q = memchr(s + i, '"', len - i);
		size_t k, bs = 0;

		if (!q)
			return len;
		k = (size_t)(q - s);
		while (k - bs > i && s[k - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return k;
		i = k + 1;
	}
}

/* Bracket depth outside strings must stay within the limit. Bytes are
 * checked later: UTF-8 in strings by str_check(), and outside strings
 * only whitespace, structure and ASCII literals get through. */
static int prescan(const char *js, size_t len, struct berr *e)
{
	const unsigned char *s = (const unsigned char *)js;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '"':
			i = string_end(s, i + 1, len);
			break;
		case '[':
		case '{':
			if (++depth > CONFIG_JSON_DEPTH_MAX)
				return berr_set(e, EPROTO, "JSON is nested deeper than %d at byte %zu",
						CONFIG_JSON_DEPTH_MAX, i);
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return 0;
}

/* ------------------------------------------------- unescaping strings */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The 4 hex digits at s (checked to be there), or -1. */
static int hex4(const char *s)
{
	int v = 0;

	for (int k = 0; k < 4; k++) {
		int h = hexval((unsigned char)s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Check one string's contents s[0..n): UTF-8, no control characters,
 * escapes well formed, surrogates in pairs; *esc says whether there was an
 * escape. Returns the offset of the first offence, or n when fine. */
static size_t str_check(const char *s, size_t n, bool *esc)
{
	size_t i = 0;

	*esc = false;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int v, lo;

		if (c >= 0x20 && c < 0x80 && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t l = json_utf8_seq((const unsigned char *)s + i, n - i);
			if (!l)
				return i;
			i += l;
			continue;
		}
		if (c < 0x20 || i + 1 >= n)
			return i;
		*esc = true;
		switch (s[i + 1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			i += 2;
			continue;
		case 'u':
			break;
		default:
			return i;
		}
		if (n - i < 6 || (v = hex4(s + i + 2)) < 0)
			return i;
		if (v >= 0xdc00 && v <= 0xdfff)
			return i; /* a low surrogate first */
		if (v >= 0xd800 && v <= 0xdbff) {
			if (n - i < 12 || s[i + 6] != '\\' || s[i + 7] != 'u' ||
			    (lo = hex4(s + i + 8)) < 0xdc00 || lo > 0xdfff)
				return i; /* a high surrogate without its low one */
			i += 6;
		}
		i += 6;
	}
	return n;
}

/* Reads a checked string's unescaped bytes one at a time. */
struct ucur {
	const char *s, *end;
	unsigned char b[4];
	unsigned char n, k;
};

static void ucur_init(struct ucur *c, const struct json *j, int i)
{
	c->s = j->js + j->tok[i].start;
	c->end = j->js + j->tok[i].end;
	c->n = c->k = 0;
}

/* Next unescaped byte, or -1 at the end. */
static int ucur_next(struct ucur *c)
{
	unsigned cp;

	if (c->k < c->n)
		return c->b[c->k++];
	if (c->s >= c->end)
		return -1;
	if (*c->s != '\\')
		return (unsigned char)*c->s++;
	c->s += 2;
	switch (c->s[-1]) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: return (unsigned char)c->s[-1];
	}
	cp = (unsigned)hex4(c->s);
	c->s += 4;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)hex4(c->s + 2) - 0xdc00);
		c->s += 6;
	}
	c->n = (unsigned char)utf8_put(c->b, cp);
	c->k = 1;
	return c->b[0];
}

static bool has_escape(const struct json *j, int i)
{
	return memchr(j->js + j->tok[i].start, '\\',
		      (size_t)(j->tok[i].end - j->tok[i].start)) != NULL;
}

/* While an object is open, each key's `parent` field says whether it has
 * an escape (it is the object's index again afterwards). */
#define KEY_ESC -2
#define KEY_RAW -3
#define ESC(j, i) ((j)->tok[i].parent == KEY_ESC)

/* Order of two keys by their unescaped bytes. */
static int key_cmp(const struct json *j, int a, int b)
{
	struct ucur ca, cb;
	int x, y;

	if (!ESC(j, a) && !ESC(j, b)) {
		size_t la = (size_t)(j->tok[a].end - j->tok[a].start);
		size_t lb = (size_t)(j->tok[b].end - j->tok[b].start);
		int r = memcmp(j->js + j->tok[a].start, j->js + j->tok[b].start, la < lb ? la : lb);
		return r ? r : (la > lb) - (la < lb);
	}
	ucur_init(&ca, j, a);
	ucur_init(&cb, j, b);
	do {
		x = ucur_next(&ca);
		y = ucur_next(&cb);
	} while (x == y && x >= 0);
	return x - y;
}

/* Are two keys equal? Raw keys of different lengths never are. */
static bool key_eq(const struct json *j, int a, int b)
{
	if (!ESC(j, a) && !ESC(j, b) &&
	    j->tok[a].end - j->tok[a].start != j->tok[b].end - j->tok[b].start)
		return false;
	return key_cmp(j, a, b) == 0;
}

/* ---------------------------------------------------- duplicate keys */

/* Keys of one object are a list threaded through their `size` fields
 * (a key's size is always 1 after jsmn, and is put back afterwards). */
#define NEXT(j, i) ((j)->tok[i].size)

/* Sort the list at head (Simon Tatham's bottom-up list merge sort). */
static int key_sort(const struct json *j, int head)
{
	for (int k = 1;; k *= 2) {
		int p = head, tail = -1, merges = 0;

		head = -1;
		while (p >= 0) {
			int q = p, psize = 0, qsize = k;

			merges++;
			while (psize < k && q >= 0) {
				psize++;
				q = NEXT(j, q);
			}
			while (psize > 0 || (qsize > 0 && q >= 0)) {
				int x;
				if (psize == 0 || (qsize > 0 && q >= 0 && key_cmp(j, q, p) < 0)) {
					x = q;
					q = NEXT(j, q);
					qsize--;
				} else {
					x = p;
					p = NEXT(j, p);
					psize--;
				}
				if (tail >= 0)
					NEXT(j, tail) = x;
				else
					head = x;
				tail = x;
			}
			p = q;
		}
		NEXT(j, tail) = -1;
		if (merges <= 1)
			return head;
	}
}

static int key_dup(const struct json *j, int a, struct berr *e)
{
	int n = j->tok[a].end - j->tok[a].start;

	return berr_set(e, EPROTO, "JSON object has the key \"%.*s%s\" twice",
			n > 64 ? 64 : n, j->js + j->tok[a].start, n > 64 ? "…" : "");
}

/* Refuse two equal keys in the list at head; put every key's size and
 * parent back. */
static int keys_unique(const struct json *j, int obj, int head, int nkeys, struct berr *e)
{
	int rc = 0;

	if (nkeys <= 24) {
		for (int a = head; a >= 0 && rc == 0; a = NEXT(j, a))
			for (int b = NEXT(j, a); b >= 0; b = NEXT(j, b))
				if (key_eq(j, a, b)) {
					rc = key_dup(j, a, e);
					break;
				}
	} else {
		head = key_sort(j, head);
		for (int a = head; a >= 0 && NEXT(j, a) >= 0; a = NEXT(j, a))
			if (key_eq(j, a, NEXT(j, a))) {
				rc = key_dup(j, a, e);
				break;
			}
	}
	for (int a = head, next; a >= 0; a = next) {
		next = NEXT(j, a);
		NEXT(j, a) = 1;
		j->tok[a].parent = obj;
	}
	return rc;
}

/* ------------------------------------------------------- token walk */

static size_t skip_ws(const char *js, size_t i, size_t end)
{
	while (i < end && (js[i] == ' ' || js[i] == '\t' || js[i] == '\n' || js[i] == '\r'))
		i++;
	return i;
}

/* js[from..to) is whitespace around one sep (or only whitespace if sep is 0). */
static bool gap_ok(const char *js, size_t from, size_t to, char sep)
{
	if (from > to)
		return false;
	from = skip_ws(js, from, to);
	if (sep) {
		if (from >= to || js[from] != sep)
			return false;
		from = skip_ws(js, from + 1, to);
	}
	return from == to;
}

static bool digits(const char *s, size_t *i, size_t n)
{
	size_t start = *i;

	while (*i < n && s[*i] >= '0' && s[*i] <= '9')
		(*i)++;
	return *i > start;
}

/* true, false, null, or an RFC 8259 number. */
static bool primitive_ok(const char *s, size_t n)
{
	size_t i = 0;

	if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)) ||
	    (n == 4 && !memcmp(s, "null", 4)))
		return true;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (!digits(s, &i, n))
		return false;
	if (i < n && s[i] == '.') {
		i++;
		if (!digits(s, &i, n))
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, &i, n))
			return false;
	}
	return i == n;
}

struct frame {
	int tok;	/* the container */
	int left;	/* tokens still to come at this level (keys count) */
	int keys;	/* list of the keys seen so far (objects) */
	int nkeys;
	bool obj, want_key, first;
};

struct walk {
	struct json *j;
	struct frame st[CONFIG_JSON_DEPTH_MAX];
	int sp;
	size_t cur;	/* text checked so far */
};

static int malformed(size_t at, struct berr *e)
{
	return berr_set(e, EPROTO, "JSON is malformed near byte %zu", at);
}

/* Close the container on top of the stack. */
static int walk_close(struct walk *w, struct berr *e)
{
	struct frame *f = &w->st[w->sp - 1];
	const jsmntok_t *t = &w->j->tok[f->tok];
	size_t end = (size_t)t->end;

	if (end < 1 || !gap_ok(w->j->js, w->cur, end - 1, 0) ||
	    w->j->js[end - 1] != (f->obj ? '}' : ']'))
		return malformed(w->cur, e);
	w->cur = end;
	if (f->obj && keys_unique(w->j, f->tok, f->keys, f->nkeys, e) < 0)
		return -1;
	w->sp--;
	return 0;
}

/* A value (or key) at the current level is complete: close what ends. */
static int walk_done(struct walk *w, struct berr *e)
{
	while (w->sp > 0) {
		struct frame *f = &w->st[w->sp - 1];
		f->first = false;
		if (f->obj)
			f->want_key = !f->want_key;
		if (--f->left > 0)
			return 0;
		if (walk_close(w, e) < 0)
			return -1;
	}
	return 0;
}

static int walk_token(struct walk *w, int i, struct berr *e)
{
	jsmntok_t *t = &w->j->tok[i];
	struct frame *f = w->sp ? &w->st[w->sp - 1] : NULL;
	const char *js = w->j->js;
	bool key = f && f->obj && f->want_key;
	char sep = 0;
	size_t at, n;

	if (!f && i > 0)
		return malformed((size_t)t->start, e);
	if (f && f->obj && !f->want_key)
		sep = ':';
	else if (f && !f->first)
		sep = ',';
	if (t->start < 1 && t->type == JSMN_STRING)
		return malformed(0, e);
	at = (size_t)t->start - (t->type == JSMN_STRING);
	if (t->end < t->start || !gap_ok(js, w->cur, at, sep))
		return malformed(w->cur, e);
	n = (size_t)(t->end - t->start);
	if (key && (t->type != JSMN_STRING || t->size != 1))
		return malformed(at, e);
	switch (t->type) {
	case JSMN_STRING: {
		bool esc;
		size_t bad = str_check(js + t->start, n, &esc);
		if (bad != n)
			return berr_set(e, EPROTO, "JSON string has bad UTF-8, a control character "
					"or a bad escape at byte %zu", (size_t)t->start + bad);
		if ((!key && t->size != 0) || js[t->end] != '"')
			return malformed(at, e);
		w->cur = (size_t)t->end + 1;
		if (key) {
			NEXT(w->j, i) = f->keys;
			t->parent = esc ? KEY_ESC : KEY_RAW;
			f->keys = i;
			f->nkeys++;
		}
		return walk_done(w, e);
	}
	case JSMN_PRIMITIVE:
		if (t->size != 0 || !primitive_ok(js + t->start, n))
			return malformed(at, e);
		w->cur = (size_t)t->end;
		return walk_done(w, e);
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		if (w->sp >= CONFIG_JSON_DEPTH_MAX)
			return berr_set(e, EPROTO, "JSON is nested deeper than %d", CONFIG_JSON_DEPTH_MAX);
		w->st[w->sp++] = (struct frame){
			.tok = i, .left = t->type == JSMN_OBJECT ? 2 * t->size : t->size,
			.keys = -1, .obj = t->type == JSMN_OBJECT, .want_key = t->type == JSMN_OBJECT,
			.first = true,
		};
		w->cur = at + 1;
		if (t->size > 0)
			return 0;
		return walk_close(w, e) < 0 ? -1 : walk_done(w, e);
	default:
		return malformed(at, e);
	}
}

int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *tok, int maxtok,
	       struct berr *e)
{
	struct walk w;
	jsmn_parser p;
	int n;

	if (len > INT_MAX - 1)
		return berr_set(e, E2BIG, "JSON is larger than %d bytes", INT_MAX - 1);
	if (prescan(js, len, e) < 0)
		return -1;
	jsmn_init(&p);
	n = jsmn_parse(&p, js, len, tok, (unsigned)maxtok);
	if (n == JSMN_ERROR_NOMEM)
		return berr_set(e, E2BIG, "JSON has more than %d tokens", maxtok);
	if (n == JSMN_ERROR_PART)
		return berr_set(e, EPROTO, "JSON is truncated");
	if (n < 0)
		return berr_set(e, EPROTO, "JSON is malformed near byte %u", p.pos);
	if (n == 0 || (tok[0].type != JSMN_OBJECT && tok[0].type != JSMN_ARRAY))
		return berr_set(e, EPROTO, "JSON top level is not an object or array");
	*j = (struct json){ js, len, tok, n };
	w.j = j;
	w.sp = 0;
	w.cur = 0;
	for (int i = 0; i < n; i++)
		if (walk_token(&w, i, e) < 0)
			goto bad;
	if (w.sp != 0 || !gap_ok(js, w.cur, len, 0)) {
		malformed(w.cur, e);
		goto bad;
	}
	return 0;
bad:
	*j = (struct json){ 0 };
	return -1;
}

/* ---------------------------------------------------------- lookups */

int json_skip(const struct json *j, int i)
{
	/* count of tokens still to visit: children of containers */
	int pending = 1;

	while (pending > 0 && i < j->ntok) {
		pending += j->tok[i].size - 1;
		i++;
	}
	return i;
}

int json_type(const struct json *j, int i)
{
	return i >= 0 && i < j->ntok ? (int)j->tok[i].type : JSMN_UNDEFINED;
}

bool json_eq(const struct json *j, int i, const char *s)
{
	struct ucur c;
	int x;

	if (json_type(j, i) != JSMN_STRING)
		return false;
	if (!has_escape(j, i)) {
		size_t n = (size_t)(j->tok[i].end - j->tok[i].start);
		return strlen(s) == n && memcmp(j->js + j->tok[i].start, s, n) == 0;
	}
	ucur_init(&c, j, i);
	while ((x = ucur_next(&c)) >= 0)
		if (x != (unsigned char)*s++)
			return false;
	return *s == '\0';
}

void json_iter_init(const struct json *j, int c, struct json_iter *it)
{
	int t = json_type(j, c);

	it->next = c + 1;
	it->left = t == JSMN_OBJECT || t == JSMN_ARRAY ? j->tok[c].size : 0;
}

int json_iter_next(const struct json *j, struct json_iter *it, int *key, int *val)
{
	int i = it->next;

	if (it->left <= 0 || i >= j->ntok)
		return 0;
	it->left--;
	/* a key's one child is its value; an array element has no key */
	if (j->tok[i].type == JSMN_STRING && j->tok[i].size == 1) {
		*key = i;
		*val = i + 1;
	} else {
		*key = -1;
		*val = i;
	}
	it->next = json_skip(j, *val);
	return 1;
}

int json_get(const struct json *j, int obj, const char *key)
{
	struct json_iter it;
	int k, v;

	if (json_type(j, obj) != JSMN_OBJECT)
		return -1;
	json_iter_init(j, obj, &it);
	while (json_iter_next(j, &it, &k, &v))
		if (json_eq(j, k, key))
			return v; /* keys are unique: json_parse refused duplicates */
	return -1;
}

int json_at(const struct json *j, int arr, int n)
{
	int i;

	if (json_type(j, arr) != JSMN_ARRAY || n < 0 || n >= j->tok[arr].size)
		return -1;
	i = arr + 1;
	for (int k = 0; k < n; k++)
		i = json_skip(j, i);
	return i < j->ntok ? i : -1;
}

/* ----------------------------------------------------------- values */

int json_strn(const struct json *j, int i, char *buf, size_t size, size_t *len,
	      struct berr *e)
{
	struct ucur c;
	size_t o = 0;
	int x;

	if (json_type(j, i) != JSMN_STRING)
		return berr_set(e, EPROTO, "JSON value is not a string");
	if (size == 0)
		return berr_set(e, ENAMETOOLONG, "JSON string does not fit in 0 bytes");
	if (!has_escape(j, i)) {
		o = (size_t)(j->tok[i].end - j->tok[i].start);
		if (o >= size)
			goto toolong;
		memcpy(buf, j->js + j->tok[i].start, o);
	} else {
		ucur_init(&c, j, i);
		while ((x = ucur_next(&c)) >= 0) {
			if (o + 1 >= size)
				goto toolong;
			buf[o++] = (char)x;
		}
	}
	buf[o] = '\0';
	*len = o;
	return 0;
toolong:
	return berr_set(e, ENAMETOOLONG, "JSON string longer than %zu bytes", size - 1);
}

int json_str(const struct json *j, int i, char *buf, size_t size, struct berr *e)
{
	size_t n;

	if (json_strn(j, i, buf, size, &n, e) < 0)
		return -1;
	if (strlen(buf) != n)
		return berr_set(e, EPROTO, "JSON string contains \\u0000");
	return 0;
}

static bool prim_is(const struct json *j, int i, const char *lit)
{
	size_t n = strlen(lit);

	return json_type(j, i) == JSMN_PRIMITIVE && (size_t)(j->tok[i].end - j->tok[i].start) == n &&
	       memcmp(j->js + j->tok[i].start, lit, n) == 0;
}

bool json_is_null(const struct json *j, int i)
{
	return prim_is(j, i, "null");
}

int json_bool(const struct json *j, int i, bool *out, struct berr *e)
{
	if (prim_is(j, i, "true"))
		*out = true;
	else if (prim_is(j, i, "false"))
		*out = false;
	else
		return berr_set(e, EPROTO, "JSON value is not true or false");
	return 0;
}

/* Magnitude and sign of an integer token (digits only after an optional -). */
static int int_parse(const struct json *j, int i, uint64_t *mag, bool *neg, struct berr *e)
{
	const char *s, *end;
	uint64_t v = 0;

	if (json_type(j, i) != JSMN_PRIMITIVE)
		return berr_set(e, EPROTO, "JSON value is not a number");
	s = j->js + j->tok[i].start;
	end = j->js + j->tok[i].end;
	*neg = s < end && *s == '-';
	s += *neg;
	if (s == end)
		return berr_set(e, EPROTO, "JSON number is empty");
	for (; s < end; s++) {
		if (*s < '0' || *s > '9') {
			int n = j->tok[i].end - j->tok[i].start;
			return berr_set(e, EPROTO, "JSON value \"%.*s\" is not an integer",
					n > 40 ? 40 : n, j->js + j->tok[i].start);
		}
		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && (uint64_t)(*s - '0') > UINT64_MAX % 10))
			return berr_set(e, ERANGE, "JSON number too large");
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*mag = v;
	return 0;
}

int json_u64(const struct json *j, int i, uint64_t *out, struct berr *e)
{
	uint64_t v;
	bool neg;

	if (int_parse(j, i, &v, &neg, e) < 0)
		return -1;
	if (neg && v != 0)
		return berr_set(e, ERANGE, "JSON number is negative");
	*out = v;
	return 0;
}

int json_i64(const struct json *j, int i, int64_t min, int64_t max, int64_t *out,
	     struct berr *e)
{
	uint64_t v;
	bool neg;
	int64_t s;

	if (int_parse(j, i, &v, &neg, e) < 0)
		return -1;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return berr_set(e, ERANGE, "JSON number out of range");
	s = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (s < min || s > max)
		return berr_set(e, ERANGE, "JSON number %lld is outside [%lld, %lld]", (long long)s,
				(long long)min, (long long)max);
	*out = s;
	return 0;
}
