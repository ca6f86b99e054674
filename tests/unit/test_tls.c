/* test_tls.c — lib/tls: real handshakes between a server thread and a client
 * over a socketpair, with certificates made at test time by tools/pki.sh. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/tls.h"
#include "tests/unit/unit.h"

#ifndef BERTH_TOP
#error "BERTH_TOP: the source tree (tests/build.mk sets it)"
#endif

#define HALF_BYTES (100 * 1024)

static char dir[256];

static int run(const char *cmd)
{
	int r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* The PKI, made once per test run (every test is a child of the runner, so
 * the directory is named after the runner) and reused by later tests. */
static void pki(void)
{
	char cmd[1024], ready[300];
	struct stat st;

	snprintf(dir, sizeof dir, "/tmp/berth-test-tls.%d", (int)getppid());
	snprintf(ready, sizeof ready, "%s/ready", dir);
	if (stat(ready, &st) == 0)
		return;
	if (run("command -v openssl > /dev/null") != 0)
		UNIT_SKIP("openssl is not installed");
	const char *P = BERTH_TOP "/tools/pki.sh";
	snprintf(cmd, sizeof cmd,
		 "set -e; P=%s; D=%s; $P $D >/dev/null 2>&1;"
		 "$P --client $D other '/CN=other/O=admin' --other-ca;"
		 "$P --client $D expired '/CN=expired/O=admin' --expired;"
		 "$P --client $D notyet '/CN=notyet/O=admin' --not-yet;"
		 "$P --client $D ekuserver '/CN=ekuserver/O=admin' --eku-server;"
		 "$P --client $D revoked '/CN=revoked/O=admin';"
		 "$P --client $D multi '/CN=a, b=c/OU=ops/OU=dev/O=admin/O=x';"
		 "$P --revoke $D $D/revoked/cert.pem; touch $D/ready",
		 P, dir);
	CHECK_INT(run(cmd), 0);
}

static void path(char *out, const char *who, const char *file)
{
	snprintf(out, 300, "%s/%s%s%s", dir, who, who[0] ? "/" : "", file);
}

static void load_creds(struct tls_creds *c, const char *who)
{
	char cert[300], key[300];
	struct berr e;

	path(cert, who, "cert.pem");
	path(key, who, "key.pem");
	if (tls_creds_load(c, cert, key, &e) < 0)
		UNIT_FAIL_("creds %s: %s", who, e.msg);
}

static void load_ca(struct tls_anchors *a)
{
	char p[300];
	struct berr e;

	path(p, "", "ca.pem");
	if (tls_anchors_load(a, p, &e) < 0)
		UNIT_FAIL_("anchors: %s", e.msg);
}

enum mode { ECHO, HALF_CLOSE, PLAIN };

struct srv {
	struct tls_server *s;
	int fd;
	enum mode mode;
	int hs_rc, eof_rc, resumed;
	enum tls_fail fail;
	char reason[64], err[BERR_MSG_MAX + 16];
	struct tls_peer_id peer;
};

static void serve(struct srv *a, struct tls_conn *c)
{
	struct berr e;
	char buf[256];
	long long dl = tls_now_ms() + 5000;

	if (a->mode == ECHO) {
		long n = tls_conn_read(c, buf, sizeof buf - 5, dl, &e);
		if (n > 0 && tls_conn_write_all(c, "pong:", 5, dl, &e) == 0 &&
		    tls_conn_write_all(c, buf, (size_t)n, dl, &e) == 0 && tls_conn_flush(c, dl, &e) == 0)
			tls_conn_close(c, dl);
		return;
	}
	/* HALF_CLOSE: the client's alert is end of input; output goes on */
	tls_conn_half_close_input(c);
	a->eof_rc = (int)tls_conn_read(c, buf, sizeof buf, dl, &e);
	if (a->eof_rc < 0)
		snprintf(a->err, sizeof a->err, "%s", e.msg);
	static char big[HALF_BYTES];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	if (tls_conn_write_all(c, big, sizeof big, dl, &e) < 0 || tls_conn_flush(c, dl, &e) < 0)
		snprintf(a->err, sizeof a->err, "write: %s", e.msg);
}

static void *server_main(void *arg)
{
	struct srv *a = arg;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;

	if (tls_conn_server(c, a->s, a->fd, &e) < 0) {
		a->hs_rc = -2;
		snprintf(a->err, sizeof a->err, "%s", e.msg);
	} else {
		a->hs_rc = tls_conn_handshake(c, tls_now_ms() + 5000, &e);
		a->fail = tls_conn_failure(c);
		snprintf(a->reason, sizeof a->reason, "%s", tls_conn_failure_reason(c));
		if (a->hs_rc < 0) {
			snprintf(a->err, sizeof a->err, "%s", e.msg);
		} else {
			a->peer = *tls_conn_peer(c);
			a->resumed = tls_conn_resumed(c);
			serve(a, c);
		}
		tls_conn_fini(c);
	}
	free(c);
	shutdown(a->fd, SHUT_WR);
	return NULL;
}

