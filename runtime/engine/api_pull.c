/* api_pull.c — POST /images/create (docker pull; docker run of a missing
 * image): one berth-fetch per pull (runtime/fetch, docs/pull.md), whose
 * manifests berthd parses and checks itself, whose blobs land in the
 * files of DATA_ROOT/pull/ berthd hands out (shared by concurrent pulls,
 * resumed after a broken one) and hashes itself, imported through
 * runtime/image as an OCI layout, with the CLI's progress stream. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/kconfig.h"
#include "lib/util.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/images.h"
#include "runtime/fetch/proto.h"
#include "runtime/image/import.h"

#define NAME_OUT (REF_NAME_MAX + 64)
#define MINE 1
#define STORED 2
#define DUP 3           /* the same digest as an earlier blob of this image */
#define CA_PATHS 3       /* the system bundle, certs_dir, DATA_ROOT/certs.d */

struct pull {
	struct req *r;
	struct engine *eng;
	struct dist_ref ref;
	int login;                      /* POST /auth: check credentials only */
	char os[32], arch[32];          /* ?platform=, default linux/amd64 */
	char name[NAME_OUT];            /* stored name: domain/repo:tag, "" for digest pulls */
	char fam[NAME_OUT];             /* what the CLI is told */
	int sock;
	pid_t pid;
	char *top;                      /* the first manifest's bytes (for its digest) */
	char *man;                      /* the image manifest's bytes */
	size_t man_len;
	char top_digest[DIGEST_STR_LEN + 1], want_digest[DIGEST_STR_LEN + 1];
	struct dist_manifest *dm;       /* the image manifest, parsed here */
	int fds[LAYERS_MAX + 1];
	unsigned char mine[LAYERS_MAX + 1]; /* blob i: MINE (this pull downloads it, holds
	                                     * its lock), STORED (the store has it), or 0
	                                     * (another pull downloads it) */
	int nblobs;
	int dirfd;                      /* data_root/pull: blobs being downloaded */
	int refused;                    /* the registry's data was refused: drop what it sent */
	int failed;                     /* the client went away */
	/* the synthetic OCI archive import_archive reads */
	int part, stage;
	uint64_t off;
	char hdr[512 + 4096];
	size_t hdr_len;
};

/* ---------------------------------------------------------- the stream */

static void line(struct pull *p, struct json_w *w)
{
	if (!p->failed && reply_json_line(p->r, w) < 0)
		p->failed = 1;
}

static void status(struct pull *p, const char *st, const char *id, uint64_t cur, uint64_t total)
{
	char buf[1024];
	struct json_w w;

	json_w_init(&w, buf, sizeof(buf));
	json_w_obj(&w);
	json_w_kstr(&w, "status", st);
	if (total) {
		json_w_key(&w, "progressDetail");
		json_w_obj(&w);
		json_w_ku64(&w, "current", cur);
		json_w_ku64(&w, "total", total);
		json_w_obj_end(&w);
	}
	if (id)
		json_w_kstr(&w, "id", id);
	json_w_obj_end(&w);
	line(p, &w);
}

static void fail(struct pull *p, const char *msg)
{
	char buf[2048];
	struct json_w w;

	json_w_init(&w, buf, sizeof(buf));
	api_stream_error(&w, msg);
	line(p, &w);
}

/* The earlier blob of this image with blob i's digest, or -1. */
static int dup_of(const struct pull *p, int i);

/* The CLI's layer id: the first 12 hex digits. */
#define SHORT_ID(d) ((char[13]){ 0 }), (d)->hex
static const char *short_id(char *id, const char *hex)
{
	snprintf(id, 13, "%.12s", hex);
	return id;
}

static const struct desc *blob_desc(const struct pull *p, int i)
{
	return i ? &p->dm->u.m.layers[i - 1] : &p->dm->u.m.config;
}

/* ---------------------------------------------------------- configuration */

/* Is host:port (or host) in the space-separated list? "*" matches all. */
static int listed(const char *list, const char *domain)
{
	char item[DIST_HOST_MAX];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " ,\t");
		if (n && n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			if (strcmp(item, "*") == 0 || strcmp(item, domain) == 0)
				return 1;
		}
		p += n;
		p += strspn(p, " ,\t");
	}
	return 0;
}

