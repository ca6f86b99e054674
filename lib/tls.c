/* tls.c — BearSSL glue: engine choices, the server and its session cache, the
 * client, and one connection's I/O (record framing kept here so that a
 * hijacked stream can take the peer's close_notify as end of input). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/tls-internal.h"

/* Go's net/http answer to plain HTTP on a TLS port (the docker CLI prints it). */
static const char plaintext_answer[] = "HTTP/1.0 400 Bad Request\r\n\r\n"
				       "Client sent an HTTP request to an HTTPS server.\n";

#define DRAIN_MS 500

static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

long long tls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tls_impl_get(struct tls_impl *impl)
{
	impl->aes_ctr = br_aes_x86ni_ctr_get_vtable();
	impl->ghash = br_ghash_pclmul_get();
	impl->poly1305 = br_poly1305_ctmulq_get();
}

void tls_engine_setup(br_ssl_engine_context *eng, const struct tls_impl *impl)
{
	const br_block_ctr_class *ctr = impl->aes_ctr;
	br_ghash gh = impl->ghash;
	br_poly1305_run poly = impl->poly1305;

	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
	br_ssl_engine_set_hash(eng, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(eng, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
	br_ssl_engine_set_aes_ctr(eng, ctr ? ctr : &br_aes_ct64_ctr_vtable);
	br_ssl_engine_set_ghash(eng, gh ? gh : &br_ghash_ctmul64);
	br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
	/* chacha20_ct, not _sse2: BearSSL 0.6's SSE2 code measured slower here
	 * (bench/api/tlsspeed: 290 against 470-550 MB/s) */
	br_ssl_engine_set_chacha20(eng, &br_chacha20_ct_run);
	br_ssl_engine_set_poly1305(eng, poly ? poly : &br_poly1305_ctmul_run);
	br_ssl_engine_set_ec(eng, &br_ec_all_m31);
	br_ssl_engine_set_ecdsa(eng, br_ecdsa_vrfy_asn1_get_default());
	br_ssl_engine_set_rsavrfy(eng, br_rsa_pkcs1_vrfy_get_default());
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

static int seed(br_ssl_engine_context *eng, struct berr *e)
{
	unsigned char buf[32];

	/* the OS seeder opens /dev/urandom, absent in a chroot: give it ours */
	if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf)
		return berr_sys(e, "getrandom");
	br_ssl_engine_inject_entropy(eng, buf, sizeof buf);
	tls_wipe(buf, sizeof buf);
	/* getrandom is the OS's source: BearSSL's own try at reset (RDRAND
	 * after a CPUID, a VM exit each, else /dev/urandom) is skipped */
	eng->rng_os_rand_done = 1;
	return 0;
}

static void conn_zero(struct tls_conn *c, int fd)
{
	/* the big I/O buffer needs no clearing */
	memset(c, 0, offsetof(struct tls_conn, iobuf));
	c->fd = fd;
}

/* ---------------------------------------------------------------- server */

int tls_server_revoked(const struct tls_server *s, const char *serial_hex)
{
	unsigned char b[20];
	size_t n = strlen(serial_hex) / 2;
	int r = 0;

	if (!s || !s->conf.crl || n == 0 || n > sizeof b)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(serial_hex + 2 * i, "%2x", &v) != 1)
			return 0;
		b[i] = (unsigned char)v;
	}
	if (s->conf.crl_lock)
		pthread_mutex_lock(s->conf.crl_lock);
	if (*s->conf.crl)
		r = tls_crl_has(*s->conf.crl, b, n);
	if (s->conf.crl_lock)
		pthread_mutex_unlock(s->conf.crl_lock);
	return r;
}

int tls_server_init(struct tls_server *s, const struct tls_server_conf *c, struct berr *e)
{
	memset(s, 0, sizeof *s);
	if (!c->creds || !c->creds->chain_len || !c->creds->key_buf)
		return berr_set(e, EINVAL, "TLS server: no certificate and key");
	if (!c->client_ca || !c->client_ca->n)
		return berr_set(e, EINVAL, "TLS server: no client CA");
	s->conf = *c;
	tls_impl_get(&s->impl);
	if (c->session_cache_bytes) {
		if (tls_cache_init(&s->cache, s, c->session_cache_bytes, e) < 0)
			return -1;
		s->have_cache = 1;
	}
	return 0;
}

