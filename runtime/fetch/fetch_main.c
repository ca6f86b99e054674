/* fetch_main.c — berth-fetch: one image pull from one registry, for berthd.
 *
 * Usage: berth-fetch --ctl FD --user UID:GID [--ca PEM]...
 * Started by berthd as root with the control socket (proto.h) on FD. Before
 * anything from the network is read it takes FETCH_START, loads the CA
 * bundles named by --ca and /etc/hosts, then drops to UID:GID with no
 * capabilities, no_new_privs and its seccomp filter (tools/seccomp/
 * table_fetch.c): from then on it has the control socket, the blob
 * descriptors berthd hands it and TCP connections, nothing else.
 * Exit codes: 0 the pull is done, 1 it failed (FETCH_ERROR said why),
 * 100 usage, 111 setup.
 */
#include <errno.h>
#include <linux/securebits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "lib/tls.h"
#include "lib/util.h"
#include "runtime/fetch/client.h"
#include "runtime/fetch/dns.h"
#include "runtime/fetch/proto.h"

#define PROG "berth-fetch"
#define CA_MAX 4
#define HOSTS_MAX 16384
#define REDIRECTS_MAX 5
#define ATTEMPTS 3
#define PROGRESS_BYTES (512 * 1024)

struct blob {
	int idx, fd;
	const struct desc *d;
	int failed;
	struct berr e;
};

struct fetch {
	int ctl;
	struct fetch_start st;
	struct tls_anchors ca;
	char hosts[HOSTS_MAX];
	uint32_t ns[DNS_NS_MAX];
	struct client cl;
	struct dist_url base;           /* scheme://host:port of the registry */
	char auth[DIST_TOKEN_MAX + 16]; /* Authorization for the registry, "" none */
	struct dist_manifest top, chosen;
	const struct oci_manifest *m;
	struct blob blobs[LAYERS_MAX + 1];
	int nblobs, next;
	pthread_mutex_t mu;
};

struct buf {
	char *p;
	size_t len, max;
};

