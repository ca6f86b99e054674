/* fuzz_x509.c — libFuzzer target: DER bytes as a client certificate.
 * tls_cert_identity and tls_cert_has_ip on the whole input, checking what
 * they promise (NUL-terminated strings within their arrays, counts within
 * TLS_ATTR_MAX, hex serial); then the same bytes through the X.509 class the
 * server uses (br_x509_minimal wrapped with the leaf capture and our checks),
 * fed in pieces as BearSSL's handshake code feeds it, with no anchors (so
 * every chain is refused, after being decoded). Any breach aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tls-internal.h"

static void check_str(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void identity(const uint8_t *data, size_t size)
{
	struct tls_peer_id id;
	struct berr e;
	int ok = -1;
	static const unsigned char ip4[4] = { 127, 0, 0, 1 };

	if (tls_cert_identity(data, size, &id, &ok, &e) == 0) {
		check_str(id.subject, sizeof id.subject);
		check_str(id.cn, sizeof id.cn);
		check_str(id.serial, sizeof id.serial);
		if (id.n_o < 0 || id.n_o > TLS_ATTR_MAX || id.n_ou < 0 || id.n_ou > TLS_ATTR_MAX)
			abort();
		for (int i = 0; i < id.n_o; i++)
			check_str(id.o[i], sizeof id.o[i]);
		for (int i = 0; i < id.n_ou; i++)
			check_str(id.ou[i], sizeof id.ou[i]);
		if ((ok != 0 && ok != 1) || strlen(id.serial) % 2 || !id.serial[0] ||
		    strspn(id.serial, "0123456789abcdef") != strlen(id.serial))
			abort();
	} else {
		check_str(e.msg, sizeof e.msg);
	}
	int r = tls_cert_has_ip(data, size, ip4, sizeof ip4, &e);
	if (r != 0 && r != 1 && r >= 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tls_conn conn;
	static struct tls_server server;
	static const struct tls_anchors none;
	const br_x509_class **x = &conn.x509.vtable;
	size_t off = 0, step = size ? 1 + data[0] % 97 : 1;

	identity(data, size);
	memset(&conn, 0, offsetof(struct tls_conn, iobuf));
	conn.server = &server;
	tls_x509_init(&conn.x509, &conn, &none);
	(*x)->start_chain(x, NULL);
	(*x)->start_cert(x, (uint32_t)size);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		(*x)->append(x, data + off, n);
		off += n;
	}
	(*x)->end_cert(x);
	unsigned err = (*x)->end_chain(x);
	if (err == 0 || conn.fail != TLS_FAIL_BAD_CERT || !conn.fail_reason)
		abort();   /* no anchors: nothing may pass */
	if (conn.x509.leaf_len > TLS_LEAF_MAX)
		abort();
	return 0;
}