/* ---------------------------------------------------------- berth-fetch */

static int spawn(struct pull *p, struct berr *e)
{
	const struct engine_conf *c = &p->eng->conf;
	char bin[ENGINE_PATH_MAX + 16], user[32], ca[CA_PATHS][ENGINE_PATH_MAX + DIST_HOST_MAX + 24];
	char *argv[6 + 2 * CA_PATHS];
	int sv[2], k = 0;

	snprintf(bin, sizeof(bin), "%s/berth-fetch", c->libexec);
	snprintf(user, sizeof(user), "%u:%u", CONFIG_FETCH_UID, CONFIG_FETCH_GID);
	argv[k++] = "berth-fetch";
	argv[k++] = "--ctl";
	argv[k++] = "3";
	argv[k++] = "--user";
	argv[k++] = user;
	snprintf(ca[0], sizeof(ca[0]), "%s", c->pull_ca_bundle);
	snprintf(ca[1], sizeof(ca[1]), "%s/%s/ca.crt", c->pull_certs_dir, p->ref.domain);
	/* the image's root is read-only: an operator adds a registry's CA on the data partition */
	snprintf(ca[2], sizeof(ca[2]), "%s/certs.d/%s/ca.crt", c->data_root, p->ref.domain);
	for (int i = 0; i < CA_PATHS; i++)
		if (access(ca[i], R_OK) == 0) {
			argv[k++] = "--ca";
			argv[k++] = ca[i];
		}
	argv[k] = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return berr_sys(e, "socketpair");
	p->pid = fork();
	if (p->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return berr_sys(e, "fork");
	}
	if (p->pid == 0) {
		/* async-signal-safe only: berthd has threads */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(sv[1], 3) < 0)
			_exit(111);
		syscall(SYS_close_range, 4U, ~0U, 0);
		execv(bin, argv);
		_exit(127);
	}
	close(sv[1]);
	p->sock = sv[0];
	return 0;
}

static int send_start(struct pull *p, const char *auth_hdr, struct berr *e)
{
	const struct engine_conf *c = &p->eng->conf;
	struct fetch_start *st = calloc(1, sizeof(*st));
	struct dist_cred cr;
	int rc = -1;

	if (!st)
		return berr_set(e, ENOMEM, "out of memory");
	if (auth_hdr && dist_cred_parse(auth_hdr, strlen(auth_hdr), &cr, e) < 0)
		goto out;
	if (!auth_hdr)
		memset(&cr, 0, sizeof(cr));
	if (dist_hostport(dist_ref_api_host(&p->ref), st->host, sizeof(st->host), &st->port, 443, e) < 0)
		goto out;
	st->https = !listed(c->pull_insecure, p->ref.domain);
	if (!st->https && !strchr(p->ref.domain, ':'))
		st->port = 80;
	snprintf(st->server_name, sizeof(st->server_name), "%s", st->host);
	snprintf(st->repo, sizeof(st->repo), "%s", p->ref.repo);
	snprintf(st->ref, sizeof(st->ref), "%s", p->ref.digest[0] ? p->ref.digest : p->ref.tag);
	snprintf(st->os, sizeof(st->os), "%s", p->os);
	snprintf(st->arch, sizeof(st->arch), "%s", p->arch);
	memcpy(st->username, cr.username, sizeof(st->username));
	memcpy(st->password, cr.password, sizeof(st->password));
	memcpy(st->identitytoken, cr.identitytoken, sizeof(st->identitytoken));
	st->parallel = c->pull_parallel;
	st->timeout_s = 60;
	st->login = p->login;
	rc = fetch_send(p->sock, FETCH_START, st, sizeof(*st), -1, e);
out:
	explicit_bzero(st, sizeof(*st));
	explicit_bzero(&cr, sizeof(cr));
	free(st);
	return rc;
}

