/* tls.h — TLS 1.2 over BearSSL 0.6: credentials, trust anchors, CRL, a server
 * that requires client certificates, a client, and one connection type driven
 * either by blocking helpers or by a non-blocking pump.
 *
 * All fallible functions return int (< 0 failure) and take `struct berr *e`
 * last. Nothing prints. Programs using this module link -lbearssl -lpthread.
 *
 * Choices (docs/tls.md has the measurements): TLS 1.2 only; suites
 * ECDHE_{ECDSA,RSA}_WITH_{AES_128_GCM,AES_256_GCM,CHACHA20_POLY1305}; curves
 * X25519, P-256, P-384; AES-NI + PCLMUL GCM when the CPU has them.
 */
#ifndef BERTH_LIB_TLS_H
#define BERTH_LIB_TLS_H

#include <bearssl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Largest leaf certificate the peer may send (larger: bad certificate). */
#define TLS_LEAF_MAX 4096

/* A certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, SEC1 "EC PRIVATE KEY"
 * or PKCS#1 "RSA PRIVATE KEY"; EC P-256/P-384/P-521 or RSA >= 2048 bits, else refused naming
 * the file). */
struct tls_creds {
	br_x509_certificate *chain;
	size_t chain_len;
	int key_type;                   /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
	br_ec_private_key ec;
	br_rsa_private_key rsa;
	unsigned char *key_buf;         /* the key's bytes (ec/rsa point into it) */
	size_t key_buf_len;
	int64_t not_after;
};
int  tls_creds_load(struct tls_creds *c, const char *cert_path, const char *key_path, struct berr *e);
/* A server or client using c keeps pointers into it: wipe only after tls_server_fini and after
 * the last tls_conn_fini. */
void tls_creds_wipe(struct tls_creds *c);     /* zero key bytes (explicit), free everything */
int  tls_creds_not_after(const struct tls_creds *c, int64_t *unix_secs, struct berr *e); /* leaf expiry */

/* Trust anchors from a PEM bundle (one or many CERTIFICATE blocks). */
struct tls_anchors {
	br_x509_trust_anchor *ta;
	size_t n;
};
int  tls_anchors_load(struct tls_anchors *a, const char *pem_path, struct berr *e);
void tls_anchors_free(struct tls_anchors *a);

/* Optional CRL (PEM or DER X.509 CRL signed by a loaded anchor): a set of revoked serials.
 * Reloading: the caller calls tls_crl_load again into a fresh struct and swaps (apid does this
 * on mtime change, under its own lock). */
struct tls_crl {
	unsigned char (*serial)[21];    /* sorted; [0] = length (1..20), then the INTEGER's bytes */
	size_t n;
	int64_t this_update, next_update;   /* unix seconds; next_update 0 when absent */
};
int  tls_crl_load(struct tls_crl *c, const char *path, const struct tls_anchors *issuers, struct berr *e);
void tls_crl_free(struct tls_crl *c);
/* 1 when the serial (DER INTEGER content bytes) is listed. */
int  tls_crl_has(const struct tls_crl *c, const unsigned char *serial, size_t len);

/* What the server learned about a client certificate it accepted (or refused). */
#define TLS_ATTR_MAX 4
struct tls_peer_id {
	char subject[256];              /* "CN=x,OU=y,O=z" in certificate order, escaped, truncated */
	char cn[65];
	char o[TLS_ATTR_MAX][65];  int n_o;
	char ou[TLS_ATTR_MAX][65]; int n_ou;
	char serial[2 * 20 + 1];        /* lowercase hex, no leading zeros stripped */
	int64_t not_before, not_after;  /* unix seconds */
};
/* Pure function for the fuzz target and the unit tests: decode a DER certificate's subject,
 * serial, validity, key usage and EKU into id; *client_ok = 0 when keyUsage is present without
 * digitalSignature or EKU is present without clientAuth (1.3.6.1.5.5.7.3.2) or anyEKU.
 * Attribute values in cn/o/ou are the raw strings with control bytes replaced by '?'. */
int  tls_cert_identity(const unsigned char *der, size_t len, struct tls_peer_id *id, int *client_ok,
                       struct berr *e);
/* 1 when the DER certificate has an iPAddress SAN equal to addr (4 or 16 bytes); 0 when not;
 * <0 when the certificate cannot be decoded. */
int  tls_cert_has_ip(const unsigned char *der, size_t len, const unsigned char *addr, size_t alen,
                     struct berr *e);

/* Shared server state: credentials, client CA, CRL (may be NULL), a session cache (LRU, bytes,
 * behind a mutex so every connection thread may use it). Thread-safe after init. */
