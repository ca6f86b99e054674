/* test_dist.c — the distribution protocol's pure functions (runtime/fetch/dist.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/fetch/dist.h"
#include "tests/unit/unit.h"

#define D1 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define D2 "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

static void ref_ok(const char *in, const char *tag, const char *domain, const char *repo, const char *t,
		   const char *dg)
{
	struct dist_ref r;
	struct berr e;

	if (dist_ref_parse(in, tag, &r, &e) < 0)
		UNIT_FAIL_("%s: %s", in, e.msg);
	CHECK_STR(r.domain, domain);
	CHECK_STR(r.repo, repo);
	CHECK_STR(r.tag, t);
	CHECK_STR(r.digest, dg);
}

static void test_ref_normalise(void)
{
	ref_ok("alpine", NULL, "docker.io", "library/alpine", "latest", "");
	ref_ok("alpine", "3.19", "docker.io", "library/alpine", "3.19", "");
	ref_ok("alpine:3.19", "", "docker.io", "library/alpine", "3.19", "");
	ref_ok("docker.io/library/alpine", "latest", "docker.io", "library/alpine", "latest", "");
	ref_ok("index.docker.io/alpine", NULL, "docker.io", "library/alpine", "latest", "");
	ref_ok("user/app", NULL, "docker.io", "user/app", "latest", "");
	ref_ok("localhost/app", NULL, "localhost", "app", "latest", "");
	ref_ok("localhost:5000/a/b:v1.2-x_y", NULL, "localhost:5000", "a/b", "v1.2-x_y", "");
	ref_ok("127.0.0.1:5000/app", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "127.0.0.1:5000", "app", "", D1);
	ref_ok("reg.example.com/x@" D1, NULL, "reg.example.com", "x", "", D1);
	ref_ok("reg.example.com/x:t@" D1, NULL, "reg.example.com", "x", "t", D1);
	ref_ok("[::1]:5000/app", NULL, "[::1]:5000", "app", "latest", "");
	ref_ok("a__b/c.d-e---f", NULL, "docker.io", "a__b/c.d-e---f", "latest", "");
}

static void ref_bad(const char *in, const char *tag)
{
	struct dist_ref r;
	struct berr e;

	if (dist_ref_parse(in, tag, &r, &e) == 0)
		UNIT_FAIL_("accepted \"%s\" tag \"%s\"", in, tag ? tag : "");
}

static void test_ref_refused(void)
{
	char longname[400];

	ref_bad("", NULL);
	ref_bad("Alpine", NULL);
	ref_bad("alpine:", NULL);
	ref_bad("alpine:-x", NULL);
	ref_bad("a//b", NULL);
	ref_bad("a/-b", NULL);
	ref_bad("a_._b", NULL);
	ref_bad("a___b", NULL);
	ref_bad("alpine@sha256:abc", NULL);
	ref_bad("alpine@sha512:" "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL);
	ref_bad("alpine", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
	ref_bad("alpine", "bad tag");
	ref_bad("-reg.example/a", NULL);
	ref_bad("reg.example:0/a", NULL);
	ref_bad("reg.example:99999/a", NULL);
	ref_bad("reg..example/a", NULL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ref_bad(longname, NULL);
}

static void test_ref_familiar(void)
{
	struct dist_ref r;
	struct berr e;
	char out[300];

	CHECK_INT(dist_ref_parse("docker.io/library/alpine", NULL, &r, &e), 0);
	CHECK_INT(dist_ref_familiar(&r, out, sizeof(out), &e), 0);
	CHECK_STR(out, "alpine");
	CHECK_STR(dist_ref_api_host(&r), "registry-1.docker.io");
	CHECK_INT(dist_ref_parse("user/app", NULL, &r, &e), 0);
	CHECK_INT(dist_ref_familiar(&r, out, sizeof(out), &e), 0);
	CHECK_STR(out, "user/app");
	CHECK_INT(dist_ref_parse("localhost:5000/library/x", NULL, &r, &e), 0);
	CHECK_INT(dist_ref_familiar(&r, out, sizeof(out), &e), 0);
	CHECK_STR(out, "localhost:5000/library/x");
	CHECK_STR(dist_ref_api_host(&r), "localhost:5000");
	CHECK(dist_ref_familiar(&r, out, 10, &e) < 0);
}

static void test_hostport(void)
{
	char h[64];
	unsigned p;
	struct berr e;

	CHECK_INT(dist_hostport("reg", h, sizeof(h), &p, 443, &e), 0);
	CHECK_STR(h, "reg");
	CHECK_INT(p, 443);
	CHECK_INT(dist_hostport("127.0.0.1:5000", h, sizeof(h), &p, 443, &e), 0);
	CHECK_STR(h, "127.0.0.1");
	CHECK_INT(p, 5000);
	CHECK_INT(dist_hostport("[::1]:8443", h, sizeof(h), &p, 443, &e), 0);
	CHECK_STR(h, "::1");
	CHECK_INT(p, 8443);
	CHECK_INT(dist_hostport("[::1]", h, sizeof(h), &p, 80, &e), 0);
	CHECK_INT(p, 80);
	CHECK(dist_hostport("::1", h, sizeof(h), &p, 80, &e) < 0);
	CHECK(dist_hostport("a:", h, sizeof(h), &p, 80, &e) < 0);
	CHECK(dist_hostport("a:70000", h, sizeof(h), &p, 80, &e) < 0);
	CHECK(dist_hostport("a:1x", h, sizeof(h), &p, 80, &e) < 0);
	CHECK(dist_hostport("[::1]x", h, sizeof(h), &p, 80, &e) < 0);
	CHECK(dist_hostport(":80", h, sizeof(h), &p, 80, &e) < 0);
}

static void test_base64(void)
{
	char out[64];
	unsigned char dec[64];
	size_t n;
	struct berr e;

	CHECK_INT(dist_b64_encode("user:pass", 9, out, sizeof(out), &e), 0);
	CHECK_STR(out, "dXNlcjpwYXNz");
	CHECK_INT(dist_b64_encode("ab", 2, out, sizeof(out), &e), 0);
	CHECK_STR(out, "YWI=");
	CHECK(dist_b64_encode("abcdef", 6, out, 8, &e) < 0);
	CHECK_INT(dist_b64_decode("YWI=", 4, dec, sizeof(dec), &n, &e), 0);
	CHECK_INT(n, 2);
	CHECK(memcmp(dec, "ab", 2) == 0);
	CHECK_INT(dist_b64_decode("-_8", 3, dec, sizeof(dec), &n, &e), 0); /* URL alphabet */
	CHECK_INT(n, 2);
	CHECK_INT(dec[0], 0xfb);
	CHECK_INT(dec[1], 0xff);
	CHECK(dist_b64_decode("Y", 1, dec, sizeof(dec), &n, &e) < 0);
	CHECK(dist_b64_decode("Y*==", 4, dec, sizeof(dec), &n, &e) < 0);
	CHECK(dist_b64_decode("YWJj", 4, dec, 2, &n, &e) < 0);
}