/* A manifest from berth-fetch: parsed and its digest checked here. */
static int on_manifest(struct pull *p, const char *msg, size_t len, struct berr *e)
{
	uint32_t which;
	char ctype[MEDIA_MAX + 1], dg[DIGEST_STR_LEN + 1];
	const char *body;
	size_t blen;
	struct dist_manifest *m = p->dm;

	if (len < 4 + MEDIA_MAX + 1)
		return berr_set(e, EPROTO, "berth-fetch: short manifest message");
	memcpy(&which, msg, 4);
	memcpy(ctype, msg + 4, MEDIA_MAX + 1);
	ctype[MEDIA_MAX] = '\0';
	body = msg + 4 + MEDIA_MAX + 1;
	blen = len - 4 - MEDIA_MAX - 1;
	digest_buf(body, blen, dg);
	if (which == 0 && !p->top_digest[0]) {
		strcpy(p->top_digest, dg);
		if (p->ref.digest[0] && strcmp(dg, p->ref.digest) != 0)
			return berr_set(e, EPROTO, "manifest digest mismatch: asked for %s, got %s", p->ref.digest, dg);
	} else if (which == 1 && p->want_digest[0] && !p->man) {
		if (strcmp(dg, p->want_digest) != 0)
			return berr_set(e, EPROTO, "manifest digest mismatch: the index names %s, got %s",
					p->want_digest, dg);
	} else {
		return berr_set(e, EPROTO, "berth-fetch: unexpected manifest");
	}
	if (dist_manifest_parse(ctype, body, blen, m, e) < 0)
		return -1;
	if (m->kind == DIST_INDEX) {
		if (which != 0)
			return berr_set(e, EPROTO, "an index names another index");
		int k = dist_index_select(&m->u.i, p->os, p->arch, e);
		if (k < 0)
			return -1;
		strcpy(p->want_digest, m->u.i.m[k].digest);
		return 0;
	}
	p->man = malloc(blen ? blen : 1);
	if (!p->man)
		return berr_set(e, ENOMEM, "out of memory");
	memcpy(p->man, body, blen);
	p->man_len = blen;
	p->nblobs = m->u.m.nlayers + 1;
	for (int i = 1; i < p->nblobs; i++)
		status(p, "Pulling fs layer", short_id(SHORT_ID(blob_desc(p, i))), 0, 0);
	return 0;
}

static int dup_of(const struct pull *p, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(blob_desc(p, j)->digest, blob_desc(p, i)->digest) == 0)
			return j;
	return -1;
}

/* data_root/pull/, where blobs are downloaded to: one file per digest,
 * kept after a pull that broke off (the next one resumes it), locked
 * (flock) by the pull downloading it (another pull of the same blob waits
 * for that one instead of downloading it again), removed once imported. */
/* Partial blobs no pull has touched for CONFIG_FETCH_PARTIAL_KEEP_H hours,
 * and that no pull holds now, are removed (best effort). */
static void expire_partials(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	time_t old = time(NULL) - (time_t)CONFIG_FETCH_PARTIAL_KEEP_H * 3600;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > old)
			continue;
		int f = openat(dirfd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (f >= 0 && flock(f, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dirfd, de->d_name, 0);
		if (f >= 0)
			close(f);
	}
	closedir(d);
}

static int pull_dir(struct pull *p, struct berr *e)
{
	char path[ENGINE_PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/pull", p->eng->conf.data_root);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir %s", path);
	p->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (p->dirfd < 0)
		return berr_sys(e, "open %s", path);
	expire_partials(p->dirfd);
	return 0;
}

