/* dist.h — the OCI distribution protocol as pure functions: image
 * references, registry credentials (X-Registry-Auth), WWW-Authenticate
 * challenges, token answers, URLs (token realms, redirects), Content-Range,
 * manifests and indexes with platform selection.
 *
 * Nothing here does I/O or keeps state; every input is untrusted (it comes
 * from a client or a registry) and is bounded by the buffers below: what
 * does not fit is refused, never truncated.
 */
#ifndef BERTH_RUNTIME_FETCH_DIST_H
#define BERTH_RUNTIME_FETCH_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/image/manifest.h"

#define DIST_HOST_MAX 256       /* host[:port] */
#define DIST_REPO_MAX 256       /* repository path, as the distribution spec bounds it */
#define DIST_TAG_MAX 128
#define DIST_URL_MAX 2048
#define DIST_CRED_MAX 256       /* user name, password, server address */
#define DIST_TOKEN_MAX CONFIG_FETCH_TOKEN_MAX

/* What every manifest GET accepts, in preference order. */
#define DIST_ACCEPT \
	MT_OCI_INDEX ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST

/* ---------------------------------------------------------- references */

struct dist_ref {
	char domain[DIST_HOST_MAX];      /* "docker.io", "localhost:5000", "reg.example.com" */
	char repo[DIST_REPO_MAX];        /* "library/alpine" */
	char tag[DIST_TAG_MAX + 1];      /* "" when pulled by digest only */
	char digest[DIGEST_STR_LEN + 1]; /* "" or "sha256:<hex>" */
};

/* from_image as POST /images/create gets it ("alpine", "docker.io/library/
 * alpine", "localhost:5000/a/b:t", "x@sha256:…") and the tag parameter
 * (NULL or "", a tag, or "sha256:<hex>" as the CLI sends a digest). Docker's
 * normalisation: a first component with '.' or ':' or "localhost" is the
 * registry, else docker.io (index.docker.io too); a docker.io repository
 * without '/' is under library/. No tag and no digest means "latest". Only
 * sha256 digests are accepted. */
int dist_ref_parse(const char *from_image, const char *tag, struct dist_ref *r, struct berr *e);
/* The name docker prints and tags with: "alpine", "user/app",
 * "localhost:5000/app" (docker.io/library/ and docker.io/ dropped). */
int dist_ref_familiar(const struct dist_ref *r, char *out, size_t size, struct berr *e);
/* Where the registry API is: registry-1.docker.io for docker.io, else the domain. */
const char *dist_ref_api_host(const struct dist_ref *r);

/* "host", "host:port", "[v6]:port" into host (brackets removed) and port
 * (default_port when absent). */
int dist_hostport(const char *hp, char *host, size_t size, unsigned *port, unsigned default_port,
		  struct berr *e);

/* ---------------------------------------------------------- credentials */

struct dist_cred {
	char username[DIST_CRED_MAX];
	char password[DIST_CRED_MAX];
	char serveraddress[DIST_CRED_MAX];
	char identitytoken[DIST_CRED_MAX];
};

/* X-Registry-Auth: base64url (padded or not; standard base64 accepted too)
 * of JSON {username,password,serveraddress,identitytoken,auth,email}; "e30="
 * ({}) and an empty header give empty credentials. "auth" (base64 of
 * user:password) fills username and password when they are absent. */
int dist_cred_parse(const char *hdr, size_t len, struct dist_cred *c, struct berr *e);
/* "Basic <base64(user:password)>" into out. */
int dist_cred_basic(const struct dist_cred *c, char *out, size_t size, struct berr *e);

/* Standard base64 encode (padded) of in[len] into out[size]; <0 when it does not fit. */
int dist_b64_encode(const void *in, size_t len, char *out, size_t size, struct berr *e);
/* Decode standard or URL-safe base64, padding optional; *outlen bytes. */
int dist_b64_decode(const char *in, size_t len, unsigned char *out, size_t size, size_t *outlen,
		    struct berr *e);

/* ---------------------------------------------------------- auth challenge */

enum dist_scheme { DIST_AUTH_NONE = 0, DIST_AUTH_BASIC, DIST_AUTH_BEARER };

struct dist_challenge {
	int scheme;
	char realm[DIST_URL_MAX];
	char service[DIST_HOST_MAX];
	char scope[512];
	char error[64];
};

/* A WWW-Authenticate value (RFC 7235: scheme, then auth-params with token or
 * quoted-string values). Several challenges in one value: Bearer wins over
 * Basic; unknown schemes are skipped; none known is ENOTSUP. */
int dist_challenge_parse(const char *v, size_t len, struct dist_challenge *c, struct berr *e);
/* The token request URL: realm?service=…&scope=… (percent-encoded), with
 * scope repository:REPO:pull when the challenge named none. */
int dist_token_url(const struct dist_challenge *c, const char *repo, char *out, size_t size,
		   struct berr *e);
/* A token server's JSON answer: "token", else "access_token"; expires_in
 * (seconds, 60 when absent, as the spec says). */
int dist_token_parse(const char *body, size_t len, char *token, size_t size, long *expires_in,
		     struct berr *e);

/* ---------------------------------------------------------- URLs */

struct dist_url {
	int https;
	char host[DIST_HOST_MAX];       /* without brackets */
	unsigned port;
	char path[DIST_URL_MAX];        /* path and query, starts with '/' */
};

/* An absolute http(s) URL. No user info; fragments are dropped. */
int dist_url_parse(const char *s, struct dist_url *u, struct berr *e);
/* A redirect's Location against the URL it answered: absolute, or
 * absolute-path ("/x"). A redirect from https to http is refused (EPERM). */
int dist_url_resolve(const struct dist_url *base, const char *loc, struct dist_url *out,
		     struct berr *e);

/* Content-Range "bytes FIRST-LAST/TOTAL" (TOTAL may be '*': *total = UINT64_MAX). */
int dist_content_range(const char *v, uint64_t *first, uint64_t *last, uint64_t *total,
		       struct berr *e);

/* ---------------------------------------------------------- manifests */

enum dist_mkind { DIST_MANIFEST = 1, DIST_INDEX = 2 };

struct dist_manifest {
	int kind;
	union {
		struct oci_manifest m;
		struct oci_index i;
	} u;
};

/* A manifest GET's body and Content-Type (parameters ignored; empty or
 * application/json: the document's mediaType, else its shape decides).
 * Docker schema 1 is refused by name. Layers must have media types the
 * image store decodes. */
int dist_manifest_parse(const char *ctype, const char *body, size_t len, struct dist_manifest *out,
			struct berr *e);

/* "os/arch[/variant]" into os and arch (the variant is ignored). */
int dist_platform_parse(const char *s, char *os, size_t os_size, char *arch, size_t arch_size,
			struct berr *e);
/* The entry of an index for os/arch (manifest media types only; entries
 * without a platform never match); ENOENT naming what the index has. */
int dist_index_select(const struct oci_index *ix, const char *os, const char *arch, struct berr *e);

#endif