static void cred(const char *json, struct dist_cred *c, int want)
{
	char hdr[1024];
	struct berr e;
	int rc;

	CHECK_INT(dist_b64_encode(json, strlen(json), hdr, sizeof(hdr), &e), 0);
	for (char *p = hdr; *p; p++) /* the CLI's alphabet */
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	rc = dist_cred_parse(hdr, strlen(hdr), c, &e);
	if (rc != want)
		UNIT_FAIL_("%s: rc %d (%s)", json, rc, e.msg);
}

static void test_cred(void)
{
	struct dist_cred c;
	struct berr e;
	char basic[256];

	cred("{}", &c, 0);
	CHECK_STR(c.username, "");
	CHECK_INT(dist_cred_parse("e30=", 4, &c, &e), 0);
	CHECK_INT(dist_cred_parse("", 0, &c, &e), 0);
	cred("{\"username\":\"bob\",\"password\":\"s3?cr/et>\",\"serveraddress\":\"127.0.0.1:5000\"}", &c, 0);
	CHECK_STR(c.username, "bob");
	CHECK_STR(c.password, "s3?cr/et>");
	CHECK_STR(c.serveraddress, "127.0.0.1:5000");
	CHECK_INT(dist_cred_basic(&c, basic, sizeof(basic), &e), 0);
	CHECK_STR(basic, "Basic Ym9iOnMzP2NyL2V0Pg==");
	cred("{\"auth\":\"Ym9iOnB3\",\"serveraddress\":null}", &c, 0);
	CHECK_STR(c.username, "bob");
	CHECK_STR(c.password, "pw");
	cred("{\"identitytoken\":\"tok\"}", &c, 0);
	CHECK_STR(c.identitytoken, "tok");
	cred("[]", &c, -1);
	cred("{\"username\":1}", &c, -1);
	cred("{\"auth\":\"Ym9i\"}", &c, -1);     /* "bob": no colon */
	cred("{\"username\":\"a\",\"username\":\"b\"}", &c, -1);
	CHECK(dist_cred_parse("!!!!", 4, &c, &e) < 0);
}