void tls_server_fini(struct tls_server *s)
{
	if (s->have_cache)
		tls_cache_fini(&s->cache);
	memset(s, 0, sizeof *s);
}

int tls_conn_server(struct tls_conn *c, struct tls_server *s, int fd, struct berr *e)
{
	br_ssl_server_context *sc = &c->ctx.s;
	const struct tls_creds *cr = s->conf.creds;

	conn_zero(c, fd);
	c->server = s;
	br_ssl_server_zero(sc);
	c->eng = &sc->eng;
	tls_engine_setup(c->eng, &s->impl);
	br_ssl_engine_add_flags(c->eng, BR_OPT_ENFORCE_SERVER_PREFERENCES);
	if (cr->key_type == BR_KEYTYPE_EC)
		br_ssl_server_set_single_ec(sc, cr->chain, cr->chain_len, &cr->ec, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, &br_ec_all_m31,
					    br_ecdsa_sign_asn1_get_default());
	else
		br_ssl_server_set_single_rsa(sc, cr->chain, cr->chain_len, &cr->rsa, BR_KEYTYPE_SIGN,
					     br_rsa_private_get_default(),
					     br_rsa_pkcs1_sign_get_default());
	br_ssl_server_set_trust_anchor_names_alt(sc, s->conf.client_ca->ta, s->conf.client_ca->n);
	tls_x509_init(&c->x509, c, s->conf.client_ca);
	br_ssl_engine_set_x509(c->eng, &c->x509.vtable);
	br_ssl_engine_set_buffer(c->eng, c->iobuf, sizeof c->iobuf, 1);
	if (s->have_cache)
		br_ssl_server_set_cache(sc, &s->cache.vtable);
	if (seed(c->eng, e) < 0)
		return -1;
	if (!br_ssl_server_reset(sc))
		return berr_set(e, EPROTO, "TLS server: engine reset failed (BearSSL error %d)",
				br_ssl_engine_last_error(c->eng));
	return 0;
}

/* ---------------------------------------------------------------- client */

int tls_conn_client(struct tls_conn *c, const struct tls_client_conf *cc, int fd, struct berr *e)
{
	br_ssl_client_context *cl = &c->ctx.c;
	const struct tls_creds *cr = cc->creds;
	const char *sni = cc->server_name;
	struct tls_impl impl;
	struct in6_addr a6;

	conn_zero(c, fd);
	c->session = cc->session;
	if (!cc->ca || !cc->ca->n)
		return berr_set(e, EINVAL, "TLS client: no CA");
	if (sni && inet_pton(AF_INET, sni, c->ip) == 1) {
		c->ip_len = 4;
	} else if (sni && inet_pton(AF_INET6, sni, &a6) == 1) {
		memcpy(c->ip, &a6, 16);
		c->ip_len = 16;
	}
	if (c->ip_len) {
		c->ip_check = 1;
		sni = NULL;   /* no SNI for an address (RFC 6066) */
	}
	br_ssl_client_zero(cl);
	c->eng = &cl->eng;
	tls_impl_get(&impl);
	tls_engine_setup(c->eng, &impl);
	tls_x509_init(&c->x509, c, cc->ca);
	br_ssl_engine_set_x509(c->eng, &c->x509.vtable);
	if (cr && cr->key_type == BR_KEYTYPE_EC)
		br_ssl_client_set_single_ec(cl, cr->chain, cr->chain_len, &cr->ec, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, &br_ec_all_m31,
					    br_ecdsa_sign_asn1_get_default());
	else if (cr)
		br_ssl_client_set_single_rsa(cl, cr->chain, cr->chain_len, &cr->rsa,
					     br_rsa_pkcs1_sign_get_default());
	br_ssl_engine_set_buffer(c->eng, c->iobuf, sizeof c->iobuf, 1);
	if (seed(c->eng, e) < 0)
		return -1;
	int resume = cc->session && cc->session->session_id_len > 0;
	if (resume) {
		br_ssl_engine_set_session_parameters(c->eng, cc->session);
		c->offered_len = cc->session->session_id_len;
		memcpy(c->offered_id, cc->session->session_id, c->offered_len);
	}
	if (!br_ssl_client_reset(cl, sni, resume))
		return berr_set(e, EPROTO, "TLS client: engine reset failed (BearSSL error %d)",
				br_ssl_engine_last_error(c->eng));
	return 0;
}

