/* main.c — berth-apid --config FILE: the TLS API daemon (docs/api.md).
 *
 * Start, in order: the configuration ([api], [policy]); the server
 * certificate and key, the client CA, the CRL (root may read them; a
 * missing one ends the start naming the file: there is no plaintext mode);
 * the listening socket; the audit log's directory and the data partition's
 * directory as fds; then the drop (privsep.h) and only then threads.
 *
 * Exit codes: 0 stopped by SIGTERM/SIGINT, 100 usage or configuration
 * error (file:line on stderr), 1 anything else at start.
 */
#include <arpa/inet.h>
#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/api/apid.h"
#include "runtime/api/privsep.h"

#define EXIT_USAGE 100
#define PEM_MAX (256 * 1024)
#define ROOT_DIR "/run/berth-apid"	/* the empty root's mount point */

static const struct logger lg = { .prog = "berth-apid", .fd = 2, .level = LOG_INFO };

static void report(const char *file, int line, const char *msg)
{
	if (line > 0)
		log_msg(&lg, LOG_ERROR, "%s:%d: %s", file, line, msg);
	else
		log_msg(&lg, LOG_ERROR, "%s: %s", file, msg);
}

struct pem_first {
	unsigned char *der;
	size_t len, cap;
	int in_cert, done;
};

static void pem_append(void *ctx, const void *buf, size_t n)
{
	struct pem_first *p = ctx;

	if (!p->in_cert || p->done || p->len + n > p->cap)
		return;
	memcpy(p->der + p->len, buf, n);
	p->len += n;
}

/* The notAfter of the first certificate of a PEM file (the client CA). */
static int pem_not_after(const char *path, int64_t *out, struct berr *e)
{
	char *text = malloc(PEM_MAX);
	struct pem_first p = { .cap = PEM_MAX };
	br_pem_decoder_context pc;
	struct tls_peer_id *id = malloc(sizeof(*id));
	ssize_t n;
	size_t off = 0;
	int ok, rc = -1;

	p.der = malloc(PEM_MAX);
	if (!text || !id || !p.der) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if ((n = fs_read(path, text, PEM_MAX, e)) < 0)
		goto out;
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, pem_append, &p);
	while (off < (size_t)n && !p.done) {
		off += br_pem_decoder_push(&pc, text + off, (size_t)n - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			p.in_cert = !strcmp(br_pem_decoder_name(&pc), "CERTIFICATE");
			p.len = 0;
			break;
		case BR_PEM_END_OBJ:
			p.done = p.in_cert && p.len > 0;
			break;
		case BR_PEM_ERROR:
			off = (size_t)n;
			break;
		}
	}
	if (!p.done) {
		berr_set(e, EINVAL, "%s: no certificate", path);
		goto out;
	}
	if (tls_cert_identity(p.der, p.len, id, &ok, e) < 0)
		goto out;
	*out = id->not_after;
	rc = 0;
out:
	free(text);
	free(p.der);
	free(id);
	return rc;
}

/* Certificates, key, client CA, CRL: each failure names its file. */
static int load_tls(struct apid *d, struct berr *e)
{
	struct api_conf *c = &d->conf;
	struct tls_server_conf sc = { .creds = &d->creds, .client_ca = &d->ca,
				      .crl = (const struct tls_crl *const *)&d->crl,
				      .crl_lock = &d->crl_mu,
				      .session_cache_bytes = (size_t)c->session_cache };

	if (tls_creds_load(&d->creds, c->cert, c->key, e) < 0)
		return berr_prefix(e, "server certificate");
	if (tls_creds_not_after(&d->creds, &d->cert_not_after, e) < 0)
		d->cert_not_after = 0;
	if (tls_anchors_load(&d->ca, c->client_ca, e) < 0)
		return berr_prefix(e, "client CA");
	if (pem_not_after(c->client_ca, &d->ca_not_after, e) < 0)
		d->ca_not_after = 0;
	pthread_mutex_init(&d->crl_mu, NULL);
	d->crl_dirfd = -1;
	if (*c->crl) {
		const char *slash = strrchr(c->crl, '/');
		char dir[API_PATH_MAX];
		struct stat st;

		d->crl = calloc(1, sizeof(*d->crl));
		if (!d->crl)
			return berr_set(e, ENOMEM, "out of memory");
		if (tls_crl_load(d->crl, c->crl, &d->ca, e) < 0)
			return berr_prefix(e, "crl");
		snprintf(dir, sizeof(dir), "%.*s", slash == c->crl ? 1 : (int)(slash - c->crl), c->crl);
		snprintf(d->crl_name, sizeof(d->crl_name), "%s", slash + 1);
		d->crl_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->crl_dirfd < 0)
			return berr_sys(e, "crl: %s", dir);
		if (fstatat(d->crl_dirfd, d->crl_name, &st, 0) == 0)
			d->crl_mtime = st.st_mtim;
	}
	return tls_server_init(&d->tls, &sc, e);
}