struct cli {
	const char *who;               /* client cert directory, "" for none */
	br_ssl_session_parameters *session;
	int hs_rc, resumed;
	char err[BERR_MSG_MAX];
	char got[128];
	size_t half_bytes;
	int half_ok;
};

static void client_run(struct cli *k, int fd, enum mode mode)
{
	struct tls_anchors ca;
	struct tls_creds cr;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;
	long long dl = tls_now_ms() + 5000;
	struct tls_client_conf cc = { .ca = &ca, .server_name = "127.0.0.1", .session = k->session };

	load_ca(&ca);
	if (k->who[0]) {
		load_creds(&cr, k->who);
		cc.creds = &cr;
	}
	CHECK(tls_conn_client(c, &cc, fd, &e) == 0);
	k->hs_rc = tls_conn_handshake(c, dl, &e);
	if (k->hs_rc < 0) {
		snprintf(k->err, sizeof k->err, "%s", e.msg);
	} else if (mode == ECHO) {
		size_t got = 0;
		long n;
		k->resumed = tls_conn_resumed(c);
		CHECK(tls_conn_write_all(c, "ping", 4, dl, &e) == 0);
		CHECK(tls_conn_flush(c, dl, &e) == 0);
		while ((n = tls_conn_read(c, k->got + got, sizeof k->got - 1 - got, dl, &e)) > 0)
			got += (size_t)n;
		k->got[got] = '\0';
	} else {
		/* any alert record ends the server's input unread (a real close_notify
		 * would be encrypted; the server looks at the header only) */
		static const unsigned char alert[] = { 21, 3, 3, 0, 2, 1, 0 };
		char buf[4096];
		long n;
		k->half_ok = 1;
		CHECK(write(fd, alert, sizeof alert) == (ssize_t)sizeof alert);
		while ((n = tls_conn_read(c, buf, sizeof buf, dl, &e)) > 0) {
			for (long i = 0; i < n; i++)
				if (buf[i] != (char)('a' + (k->half_bytes + (size_t)i) % 26))
					k->half_ok = 0;
			k->half_bytes += (size_t)n;
		}
		if (n < 0)
			snprintf(k->err, sizeof k->err, "%s", e.msg);
	}
	tls_conn_fini(c);
	free(c);
	close(fd);
	tls_anchors_free(&ca);
	if (k->who[0])
		tls_creds_wipe(&cr);
}

struct setup {
	struct tls_creds creds;
	struct tls_anchors ca;
	struct tls_crl crl;
	const struct tls_crl *crl_ptr;
	struct tls_server s;
};

static void server_setup(struct setup *st, size_t cache, int with_crl)
{
	struct berr e;
	char p[300];
	struct tls_server_conf conf = { 0 };

	load_creds(&st->creds, "server");
	load_ca(&st->ca);
	st->crl_ptr = NULL;
	if (with_crl) {
		path(p, "", "crl.pem");
		if (tls_crl_load(&st->crl, p, &st->ca, &e) < 0)
			UNIT_FAIL_("crl: %s", e.msg);
		st->crl_ptr = &st->crl;
	}
	conf.creds = &st->creds;
	conf.client_ca = &st->ca;
	conf.crl = &st->crl_ptr;
	conf.session_cache_bytes = cache;
	if (tls_server_init(&st->s, &conf, &e) < 0)
		UNIT_FAIL_("server: %s", e.msg);
}

/* One connection: server thread, client here. */
static void connect_once(struct tls_server *s, struct srv *a, struct cli *k, enum mode mode)
{
	int sv[2];
	pthread_t t;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(a, 0, sizeof *a);
	a->s = s;
	a->fd = sv[0];
	a->mode = mode;
	CHECK(pthread_create(&t, NULL, server_main, a) == 0);
	client_run(k, sv[1], mode);
	pthread_join(t, NULL);
	close(sv[0]);
}