void tls_conn_fini(struct tls_conn *c)
{
	/* session keys and the record buffers (plaintext) */
	explicit_bzero(c, sizeof *c);
	c->fd = -1;
}

/* ---------------------------------------------------------------- socket I/O */

static const char *alert_name(int a);

static int conn_error(const struct tls_conn *c, struct berr *e)
{
	if (c->peer_alert)
		return berr_set(e, EPROTO, "TLS: %s: alert %d (%s)", c->broken_what, c->peer_alert - 1,
				alert_name(c->peer_alert - 1));
	if (c->broken == EPROTO)
		return berr_set(e, EPROTO, "TLS: %s", c->broken_what);
	errno = c->broken;
	return berr_sys(e, "TLS: %s", c->broken_what);
}

static int io_fail(struct tls_conn *c, struct berr *e, int err, const char *what)
{
	if (c->fail == TLS_FAIL_NONE && !c->hs_done)
		c->fail = TLS_FAIL_PROTOCOL;
	c->broken = err ? err : EPROTO;
	c->broken_what = what;
	return conn_error(c, e);
}

/* A peer that refuses the handshake may close before reading all we sent:
 * our send fails, but its alert (plaintext during the handshake) is there
 * to read. 1 when found (its code kept for the message). */
static int peer_alert(struct tls_conn *c)
{
	unsigned char a[7];
	ssize_t n;

	if (c->ra_off < c->ra_len) {
		n = (ssize_t)(c->ra_len - c->ra_off < sizeof a ? c->ra_len - c->ra_off : sizeof a);
		memcpy(a, c->ra + c->ra_off, (size_t)n);
	} else {
		n = recv(c->fd, a, sizeof a, MSG_DONTWAIT);
	}

	if (n == (ssize_t)sizeof a && a[0] == 21 && a[3] == 0 && a[4] == 2 && a[5] == 2) {
		c->peer_alert = a[6] + 1;
		return 1;
	}
	return 0;
}

static int io_send(struct tls_conn *c, struct berr *e)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_sendrec_buf(c->eng, &len);
	ssize_t n;

	if (!buf)
		return 0;
	n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		int err = errno;
		if (!c->hs_done && peer_alert(c))
			return io_fail(c, e, 0, "the peer refused the connection");
		return io_fail(c, e, err, "send");
	}
	br_ssl_engine_sendrec_ack(c->eng, (size_t)n);
	c->moved++;
	return 0;
}

static int looks_like_http(unsigned char b)
{
	return b >= 'A' && b <= 'Z';
}

