/* dist.c — authentication challenges, tokens, URLs, Content-Range,
 * manifests and platforms; see dist.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/json.h"
#include "runtime/fetch/dist.h"

/* ---------------------------------------------------------- challenges */

static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

struct lex {
	const char *s;
	size_t n, i;
};

static void skip_ws(struct lex *l)
{
	while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t'))
		l->i++;
}

static size_t token(struct lex *l)
{
	size_t start = l->i;

	while (l->i < l->n && is_tchar(l->s[l->i]))
		l->i++;
	return l->i - start;
}

/* A param value: quoted-string (backslash escapes) or token (token68
 * characters '/' and '=' allowed too), unescaped into out[size]. */
static int param_value(struct lex *l, char *out, size_t size, struct berr *e)
{
	size_t o = 0;

	if (l->i < l->n && l->s[l->i] == '"') {
		for (l->i++; l->i < l->n && l->s[l->i] != '"'; l->i++) {
			if (l->s[l->i] == '\\' && l->i + 1 < l->n)
				l->i++;
			if ((unsigned char)l->s[l->i] < 0x20 && l->s[l->i] != '\t')
				return berr_set(e, EPROTO, "control character in a quoted value");
			if (o + 1 >= size)
				return berr_set(e, ENAMETOOLONG, "challenge value longer than %zu bytes", size - 1);
			out[o++] = l->s[l->i];
		}
		if (l->i >= l->n)
			return berr_set(e, EPROTO, "unterminated quoted value");
		l->i++;
	} else {
		while (l->i < l->n && (is_tchar(l->s[l->i]) || l->s[l->i] == '/' || l->s[l->i] == '=')) {
			if (o + 1 >= size)
				return berr_set(e, ENAMETOOLONG, "challenge value longer than %zu bytes", size - 1);
			out[o++] = l->s[l->i++];
		}
	}
	out[o] = '\0';
	return 0;
}

static int store_param(struct dist_challenge *c, const char *name, size_t nl, struct lex *l,
		       struct berr *e)
{
	char junk[DIST_URL_MAX];
	char *dst = junk;
	size_t size = sizeof(junk);

	if (c && nl == 5 && strncasecmp(name, "realm", 5) == 0)
		dst = c->realm, size = sizeof(c->realm);
	else if (c && nl == 7 && strncasecmp(name, "service", 7) == 0)
		dst = c->service, size = sizeof(c->service);
	else if (c && nl == 5 && strncasecmp(name, "scope", 5) == 0)
		dst = c->scope, size = sizeof(c->scope);
	else if (c && nl == 5 && strncasecmp(name, "error", 5) == 0)
		dst = c->error, size = sizeof(c->error);
	return param_value(l, dst, size, e);
}

static int challenges(struct lex *l, struct dist_challenge *bearer, struct dist_challenge *basic,
		      struct berr *e)
{
	struct dist_challenge *cur = NULL;
	int seen = 0;

	for (;;) {
		while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t' || l->s[l->i] == ','))
			l->i++;
		if (l->i >= l->n)
			return 0;
		const char *name = l->s + l->i;
		size_t nl = token(l);
		if (nl == 0)
			return berr_set(e, EPROTO, "unexpected '%c' at %zu", l->s[l->i], l->i);
		skip_ws(l);
		if (l->i < l->n && l->s[l->i] == '=') {
			if (!seen)
				return berr_set(e, EPROTO, "parameter before any scheme");
			l->i++;
			skip_ws(l);
			if (store_param(cur, name, nl, l, e) < 0)
				return -1;
			skip_ws(l);
			if (l->i < l->n && l->s[l->i] != ',')
				return berr_set(e, EPROTO, "expected ',' at %zu", l->i);
			continue;
		}
		seen = 1;
		cur = NULL;
		if (nl == 6 && strncasecmp(name, "Bearer", 6) == 0)
			cur = bearer;
		else if (nl == 5 && strncasecmp(name, "Basic", 5) == 0)
			cur = basic;
		if (cur)
			cur->scheme = cur == bearer ? DIST_AUTH_BEARER : DIST_AUTH_BASIC;
		/* token68 after the scheme: skipped */
		if (l->i < l->n && l->s[l->i] != ',') {
			size_t save = l->i;
			token(l);
			skip_ws(l);
			if (l->i < l->n && l->s[l->i] == '=') {
				l->i = save;     /* it was a parameter name */
				continue;
			}
			while (l->i < l->n && (is_tchar(l->s[l->i]) || l->s[l->i] == '/' || l->s[l->i] == '='))
				l->i++;
		}
	}
}