struct tls_server_conf {
	const struct tls_creds *creds;
	const struct tls_anchors *client_ca;
	const struct tls_crl *const *crl;   /* pointer to the current CRL pointer (may point at NULL);
	                                     * read under crl_lock when non-NULL */
	pthread_mutex_t *crl_lock;          /* may be NULL */
	size_t session_cache_bytes;         /* 0: no resumption */
};
/* The session cache: BearSSL's LRU for the session parameters plus, per session, the client's
 * identity (a resumed handshake sends no certificate). session_cache_bytes is split between
 * the two: each session costs about 100 + sizeof(struct tls_peer_id) + 48 bytes. A resumed
 * session whose serial is now revoked, whose certificate has expired since, or that is older
 * than 24 hours is not resumed (a full handshake checks the certificate again). */
struct tls_cache_slot;
struct tls_cache {
	const br_ssl_session_cache_class *vtable;
	br_ssl_session_cache_lru lru;
	unsigned char *lru_buf;
	struct tls_cache_slot *slots;
	size_t n_slots, next_slot;
	pthread_mutex_t lock;
	const struct tls_server *server;
};
/* The symmetric implementations this CPU runs fastest (tls_impl_get):
 * looked up once, since each lookup is a CPUID, which a VM traps. */
struct tls_impl {
	const br_block_ctr_class *aes_ctr;
	br_ghash ghash;
	br_poly1305_run poly1305;
};
struct tls_server {
	struct tls_server_conf conf;
	struct tls_cache cache;
	int have_cache;
	struct tls_impl impl;
};
int  tls_server_init(struct tls_server *s, const struct tls_server_conf *c, struct berr *e);
void tls_server_fini(struct tls_server *s);

/* Client side. server_name: DNS name (checked against SAN dNSName) or an IP literal (checked
 * against an IP SAN: BearSSL does not do this; lib/tls does, on the captured leaf). */
struct tls_client_conf {
	const struct tls_anchors *ca;
	const struct tls_creds *creds;      /* client certificate, or NULL */
	const char *server_name;
	br_ssl_session_parameters *session; /* optional: offered when its session_id_len > 0,
	                                     * filled after a successful handshake */
};

enum tls_fail {                      /* why a handshake failed: for counters and the audit log */
	TLS_FAIL_NONE = 0,
	TLS_FAIL_PLAINTEXT,              /* first bytes were not a TLS record (an HTTP request): the
	                                  * server has already written Go's answer "HTTP/1.0 400 Bad
	                                  * Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n" */
	TLS_FAIL_NO_CERT,                /* client sent no certificate */
	TLS_FAIL_BAD_CERT,               /* unknown CA, expired, not yet valid, revoked, wrong KU/EKU */
	TLS_FAIL_PROTOCOL,               /* anything else: version, suites, bad record, MAC, timeout */
};

/* The X.509 class both sides use: br_x509_minimal plus the leaf's DER captured for
 * tls_cert_identity (server: KU/EKU/CRL) or the IP SAN check (client). Internal. */
struct tls_x509 {
	const br_x509_class *vtable;
	br_x509_minimal_context minimal;
	struct tls_conn *conn;
	int n_certs;
	size_t leaf_len;
	int leaf_too_big;
	unsigned char leaf[TLS_LEAF_MAX];
};

/* One connection (caller allocates; contains the BearSSL context and its BIDI buffer).
 * sizeof(struct tls_conn) is 45,696 bytes on x86-64: 33,178 of BearSSL buffer, 4,128 of server
 * context, 7,304 of X.509 state with the 4 KiB leaf copy, 912 of peer identity. Driven from ONE
 * thread at a time. The fields are internal. */
/* Socket bytes read at once ahead of what the engine asks for (a record
 * header, then its body): one recv brings a request's whole record. */