void apid_crl_check(struct apid *d)
{
	long long now = tls_now_ms();
	struct tls_crl *fresh, *old;
	struct stat st;
	struct berr e;

	if (d->crl_dirfd < 0 || now - d->crl_checked_ms < 1000)
		return;
	d->crl_checked_ms = now;
	if (fstatat(d->crl_dirfd, d->crl_name, &st, 0) < 0 ||
	    (st.st_mtim.tv_sec == d->crl_mtime.tv_sec && st.st_mtim.tv_nsec == d->crl_mtime.tv_nsec))
		return;
	if (!(fresh = calloc(1, sizeof(*fresh))))
		return;
	/* the CRL's directory is outside the empty root: reached through its
	 * fd as the working directory, then back to / */
	if (fchdir(d->crl_dirfd) < 0 || tls_crl_load(fresh, d->crl_name, &d->ca, &e) < 0) {
		log_msg(&lg, LOG_WARN, "crl %s changed but is not usable: %s (the previous one stays)",
			d->conf.crl, e.msg);
		(void)chdir("/");
		free(fresh);
		d->crl_mtime = st.st_mtim;
		return;
	}
	(void)chdir("/");
	pthread_mutex_lock(&d->crl_mu);
	old = d->crl;
	d->crl = fresh;
	pthread_mutex_unlock(&d->crl_mu);
	d->crl_mtime = st.st_mtim;
	if (old) {
		tls_crl_free(old);
		free(old);
	}
	log_msg(&lg, LOG_INFO, "crl %s loaded again: %zu revoked", d->conf.crl, fresh->n);
}

static int listen_on(const struct sockaddr_in *a, struct berr *e)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return berr_sys(e, "socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) < 0 || listen(fd, 256) < 0) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		berr_sys(e, "listen %s:%u", ip, ntohs(a->sin_port));
		close(fd);
		return -1;
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: berth-apid --config FILE\n"
			"The Docker Engine API over TLS with client certificates (docs/api.md).\n"
			"exit codes: 0 stopped by a signal, 100 usage or configuration error, 1 start failed\n");
	return EXIT_USAGE;
}

/* Everything that needs root, then the drop. */
static int start(struct apid *d, int *lfd, struct berr *e)
{
	struct privsep_ids ids = { .uid = (uid_t)-1 };
	struct api_conf *c = &d->conf;

	if (c->sandbox && privsep_ids(c, &ids, e) < 0)
		return -1;
	if (load_tls(d, e) < 0)
		return -1;
	if ((*lfd = listen_on(&c->listen, e)) < 0)
		return -1;
	if (audit_open(&d->audit, c->audit_log, c->audit_max, ids.uid, e) < 0)
		return -1;
	d->data_fd = open(c->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->data_fd < 0)
		log_msg(&lg, LOG_WARN, "data_dir %s: %s (no usage in /berth/v1/system)", c->data_dir,
			strerror(errno));
	if (!c->sandbox)
		return 0;
	if (mkdir(ROOT_DIR, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir %s", ROOT_DIR);
	return privsep_apply(c, &ids, ROOT_DIR, e);
}

int main(int argc, char **argv)
{
	struct apid *d = calloc(1, sizeof(*d));
	struct berr e;
	sigset_t ss;
	int lfd = -1, sigfd;

	if (argc != 3 || strcmp(argv[1], "--config") != 0 || !d)
		return usage();
	api_conf_init(&d->conf);
	if (api_conf_file(&d->conf, argv[2], report, &e) < 0) {
		log_err(&lg, &e);
		return EXIT_USAGE;
	}
	pthread_mutex_init(&d->mu, NULL);
	d->started_ms = tls_now_ms();
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (sigfd < 0) {
		log_msg(&lg, LOG_ERROR, "signalfd: %s", strerror(errno));
		return 1;
	}
	if (metrics_init(&d->metrics, &e) < 0 || start(d, &lfd, &e) < 0) {
		log_err(&lg, &e);
		return 1;
	}
	log_msg(&lg, LOG_INFO, "listening on port %u (TLS, client certificates required)",
		ntohs(d->conf.listen.sin_port));
	if (apid_serve(d, lfd, sigfd, &e) < 0) {
		log_err(&lg, &e);
		return 1;
	}
	return 0;
}