int dist_challenge_parse(const char *v, size_t len, struct dist_challenge *c, struct berr *e)
{
	struct dist_challenge *bearer, *basic;
	struct lex l = { v, len, 0 };
	int rc = -1;

	memset(c, 0, sizeof(*c));
	bearer = calloc(2, sizeof(*bearer));
	if (!bearer)
		return berr_set(e, ENOMEM, "out of memory");
	basic = bearer + 1;
	if (challenges(&l, bearer, basic, e) < 0) {
		berr_prefix(e, "WWW-Authenticate");
	} else if (bearer->scheme) {
		if (!bearer->realm[0])
			berr_set(e, EPROTO, "WWW-Authenticate: Bearer challenge without a realm");
		else
			*c = *bearer, rc = 0;
	} else if (basic->scheme) {
		*c = *basic, rc = 0;
	} else {
		berr_set(e, ENOTSUP, "WWW-Authenticate: no Bearer or Basic challenge in \"%.100s\"", v);
	}
	free(bearer);
	return rc;
}

/* Percent-encode s (everything but unreserved characters) at out+*o. */
static int pct(const char *s, char *out, size_t size, size_t *o, struct berr *e)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			    ch == '-' || ch == '.' || ch == '_' || ch == '~';
		if (*o + (plain ? 1 : 3) >= size)
			return berr_set(e, ENAMETOOLONG, "token URL longer than %zu bytes", size - 1);
		if (plain) {
			out[(*o)++] = (char)ch;
		} else {
			out[(*o)++] = '%';
			out[(*o)++] = hex[ch >> 4];
			out[(*o)++] = hex[ch & 15];
		}
	}
	out[*o] = '\0';
	return 0;
}

int dist_token_url(const struct dist_challenge *c, const char *repo, char *out, size_t size,
		   struct berr *e)
{
	char scope[DIST_REPO_MAX + 32];
	size_t o;
	struct dist_url u;

	if (c->scheme != DIST_AUTH_BEARER)
		return berr_set(e, EINVAL, "not a Bearer challenge");
	if (dist_url_parse(c->realm, &u, e) < 0)
		return berr_prefix(e, "token realm");
	o = strlen(c->realm);
	if (o + 2 >= size)
		return berr_set(e, ENAMETOOLONG, "token realm too long");
	memcpy(out, c->realm, o);
	out[o++] = strchr(c->realm, '?') ? '&' : '?';
	out[o] = '\0';
	if (c->service[0]) {
		if (o + 9 >= size)
			return berr_set(e, ENAMETOOLONG, "token URL too long");
		memcpy(out + o, "service=", 8);
		o += 8;
		if (pct(c->service, out, size, &o, e) < 0)
			return -1;
		out[o++] = '&';
	}
	if (c->scope[0])
		snprintf(scope, sizeof(scope), "%.*s", (int)sizeof(scope) - 1, c->scope);
	else if (repo[0])
		snprintf(scope, sizeof(scope), "repository:%s:pull", repo);
	else {          /* a login: no scope; drop the trailing '&' or '?' */
		out[--o] = '\0';
		return 0;
	}
	if (o + 7 >= size)
		return berr_set(e, ENAMETOOLONG, "token URL too long");
	memcpy(out + o, "scope=", 6);
	o += 6;
	return pct(scope, out, size, &o, e);
}

int dist_token_parse(const char *body, size_t len, char *token, size_t size, long *expires_in,
		     struct berr *e)
{
	jsmntok_t tok[128];
	struct json j;
	int v;
	int64_t x;

