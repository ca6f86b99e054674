/* test_tls.c — lib/tls: real handshakes between a server thread and a client
 * over a socketpair, with certificates made at test time by tools/pki.sh. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	char cmd[4096], ready[300];
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
		 "mkdir -p $D/big; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
		 " -keyout $D/big/key.pem -subj /CN=big -out $D/big/req.csr 2>/dev/null;"
		 "san=DNS:localhost,IP:127.0.0.1; for i in $(seq 200); do san=$san,DNS:name-$i.example.invalid; done;"
		 "printf 'subjectAltName=%%s\\nextendedKeyUsage=serverAuth\\n' $san > $D/big/ext;"
		 "openssl x509 -req -in $D/big/req.csr -CA $D/ca.pem -CAkey $D/ca-key.pem -days 30"
		 " -extfile $D/big/ext -out $D/big/cert.pem 2>/dev/null;"
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
	const char *name;              /* the server name to check, NULL: 127.0.0.1 */
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
	struct tls_client_conf cc = { .ca = &ca, .server_name = k->name ? k->name : "127.0.0.1",
				      .session = k->session };

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

static void server_setup_as(struct setup *st, const char *who, size_t cache, int with_crl)
{
	struct berr e;
	char p[300];
	struct tls_server_conf conf = { 0 };

	load_creds(&st->creds, who);
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

static void server_setup(struct setup *st, size_t cache, int with_crl)
{
	server_setup_as(st, "server", cache, with_crl);
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

/* A session whose certificate is revoked after it was cached is not resumed:
 * the client goes through a full handshake, which the CRL refuses. */
static void test_resumption_after_revocation(void)
{
	struct setup st;
	struct srv a;
	br_ssl_session_parameters sess = { 0 };
	struct cli k1 = { .who = "admin", .session = &sess }, k2 = { .who = "admin", .session = &sess };
	struct tls_crl fake = { 0 };
	unsigned char entry[21] = { 0 };
	size_t n;

	pki();
	server_setup(&st, 64 * 1024, 0);
	connect_once(&st.s, &a, &k1, ECHO);
	CHECK_INT(a.hs_rc, 0);
	n = strlen(a.peer.serial) / 2;
	entry[0] = (unsigned char)n;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		CHECK(sscanf(a.peer.serial + 2 * i, "%2x", &v) == 1);
		entry[1 + i] = (unsigned char)v;
	}
	fake.serial = &entry;
	fake.n = 1;
	st.crl_ptr = &fake;                 /* what apid's reload does: swap the pointer */
	connect_once(&st.s, &a, &k2, ECHO);
	CHECK_INT(a.resumed, 0);
	CHECK(a.hs_rc < 0);
	CHECK_INT(a.fail, TLS_FAIL_BAD_CERT);
	CHECK_STR(a.reason, "revoked");
	tls_server_fini(&st.s);
}

/* A server certificate over 4 KiB: a client checking a DNS name takes it;
 * one checking an IP address needs the leaf copy and refuses it. */
static void test_big_server_certificate(void)
{
	struct setup st;
	struct srv a;
	struct cli byname = { .who = "admin", .name = "localhost" }, byip = { .who = "admin" };

	pki();
	server_setup_as(&st, "big", 0, 0);
	CHECK(st.creds.chain[0].data_len > TLS_LEAF_MAX);
	connect_once(&st.s, &a, &byname, ECHO);
	if (byname.hs_rc < 0)
		UNIT_FAIL_("by name: %s", byname.err);
	CHECK_STR(byname.got, "pong:ping");
	connect_once(&st.s, &a, &byip, ECHO);
	CHECK(byip.hs_rc < 0);
	if (!strstr(byip.err, "leaf certificate too large"))
		UNIT_FAIL_("by IP: %s", byip.err);
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

static void test_crl_load(void)
{
	struct tls_anchors ca, other;
	struct tls_crl crl;
	struct berr e;
	char pem[300], der[300], cmd[800], oca[300];

	pki();
	load_ca(&ca);
	path(pem, "", "crl.pem");
	path(der, "", "crl.der");
	path(oca, "other-ca", "ca.pem");
	CHECK(tls_crl_load(&crl, pem, &ca, &e) == 0);
	CHECK_INT(crl.n, 1);
	CHECK(crl.this_update > 0 && crl.next_update > crl.this_update);
	tls_crl_free(&crl);
	snprintf(cmd, sizeof cmd, "openssl crl -in %s -outform DER -out %s", pem, der);
	CHECK_INT(run(cmd), 0);
	CHECK(tls_crl_load(&crl, der, &ca, &e) == 0);
	CHECK_INT(crl.n, 1);
	tls_crl_free(&crl);
	CHECK(tls_anchors_load(&other, oca, &e) == 0);
	CHECK(tls_crl_load(&crl, pem, &other, &e) < 0);
	CHECK(strstr(e.msg, "not signed by a loaded CA") != NULL);
	path(pem, "admin", "cert.pem");
	CHECK(tls_crl_load(&crl, pem, &ca, &e) < 0);
	CHECK(strstr(e.msg, "no X509 CRL") != NULL);
	tls_anchors_free(&other);
	tls_anchors_free(&ca);
}

/* A server that never hears from its client gives up at the deadline. */
static void test_handshake_deadline(void)
{
	struct setup st;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;
	int sv[2];
	long long t0;

	pki();
	server_setup(&st, 0, 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(tls_conn_server(c, &st.s, sv[0], &e) == 0);
	t0 = tls_now_ms();
	CHECK(tls_conn_handshake(c, t0 + 200, &e) < 0);
	CHECK(tls_now_ms() - t0 < 1000);
	CHECK_INT(e.errnum, ETIMEDOUT);
	CHECK_INT(tls_conn_failure(c), TLS_FAIL_PROTOCOL);
	CHECK_STR(tls_conn_failure_reason(c), "timeout");
	tls_conn_fini(c);
	free(c);
}

/* The non-blocking driver: a server echoing through want/pump/recv/send
 * from a poll loop, as a relay does. */
struct pump_arg {
	struct tls_server *s;
	int fd, rc;
};

static void *pump_server(void *arg)
{
	struct pump_arg *a = arg;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;
	char buf[512], pending[512];
	size_t have = 0;
	long long end = tls_now_ms() + 5000;

	a->rc = -1;
	if (tls_conn_server(c, a->s, a->fd, &e) < 0 || tls_conn_handshake(c, end, &e) < 0)
		goto out;
	for (;;) {
		struct pollfd p = { .fd = a->fd, .events = (short)tls_conn_want(c) };
		long n;
		if (have) {
			long w = tls_conn_send(c, pending, have);
			if (w < 0)
				goto out;
			memmove(pending, pending + w, have - (size_t)w);
			have -= (size_t)w;
			if (!have)
				tls_conn_send_flush(c);
		}
		while (have < sizeof pending && (n = tls_conn_recv(c, buf, sizeof pending - have)) > 0) {
			memcpy(pending + have, buf, (size_t)n);
			have += (size_t)n;
		}
		if (tls_conn_recv(c, buf, 0) == TLS_EOF && !have && !tls_conn_output_pending(c))
			break;
		p.events = (short)tls_conn_want(c);
		if (!p.events && !have)
			break;
		if (tls_now_ms() > end || poll(&p, 1, 100) < 0)
			goto out;
		if (tls_conn_pump(c, (unsigned)p.revents, &e) < 0)
			goto out;
	}
	a->rc = 0;
out:
	tls_conn_fini(c);
	free(c);
	shutdown(a->fd, SHUT_WR);
	return NULL;
}

static void test_pump_echo(void)
{
	struct setup st;
	struct pump_arg a;
	struct tls_anchors ca;
	struct tls_creds cr;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;
	int sv[2];
	pthread_t t;
	char got[64] = "";
	size_t n = 0;
	long r;
	long long dl = tls_now_ms() + 5000;

	pki();
	server_setup(&st, 0, 0);
	load_ca(&ca);
	load_creds(&cr, "operator");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	a = (struct pump_arg){ &st.s, sv[0], -1 };
	CHECK(pthread_create(&t, NULL, pump_server, &a) == 0);
	struct tls_client_conf cc = { .ca = &ca, .creds = &cr, .server_name = "localhost" };
	CHECK(tls_conn_client(c, &cc, sv[1], &e) == 0);
	CHECK(tls_conn_handshake(c, dl, &e) == 0);
	CHECK(tls_conn_write_all(c, "hello, pump", 11, dl, &e) == 0);
	CHECK(tls_conn_flush(c, dl, &e) == 0);
	while (n < 11 && (r = tls_conn_read(c, got + n, sizeof got - 1 - n, dl, &e)) > 0)
		n += (size_t)r;
	CHECK_STR(got, "hello, pump");
	CHECK(tls_conn_close(c, dl) == 0);   /* close_notify: the server's input ends */
	pthread_join(t, NULL);
	CHECK_INT(a.rc, 0);
	tls_conn_fini(c);
	free(c);
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
	  UNIT(test_plaintext_gets_go_answer), UNIT(test_resumption),
	  UNIT(test_resumption_after_revocation), UNIT(test_big_server_certificate),
	  UNIT(test_half_close),
	  UNIT(test_crl_load), UNIT(test_handshake_deadline), UNIT(test_pump_echo),
	  UNIT(test_cleanup))