static int buf_sink(void *ctx, const char *p, size_t n, struct berr *e)
{
	struct buf *b = ctx;

	if (n > b->max - b->len)
		return berr_set(e, E2BIG, "answer longer than %zu bytes", b->max);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int path_url(const struct fetch *f, struct dist_url *u, const char *kind, const char *ref,
		    struct berr *e)
{
	*u = f->base;
	if ((size_t)snprintf(u->path, sizeof(u->path), "/v2/%s/%s/%s", f->st.repo, kind, ref) >= sizeof(u->path))
		return berr_set(e, ENAMETOOLONG, "URL too long");
	return 0;
}

/* A token from the challenge's realm (basic credentials when given). */
static int get_token(struct fetch *f, const struct dist_challenge *ch, struct berr *e)
{
	char url[DIST_URL_MAX], basic[2 * DIST_CRED_MAX + 16], body[DIST_TOKEN_MAX + 1024];
	struct dist_url u;
	struct client_resp r;
	struct buf b = { body, 0, sizeof(body) - 1 };
	struct dist_cred cr = { 0 };
	long exp;

	if (dist_token_url(ch, f->st.repo, url, sizeof(url), e) < 0 ||
	    dist_url_resolve(&f->base, url, &u, e) < 0)
		return berr_prefix(e, "token realm");
	strcpy(cr.username, f->st.username);
	strcpy(cr.password, f->st.password);
	basic[0] = '\0';
	if (cr.username[0] && dist_cred_basic(&cr, basic, sizeof(basic), e) < 0)
		return -1;
	if (client_get(&f->cl, &u, "application/json", basic, 0, &r, buf_sink, &b, e) < 0)
		return berr_prefix(e, "token from %s", u.host);
	if (r.status == 401 || r.status == 403)
		return berr_set(e, EACCES, "unauthorized: the token server %s refused the credentials (%d)",
				u.host, r.status);
	if (r.status != 200)
		return berr_set(e, EPROTO, "token server %s answered %d", u.host, r.status);
	strcpy(f->auth, "Bearer ");
	if (dist_token_parse(body, b.len, f->auth + 7, sizeof(f->auth) - 7, &exp, e) < 0)
		return -1;
	return 0;
}

/* After a 401: authenticate as the challenge says; 0 to try again. */
static int authenticate(struct fetch *f, const struct client_resp *r, int tried, struct berr *e)
{
	struct dist_challenge ch;
	struct dist_cred cr = { 0 };

	if (tried)
		return berr_set(e, EACCES, "unauthorized: authentication required by %s", f->base.host);
	if (dist_challenge_parse(r->www_auth, strlen(r->www_auth), &ch, e) < 0)
		return -1;
	if (ch.scheme == DIST_AUTH_BEARER)
		return get_token(f, &ch, e);
	if (!f->st.username[0])
		return berr_set(e, EACCES, "unauthorized: %s needs a login (docker login %s)", f->base.host,
				f->base.host);
	strcpy(cr.username, f->st.username);
	strcpy(cr.password, f->st.password);
	return dist_cred_basic(&cr, f->auth, sizeof(f->auth), e);
}

/* GET a manifest by tag or digest into body; send it to berthd. */
static int get_manifest(struct fetch *f, const char *ref, uint32_t which, struct dist_manifest *out,
			struct berr *e)
{
	char *msg = malloc(FETCH_MSG_MAX);
	struct client_resp r;
	struct dist_url u;
	struct buf b;
	int rc = -1;
	size_t ct;

	if (!msg)
		return berr_set(e, ENOMEM, "out of memory");
	if (path_url(f, &u, "manifests", ref, e) < 0)
		goto out;
	for (int tried = 0;; tried++) {
		memcpy(msg, &which, 4);
		b = (struct buf){ msg + 4 + MEDIA_MAX + 1, 0, FETCH_MSG_MAX - 4 - MEDIA_MAX - 1 - 8 };
		if (client_get(&f->cl, &u, DIST_ACCEPT, f->auth, 0, &r, buf_sink, &b, e) < 0)
			goto out;
		if (r.status != 401)
			break;
		if (authenticate(f, &r, tried, e) < 0)
			goto out;
	}
	if (r.status == 404) {
		berr_set(e, ENOENT, "manifest for %s not found: manifest unknown", ref);
		goto out;
	}
	if (r.status != 200) {
		berr_set(e, EPROTO, "manifest %s: the registry answered %d", ref, r.status);
		goto out;
	}
	/* message: which, Content-Type NUL (padded), body */
	ct = strlen(r.ctype);
	memset(msg + 4, 0, MEDIA_MAX + 1);
	memcpy(msg + 4, r.ctype, ct);
	if (dist_manifest_parse(r.ctype, b.p, b.len, out, e) < 0)
		goto out;
	if (fetch_send(f->ctl, FETCH_MANIFEST, msg, 4 + MEDIA_MAX + 1 + b.len, -1, e) < 0)
		goto out;
	rc = 0;
out:
	free(msg);
	return rc;
}

struct blob_sink {
	struct fetch *f;
	struct blob *b;
	uint64_t at, reported;
	const struct client_resp *r;    /* the head, filled before the body arrives */
	int checked;
	int reauth;                     /* a 401 was answered with new credentials */
};

/* Before the first body byte: a 200 answer to a Range request starts over;
 * a 206 must start where we asked. */
static int check_range(struct blob_sink *s, struct berr *e)
{
	uint64_t first, last, total;

	s->checked = 1;
	if (s->r->status == 200 && s->at) {
		if (ftruncate(s->b->fd, 0) < 0)
			return berr_sys(e, "truncate blob");
		s->at = 0;
	} else if (s->r->status == 206) {
		if (dist_content_range(s->r->crange, &first, &last, &total, e) < 0)
			return -1;
		if (first != s->at)
			return berr_set(e, EPROTO, "blob %s: asked for bytes from %llu, got from %llu",
					s->b->d->digest, (unsigned long long)s->at, (unsigned long long)first);
	}
	return 0;
}

static int blob_write(void *ctx, const char *p, size_t n, struct berr *e)
{
	struct blob_sink *s = ctx;

	if (!s->checked && check_range(s, e) < 0)
		return -1;
	if (s->at + n > s->b->d->size)
		return berr_set(e, EFBIG, "blob %s is larger than its descriptor (%llu bytes)", s->b->d->digest,
				(unsigned long long)s->b->d->size);
	while (n) {
		ssize_t w = pwrite(s->b->fd, p, n, (off_t)s->at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return berr_sys(e, "write blob %s", s->b->d->digest);
		s->at += (uint64_t)w;
		p += w;
		n -= (size_t)w;
	}
	if (s->at - s->reported >= PROGRESS_BYTES) {
		unsigned char msg[12];
		uint32_t idx = (uint32_t)s->b->idx;
		memcpy(msg, &idx, 4);
		memcpy(msg + 4, &s->at, 8);
		s->reported = s->at;
		return fetch_send(s->f->ctl, FETCH_PROGRESS, msg, sizeof(msg), -1, e);
	}
	return 0;
}

/* One attempt at a blob from offset s->at, following redirects. */
static int blob_attempt(struct fetch *f, struct blob_sink *s, struct berr *e)
{
	struct dist_url u, next;
	struct client_resp r;
	char auth[sizeof(f->auth)];

	if (path_url(f, &u, "blobs", s->b->d->digest, e) < 0)
		return -1;
	pthread_mutex_lock(&f->mu);
	strcpy(auth, f->auth);
	pthread_mutex_unlock(&f->mu);
	for (int hop = 0;; hop++) {
		/* credentials go to the registry only, never to where it redirects */
		int same = strcmp(u.host, f->base.host) == 0 && u.port == f->base.port;
		s->r = &r;
		s->checked = 0;
		if (client_get(&f->cl, &u, NULL, same ? auth : NULL, s->at, &r, blob_write, s, e) < 0)
			return -1;
		if (r.status == 401 && same && !s->reauth) {
			/* the token expired during a long pull: a new one, once */
			s->reauth = 1;
			pthread_mutex_lock(&f->mu);
			int rc = authenticate(f, &r, 0, e);
			strcpy(auth, f->auth);
			pthread_mutex_unlock(&f->mu);
			if (rc < 0)
				return -1;
			hop--;
			continue;
		}
		if (r.status < 300 || r.status >= 400 || !r.location[0])
			break;
		if (hop == REDIRECTS_MAX)
			return berr_set(e, ELOOP, "blob %s: more than %d redirects", s->b->d->digest, REDIRECTS_MAX);
		if (dist_url_resolve(&u, r.location, &next, e) < 0)
			return berr_prefix(e, "blob %s", s->b->d->digest);
		u = next;
	}
	if (r.status == 200 || r.status == 206)
		return 0;
	if (r.status == 404)
		return berr_set(e, ENOENT, "blob %s unknown to the registry", s->b->d->digest);
	return berr_set(e, r.status >= 500 ? EAGAIN : EPROTO, "blob %s: the registry answered %d",
			s->b->d->digest, r.status);
}

/* A blob, resumed with Range after a broken transfer. */
static int get_blob(struct fetch *f, struct blob *b, struct berr *e)
{
	struct blob_sink s = { .f = f, .b = b };
	struct stat st;
	int rc = -1;

	if (fstat(b->fd, &st) < 0)
		return berr_sys(e, "fstat blob");
	s.at = (uint64_t)st.st_size;    /* what an earlier pull left */
	if (s.at > b->d->size && ftruncate(b->fd, 0) == 0)
		s.at = 0;
	for (int k = 0; k < ATTEMPTS && s.at < b->d->size; k++) {
		uint64_t before = s.at;
		rc = blob_attempt(f, &s, e);
		if (rc == 0 && s.at < b->d->size && s.at == before)
			rc = berr_set(e, EPROTO, "blob %s: the registry sent nothing", b->d->digest);
		if (rc < 0 && (e->errnum == EFBIG || e->errnum == EPERM || e->errnum == ENOENT ||
			       e->errnum == EACCES))
			return -1;
	}
	if (s.at < b->d->size)
		return rc < 0 ? -1 : berr_set(e, EPROTO, "blob %s: %llu of %llu bytes", b->d->digest,
					      (unsigned long long)s.at, (unsigned long long)b->d->size);
	uint32_t idx = (uint32_t)b->idx;
	return fetch_send(f->ctl, FETCH_BLOB_DONE, &idx, 4, -1, e);
}

static void *worker(void *arg)
{
	struct fetch *f = arg;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		int i = f->next < f->nblobs ? f->next++ : -1;
		pthread_mutex_unlock(&f->mu);
		if (i < 0)
			return NULL;
		struct blob *b = &f->blobs[i];
		if (b->fd < 0)
			continue;       /* another pull downloads it for berthd */
		b->failed = get_blob(f, b, &b->e) < 0;
		if (b->failed) {
			pthread_mutex_lock(&f->mu);
			f->next = f->nblobs;   /* stop the others taking more */
			pthread_mutex_unlock(&f->mu);
			return NULL;
		}
	}
}

/* Ask berthd for a descriptor per blob, then download them in parallel. */
static int get_blobs(struct fetch *f, struct berr *e)
{
	pthread_t th[16];
	int n = f->st.parallel < 1 ? 1 : f->st.parallel > 16 ? 16 : f->st.parallel, started = 0;
	char reply[16];

	f->nblobs = f->m->nlayers + 1;
	for (int i = 0; i < f->nblobs; i++) {
		uint32_t idx = (uint32_t)i, type;
		size_t len;
		int fd;
		f->blobs[i] = (struct blob){ .idx = i, .fd = -1, .d = i ? &f->m->layers[i - 1] : &f->m->config };
		if (fetch_send(f->ctl, FETCH_BLOB, &idx, 4, -1, e) < 0 ||
		    fetch_recv(f->ctl, &type, reply, sizeof(reply), &len, &fd, e) < 0)
			return -1;
		if (type != FETCH_FD || len != 4 || memcmp(reply, &idx, 4) != 0) {
			if (fd >= 0)
				close(fd);
			return berr_set(e, EPROTO, "berthd gave no descriptor for blob %d", i);
		}
		f->blobs[i].fd = fd;
	}
	for (; started < n && started < f->nblobs; started++)
		if (pthread_create(&th[started], NULL, worker, f) != 0)
			break;
	if (started == 0)
		worker(f);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < f->nblobs; i++)
		if (f->blobs[i].failed) {
			*e = f->blobs[i].e;
			return -1;
		}
	return 0;
}