	token[0] = '\0';
	*expires_in = 60;
	if (json_parse(&j, body, len, tok, 128, e) < 0)
		return berr_prefix(e, "token answer");
	if (json_type(&j, 0) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "token answer is not a JSON object");
	v = json_get(&j, 0, "token");
	if (v < 0 || (json_type(&j, v) == JSMN_STRING && j.tok[v].end == j.tok[v].start))
		v = json_get(&j, 0, "access_token");
	if (v < 0)
		return berr_set(e, EPROTO, "token answer has no \"token\"");
	if (json_str(&j, v, token, size, e) < 0)
		return berr_prefix(e, "token answer: \"token\"");
	if (!token[0])
		return berr_set(e, EPROTO, "token answer: empty token");
	for (const char *p = token; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return berr_set(e, EPROTO, "token answer: token has a byte an HTTP header cannot carry");
	v = json_get(&j, 0, "expires_in");
	if (v >= 0 && !json_is_null(&j, v)) {
		if (json_i64(&j, v, 0, 1L << 30, &x, e) < 0)
			return berr_prefix(e, "token answer: \"expires_in\"");
		if (x >= 60)
			*expires_in = (long)x;
	}
	return 0;
}

/* ---------------------------------------------------------- URLs */

int dist_url_parse(const char *s, struct dist_url *u, struct berr *e)
{
	const char *p, *auth_end, *frag;
	char hp[DIST_HOST_MAX];
	size_t an, pn;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(s, "https://", 8) == 0)
		u->https = 1, p = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else
		return berr_set(e, EINVAL, "URL \"%.100s\" is not http(s)", s);
	auth_end = p + strcspn(p, "/?#");
	an = (size_t)(auth_end - p);
	if (memchr(p, '@', an))
		return berr_set(e, EINVAL, "URL with user information refused");
	if (an == 0 || an >= sizeof(hp))
		return berr_set(e, EINVAL, "URL \"%.100s\" has a bad host", s);
	memcpy(hp, p, an);
	hp[an] = '\0';
	for (size_t i = 0; i < an; i++)
		if ((unsigned char)hp[i] <= 0x20 || (unsigned char)hp[i] >= 0x7f)
			return berr_set(e, EINVAL, "URL host has a control or non-ASCII byte");
	if (dist_hostport(hp, u->host, sizeof(u->host), &u->port, u->https ? 443 : 80, e) < 0)
		return berr_prefix(e, "URL");
	frag = strchr(auth_end, '#');
	pn = frag ? (size_t)(frag - auth_end) : strlen(auth_end);
	if (pn + 2 > sizeof(u->path))
		return berr_set(e, ENAMETOOLONG, "URL longer than %zu bytes", sizeof(u->path) - 2);
	for (size_t i = 0; i < pn; i++)
		if ((unsigned char)auth_end[i] <= 0x20 || (unsigned char)auth_end[i] >= 0x7f)
			return berr_set(e, EINVAL, "URL path has a space, control or non-ASCII byte");
	if (pn == 0 || auth_end[0] != '/')
		u->path[0] = '/';
	memcpy(u->path + (u->path[0] == '/'), auth_end, pn);
	return 0;
}

int dist_url_resolve(const struct dist_url *base, const char *loc, struct dist_url *out,
		     struct berr *e)
{
	if (loc[0] == '/' && loc[1] != '/') {
		size_t n = strcspn(loc, "#");
		*out = *base;
		if (n >= sizeof(out->path))
			return berr_set(e, ENAMETOOLONG, "redirect location too long");
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)loc[i] <= 0x20 || (unsigned char)loc[i] >= 0x7f)
				return berr_set(e, EINVAL, "redirect location has a space, control or non-ASCII byte");
		memcpy(out->path, loc, n);
		out->path[n] = '\0';
		return 0;
	}
	if (dist_url_parse(loc, out, e) < 0)
		return berr_prefix(e, "redirect");
	if (base->https && !out->https)
		return berr_set(e, EPERM, "redirect from https://%s to plaintext http://%s refused",
				base->host, out->host);
	return 0;
}

int dist_content_range(const char *v, uint64_t *first, uint64_t *last, uint64_t *total,
		       struct berr *e)
{
	const char *p = v;
	char *end;

	if (strncasecmp(p, "bytes ", 6) != 0)
		goto bad;
	p += 6;
	if (*p < '0' || *p > '9')
		goto bad;
	errno = 0;
	*first = strtoull(p, &end, 10);
	if (errno || *end != '-' || end[1] < '0' || end[1] > '9')
		goto bad;
	*last = strtoull(end + 1, &end, 10);
	if (errno || *end != '/' || *last < *first)
		goto bad;
	if (strcmp(end + 1, "*") == 0) {
		*total = UINT64_MAX;
		return 0;
	}
	if (end[1] < '0' || end[1] > '9')
		goto bad;
	*total = strtoull(end + 1, &end, 10);
	if (errno || *end || *last >= *total)
		goto bad;
	return 0;
bad:
	return berr_set(e, EPROTO, "bad Content-Range \"%.80s\"", v);
}

/* ---------------------------------------------------------- manifests */

#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1"

/* The kind a Content-Type names: DIST_*, 0 when it names none. */
static int kind_of(const char *mt, size_t n, struct berr *e)
{
	if ((n == strlen(MT_OCI_INDEX) && strncmp(mt, MT_OCI_INDEX, n) == 0) ||
	    (n == strlen(MT_DOCKER_LIST) && strncmp(mt, MT_DOCKER_LIST, n) == 0))
		return DIST_INDEX;
	if ((n == strlen(MT_OCI_MANIFEST) && strncmp(mt, MT_OCI_MANIFEST, n) == 0) ||
	    (n == strlen(MT_DOCKER_MANIFEST) && strncmp(mt, MT_DOCKER_MANIFEST, n) == 0))
		return DIST_MANIFEST;
	if (n >= strlen(MT_DOCKER_SCHEMA1) && strncmp(mt, MT_DOCKER_SCHEMA1, strlen(MT_DOCKER_SCHEMA1)) == 0)
		return berr_set(e, ENOTSUP, "Docker image manifest schema 1 is unsupported (push the image again with a current client)");
	if (n == 0 || (n == 16 && strncmp(mt, "application/json", 16) == 0) ||
	    (n == 24 && strncmp(mt, "application/octet-stream", 24) == 0) ||
	    (n == 10 && strncmp(mt, "text/plain", 10) == 0))
		return 0;
	return berr_set(e, ENOTSUP, "manifest media type \"%.*s\" is unsupported", (int)(n > 100 ? 100 : n), mt);
}