static int on_blob(struct pull *p, const char *msg, size_t len, struct berr *e)
{
	uint32_t idx;
	const struct desc *d;

	if (len != 4 || !p->man)
		return berr_set(e, EPROTO, "berth-fetch: bad blob request");
	memcpy(&idx, msg, 4);
	if (idx >= (uint32_t)p->nblobs || p->fds[idx] >= 0)
		return berr_set(e, EPROTO, "berth-fetch: bad blob index %u", idx);
	d = blob_desc(p, (int)idx);
	int j = dup_of(p, (int)idx);
	if (j >= 0) {                   /* one file serves both */
		p->fds[idx] = fcntl(p->fds[j], F_DUPFD_CLOEXEC, 0);
		if (p->fds[idx] < 0)
			return berr_sys(e, "dup");
		p->mine[idx] = DUP;
		return fetch_send(p->sock, FETCH_FD, &idx, 4, -1, e);
	}
	char path[32 + DIGEST_HEX_LEN];
	snprintf(path, sizeof(path), "blobs/sha256/%s", d->hex);
	p->fds[idx] = openat(p->eng->store.rootfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (p->fds[idx] >= 0) {         /* the store has it (checked again in verify) */
		p->mine[idx] = STORED;
		if (idx > 0)
			status(p, "Already exists", short_id(SHORT_ID(d)), 0, 0);
		return fetch_send(p->sock, FETCH_FD, &idx, 4, -1, e);
	}
	if (p->dirfd < 0 && pull_dir(p, e) < 0)
		return -1;
	p->fds[idx] = openat(p->dirfd, d->hex, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (p->fds[idx] < 0)
		return berr_sys(e, "open pull/%s", d->hex);
	if (flock(p->fds[idx], LOCK_EX | LOCK_NB) == 0) {
		p->mine[idx] = MINE;
		return fetch_send(p->sock, FETCH_FD, &idx, 4, p->fds[idx], e);
	}
	if (errno != EWOULDBLOCK)
		return berr_sys(e, "flock pull/%s", d->hex);
	/* another pull is downloading it: wait for that one (verify) */
	if (idx > 0)
		status(p, "Waiting", short_id(SHORT_ID(d)), 0, 0);
	return fetch_send(p->sock, FETCH_FD, &idx, 4, -1, e);
}

static void on_progress(struct pull *p, const char *msg, size_t len, int done)
{
	uint32_t idx;
	uint64_t bytes = 0;

	if (len < 4)
		return;
	memcpy(&idx, msg, 4);
	if (idx == 0 || idx >= (uint32_t)p->nblobs)
		return;     /* the config: no line of its own, as Docker */
	if (!done && len == 12)
		memcpy(&bytes, msg + 4, 8);
	const struct desc *d = blob_desc(p, (int)idx);
	if (done) {
		status(p, "Verifying Checksum", short_id(SHORT_ID(d)), 0, 0);
		status(p, "Download complete", short_id(SHORT_ID(d)), 0, 0);
	} else {
		status(p, "Downloading", short_id(SHORT_ID(d)), bytes, d->size);
	}
}

/* Talk to berth-fetch until it is done or fails. */
static int converse(struct pull *p, struct berr *e)
{
	char *msg = malloc(FETCH_MSG_MAX);
	uint32_t type;
	size_t len;
	int fd, rc = -1;

	if (!msg)
		return berr_set(e, ENOMEM, "out of memory");
	for (;;) {
		struct pollfd pf = { p->sock, POLLIN, 0 };
		int k = poll(&pf, 1, CONFIG_FETCH_IDLE_S * 1000);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0) {
			berr_set(e, ETIMEDOUT, "pull: no progress in %d s", CONFIG_FETCH_IDLE_S);
			break;
		}
		if (req_peer_gone(p->r)) {
			p->failed = 1;
			berr_set(e, ECONNRESET, "the client went away");
			break;
		}
		k = fetch_recv(p->sock, &type, msg, FETCH_MSG_MAX - 1, &len, &fd, e);
		if (fd >= 0)
			close(fd);
		if (k < 0)
			break;
		if (k == 0) {
			int st = 0;
			if (waitpid(p->pid, &st, 0) == p->pid)
				p->pid = -1;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
				berr_set(e, ENOENT, "cannot run %s/berth-fetch", p->eng->conf.libexec);
			else
				berr_set(e, EPROTO, "berth-fetch ended without finishing");
			break;
		}
		if (type == FETCH_DONE) {
			rc = p->man || p->login ? 0 : berr_set(e, EPROTO, "berth-fetch finished without a manifest");
			break;
		}
		if (type == FETCH_ERROR || type == FETCH_ERROR_AGAIN) {
			p->refused = type == FETCH_ERROR;
			msg[len] = '\0';
			for (char *c = msg; *c; c++)
				if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
					*c = ' ';
			berr_set(e, EPROTO, "%.400s", msg);
			break;
		}
		if ((type == FETCH_MANIFEST && on_manifest(p, msg, len, e) < 0) ||
		    (type == FETCH_BLOB && on_blob(p, msg, len, e) < 0))
			break;
		if (type == FETCH_PROGRESS || type == FETCH_BLOB_DONE)
			on_progress(p, msg, len, type == FETCH_BLOB_DONE);
	}
	free(msg);
	return rc;
}

/* Every blob's size and sha256, computed here from what berth-fetch wrote. */
static int verify(struct pull *p, struct berr *e)
{
	char *buf = malloc(1 << 16), dg[DIGEST_STR_LEN + 1];
	struct digest d;
	int rc = -1;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < p->nblobs; i++) {
		const struct desc *ds = blob_desc(p, i);
		struct stat st;
		uint64_t at = 0;
		if (p->fds[i] < 0 || fstat(p->fds[i], &st) < 0) {
			berr_set(e, EPROTO, "blob %s was not fetched", ds->digest);
			goto out;
		}
		if (!p->mine[i]) {      /* another pull's download: until it is done */
			while (flock(p->fds[i], LOCK_EX) < 0 && errno == EINTR)
				;
			p->mine[i] = MINE;
			if (fstat(p->fds[i], &st) < 0 || (uint64_t)st.st_size < ds->size) {
				berr_set(e, EAGAIN, "blob %s: the pull that was downloading it did not finish", ds->digest);
				goto out;
			}
		}
		if ((uint64_t)st.st_size != ds->size) {
			p->refused = 1;
			berr_set(e, EPROTO, "blob %s is %s than its descriptor (%llu bytes, not %llu)", ds->digest,
				 (uint64_t)st.st_size > ds->size ? "larger" : "smaller",
				 (unsigned long long)st.st_size, (unsigned long long)ds->size);
			goto out;
		}
		digest_init(&d);
		for (;;) {
			ssize_t k = pread(p->fds[i], buf, 1 << 16, (off_t)at);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				berr_sys(e, "read blob %s", ds->digest);
				goto out;
			}
			if (k == 0)
				break;
			digest_update(&d, buf, (size_t)k);
			at += (uint64_t)k;
		}
		digest_final(&d, dg);
		if (strcmp(dg, ds->digest) != 0) {
			p->refused = 1;
			berr_set(e, EPROTO, "blob digest mismatch: %s has sha256 %s", ds->digest, dg);
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* ---------------------------------------------------------- the OCI archive */

static void tar_header(struct pull *p, const char *name, uint64_t size)
{
	char *h = p->hdr;
	unsigned sum = 0;

	memset(h, 0, 512);
	snprintf(h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf(h + 124, 12, "%011llo", (unsigned long long)size);
	memcpy(h + 136, "00000000000", 12);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

/* Part k of the archive: 0 oci-layout, 1 index.json, 2 the manifest, 3..
 * the blobs, then the end. Its name, size and (for 0..2) bytes. */
static int part(struct pull *p, int k, char *name, size_t nsize, uint64_t *size, const char **mem)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	char mdg[DIGEST_STR_LEN + 1];

	*mem = NULL;
	if (k == 0) {
		snprintf(name, nsize, "oci-layout");
		*mem = layout;
		*size = sizeof(layout) - 1;
	} else if (k == 1) {
		digest_buf(p->man, p->man_len, mdg);
		int n = snprintf(p->hdr + 512, 4096,
				 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu%s%s%s}]}",
				 MT_OCI_MANIFEST, mdg, p->man_len, p->name[0] ? ",\"annotations\":{\"io.containerd.image.name\":\"" : "",
				 p->name, p->name[0] ? "\"}" : "");
		snprintf(name, nsize, "index.json");
		*mem = p->hdr + 512;
		*size = (uint64_t)n;
	} else if (k == 2) {
		digest_buf(p->man, p->man_len, mdg);
		snprintf(name, nsize, "blobs/sha256/%s", mdg + 7);
		*mem = p->man;
		*size = p->man_len;
	} else if (k - 3 < p->nblobs && dup_of(p, k - 3) >= 0) {
		name[0] = '\0';        /* written once, under the first index */
		*size = 0;
	} else if (k - 3 < p->nblobs) {
		const struct desc *d = blob_desc(p, k - 3);
		snprintf(name, nsize, "blobs/sha256/%s", d->hex);
		*size = d->size;
	} else {
		return 0;
	}
	return 1;
}