static void write_plaintext_answer(struct tls_conn *c)
{
	/* best effort and brief: the socket buffer takes these 80 bytes at once */
	(void)!send(c->fd, plaintext_answer, sizeof plaintext_answer - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* After a half-close, what the peer still sends (the rest of its alert
 * record) is read and dropped: closing a socket with unread bytes sends a
 * reset, which can destroy output the peer has not read yet. Stops at the
 * peer's FIN. */
static void discard_input(struct tls_conn *c)
{
	char sink[512];
	ssize_t n;

	c->ra_off = c->ra_len;
	for (int i = 0; i < 128; i++) {
		n = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
		if (n == 0)
			c->discard = 0;
		if (n <= 0)
			return;
	}
}

/* recv through the read-ahead: when it is empty, a read smaller than it
 * takes what the socket has (up to TLS_READ_AHEAD) and hands out n of it,
 * so one recv brings a record's header and its body (and often the next
 * record); a larger read goes straight to buf. */
static ssize_t rd(struct tls_conn *c, void *buf, size_t n)
{
	size_t k;

	if (c->ra_off == c->ra_len) {
		ssize_t r;

		if (n >= sizeof c->ra)
			return recv(c->fd, buf, n, MSG_DONTWAIT);
		r = recv(c->fd, c->ra, sizeof c->ra, MSG_DONTWAIT);
		if (r <= 0)
			return r;
		c->ra_off = 0;
		c->ra_len = (size_t)r;
	}
	k = c->ra_len - c->ra_off;
	if (k > n)
		k = n;
	memcpy(buf, c->ra + c->ra_off, k);
	c->ra_off += k;
	return (ssize_t)k;
}

static int ra_pending(const struct tls_conn *c)
{
	return c->ra_off < c->ra_len;
}

/* Feed the buffered header to the engine; then the record body follows. */
static int feed_header(struct tls_conn *c, struct berr *e)
{
	size_t avail;
	unsigned char *buf = br_ssl_engine_recvrec_buf(c->eng, &avail);

	if (!buf || avail < sizeof c->hdr)
		return io_fail(c, e, 0, "engine not ready for a record header");
	memcpy(buf, c->hdr, sizeof c->hdr);
	c->rec_left = (size_t)c->hdr[3] << 8 | c->hdr[4];
	c->hdr_got = 0;
	br_ssl_engine_recvrec_ack(c->eng, sizeof c->hdr);
	return 0;
}

static int io_recv_header(struct tls_conn *c, struct berr *e)
{
	ssize_t n = rd(c, c->hdr + c->hdr_got, sizeof c->hdr - c->hdr_got);

	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return io_fail(c, e, errno, "recv");
	}
	if (n == 0) {
		if (c->hdr_got == 0 && c->hs_done) {
			c->in_eof = 1;          /* FIN at a record boundary */
			return 0;
		}
		return io_fail(c, e, 0, c->hs_done ? "connection closed inside a record"
						   : "connection closed during the handshake");
	}
	if (!c->got_bytes && c->server && looks_like_http(c->hdr[0])) {
		c->fail = TLS_FAIL_PLAINTEXT;
		c->fail_reason = "plain HTTP";
		write_plaintext_answer(c);
		return io_fail(c, e, 0, "plain HTTP request on the TLS port");
	}
	c->got_bytes = 1;
	c->moved++;
	c->hdr_got += (size_t)n;
	if (c->hdr_got < sizeof c->hdr)
		return 0;
	if (c->half_close && c->hdr[0] == 21) {
		c->in_eof = 1;                  /* the peer's close_notify: end of its input */
		c->discard = 1;
		discard_input(c);
		return 0;
	}
	return feed_header(c, e);
}

static int io_recv(struct tls_conn *c, struct berr *e)
{
	size_t avail;
	unsigned char *buf;
	ssize_t n;

	if (c->in_eof) {
		if (c->discard)
			discard_input(c);
		return 0;
	}
	if (c->rec_left == 0) {
		/* the body usually came with its header: read it now, without
		 * a poll between (EAGAIN costs one call; a poll always one) */
		if (io_recv_header(c, e) < 0)
			return -1;
		if (c->rec_left == 0 || c->in_eof)
			return 0;
	}
	buf = br_ssl_engine_recvrec_buf(c->eng, &avail);
	if (!buf)
		return 0;
	if (avail > c->rec_left)
		avail = c->rec_left;
	n = rd(c, buf, avail);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		return io_fail(c, e, errno, "recv");
	}
	if (n == 0)
		return io_fail(c, e, 0, "connection closed inside a record");
	c->rec_left -= (size_t)n;
	c->moved++;
	br_ssl_engine_recvrec_ack(c->eng, (size_t)n);
	return 0;
}

static const char *alert_name(int a)
{
	switch (a) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 116: return "certificate_required";
	}
	return "alert";
}

/* The engine is closed (or the socket broke): 0 when cleanly (close_notify),
 * else -1 with why. */
