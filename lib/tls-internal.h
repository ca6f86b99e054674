/* tls-internal.h — shared by lib/tls.c, lib/tls_x509.c and lib/tls_pem.c. */
#ifndef BERTH_LIB_TLS_INTERNAL_H
#define BERTH_LIB_TLS_INTERNAL_H

#include "lib/tls.h"

/* A DER reader over [p, end). */
struct der {
	const unsigned char *p, *end;
};
/* Read the next element: its tag byte and content; -1 on malformed input. */
int der_next(struct der *d, unsigned *tag, struct der *content);
/* Read the next element and require its tag. */
int der_expect(struct der *d, unsigned tag, struct der *content);
/* UTCTime (0x17) or GeneralizedTime (0x18) content to unix seconds. */
int der_time(unsigned tag, const struct der *v, int64_t *out);

/* The X.509 class (br_x509_minimal + leaf capture + our checks). */
void tls_x509_init(struct tls_x509 *x, struct tls_conn *c, const struct tls_anchors *a);

/* Session cache class over BearSSL's LRU. */
int  tls_cache_init(struct tls_cache *k, const struct tls_server *s, size_t bytes, struct berr *e);
void tls_cache_fini(struct tls_cache *k);

/* The engines and algorithms chosen (see docs/tls.md). */
void tls_impl_get(struct tls_impl *impl);
void tls_engine_setup(br_ssl_engine_context *eng, const struct tls_impl *impl);
void tls_x509_algos(br_x509_minimal_context *x);

/* Wipe memory the compiler may not elide. */
void tls_wipe(void *p, size_t n);

/* Is the current CRL listing this serial? (locks crl_lock) */
int tls_server_revoked(const struct tls_server *s, const char *serial_hex);

#endif
