/* json.c — jsmn tokens and bounded lookups; see json.h.
 * The one translation unit that compiles jsmn's code (JSMN_STATIC). */
#include <errno.h>
#include <string.h>

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "runtime/image/json.h"

int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *tok, int maxtok,
	       struct berr *e)
{
	jsmn_parser p;
	int n;

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
	if (json_skip(&(struct json){js, len, tok, n}, 0) != n)
		return berr_set(e, EPROTO, "JSON has data after the top-level value");
	j->js = js;
	j->len = len;
	j->tok = tok;
	j->ntok = n;
	return 0;
}

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

static int key_is(const struct json *j, int i, const char *key)
{
	const jsmntok_t *t = &j->tok[i];
	size_t kl = strlen(key);

	/* keys with escapes never match: none of ours has any */
	return t->type == JSMN_STRING && (size_t)(t->end - t->start) == kl &&
	       memcmp(j->js + t->start, key, kl) == 0;
}

int json_get(const struct json *j, int obj, const char *key)
{
	int i, n, found = -1;

	if (json_type(j, obj) != JSMN_OBJECT)
		return -1;
	n = j->tok[obj].size;
	i = obj + 1;
	for (int k = 0; k < n && i + 1 < j->ntok; k++) {
		if (key_is(j, i, key))
			found = i + 1; /* the last duplicate wins, as in Go */
		i = json_skip(j, i + 1);
	}
	return found;
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int json_str(const struct json *j, int i, char *buf, size_t size, struct berr *e)
{
	const char *s, *end;
	size_t o = 0;

	if (json_type(j, i) != JSMN_STRING)
		return berr_set(e, EPROTO, "JSON value is not a string");
	s = j->js + j->tok[i].start;
	end = j->js + j->tok[i].end;
	while (s < end) {
		unsigned c = (unsigned char)*s++;
		if (c == '\\' && s < end) {
			char x = *s++;
			switch (x) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				unsigned v = 0;
				if (end - s < 4)
					return berr_set(e, EPROTO, "JSON string has a short \\u escape");
				for (int k = 0; k < 4; k++) {
					int h = hexval(s[k]);
					if (h < 0)
						return berr_set(e, EPROTO, "JSON string has a bad \\u escape");
					v = v * 16 + (unsigned)h;
				}
				s += 4;
				if (v == 0)
					return berr_set(e, EPROTO, "JSON string contains \\u0000");
				if (v >= 0x80) {
					/* UTF-8 encode the BMP code point (surrogates kept as-is) */
					unsigned char u[3];
					size_t ul;
					if (v < 0x800) {
						u[0] = (unsigned char)(0xc0 | (v >> 6));
						u[1] = (unsigned char)(0x80 | (v & 0x3f));
						ul = 2;
					} else {
						u[0] = (unsigned char)(0xe0 | (v >> 12));
						u[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3f));
						u[2] = (unsigned char)(0x80 | (v & 0x3f));
						ul = 3;
					}
					if (o + ul >= size)
						goto toolong;
					memcpy(buf + o, u, ul);
					o += ul;
					continue;
				}
				c = v;
				break;
			}
			default: c = (unsigned char)x; break; /* \" \\ \/ */
			}
		}
		if (o + 1 >= size)
			goto toolong;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return 0;
toolong:
	return berr_set(e, ENAMETOOLONG, "JSON string longer than %zu bytes", size - 1);
}

int json_u64(const struct json *j, int i, uint64_t *out, struct berr *e)
{
	const char *s, *end;
	uint64_t v = 0;

	if (json_type(j, i) != JSMN_PRIMITIVE)
		return berr_set(e, EPROTO, "JSON value is not a number");
	s = j->js + j->tok[i].start;
	end = j->js + j->tok[i].end;
	if (s == end)
		return berr_set(e, EPROTO, "JSON number is empty");
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return berr_set(e, EPROTO, "JSON value \"%.*s\" is not a non-negative integer",
					(int)(j->tok[i].end - j->tok[i].start > 40 ? 40 :
					      j->tok[i].end - j->tok[i].start), j->js + j->tok[i].start);
		if (v > (UINT64_MAX - 9) / 10)
			return berr_set(e, ERANGE, "JSON number too large");
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}