/* No telling Content-Type: the document's mediaType, else its shape. */
static int kind_from_body(const char *body, size_t len, struct berr *e)
{
	jsmntok_t *tok = calloc(CONFIG_IMAGE_JSON_TOKENS_MAX, sizeof(*tok));
	char mt[MEDIA_MAX];
	struct json j;
	int k = -1, v;

	if (!tok)
		return berr_set(e, ENOMEM, "out of memory");
	if (json_parse(&j, body, len, tok, CONFIG_IMAGE_JSON_TOKENS_MAX, e) < 0)
		goto out;
	if (json_type(&j, 0) != JSMN_OBJECT) {
		berr_set(e, EPROTO, "manifest is not a JSON object");
		goto out;
	}
	v = json_get(&j, 0, "mediaType");
	if (v >= 0) {
		if (json_str(&j, v, mt, sizeof(mt), e) < 0)
			goto out;
		if ((k = kind_of(mt, strlen(mt), e)) != 0)
			goto out;
	}
	if (json_get(&j, 0, "schemaVersion") >= 0 && json_get(&j, 0, "fsLayers") >= 0)
		k = berr_set(e, ENOTSUP, "Docker image manifest schema 1 is unsupported (push the image again with a current client)");
	else if (json_get(&j, 0, "manifests") >= 0)
		k = DIST_INDEX;
	else if (json_get(&j, 0, "layers") >= 0)
		k = DIST_MANIFEST;
	else
		k = berr_set(e, EPROTO, "document is neither an image manifest nor an index");
out:
	free(tok);
	return k;
}

int dist_manifest_parse(const char *ctype, const char *body, size_t len, struct dist_manifest *out,
			struct berr *e)
{
	size_t n = ctype ? strcspn(ctype, "; \t") : 0;
	int k;

	memset(out, 0, sizeof(*out));
	k = kind_of(ctype ? ctype : "", n, e);
	if (k == 0)
		k = kind_from_body(body, len, e);
	if (k < 0)
		return -1;
	out->kind = k;
	if (k == DIST_INDEX)
		return manifest_index_read(body, len, &out->u.i, e);
	return manifest_read(body, len, &out->u.m, e);
}

int dist_platform_parse(const char *s, char *os, size_t os_size, char *arch, size_t arch_size,
			struct berr *e)
{
	const char *sl = strchr(s, '/');
	size_t on, an;

	if (!sl)
		return berr_set(e, EINVAL, "platform \"%.64s\" is not os/arch", s);
	on = (size_t)(sl - s);
	an = strcspn(sl + 1, "/");
	if (on == 0 || an == 0 || on >= os_size || an >= arch_size)
		return berr_set(e, EINVAL, "platform \"%.64s\" is not os/arch", s);
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' || *p == '-'))
			return berr_set(e, EINVAL, "platform \"%.64s\" is not os/arch", s);
	memcpy(os, s, on);
	os[on] = '\0';
	memcpy(arch, sl + 1, an);
	arch[an] = '\0';
	return 0;
}

int dist_index_select(const struct oci_index *ix, const char *os, const char *arch, struct berr *e)
{
	char have[512];
	size_t o = 0;

	have[0] = '\0';
	for (int k = 0; k < ix->n; k++) {
		const struct desc *d = &ix->m[k];
		if (strcmp(d->media, MT_OCI_MANIFEST) != 0 && strcmp(d->media, MT_DOCKER_MANIFEST) != 0)
			continue;
		if (strcmp(d->os, os) == 0 && strcmp(d->arch, arch) == 0)
			return k;
		if (d->os[0] && strcmp(d->os, "unknown") != 0 && o < sizeof(have) - 1) {
			int w = snprintf(have + o, sizeof(have) - o, "%s%s/%s", o ? ", " : "", d->os, d->arch);
			o = w > 0 && (size_t)w < sizeof(have) - o ? o + (size_t)w : sizeof(have) - 1;
		}
	}
	return berr_set(e, ENOENT, "no manifest for %s/%s in the index (it has: %s)", os, arch,
			have[0] ? have : "none");
}