static void handshake_as(const char *who, const char *cn)
{
	struct setup st;
	struct srv a;
	struct cli k = { .who = who };

	pki();
	server_setup(&st, 0, 0);
	connect_once(&st.s, &a, &k, ECHO);
	if (a.hs_rc < 0 || k.hs_rc < 0)
		UNIT_FAIL_("server: %s / client: %s", a.err, k.err);
	CHECK_INT(a.fail, TLS_FAIL_NONE);
	CHECK_STR(a.peer.cn, cn);
	CHECK_INT(a.peer.n_o, 1);
	CHECK_STR(a.peer.o[0], "admin");
	CHECK_STR(k.got, "pong:ping");
	CHECK_INT(a.resumed, 0);
}

static void test_handshake_ec(void)
{
	handshake_as("admin", "admin-dev");
}

static void test_handshake_rsa(void)
{
	handshake_as("rsa-admin", "rsa-admin-dev");
}

static void refused(const char *who, enum tls_fail want, const char *reason, int with_crl,
		    const char *client_sees)
{
	struct setup st;
	struct srv a;
	struct cli k = { .who = who };

	pki();
	server_setup(&st, 0, with_crl);
	connect_once(&st.s, &a, &k, ECHO);
	CHECK(a.hs_rc < 0);
	CHECK(k.hs_rc < 0);
	CHECK_INT(a.fail, want);
	CHECK_STR(a.reason, reason);
	if (!strstr(k.err, client_sees))
		UNIT_FAIL_("client error \"%s\" lacks \"%s\"", k.err, client_sees);
}

static void test_refuse_no_cert(void)
{
	refused("", TLS_FAIL_NO_CERT, "no certificate", 0, "alert 40");
}

static void test_refuse_other_ca(void)
{
	refused("other", TLS_FAIL_BAD_CERT, "unknown CA", 0, "alert 48");
}

static void test_refuse_expired(void)
{
	refused("expired", TLS_FAIL_BAD_CERT, "expired or not yet valid", 0, "alert 45");
}

static void test_refuse_not_yet_valid(void)
{
	refused("notyet", TLS_FAIL_BAD_CERT, "expired or not yet valid", 0, "alert 45");
}

static void test_refuse_eku_server_only(void)
{
	refused("ekuserver", TLS_FAIL_BAD_CERT, "not for client authentication", 0, "alert 42");
}

static void test_refuse_revoked(void)
{
	refused("revoked", TLS_FAIL_BAD_CERT, "revoked", 1, "alert 44");
}

static void test_crl_keeps_others(void)
{
	struct setup st;
	struct srv a;
	struct cli k = { .who = "admin" };

	pki();
	server_setup(&st, 0, 1);
	CHECK_INT(st.crl.n, 1);
	connect_once(&st.s, &a, &k, ECHO);
	CHECK_INT(a.hs_rc, 0);
	CHECK_STR(k.got, "pong:ping");
}

static void test_plaintext_gets_go_answer(void)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	static const char want[] = "HTTP/1.0 400 Bad Request\r\n\r\n"
				   "Client sent an HTTP request to an HTTPS server.\n";
	struct setup st;
	struct srv a;
	int sv[2];
	pthread_t t;
	char got[256];
	size_t n = 0;
	ssize_t r;

	pki();
	server_setup(&st, 0, 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	memset(&a, 0, sizeof a);
	a.s = &st.s;
	a.fd = sv[0];
	CHECK(pthread_create(&t, NULL, server_main, &a) == 0);
	CHECK(write(sv[1], req, sizeof req - 1) == (ssize_t)sizeof req - 1);
	while ((r = read(sv[1], got + n, sizeof got - 1 - n)) > 0)
		n += (size_t)r;
	got[n] = '\0';
	pthread_join(t, NULL);
	CHECK_STR(got, want);
	CHECK_INT(a.fail, TLS_FAIL_PLAINTEXT);
}

static void test_resumption(void)
{
	struct setup st;
	struct srv a;
	br_ssl_session_parameters sess = { 0 };
	struct cli k1 = { .who = "admin", .session = &sess }, k2 = { .who = "admin", .session = &sess };

	pki();
	server_setup(&st, 64 * 1024, 0);
	connect_once(&st.s, &a, &k1, ECHO);
	CHECK_INT(a.hs_rc, 0);
	CHECK_INT(a.resumed, 0);
	CHECK_INT(k1.resumed, 0);
	CHECK(sess.session_id_len > 0);
	connect_once(&st.s, &a, &k2, ECHO);
	if (a.hs_rc < 0 || k2.hs_rc < 0)
		UNIT_FAIL_("server: %s / client: %s", a.err, k2.err);
	CHECK_INT(a.resumed, 1);
	CHECK_INT(k2.resumed, 1);
	CHECK_STR(a.peer.cn, "admin-dev");     /* the identity comes from the cache */
	CHECK_STR(k2.got, "pong:ping");
	tls_server_fini(&st.s);
}