static int closed_status(struct tls_conn *c, struct berr *e)
{
	int err = br_ssl_engine_last_error(c->eng);

	if (c->broken)
		return conn_error(c, e);
	if (err == BR_ERR_OK)
		return 0;
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		return berr_set(e, EPROTO, "TLS: the peer refused the connection: alert %d (%s)",
				err - BR_ERR_RECV_FATAL_ALERT, alert_name(err - BR_ERR_RECV_FATAL_ALERT));
	if (err >= BR_ERR_SEND_FATAL_ALERT)
		return berr_set(e, EPROTO, "TLS: refused the peer: alert %d (%s)",
				err - BR_ERR_SEND_FATAL_ALERT, alert_name(err - BR_ERR_SEND_FATAL_ALERT));
	return berr_set(e, EPROTO, "TLS: %s (BearSSL error %d)",
			c->fail_reason ? c->fail_reason : "protocol error", err);
}

unsigned tls_conn_want(const struct tls_conn *c)
{
	unsigned st = br_ssl_engine_current_state(c->eng), w = 0;

	if ((st & BR_SSL_CLOSED) || c->broken)
		return 0;
	if (st & BR_SSL_SENDREC)
		w |= POLLOUT;
	if (((st & BR_SSL_RECVREC) && !c->in_eof) || c->discard)
		w |= POLLIN;
	return w;
}

int tls_conn_pump(struct tls_conn *c, unsigned revents, struct berr *e)
{
	unsigned st = br_ssl_engine_current_state(c->eng);

	if ((st & BR_SSL_CLOSED) || c->broken)
		return closed_status(c, e);
	if ((revents & (POLLOUT | POLLERR | POLLHUP)) && (st & BR_SSL_SENDREC) && io_send(c, e) < 0)
		return -1;
	st = br_ssl_engine_current_state(c->eng);
	if ((revents & (POLLIN | POLLERR | POLLHUP)) && c->discard)
		discard_input(c);
	else if ((revents & (POLLIN | POLLERR | POLLHUP)) && (st & BR_SSL_RECVREC) && io_recv(c, e) < 0)
		return -1;
	return 0;
}

long tls_conn_recv(struct tls_conn *c, void *buf, size_t n)
{
	size_t len;
	unsigned char *p = br_ssl_engine_recvapp_buf(c->eng, &len);
	struct berr e;

	/* bytes read ahead are no poll's news: feed them first */
	while (!p && ra_pending(c) && !c->in_eof && !c->broken &&
	       (br_ssl_engine_current_state(c->eng) & BR_SSL_RECVREC)) {
		if (io_recv(c, &e) < 0)
			break;
		p = br_ssl_engine_recvapp_buf(c->eng, &len);
	}

	if (p) {
		if (len > n)
			len = n;
		memcpy(buf, p, len);
		br_ssl_engine_recvapp_ack(c->eng, len);
		return (long)len;
	}
	if (c->in_eof)
		return TLS_EOF;
	if (c->broken)
		return -1;
	if (br_ssl_engine_current_state(c->eng) & BR_SSL_CLOSED)
		return br_ssl_engine_last_error(c->eng) == BR_ERR_OK ? TLS_EOF : -1;
	return 0;
}

long tls_conn_send(struct tls_conn *c, const void *buf, size_t n)
{
	size_t len;
	unsigned char *p;

	if (c->broken || (br_ssl_engine_current_state(c->eng) & BR_SSL_CLOSED))
		return -1;
	p = br_ssl_engine_sendapp_buf(c->eng, &len);
	if (!p)
		return 0;
	if (len > n)
		len = n;
	memcpy(p, buf, len);
	br_ssl_engine_sendapp_ack(c->eng, len);
	return (long)len;
}

int tls_conn_send_flush(struct tls_conn *c)
{
	br_ssl_engine_flush(c->eng, 0);
	return 0;
}

int tls_conn_output_pending(const struct tls_conn *c)
{
	return (br_ssl_engine_current_state(c->eng) & BR_SSL_SENDREC) != 0;
}

void tls_conn_half_close_input(struct tls_conn *c)
{
	c->half_close = 1;
	/* an alert header already buffered is end of input too */
	if (c->rec_left == 0 && c->hdr_got > 0 && c->hdr[0] == 21)
		c->in_eof = 1;
}

/* ---------------------------------------------------------------- blocking helpers */