static void test_challenge(void)
{
	struct dist_challenge c;
	struct berr e;
	const char *v;

	v = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	    "scope=\"repository:library/alpine:pull\"";
	CHECK_INT(dist_challenge_parse(v, strlen(v), &c, &e), 0);
	CHECK_INT(c.scheme, DIST_AUTH_BEARER);
	CHECK_STR(c.realm, "https://auth.docker.io/token");
	CHECK_STR(c.service, "registry.docker.io");
	CHECK_STR(c.scope, "repository:library/alpine:pull");
	v = "Basic realm=\"Registry Realm\"";
	CHECK_INT(dist_challenge_parse(v, strlen(v), &c, &e), 0);
	CHECK_INT(c.scheme, DIST_AUTH_BASIC);
	CHECK_STR(c.realm, "Registry Realm");
	v = "basic realm=\"r\", BEARER realm=\"https://t/x\" , Service=svc,error=\"insufficient_scope\"";
	CHECK_INT(dist_challenge_parse(v, strlen(v), &c, &e), 0);
	CHECK_INT(c.scheme, DIST_AUTH_BEARER);
	CHECK_STR(c.realm, "https://t/x");
	CHECK_STR(c.service, "svc");
	CHECK_STR(c.error, "insufficient_scope");
	v = "Bearer realm=\"a\\\"b\"";
	CHECK_INT(dist_challenge_parse(v, strlen(v), &c, &e), 0);
	CHECK_STR(c.realm, "a\"b");
	v = "Negotiate abc==, Basic";
	CHECK_INT(dist_challenge_parse(v, strlen(v), &c, &e), 0);
	CHECK_INT(c.scheme, DIST_AUTH_BASIC);
	v = "Negotiate";
	CHECK(dist_challenge_parse(v, strlen(v), &c, &e) < 0);
	CHECK_INT(e.errnum, ENOTSUP);
	v = "Bearer service=x";     /* no realm */
	CHECK(dist_challenge_parse(v, strlen(v), &c, &e) < 0);
	v = "Bearer realm=\"unterminated";
	CHECK(dist_challenge_parse(v, strlen(v), &c, &e) < 0);
	v = "realm=x";
	CHECK(dist_challenge_parse(v, strlen(v), &c, &e) < 0);
	v = "Bearer realm=x y=z";
	CHECK(dist_challenge_parse(v, strlen(v), &c, &e) < 0);
}

static void test_token_url(void)
{
	struct dist_challenge c = { .scheme = DIST_AUTH_BEARER };
	struct berr e;
	char out[512];

	strcpy(c.realm, "https://auth.example/token");
	strcpy(c.service, "reg ex");
	CHECK_INT(dist_token_url(&c, "library/alpine", out, sizeof(out), &e), 0);
	CHECK_STR(out, "https://auth.example/token?service=reg%20ex&scope=repository%3Alibrary%2Falpine%3Apull");
	strcpy(c.realm, "https://auth.example/token?a=b");
	c.service[0] = '\0';
	strcpy(c.scope, "repository:x:pull,push");
	CHECK_INT(dist_token_url(&c, "ignored", out, sizeof(out), &e), 0);
	CHECK_STR(out, "https://auth.example/token?a=b&scope=repository%3Ax%3Apull%2Cpush");
	CHECK(dist_token_url(&c, "x", out, 40, &e) < 0);
	c.scope[0] = '\0';     /* a login: no repository, no scope */
	CHECK_INT(dist_token_url(&c, "", out, sizeof(out), &e), 0);
	CHECK_STR(out, "https://auth.example/token?a=b");
	strcpy(c.service, "s");
	CHECK_INT(dist_token_url(&c, "", out, sizeof(out), &e), 0);
	CHECK_STR(out, "https://auth.example/token?a=b&service=s");
	strcpy(c.realm, "ftp://x");
	CHECK(dist_token_url(&c, "x", out, sizeof(out), &e) < 0);
	c.scheme = DIST_AUTH_BASIC;
	CHECK(dist_token_url(&c, "x", out, sizeof(out), &e) < 0);
}

static void token(const char *js, int want, const char *tok, long exp)
{
	char t[256];
	long x;
	struct berr e;
	int rc = dist_token_parse(js, strlen(js), t, sizeof(t), &x, &e);

	if (rc != want)
		UNIT_FAIL_("%s: rc %d (%s)", js, rc, e.msg);
	if (want == 0) {
		CHECK_STR(t, tok);
		CHECK_INT(x, exp);
	}
}