#define TLS_READ_AHEAD 2048
struct tls_conn {
	union {
		br_ssl_server_context s;
		br_ssl_client_context c;
	} ctx;
	br_ssl_engine_context *eng;
	struct tls_x509 x509;
	struct tls_server *server;           /* server side, else NULL */
	br_ssl_session_parameters *session;  /* client side */
	unsigned char offered_id[32];        /* client: the session id offered for resumption */
	size_t offered_len;
	int fd;
	enum tls_fail fail;
	const char *fail_reason;
	int got_bytes;                       /* any byte received (plaintext detection) */
	int in_eof;                          /* input ended (FIN at a boundary, or half-close alert) */
	int half_close;
	int discard;                         /* half-closed: drop what the peer still sends */
	int resumed;
	int hs_done;
	int broken;                          /* errno of a failed socket call (EPROTO: a protocol
	                                      * failure seen here), 0 when none */
	const char *broken_what;
	int peer_alert;                      /* 1 + the alert a refusing peer sent, 0 none */
	int ip_check;                        /* client: server_name was an IP literal */
	unsigned char ip[16];
	size_t ip_len;
	unsigned char hdr[5];                /* record header being read */
	size_t hdr_got;
	size_t rec_left;                     /* body bytes of the current record still to read */
	unsigned long moved;                 /* socket calls that moved bytes (wait_pump's progress) */
	struct tls_peer_id peer;
	size_t ra_off, ra_len;               /* ra[ra_off..ra_len): read, not yet given to the engine */
	unsigned char ra[TLS_READ_AHEAD];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};
int  tls_conn_server(struct tls_conn *c, struct tls_server *s, int fd, struct berr *e); /* no I/O */
int  tls_conn_client(struct tls_conn *c, const struct tls_client_conf *cc, int fd, struct berr *e);
void tls_conn_fini(struct tls_conn *c);  /* frees nothing but state; does not close fd; wipes keys */

/* CLOCK_MONOTONIC in milliseconds: the clock of every deadline_ms below. */
long long tls_now_ms(void);

/* Blocking helpers; deadline_ms is CLOCK_MONOTONIC in ms (tls_now_ms), < 0 for none; a deadline
 * passing is an error with errno ETIMEDOUT in e. */
int  tls_conn_handshake(struct tls_conn *c, long long deadline_ms, struct berr *e);
	/* server: on failure sets tls_conn_failure(); sends the alert, half-closes the socket and
	 * drains up to 500 ms before returning (DOCKER_API.md §1 pitfall) */
enum tls_fail tls_conn_failure(const struct tls_conn *c);
/* A short phrase for the failure ("unknown CA", "expired or not yet valid", "revoked",
 * "not for client authentication", "no certificate", …), "" when none. */
const char *tls_conn_failure_reason(const struct tls_conn *c);
const struct tls_peer_id *tls_conn_peer(const struct tls_conn *c); /* server, after success */
int  tls_conn_resumed(const struct tls_conn *c);                   /* 1: session resumed */
long tls_conn_read(struct tls_conn *c, void *buf, size_t n, long long deadline_ms, struct berr *e);
	/* >0 bytes, 0 clean EOF (close_notify, or FIN at a record boundary), <0 error */
int  tls_conn_write_all(struct tls_conn *c, const void *buf, size_t n, long long deadline_ms,
                        struct berr *e);   /* buffered in the engine; flushes as records fill */
int  tls_conn_flush(struct tls_conn *c, long long deadline_ms, struct berr *e);
int  tls_conn_close(struct tls_conn *c, long long deadline_ms);     /* close_notify, best effort */

/* Non-blocking driver, for a relay that polls the TLS socket and another fd in one thread. */
unsigned tls_conn_want(const struct tls_conn *c);   /* POLLIN|POLLOUT the socket side needs now */
int  tls_conn_pump(struct tls_conn *c, unsigned revents, struct berr *e);
	/* does the socket I/O revents allow, never blocks; 0 ok, <0 error */
long tls_conn_recv(struct tls_conn *c, void *buf, size_t n);
	/* decrypted bytes available now: >0, 0 none yet, TLS_EOF (-2) at end of input,
	 * -1 when the connection failed (tls_conn_pump reports why) */
long tls_conn_send(struct tls_conn *c, const void *buf, size_t n);
	/* bytes taken into the engine now (may be < n; 0 when full); -1 when output is closed */
int  tls_conn_send_flush(struct tls_conn *c);         /* ask the engine to emit a partial record */
int  tls_conn_output_pending(const struct tls_conn *c); /* 1: encrypted bytes not yet written */
#define TLS_EOF (-2)

/* After an HTTP 101 (hijack): from now on an incoming TLS record of content type 21 (alert, e.g.
 * the Go client's close_notify from CloseWrite) is NOT fed to the engine (BearSSL would close the
 * whole engine); input reports TLS_EOF / 0 and output keeps working (DOCKER_API.md §5.1).
 * Bytes the peer sends after that alert are read and dropped (tls_conn_want keeps asking for
 * POLLIN until the peer's FIN), so that closing the socket is a FIN, not a reset that could
 * destroy output the peer has not read: end the stream with tls_conn_close (or pump once
 * more) before closing the socket. */
void tls_conn_half_close_input(struct tls_conn *c);

#endif