/* Wait for what the engine wants (or `want` when non-zero), then pump.
 * Output is tried first and the poll made only when the socket took
 * nothing: a send almost never blocks, and the poll before it was a
 * syscall per record for nothing. */
static int wait_pump(struct tls_conn *c, unsigned want, long long deadline_ms, struct berr *e)
{
	struct pollfd p = { .fd = c->fd };
	int timeout = -1, r;

	p.events = (short)(want ? want : tls_conn_want(c));
	if (!p.events)
		return berr_set(e, EPROTO, "TLS: connection stalled");
	if (p.events & POLLOUT) {
		unsigned long moved = c->moved;

		if (tls_conn_pump(c, POLLOUT, e) < 0)
			return -1;
		if (c->moved != moved)
			return 0;
	}
	if ((p.events & POLLIN) && ra_pending(c))
		return tls_conn_pump(c, POLLIN, e);	/* no poll would tell of them */
	if (deadline_ms >= 0) {
		long long left = deadline_ms - tls_now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return berr_sys(e, "TLS");
		}
		timeout = left > 1 << 30 ? 1 << 30 : (int)left;
	}
	r = poll(&p, 1, timeout);
	if (r < 0)
		return errno == EINTR ? 0 : berr_sys(e, "TLS: poll");
	if (r == 0) {
		errno = ETIMEDOUT;
		return berr_sys(e, "TLS");
	}
	return tls_conn_pump(c, (unsigned)p.revents, e);
}

static int flush_out(struct tls_conn *c, long long deadline_ms, struct berr *e)
{
	while (tls_conn_output_pending(c))
		if (wait_pump(c, POLLOUT, deadline_ms, e) < 0)
			return -1;
	return 0;
}

/* The alert a refused client certificate gets (the engine sends none for
 * X.509 failures): unknown_ca, certificate_expired, certificate_revoked,
 * handshake_failure for no certificate, else bad_certificate. */
static unsigned char refusal_alert(const struct tls_conn *c)
{
	const char *r = c->fail_reason ? c->fail_reason : "";

	if (c->fail == TLS_FAIL_NO_CERT)
		return 40;
	if (!strcmp(r, "unknown CA"))
		return 48;
	if (!strcmp(r, "expired or not yet valid"))
		return 45;
	if (!strcmp(r, "revoked"))
		return 44;
	return 42;
}

/* After a refused handshake: the alert (plaintext: the client's Certificate
 * comes before its ChangeCipherSpec), FIN, then read until EOF or 500 ms so
 * that the client reads the alert instead of a reset. */
