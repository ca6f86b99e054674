/* dist_ref.c — image references, host:port, credentials and base64; see dist.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/fetch/dist.h"

#define DOCKER_DOMAIN "docker.io"

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static int path_component_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t k = i;
		while (k < n && !is_lower_alnum(s[k]))
			k++;
		size_t run = k - i;
		if (!((run == 1 && (s[i] == '.' || s[i] == '_')) ||
		      (run == 2 && s[i] == '_' && s[i + 1] == '_') ||
		      strspn(s + i, "-") >= run))
			return 0;
		i = k;
	}
	return 1;
}

/* A registry: name components ([A-Za-z0-9-], not starting or ending with
 * '-') joined by '.', or a bracketed IPv6 literal, then an optional :port. */
static int domain_ok(const char *s, size_t n)
{
	const char *colon;
	size_t hn;

	if (n == 0 || n >= DIST_HOST_MAX)
		return 0;
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb || rb == s + 1)
			return 0;
		for (const char *p = s + 1; p < rb; p++)
			if (!(is_alnum(*p) || *p == ':' || *p == '.'))
				return 0;
		hn = (size_t)(rb - s) + 1;
		colon = hn < n ? s + hn : NULL;
		if (colon && *colon != ':')
			return 0;
	} else {
		colon = memchr(s, ':', n);
		hn = colon ? (size_t)(colon - s) : n;
		size_t start = 0;
		for (size_t i = 0; i <= hn; i++) {
			if (i < hn && s[i] != '.') {
				if (!is_alnum(s[i]) && s[i] != '-')
					return 0;
				continue;
			}
			if (i == start || s[start] == '-' || s[i - 1] == '-')
				return 0;
			start = i + 1;
		}
	}
	if (colon) {
		size_t pn = n - (size_t)(colon - s) - 1;
		if (pn == 0 || pn > 5 || strspn(colon + 1, "0123456789") < pn)
			return 0;
		if (atoi(colon + 1) > 65535 || atoi(colon + 1) == 0)
			return 0;
	}
	return 1;
}