static ssize_t archive_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct pull *p = ctx;
	char name[100];
	uint64_t size;
	const char *mem;
	static const char zero[1024];

	for (;;) {
		int have = part(p, p->part, name, sizeof(name), &size, &mem);
		if (have && !name[0]) {
			p->part++;
			continue;
		}
		if (!have) {   /* two zero blocks */
			if (p->off >= 1024)
				return 0;
			size_t k = n < 1024 - p->off ? n : 1024 - p->off;
			memcpy(buf, zero, k);
			p->off += k;
			return (ssize_t)k;
		}
		uint64_t padded = (size + 511) / 512 * 512;
		if (p->stage == 0) {          /* the header */
			tar_header(p, name, size);
			size_t k = n < 512 - p->off ? n : 512 - p->off;
			memcpy(buf, p->hdr + p->off, k);
			p->off += k;
			if (p->off == 512)
				p->stage = 1, p->off = 0;
			return (ssize_t)k;
		}
		if (p->off < padded) {       /* the data, then padding */
			size_t k = n;
			if (k > padded - p->off)
				k = (size_t)(padded - p->off);
			if (p->off >= size) {
				memset(buf, 0, k);
			} else {
				if (k > size - p->off)
					k = (size_t)(size - p->off);
				if (mem) {
					memcpy(buf, mem + p->off, k);
				} else {
					ssize_t r = pread(p->fds[p->part - 3], buf, k, (off_t)p->off);
					if (r <= 0)
						return r < 0 ? berr_sys(e, "read blob") : berr_set(e, EPROTO, "blob shrank");
					k = (size_t)r;
				}
			}
			p->off += k;
			return (ssize_t)k;
		}
		p->part++;
		p->stage = 0;
		p->off = 0;
	}
}