static void test_half_close(void)
{
	struct setup st;
	struct srv a;
	struct cli k = { .who = "admin" };

	pki();
	server_setup(&st, 0, 0);
	connect_once(&st.s, &a, &k, HALF_CLOSE);
	if (a.hs_rc < 0 || k.hs_rc < 0 || a.err[0])
		UNIT_FAIL_("server: %s / client: %s", a.err, k.err);
	CHECK_INT(a.eof_rc, 0);
	CHECK_INT(k.half_bytes, HALF_BYTES);
	CHECK(k.half_ok);
	CHECK_STR(k.err, "");
}

static void test_identity(void)
{
	struct tls_creds c;
	struct tls_peer_id id;
	int ok;
	struct berr e;
	int64_t na;

	pki();
	load_creds(&c, "operator");
	CHECK(tls_cert_identity(c.chain[0].data, c.chain[0].data_len, &id, &ok, &e) == 0);
	CHECK_STR(id.subject, "CN=operator-dev,O=operator");
	CHECK_STR(id.cn, "operator-dev");
	CHECK_STR(id.o[0], "operator");
	CHECK_INT(id.n_ou, 0);
	CHECK_INT(strlen(id.serial), 30);
	CHECK_INT(ok, 1);
	CHECK(id.not_after > id.not_before);
	CHECK(tls_creds_not_after(&c, &na, &e) == 0);
	CHECK_INT(na, id.not_after);
	tls_creds_wipe(&c);
	CHECK(c.key_buf == NULL);
	load_creds(&c, "server");
	CHECK(tls_cert_identity(c.chain[0].data, c.chain[0].data_len, &id, &ok, &e) == 0);
	CHECK_INT(ok, 0);                 /* EKU serverAuth only */
	static const unsigned char lo[4] = { 127, 0, 0, 1 }, other[4] = { 10, 0, 0, 1 };
	CHECK_INT(tls_cert_has_ip(c.chain[0].data, c.chain[0].data_len, lo, 4, &e), 1);
	CHECK_INT(tls_cert_has_ip(c.chain[0].data, c.chain[0].data_len, other, 4, &e), 0);
	CHECK(tls_cert_identity(c.chain[0].data, c.chain[0].data_len - 1, &id, &ok, &e) < 0);
	tls_creds_wipe(&c);
}

static void test_identity_many_attributes(void)
{
	struct tls_creds c;
	struct tls_peer_id id;
	int ok;
	struct berr e;

	pki();
	load_creds(&c, "multi");
	CHECK(tls_cert_identity(c.chain[0].data, c.chain[0].data_len, &id, &ok, &e) == 0);
	CHECK_STR(id.subject, "CN=a\\, b\\=c,OU=ops,OU=dev,O=admin,O=x");
	CHECK_STR(id.cn, "a, b=c");
	CHECK_INT(id.n_ou, 2);
	CHECK_STR(id.ou[1], "dev");
	CHECK_INT(id.n_o, 2);
	CHECK_STR(id.o[0], "admin");
	CHECK_STR(id.o[1], "x");
	tls_creds_wipe(&c);
}

static void test_load_errors(void)
{
	struct tls_creds c;
	struct tls_anchors a;
	struct berr e;
	char cert[300], key[300];

	pki();
	path(cert, "admin", "cert.pem");
	path(key, "admin", "nope.pem");
	CHECK(tls_creds_load(&c, cert, key, &e) < 0);
	CHECK(strstr(e.msg, "nope.pem") != NULL);
	path(key, "admin", "cert.pem");   /* a certificate where the key should be */
	CHECK(tls_creds_load(&c, cert, key, &e) < 0);
	CHECK(strstr(e.msg, "no private key") != NULL);
	path(key, "admin", "key.pem");
	CHECK(tls_anchors_load(&a, key, &e) < 0);
	CHECK(strstr(e.msg, "no CERTIFICATE") != NULL);
}

static void test_cleanup(void)
{
	char cmd[300];

	pki();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(run(cmd), 0);
}

UNIT_MAIN(UNIT(test_identity), UNIT(test_identity_many_attributes), UNIT(test_load_errors), UNIT(test_handshake_ec),
	  UNIT(test_handshake_rsa), UNIT(test_refuse_no_cert), UNIT(test_refuse_other_ca),
	  UNIT(test_refuse_expired), UNIT(test_refuse_not_yet_valid),
	  UNIT(test_refuse_eku_server_only), UNIT(test_refuse_revoked), UNIT(test_crl_keeps_others),
	  UNIT(test_plaintext_gets_go_answer), UNIT(test_resumption), UNIT(test_half_close),
	  UNIT(test_cleanup))