static int discard(void *ctx, const char *p, size_t n, struct berr *e)
{
	(void)ctx, (void)p, (void)n, (void)e;
	return 0;
}

/* docker login: GET /v2/ with the credentials, as the registry asks. */
static int login(struct fetch *f, struct berr *e)
{
	struct dist_url u = f->base;
	struct client_resp r;

	strcpy(u.path, "/v2/");
	for (int tried = 0;; tried++) {
		if (client_get(&f->cl, &u, NULL, f->auth, 0, &r, discard, NULL, e) < 0)
			return -1;
		if (r.status != 401)
			break;
		if (authenticate(f, &r, tried, e) < 0)
			return -1;
	}
	if (r.status != 200)
		return berr_set(e, EACCES, "login attempt to %s://%s:%u/v2/ failed with status: %d",
				u.https ? "https" : "http", u.host, u.port, r.status);
	return 0;
}

static int pull(struct fetch *f, struct berr *e)
{
	f->base = (struct dist_url){ .https = f->st.https, .port = f->st.port, .path = "/" };
	strcpy(f->base.host, f->st.host);
	if (f->st.login)
		return login(f, e);
	if (get_manifest(f, f->st.ref, 0, &f->top, e) < 0)
		return -1;
	f->m = &f->top.u.m;
	if (f->top.kind == DIST_INDEX) {
		int k = dist_index_select(&f->top.u.i, f->st.os, f->st.arch, e);
		if (k < 0 || get_manifest(f, f->top.u.i.m[k].digest, 1, &f->chosen, e) < 0)
			return -1;
		if (f->chosen.kind != DIST_MANIFEST)
			return berr_set(e, EPROTO, "an index names another index for %s/%s", f->st.os, f->st.arch);
		f->m = &f->chosen.u.m;
	}
	return get_blobs(f, e);
}