static void import_event(void *ctx, const struct import_event *ev)
{
	struct pull *p = ctx;
	const char *h = ev->label ? strstr(ev->label, "sha256:") : NULL;
	char id[13];

	snprintf(id, sizeof(id), "%.12s", h ? h + 7 : "");
	if (ev->kind == IMPORT_LAYER_START || ev->kind == IMPORT_LAYER_PROGRESS)
		status(p, "Extracting", id, ev->bytes, 0);
	else if (ev->kind == IMPORT_LAYER_DONE)
		status(p, "Pull complete", id, 0, 0);
}

static int import(struct pull *p, int *fresh, struct berr *e)
{
	struct engine *eng = p->eng;
	char unpack[ENGINE_PATH_MAX + 16];
	struct import_reader in = { archive_read, p };
	struct import_opts o = {
		.unpack = unpack,
		.no_setid = !IS_ENABLED(CONFIG_IMAGE_ALLOW_SETID),
		.max_bytes = (uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20,
		.max_entries = CONFIG_IMAGE_LAYER_MAX_ENTRIES,
		.ratio_max = CONFIG_IMAGE_GZIP_RATIO_MAX,
		.event = import_event, .event_ctx = p,
	};
	struct import_result res = { 0 };
	int rc;

#ifdef CONFIG_IMAGE_UNPACK_USERNS
	o.userns_base = CONFIG_IMAGE_UNPACK_USERNS_BASE;
	o.userns_size = CONFIG_IMAGE_UNPACK_USERNS_SIZE;
#endif
	snprintf(unpack, sizeof(unpack), "%s/berth-unpack", eng->conf.libexec);
	if (images_lock(eng, STORE_EXCLUSIVE, e) < 0)
		return -1;
	*fresh = !store_has(&eng->store, "images", p->dm->u.m.config.digest);
	rc = import_archive(&eng->store, &in, &o, &res, e);
	images_unlock(eng);
	return rc;
}

/* ---------------------------------------------------------- the route */

static int setup(struct pull *p, struct req *r, struct berr *e)
{
	char from[REF_NAME_MAX], tag[DIST_TAG_MAX + DIGEST_STR_LEN + 2], plat[96];

	if (req_query(r, "fromImage", from, sizeof(from)) != 1 || !from[0])
		return berr_set(e, EINVAL, "fromImage is missing");
	if (req_query(r, "tag", tag, sizeof(tag)) < 0)
		return berr_set(e, EINVAL, "bad tag");
	if (req_query(r, "tag", tag, sizeof(tag)) == 0)
		tag[0] = '\0';
	if (dist_ref_parse(from, tag, &p->ref, e) < 0)
		return -1;
	strcpy(p->os, "linux");
	strcpy(p->arch, "amd64");
	if (req_query(r, "platform", plat, sizeof(plat)) == 1 && plat[0] &&
	    dist_platform_parse(plat, p->os, sizeof(p->os), p->arch, sizeof(p->arch), e) < 0)
		return -1;
	if (!listed(p->eng->conf.pull_registries, p->ref.domain))
		return berr_set(e, EACCES, "pulling from %s is not allowed by the policy (berth.conf [policy] registries)",
				p->ref.domain);
	if (dist_ref_familiar(&p->ref, p->fam, sizeof(p->fam) - DIST_TAG_MAX - 2, e) < 0)
		return -1;
	if (p->ref.tag[0]) {
		if ((size_t)snprintf(p->name, sizeof(p->name), "%s/%s:%s", p->ref.domain, p->ref.repo,
				     p->ref.tag) >= REF_NAME_MAX)
			return berr_set(e, ENAMETOOLONG, "image name longer than %d characters", REF_NAME_MAX - 1);
		size_t n = strlen(p->fam);
		snprintf(p->fam + n, sizeof(p->fam) - n, ":%s", p->ref.tag);
	} else {
		size_t n = strlen(p->fam);
		snprintf(p->fam + n, sizeof(p->fam) - n, "@%s", p->ref.digest);
	}
	return 0;
}

/* The blob files this pull holds: removed once imported, or when what the
 * registry sent was refused; after a failure only a partial one (shorter
 * than its descriptor, not empty) is kept, for the next pull to resume. */
static void drop_blobs(struct pull *p, int imported)
{
	struct stat st;

	for (int i = 0; i < p->nblobs && p->dirfd >= 0; i++) {
		if (p->fds[i] < 0 || p->mine[i] != MINE)
			continue;
		int partial = fstat(p->fds[i], &st) == 0 && st.st_size > 0 &&
			      (uint64_t)st.st_size < blob_desc(p, i)->size;
		if (imported || p->refused || !partial)
			unlinkat(p->dirfd, blob_desc(p, i)->hex, 0);
	}
}

static void cleanup(struct pull *p)
{
	fd_close(&p->sock);
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i <= LAYERS_MAX; i++)
		fd_close(&p->fds[i]);
	fd_close(&p->dirfd);
	free(p->man);
	free(p->dm);
}