static int tag_ok(const char *s, size_t n)
{
	if (n == 0 || n > DIST_TAG_MAX)
		return 0;
	if (!(is_alnum(s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(is_alnum(s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int set_digest(struct dist_ref *r, const char *s, size_t n, struct berr *e)
{
	char hex[DIGEST_HEX_LEN + 1];

	if (digest_parse(s, n, hex, e) < 0)
		return -1;
	memcpy(r->digest, s, n);
	r->digest[n] = '\0';
	return 0;
}

static int set_tag(struct dist_ref *r, const char *s, size_t n, struct berr *e)
{
	if (!tag_ok(s, n))
		return berr_set(e, EINVAL, "invalid tag \"%.*s\"", (int)(n > 200 ? 200 : n), s);
	memcpy(r->tag, s, n);
	r->tag[n] = '\0';
	return 0;
}

/* The name part (no tag, no digest): domain and repository. */
static int split_name(const char *s, size_t n, struct dist_ref *r, struct berr *e)
{
	const char *slash = memchr(s, '/', n);
	const char *rest = s;
	size_t rn = n;

	strcpy(r->domain, DOCKER_DOMAIN);
	if (slash) {
		size_t dn = (size_t)(slash - s);
		if (memchr(s, '.', dn) || memchr(s, ':', dn) || (dn == 9 && memcmp(s, "localhost", 9) == 0) ||
		    memchr(s, '[', dn)) {
			if (!domain_ok(s, dn))
				return berr_set(e, EINVAL, "invalid registry \"%.*s\"", (int)dn, s);
			memcpy(r->domain, s, dn);
			r->domain[dn] = '\0';
			rest = slash + 1;
			rn = n - dn - 1;
		}
	}
	if (strcmp(r->domain, "index.docker.io") == 0)
		strcpy(r->domain, DOCKER_DOMAIN);
	size_t off = 0;
	if (strcmp(r->domain, DOCKER_DOMAIN) == 0 && !memchr(rest, '/', rn)) {
		strcpy(r->repo, "library/");
		off = 8;
	}
	if (rn + off >= DIST_REPO_MAX || strlen(r->domain) + 1 + rn + off > 255)
		return berr_set(e, ENAMETOOLONG, "repository name longer than 255 characters");
	memcpy(r->repo + off, rest, rn);
	r->repo[off + rn] = '\0';
	for (size_t i = 0, start = 0; i <= rn; i++) {
		if (i < rn && rest[i] != '/')
			continue;
		if (!path_component_ok(rest + start, i - start))
			return berr_set(e, EINVAL, "invalid repository name \"%.*s\" (lowercase letters, digits and . _ - separators)",
					(int)(rn > 200 ? 200 : rn), rest);
		start = i + 1;
	}
	return 0;
}

int dist_ref_parse(const char *from_image, const char *tag, struct dist_ref *r, struct berr *e)
{
	size_t n = strlen(from_image), nn;
	const char *at, *slash, *colon;

	memset(r, 0, sizeof(*r));
	if (n == 0)
		return berr_set(e, EINVAL, "empty image reference");
	if (n > 1024)
		return berr_set(e, ENAMETOOLONG, "image reference longer than 1024 characters");
	at = memchr(from_image, '@', n);
	nn = at ? (size_t)(at - from_image) : n;
	if (at && set_digest(r, at + 1, n - nn - 1, e) < 0)
		return berr_prefix(e, "image reference");
	slash = memrchr(from_image, '/', nn);
	colon = memrchr(from_image, ':', nn);
	if (colon && (!slash || colon > slash)) {
		if (set_tag(r, colon + 1, nn - (size_t)(colon - from_image) - 1, e) < 0)
			return -1;
		nn = (size_t)(colon - from_image);
	}
	if (split_name(from_image, nn, r, e) < 0)
		return -1;
	if (tag && tag[0]) {
		if (strncmp(tag, "sha256:", 7) == 0 || strchr(tag, ':')) {
			if (set_digest(r, tag, strlen(tag), e) < 0)
				return berr_prefix(e, "tag");
			r->tag[0] = '\0';
		} else if (set_tag(r, tag, strlen(tag), e) < 0) {
			return -1;
		}
	}
	if (!r->tag[0] && !r->digest[0])
		strcpy(r->tag, "latest");
	return 0;
}

int dist_ref_familiar(const struct dist_ref *r, char *out, size_t size, struct berr *e)
{
	int k;

	if (strcmp(r->domain, DOCKER_DOMAIN) != 0)
		k = snprintf(out, size, "%s/%s", r->domain, r->repo);
	else if (strncmp(r->repo, "library/", 8) == 0 && !strchr(r->repo + 8, '/'))
		k = snprintf(out, size, "%s", r->repo + 8);
	else
		k = snprintf(out, size, "%s", r->repo);
	if (k < 0 || (size_t)k >= size)
		return berr_set(e, ENAMETOOLONG, "image name too long");
	return 0;
}

const char *dist_ref_api_host(const struct dist_ref *r)
{
	return strcmp(r->domain, DOCKER_DOMAIN) == 0 ? "registry-1.docker.io" : r->domain;
}

int dist_hostport(const char *hp, char *host, size_t size, unsigned *port, unsigned default_port,
		  struct berr *e)
{
	const char *h = hp, *colon;
	size_t hn;

	if (hp[0] == '[') {
		const char *rb = strchr(hp, ']');
		if (!rb || rb == hp + 1)
			return berr_set(e, EINVAL, "bad host \"%.64s\"", hp);
		h = hp + 1;
		hn = (size_t)(rb - h);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] && !colon)
			return berr_set(e, EINVAL, "bad host \"%.64s\"", hp);
	} else {
		colon = strchr(hp, ':');
		hn = colon ? (size_t)(colon - hp) : strlen(hp);
		if (colon && strchr(colon + 1, ':'))
			return berr_set(e, EINVAL, "bad host \"%.64s\" (an IPv6 address needs brackets)", hp);
	}
	if (hn == 0 || hn >= size)
		return berr_set(e, EINVAL, "bad host \"%.64s\"", hp);
	memcpy(host, h, hn);
	host[hn] = '\0';
	*port = default_port;
	if (colon) {
		const char *p = colon + 1;
		size_t pn = strlen(p);
		unsigned long v;
		if (pn == 0 || pn > 5 || strspn(p, "0123456789") != pn || (v = strtoul(p, NULL, 10)) == 0 ||
		    v > 65535)
			return berr_set(e, EINVAL, "bad port in \"%.64s\"", hp);
		*port = (unsigned)v;
	}
	return 0;
}

/* ---------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int dist_b64_encode(const void *in, size_t len, char *out, size_t size, struct berr *e)
{
	const unsigned char *p = in;
	size_t o = 0;

	if ((len + 2) / 3 * 4 + 1 > size)
		return berr_set(e, ENAMETOOLONG, "base64 output does not fit");
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int dist_b64_decode(const char *in, size_t len, unsigned char *out, size_t size, size_t *outlen,
		    struct berr *e)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return berr_set(e, EINVAL, "bad base64 length");
	for (size_t i = 0; i < len; i++) {
		int v = b64_val(in[i]);
		if (v < 0)
			return berr_set(e, EINVAL, "bad base64 character at %zu", i);
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= size)
				return berr_set(e, E2BIG, "base64 data longer than %zu bytes", size);
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

/* ---------------------------------------------------------- credentials */

static int cred_str(const struct json *j, const char *key, char *buf, size_t size, struct berr *e)
{
	int v = json_get(j, 0, key);

	buf[0] = '\0';
	if (v < 0 || json_is_null(j, v))
		return 0;
	if (json_str(j, v, buf, size, e) < 0)
		return berr_prefix(e, "\"%s\"", key);
	return 0;
}

/* "auth": base64 of user:password, used when username is absent. */
static int cred_auth(const struct json *j, struct dist_cred *c, struct berr *e)
{
	char enc[2 * DIST_CRED_MAX * 4 / 3 + 8];
	unsigned char dec[2 * DIST_CRED_MAX + 2];
	size_t n;
	unsigned char *colon;

	if (cred_str(j, "auth", enc, sizeof(enc), e) < 0)
		return -1;
	if (!enc[0] || c->username[0])
		return 0;
	if (dist_b64_decode(enc, strlen(enc), dec, sizeof(dec) - 1, &n, e) < 0)
		return berr_prefix(e, "\"auth\"");
	colon = memchr(dec, ':', n);
	if (!colon || (size_t)(colon - dec) >= DIST_CRED_MAX || n - (size_t)(colon - dec) - 1 >= DIST_CRED_MAX ||
	    memchr(dec, '\0', n))
		return berr_set(e, EINVAL, "\"auth\" is not user:password");
	memcpy(c->username, dec, (size_t)(colon - dec));
	memcpy(c->password, colon + 1, n - (size_t)(colon - dec) - 1);
	return 0;
}

int dist_cred_parse(const char *hdr, size_t len, struct dist_cred *c, struct berr *e)
{
	unsigned char js[4 * DIST_CRED_MAX * 2];
	jsmntok_t tok[64];
	struct json j;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (len == 0)
		return 0;
	if (dist_b64_decode(hdr, len, js, sizeof(js), &n, e) < 0 ||
	    json_parse(&j, (const char *)js, n, tok, 64, e) < 0)
		return berr_prefix(e, "X-Registry-Auth");
	if (json_type(&j, 0) != JSMN_OBJECT)
		return berr_set(e, EINVAL, "X-Registry-Auth: not a JSON object");
	if (cred_str(&j, "username", c->username, sizeof(c->username), e) < 0 ||
	    cred_str(&j, "password", c->password, sizeof(c->password), e) < 0 ||
	    cred_str(&j, "serveraddress", c->serveraddress, sizeof(c->serveraddress), e) < 0 ||
	    cred_str(&j, "identitytoken", c->identitytoken, sizeof(c->identitytoken), e) < 0 ||
	    cred_auth(&j, c, e) < 0)
		return berr_prefix(e, "X-Registry-Auth");
	return 0;
}

int dist_cred_basic(const struct dist_cred *c, char *out, size_t size, struct berr *e)
{
	char up[2 * DIST_CRED_MAX + 1];
	int k = snprintf(up, sizeof(up), "%s:%s", c->username, c->password);

	if (size < 7)
		return berr_set(e, ENAMETOOLONG, "no room for credentials");
	memcpy(out, "Basic ", 6);
	return dist_b64_encode(up, (size_t)k, out + 6, size - 6, e);
}