/* ----------------------------------------------------------- setup */

static int load_ca(struct fetch *f, const char *const *paths, int n, struct berr *e)
{
	for (int i = 0; i < n; i++) {
		struct tls_anchors a;
		if (tls_anchors_load(&a, paths[i], e) < 0)
			return -1;
		br_x509_trust_anchor *ta = realloc(f->ca.ta, (f->ca.n + a.n) * sizeof(*ta));
		if (!ta)
			return berr_set(e, ENOMEM, "out of memory");
		memcpy(ta + f->ca.n, a.ta, a.n * sizeof(*ta));
		f->ca.ta = ta;
		f->ca.n += a.n;
		free(a.ta);     /* the anchors' own buffers now belong to f->ca */
	}
	return 0;
}

static int start(struct fetch *f, struct berr *e)
{
	uint32_t type;
	size_t len;
	int fd;

	if (fetch_recv(f->ctl, &type, &f->st, sizeof(f->st), &len, &fd, e) < 0)
		return -1;
	if (fd >= 0)
		close(fd);
	if (type != FETCH_START || len != sizeof(f->st))
		return berr_set(e, EPROTO, "no start message from berthd");
	f->st.host[sizeof(f->st.host) - 1] = f->st.repo[sizeof(f->st.repo) - 1] = '\0';
	f->st.ref[sizeof(f->st.ref) - 1] = f->st.os[sizeof(f->st.os) - 1] = '\0';
	f->st.arch[sizeof(f->st.arch) - 1] = f->st.username[sizeof(f->st.username) - 1] = '\0';
	f->st.password[sizeof(f->st.password) - 1] = f->st.server_name[sizeof(f->st.server_name) - 1] = '\0';
	return 0;
}