static int run(struct pull *p, const char *auth, struct berr *e)
{
	char msg[NAME_OUT + 64];
	int fresh = 0;

	snprintf(msg, sizeof(msg), "Pulling from %s", p->ref.domain[0] && strcmp(p->ref.domain, "docker.io") ?
		 p->fam : p->ref.repo);
	/* the CLI prints "<tag>: Pulling from <repo>" */
	char *at = strrchr(msg, ':');
	if (p->ref.tag[0] && at && at > strrchr(msg, '/'))
		*at = '\0';
	status(p, msg, p->ref.tag[0] ? p->ref.tag : p->ref.digest, 0, 0);
	if (spawn(p, e) < 0 || send_start(p, auth, e) < 0 || converse(p, e) < 0)
		return -1;
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	p->pid = -1;
	if (verify(p, e) < 0)
		return -1;
	if (import(p, &fresh, e) < 0) {
		p->refused = 1;         /* a layer the store refused: nothing to resume */
		return -1;
	}
	drop_blobs(p, 1);
	snprintf(msg, sizeof(msg), "Digest: %s", p->top_digest);
	status(p, msg, NULL, 0, 0);
	snprintf(msg, sizeof(msg), "Status: %s for %s", fresh ? "Downloaded newer image" : "Image is up to date",
		 p->fam);
	status(p, msg, NULL, 0, 0);
	engine_event(p->eng, "image", "pull", p->fam, "name", p->fam, NULL);
	return 0;
}