static void refuse_and_drain(struct tls_conn *c, int timed_out)
{
	unsigned char alert[7] = { 21, 3, 3, 0, 2, 2, 0 };
	char sink[512];
	long long end = tls_now_ms() + DRAIN_MS;

	if (c->fail == TLS_FAIL_NO_CERT || c->fail == TLS_FAIL_BAD_CERT) {
		alert[6] = refusal_alert(c);
		(void)!send(c->fd, alert, sizeof alert, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	shutdown(c->fd, SHUT_WR);
	if (timed_out)
		return;
	for (;;) {
		long long left = end - tls_now_ms();
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		if (recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) <= 0)
			return;
	}
}

static void classify_failure(struct tls_conn *c)
{
	int err = br_ssl_engine_last_error(c->eng);

	if (c->fail != TLS_FAIL_NONE)
		return;
	if (err == BR_ERR_NO_CLIENT_AUTH) {
		c->fail = TLS_FAIL_NO_CERT;
		c->fail_reason = "no certificate";
	} else if (err >= BR_ERR_X509_OK && err <= BR_ERR_X509_NOT_TRUSTED) {
		c->fail = TLS_FAIL_BAD_CERT;
		if (!c->fail_reason)
			c->fail_reason = "invalid certificate";
	} else {
		c->fail = TLS_FAIL_PROTOCOL;
	}
}

static int handshake_failed(struct tls_conn *c, int timed_out, struct berr *e)
{
	struct berr why = { 0 };
	int err = br_ssl_engine_last_error(c->eng);

	classify_failure(c);
	if (c->server && c->fail != TLS_FAIL_NONE)
		refuse_and_drain(c, timed_out);
	if (e->msg[0])
		why = *e;
	else if (closed_status(c, &why) == 0)
		berr_set(&why, EPROTO, "connection closed");
	if (c->fail_reason && c->fail != TLS_FAIL_PROTOCOL)
		return berr_set(e, why.errnum ? why.errnum : EPROTO, "TLS handshake: %s (BearSSL error %d)",
				c->fail_reason, err);
	const char *m = why.msg[0] ? why.msg : "failed";
	if (!strncmp(m, "TLS: ", 5))
		m += 5;
	return berr_set(e, why.errnum ? why.errnum : EPROTO, "TLS handshake: %s", m);
}

int tls_conn_handshake(struct tls_conn *c, long long deadline_ms, struct berr *e)
{
	berr_clear(e);
	for (;;) {
		unsigned st = br_ssl_engine_current_state(c->eng);
		if ((st & BR_SSL_CLOSED) || c->broken)
			return handshake_failed(c, 0, e);
		if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
			break;
		if (wait_pump(c, 0, deadline_ms, e) < 0) {
			int to = e->errnum == ETIMEDOUT;
			if (to && c->fail == TLS_FAIL_NONE) {
				c->fail = TLS_FAIL_PROTOCOL;
				c->fail_reason = "timeout";
			}
			return handshake_failed(c, to, e);
		}
	}
	c->hs_done = 1;
	if (flush_out(c, deadline_ms, e) < 0)
		return -1;
	if (c->session) {
		br_ssl_engine_get_session_parameters(c->eng, c->session);
		c->resumed = c->offered_len && c->offered_len == c->session->session_id_len &&
			     memcmp(c->offered_id, c->session->session_id, c->offered_len) == 0;
	}
	return 0;
}

enum tls_fail tls_conn_failure(const struct tls_conn *c)
{
	return c->fail;
}

const char *tls_conn_failure_reason(const struct tls_conn *c)
{
	return c->fail_reason ? c->fail_reason : "";
}

const struct tls_peer_id *tls_conn_peer(const struct tls_conn *c)
{
	return &c->peer;
}

int tls_conn_resumed(const struct tls_conn *c)
{
	return c->resumed;
}

long tls_conn_read(struct tls_conn *c, void *buf, size_t n, long long deadline_ms, struct berr *e)
{
	for (;;) {
		long r = tls_conn_recv(c, buf, n);
		if (r > 0)
			return r;
		if (r == TLS_EOF)
			return 0;
		if (r < 0)
			return closed_status(c, e) < 0 ? -1 : 0;
		if (wait_pump(c, 0, deadline_ms, e) < 0)
			return -1;
	}
}

int tls_conn_write_all(struct tls_conn *c, const void *buf, size_t n, long long deadline_ms,
		       struct berr *e)
{
	const unsigned char *p = buf;

	while (n > 0) {
		long r = tls_conn_send(c, p, n);
		if (r < 0) {
			if (closed_status(c, e) == 0)
				berr_set(e, EPIPE, "TLS: connection closed by the peer");
			return -1;
		}
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (wait_pump(c, 0, deadline_ms, e) < 0)
			return -1;
	}
	return 0;
}

int tls_conn_flush(struct tls_conn *c, long long deadline_ms, struct berr *e)
{
	if (c->broken || (br_ssl_engine_current_state(c->eng) & BR_SSL_CLOSED))
		return closed_status(c, e) == 0 ? berr_set(e, EPIPE, "TLS: connection closed") : -1;
	br_ssl_engine_flush(c->eng, 0);
	return flush_out(c, deadline_ms, e);
}

int tls_conn_close(struct tls_conn *c, long long deadline_ms)
{
	struct berr e;

	int r = 0;

	if (c->discard)
		discard_input(c);
	if (c->broken || (br_ssl_engine_current_state(c->eng) & BR_SSL_CLOSED))
		return 0;
	br_ssl_engine_close(c->eng);
	r = flush_out(c, deadline_ms, &e);
	if (c->discard)
		discard_input(c);
	return r;
}