static int confine(uid_t uid, gid_t gid, int ctl, struct berr *e)
{
	const struct sandbox sb = {
		.uid = uid, .gid = gid, .caps = 0, .no_new_privs = 1,
		.securebits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
		.filter = seccomp_fetch_filter, .filter_len = seccomp_fetch_len,
	};
	struct rlimit r = { 0, 0 };

	if (syscall(SYS_close_range, (unsigned)ctl + 1, ~0U, 0) < 0)
		return berr_sys(e, "close_range");
	if (setrlimit(RLIMIT_CORE, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_CORE)");
	r.rlim_cur = r.rlim_max = (rlim_t)CONFIG_IMAGE_ARCHIVE_MAX_MB << 20;
	if (setrlimit(RLIMIT_FSIZE, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_FSIZE)");
	if (chdir("/") < 0)
		return berr_sys(e, "chdir /");
	return sandbox_apply(&sb, e) < 0 ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " --ctl FD --user UID:GID [--ca PEM]...\n");
	exit(100);
}

int main(int argc, char **argv)
{
	static struct fetch f;
	const char *ca[CA_MAX];
	int nca = 0, ctl = -1;
	unsigned uid = 0, gid = 0, have_user = 0;
	struct berr e;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ctl") == 0 && i + 1 < argc)
			ctl = atoi(argv[++i]);
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc &&
			 sscanf(argv[++i], "%u:%u", &uid, &gid) == 2)
			have_user = 1;
		else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc && nca < CA_MAX)
			ca[nca++] = argv[++i];
		else
			usage();
	}
	if (ctl < 3 || !have_user || uid == 0)
		usage();
	f.ctl = ctl;
	pthread_mutex_init(&f.mu, NULL);
	if (start(&f, &e) < 0 || load_ca(&f, ca, nca, &e) < 0) {
		fprintf(stderr, PROG ": %s\n", e.msg);
		fetch_send(ctl, FETCH_ERROR, e.msg, strlen(e.msg), -1, &e);
		return 111;
	}
	/* name resolution: what /etc/resolv.conf says, read now (the same
	 * buffer serves; /etc/hosts is read into it next); on the appliance
	 * it is a symlink to the DHCP client's file in /run */
	n = fs_read_follow("/etc/resolv.conf", f.hosts, sizeof(f.hosts) - 1, &e);
	f.hosts[n > 0 ? n : 0] = '\0';
	int nns = dns_resolv_conf(f.hosts, f.ns);
	n = fs_read_follow("/etc/hosts", f.hosts, sizeof(f.hosts) - 1, &e);
	f.hosts[n > 0 ? n : 0] = '\0';
	f.cl = (struct client){ .ca = &f.ca, .hosts = f.hosts, .ns = f.ns, .nns = nns,
				.timeout_ms = (f.st.timeout_s > 0 ? f.st.timeout_s : 60) * 1000 };
	if (f.st.https && f.ca.n == 0) {
		berr_set(&e, ENOENT, "no CA certificates to check %s with", f.st.host);
		fetch_send(ctl, FETCH_ERROR, e.msg, strlen(e.msg), -1, &e);
		return 111;
	}
	if (confine((uid_t)uid, (gid_t)gid, ctl, &e) < 0) {
		berr_prefix(&e, "sandbox");
		fetch_send(ctl, FETCH_ERROR, e.msg, strlen(e.msg), -1, &e);
		return 111;
	}
	if (pull(&f, &e) < 0) {
		struct berr e2;
		int again = e.errnum == ETIMEDOUT || e.errnum == ECONNRESET || e.errnum == ECONNREFUSED ||
			    e.errnum == EPIPE || e.errnum == ENETUNREACH || e.errnum == EHOSTUNREACH ||
			    e.errnum == ECONNABORTED || e.errnum == EAGAIN;
		fetch_send(ctl, again ? FETCH_ERROR_AGAIN : FETCH_ERROR, e.msg, strlen(e.msg), -1, &e2);
		return 1;
	}
	return fetch_send(ctl, FETCH_DONE, NULL, 0, -1, &e) < 0 ? 1 : 0;
}
