/* fuzz_dist.c — libFuzzer target: the distribution protocol's parsers
 * (runtime/fetch/dist.h). The first byte picks the parser, the rest is
 * its input: references, X-Registry-Auth, WWW-Authenticate (and the token
 * URL built from it), token answers, URLs and redirects, Content-Range,
 * manifests and indexes (with platform selection), platforms, DNS answers
 * and resolv.conf. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/fetch/dist.h"
#include "runtime/fetch/dns.h"

static void ref(const char *s)
{
	struct dist_ref r;
	struct berr e;
	char out[DIST_HOST_MAX + DIST_REPO_MAX + 2];
	const char *tag = strchr(s, '\n');

	if (dist_ref_parse(s, tag ? tag + 1 : NULL, &r, &e) < 0)
		return;
	if (!r.tag[0] && !r.digest[0])
		abort();
	if (dist_ref_familiar(&r, out, sizeof(out), &e) < 0 || !dist_ref_api_host(&r)[0])
		abort();
}

static void challenge(const char *s, size_t n)
{
	static struct dist_challenge c;
	char url[DIST_URL_MAX + 1024];
	struct berr e;

	if (dist_challenge_parse(s, n, &c, &e) < 0)
		return;
	if (c.scheme == DIST_AUTH_BEARER && !c.realm[0])
		abort();
	if (c.scheme == DIST_AUTH_BEARER && dist_token_url(&c, "library/x", url, sizeof(url), &e) == 0 &&
	    strlen(url) >= sizeof(url))
		abort();
}

static void url(const char *s)
{
	static struct dist_url u, r;
	struct berr e;
	const char *nl = strchr(s, '\n');
	char first[DIST_URL_MAX + 64];

	if (!nl || (size_t)(nl - s) >= sizeof(first)) {
		if (dist_url_parse(s, &u, &e) == 0 && (u.path[0] != '/' || u.port == 0 || u.port > 65535))
			abort();
		return;
	}
	memcpy(first, s, (size_t)(nl - s));
	first[nl - s] = '\0';
	if (dist_url_parse(first, &u, &e) < 0)
		return;
	if (dist_url_resolve(&u, nl + 1, &r, &e) == 0 && u.https && !r.https)
		abort();
}

static void manifest(const char *s, size_t n)
{
	static struct dist_manifest m;
	struct berr e;
	const char *nl = memchr(s, '\n', n);
	char ct[128] = "";

	if (nl && (size_t)(nl - s) < sizeof(ct)) {
		memcpy(ct, s, (size_t)(nl - s));
		ct[nl - s] = '\0';
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	if (dist_manifest_parse(ct, s, n, &m, &e) < 0)
		return;
	if (m.kind == DIST_INDEX) {
		int k = dist_index_select(&m.u.i, "linux", "amd64", &e);
		if (k >= m.u.i.n || m.u.i.n > INDEX_MAX)
			abort();
	} else if (m.kind != DIST_MANIFEST || m.u.m.nlayers > LAYERS_MAX) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	struct berr e;

	if (size < 1 || size > 1 << 20)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';          /* the NUL-terminated parsers see up to the first NUL */
	switch (data[0] % 9) {
	case 0: ref(s); break;
	case 1: { struct dist_cred c; dist_cred_parse(s, size - 1, &c, &e); break; }
	case 2: challenge(s, size - 1); break;
	case 3: { char t[512]; long x; if (dist_token_parse(s, size - 1, t, sizeof(t), &x, &e) == 0 && x < 60) abort(); break; }
	case 4: url(s); break;
	case 5: { uint64_t a, b, t; if (dist_content_range(s, &a, &b, &t, &e) == 0 && (b < a || b >= t)) abort(); break; }
	case 6: manifest(s, size - 1); break;
	case 7: { char os[32], ar[32]; dist_platform_parse(s, os, sizeof(os), ar, sizeof(ar), &e); break; }
	case 8: {
		uint32_t a[DNS_ADDRS_MAX], ns[DNS_NS_MAX];
		int k = dns_answer(data + 1, size - 1, size > 2 ? (uint16_t)(data[1] << 8 | data[2]) : 0, a, &e);
		if (k > DNS_ADDRS_MAX || dns_resolv_conf(s, ns) > DNS_NS_MAX)
			abort();
		break;
	}
	}
	free(s);
	return 0;
}