static void test_token(void)
{
	token("{\"token\":\"abc.def\",\"expires_in\":300,\"issued_at\":\"2026-01-01T00:00:00Z\"}", 0, "abc.def", 300);
	token("{\"access_token\":\"zz\"}", 0, "zz", 60);
	token("{\"token\":\"\",\"access_token\":\"zz\",\"expires_in\":10}", 0, "zz", 60);
	token("{\"token\":\"a\",\"expires_in\":null}", 0, "a", 60);
	token("{}", -1, NULL, 0);
	token("{\"token\":\"\"}", -1, NULL, 0);
	token("{\"token\":\"a b\"}", -1, NULL, 0);
	token("{\"token\":\"a\\r\\nX: y\"}", -1, NULL, 0);
	token("{\"token\":7}", -1, NULL, 0);
	token("{\"token\":\"a\",\"expires_in\":-1}", -1, NULL, 0);
	token("[\"token\"]", -1, NULL, 0);
	char big[600];
	snprintf(big, sizeof(big), "{\"token\":\"%0300d\"}", 0);
	token(big, -1, NULL, 0);  /* longer than the 256-byte buffer */
}

static void test_url(void)
{
	struct dist_url u, r;
	struct berr e;

	CHECK_INT(dist_url_parse("https://reg.example:5000/v2/x/blobs/sha256:1?a=b#f", &u, &e), 0);
	CHECK_INT(u.https, 1);
	CHECK_STR(u.host, "reg.example");
	CHECK_INT(u.port, 5000);
	CHECK_STR(u.path, "/v2/x/blobs/sha256:1?a=b");
	CHECK_INT(dist_url_parse("http://h", &u, &e), 0);
	CHECK_INT(u.port, 80);
	CHECK_STR(u.path, "/");
	CHECK_INT(dist_url_parse("HTTPS://[::1]?q", &u, &e), 0);
	CHECK_STR(u.host, "::1");
	CHECK_INT(u.port, 443);
	CHECK_STR(u.path, "/?q");
	CHECK(dist_url_parse("ftp://h/", &u, &e) < 0);
	CHECK(dist_url_parse("https://user:pw@h/", &u, &e) < 0);
	CHECK(dist_url_parse("https:///x", &u, &e) < 0);
	CHECK(dist_url_parse("https://h/a b", &u, &e) < 0);

	CHECK_INT(dist_url_parse("https://reg:5000/v2/a", &u, &e), 0);
	CHECK_INT(dist_url_resolve(&u, "/b?c#d", &r, &e), 0);
	CHECK_STR(r.host, "reg");
	CHECK_INT(r.port, 5000);
	CHECK_STR(r.path, "/b?c");
	CHECK_INT(dist_url_resolve(&u, "https://cdn.example/blob", &r, &e), 0);
	CHECK_STR(r.host, "cdn.example");
	CHECK_INT(r.port, 443);
	CHECK(dist_url_resolve(&u, "http://cdn.example/blob", &r, &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK(strstr(e.msg, "plaintext") != NULL);
	CHECK(dist_url_resolve(&u, "//cdn.example/blob", &r, &e) < 0);
	CHECK(dist_url_resolve(&u, "relative", &r, &e) < 0);
	CHECK_INT(dist_url_parse("http://reg:5000/v2/a", &u, &e), 0);
	CHECK_INT(dist_url_resolve(&u, "http://other/x", &r, &e), 0);   /* plaintext to plaintext */
}

static void test_content_range(void)
{
	uint64_t a, b, t;
	struct berr e;

	CHECK_INT(dist_content_range("bytes 100-199/200", &a, &b, &t, &e), 0);
	CHECK_INT(a, 100);
	CHECK_INT(b, 199);
	CHECK_INT(t, 200);
	CHECK_INT(dist_content_range("bytes 0-0/*", &a, &b, &t, &e), 0);
	CHECK(t == UINT64_MAX);
	CHECK(dist_content_range("bytes 5-4/10", &a, &b, &t, &e) < 0);
	CHECK(dist_content_range("bytes 0-10/10", &a, &b, &t, &e) < 0);
	CHECK(dist_content_range("bytes -1/10", &a, &b, &t, &e) < 0);
	CHECK(dist_content_range("items 0-1/2", &a, &b, &t, &e) < 0);
	CHECK(dist_content_range("bytes 0-1/2x", &a, &b, &t, &e) < 0);
	CHECK(dist_content_range("bytes 0-99999999999999999999999/1", &a, &b, &t, &e) < 0);
}

#define LAYER_GZ "application/vnd.oci.image.layer.v1.tar+gzip"
static const char oci_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"config\":{\"mediaType\":\"" MT_OCI_CONFIG
	"\",\"digest\":\"" D1 "\",\"size\":10},\"layers\":[{\"mediaType\":\"" LAYER_GZ "\",\"digest\":\"" D2
	"\",\"size\":20},{\"mediaType\":\"" LAYER_GZ "\",\"digest\":\"" D1 "\",\"size\":30}]}";
static const char docker_list[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_LIST "\",\"manifests\":["
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":5,"
	"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
	"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":5,"
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
	"{\"mediaType\":\"" MT_DOCKER_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":6,"
	"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";

static void test_manifest(void)
{
	static struct dist_manifest m;
	struct berr e;

	CHECK_INT(dist_manifest_parse(MT_OCI_MANIFEST, oci_manifest, strlen(oci_manifest), &m, &e), 0);
	CHECK_INT(m.kind, DIST_MANIFEST);
	CHECK_INT(m.u.m.nlayers, 2);
	CHECK_STR(m.u.m.layers[0].digest, D2);
	CHECK_INT(m.u.m.layers[1].size, 30);
	CHECK_STR(m.u.m.config.digest, D1);
	/* no telling Content-Type: the body's mediaType decides */
	CHECK_INT(dist_manifest_parse("application/json; charset=utf-8", oci_manifest, strlen(oci_manifest), &m, &e), 0);
	CHECK_INT(m.kind, DIST_MANIFEST);
	CHECK_INT(dist_manifest_parse(NULL, docker_list, strlen(docker_list), &m, &e), 0);
	CHECK_INT(m.kind, DIST_INDEX);
	CHECK_INT(m.u.i.n, 3);
	/* Content-Type and body disagree: the body's own mediaType refuses */
	CHECK(dist_manifest_parse(MT_OCI_INDEX, oci_manifest, strlen(oci_manifest), &m, &e) < 0);
	CHECK(dist_manifest_parse("application/vnd.docker.distribution.manifest.v1+prettyjws", "{}", 2, &m, &e) < 0);
	CHECK(strstr(e.msg, "schema 1") != NULL);
	const char *s1 = "{\"schemaVersion\":1,\"fsLayers\":[]}";
	CHECK(dist_manifest_parse(NULL, s1, strlen(s1), &m, &e) < 0);
	CHECK(strstr(e.msg, "schema 1") != NULL);
	CHECK(dist_manifest_parse("text/html", "{}", 2, &m, &e) < 0);
	CHECK(dist_manifest_parse(NULL, "{}", 2, &m, &e) < 0);
	CHECK(dist_manifest_parse(NULL, "[", 1, &m, &e) < 0);
	const char *z = "{\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":1},"
			"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+foo\",\"digest\":\"" D1
			"\",\"size\":1}]}";
	CHECK(dist_manifest_parse(MT_OCI_MANIFEST, z, strlen(z), &m, &e) < 0);
}

static void test_platform(void)
{
	static struct dist_manifest m;
	char os[16], arch[16];
	struct berr e;

	CHECK_INT(dist_manifest_parse(MT_DOCKER_LIST, docker_list, strlen(docker_list), &m, &e), 0);
	CHECK_INT(dist_index_select(&m.u.i, "linux", "amd64", &e), 2);
	CHECK_INT(dist_index_select(&m.u.i, "linux", "arm64", &e), 0);
	CHECK(dist_index_select(&m.u.i, "linux", "s390x", &e) < 0);
	CHECK_INT(e.errnum, ENOENT);
	CHECK(strstr(e.msg, "linux/arm64, linux/amd64") != NULL);
	CHECK(strstr(e.msg, "unknown") == NULL);
	CHECK_INT(dist_platform_parse("linux/arm64/v8", os, sizeof(os), arch, sizeof(arch), &e), 0);
	CHECK_STR(os, "linux");
	CHECK_STR(arch, "arm64");
	CHECK(dist_platform_parse("linux", os, sizeof(os), arch, sizeof(arch), &e) < 0);
	CHECK(dist_platform_parse("/x", os, sizeof(os), arch, sizeof(arch), &e) < 0);
	CHECK(dist_platform_parse("Linux/x", os, sizeof(os), arch, sizeof(arch), &e) < 0);
	CHECK(dist_platform_parse("linux/aaaaaaaaaaaaaaaaaaaaaaaaa", os, sizeof(os), arch, sizeof(arch), &e) < 0);
}

UNIT_MAIN(UNIT(test_ref_normalise), UNIT(test_ref_refused), UNIT(test_ref_familiar), UNIT(test_hostport),
	  UNIT(test_base64), UNIT(test_cred), UNIT(test_challenge), UNIT(test_token_url), UNIT(test_token),
	  UNIT(test_url), UNIT(test_content_range), UNIT(test_manifest), UNIT(test_platform))