int api_images_pull(struct req *r)
{
	struct pull *p = calloc(1, sizeof(*p));
	const char *auth = http_header(r->hp, "x-registry-auth");
	struct berr e;
	int rc;

	if (!p)
		return reply_error(r, 500, "out of memory");
	p->r = r;
	p->eng = r->eng;
	p->sock = -1;
	p->pid = -1;
	p->dirfd = -1;
	for (int i = 0; i <= LAYERS_MAX; i++)
		p->fds[i] = -1;
	p->dm = calloc(1, sizeof(*p->dm));
	if (!p->dm || setup(p, r, &e) < 0) {
		rc = reply_error(r, !p->dm ? 500 : e.errnum == EACCES ? 403 : 400, "%s", p->dm ? e.msg : "out of memory");
		cleanup(p);
		free(p);
		return rc;
	}
	if (reply_stream_start(r, 200, "application/json") < 0) {
		cleanup(p);
		free(p);
		return -1;
	}
	rc = run(p, auth, &e);
	if (rc < 0) {
		log_msg(&p->eng->log, LOG_WARN, "pull %s: %s", p->fam, e.msg);
		fail(p, e.msg);
		drop_blobs(p, 0);
	}
	cleanup(p);
	rc = p->failed ? -1 : reply_stream_end(r);
	free(p);
	return rc;
}

/* POST /auth (docker login): berth-fetch checks the credentials against the
 * registry (GET /v2/ and whatever challenge it answers with); nothing is
 * stored here: the CLI keeps them and sends X-Registry-Auth with each pull. */
int api_auth(struct req *r)
{
	struct pull *p = calloc(1, sizeof(*p));
	char auth[4 * DIST_CRED_MAX * 2], *host;
	struct dist_cred cr;
	struct berr e;
	int rc;

	if (!p)
		return reply_error(r, 500, "out of memory");
	p->r = r;
	p->eng = r->eng;
	p->sock = -1;
	p->pid = -1;
	p->login = 1;
	p->dirfd = -1;
	for (int i = 0; i <= LAYERS_MAX; i++)
		p->fds[i] = -1;
	/* the body is the credentials JSON: X-Registry-Auth's form, base64'd */
	if (r->body_len > sizeof(cr) * 2 || dist_b64_encode(r->body, r->body_len, auth, sizeof(auth), &e) < 0 ||
	    dist_cred_parse(auth, strlen(auth), &cr, &e) < 0) {
		rc = reply_error(r, 400, "bad credentials: %s", e.msg);
		goto out;
	}
	host = cr.serveraddress;
	if (strncmp(host, "https://", 8) == 0)
		host += 8;
	else if (strncmp(host, "http://", 7) == 0)
		host += 7;
	host[strcspn(host, "/")] = '\0';
	if (!host[0] || strcmp(host, "index.docker.io") == 0)
		host = "docker.io";
	snprintf(p->ref.domain, sizeof(p->ref.domain), "%s", host);
	if (!listed(p->eng->conf.pull_registries, p->ref.domain)) {
		rc = reply_error(r, 403, "%s is not allowed by the policy (berth.conf [policy] registries)", host);
		goto out;
	}
	if (spawn(p, &e) < 0 || send_start(p, auth, &e) < 0 || converse(p, &e) < 0) {
		rc = reply_error(r, e.errnum == EACCES || strstr(e.msg, "unauthorized") ? 401 : 500, "%s", e.msg);
		goto out;
	}
	static const char ok[] = "{\"IdentityToken\":\"\",\"Status\":\"Login Succeeded\"}";
	rc = reply_json(r, 200, ok, sizeof(ok) - 1);
out:
	explicit_bzero(&cr, sizeof(cr));
	explicit_bzero(auth, sizeof(auth));
	cleanup(p);
	free(p);
	return rc;
}
