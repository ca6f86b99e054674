/* tls_crl.c — an X.509 CRL (PEM or DER) checked against its issuer among the
 * loaded anchors, kept as a sorted set of revoked serials. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/tls-internal.h"

#define CRL_FILE_MAX (4 * 1024 * 1024)
#define CRL_ENTRIES_MAX 100000

static const struct {
	unsigned char oid[9];
	size_t oid_len;
	int rsa;
	const br_hash_class *hash;
	const unsigned char *hash_oid;
} sig_algs[] = {
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 }, 8, 0, &br_sha256_vtable, NULL },
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 }, 8, 0, &br_sha384_vtable, NULL },
	{ { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04 }, 8, 0, &br_sha512_vtable, NULL },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b }, 9, 1, &br_sha256_vtable,
	  BR_HASH_OID_SHA256 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c }, 9, 1, &br_sha384_vtable,
	  BR_HASH_OID_SHA384 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d }, 9, 1, &br_sha512_vtable,
	  BR_HASH_OID_SHA512 },
};

struct crl_parts {
	const unsigned char *tbs, *issuer;
	size_t tbs_len, issuer_len;
	struct der this_update, next_update, revoked, alg, sig;
	unsigned this_tag, next_tag;
	int have_next, have_revoked;
};

static int crl_split(const unsigned char *der, size_t len, struct crl_parts *p)
{
	struct der d = { der, der + len }, list, tbs, skip, bits;
	unsigned tag;

	memset(p, 0, sizeof *p);
	if (der_expect(&d, 0x30, &list) < 0)
		return -1;
	p->tbs = list.p;
	if (der_expect(&list, 0x30, &tbs) < 0)
		return -1;
	p->tbs_len = (size_t)(tbs.end - p->tbs);
	if (der_expect(&list, 0x30, &p->alg) < 0 || der_expect(&list, 0x03, &bits) < 0 ||
	    bits.end - bits.p < 2 || bits.p[0] != 0)
		return -1;
	p->sig.p = bits.p + 1;
	p->sig.end = bits.end;
	if (tbs.p < tbs.end && *tbs.p == 0x02 && der_next(&tbs, &tag, &skip) < 0)
		return -1;
	if (der_expect(&tbs, 0x30, &skip) < 0)
		return -1;
	p->issuer = tbs.p;
	if (der_expect(&tbs, 0x30, &skip) < 0)
		return -1;
	p->issuer_len = (size_t)(tbs.p - p->issuer);
	if (der_next(&tbs, &p->this_tag, &p->this_update) < 0)
		return -1;
	if (tbs.p < tbs.end && (*tbs.p == 0x17 || *tbs.p == 0x18)) {
		if (der_next(&tbs, &p->next_tag, &p->next_update) < 0)
			return -1;
		p->have_next = 1;
	}
	if (tbs.p < tbs.end && *tbs.p == 0x30) {
		if (der_expect(&tbs, 0x30, &p->revoked) < 0)
			return -1;
		p->have_revoked = 1;
	}
	return 0;
}

static int crl_verify(const struct crl_parts *p, const struct tls_anchors *issuers)
{
	struct der alg = p->alg, oid;
	unsigned char hash[64], out[64];
	br_hash_compat_context hc;
	size_t i, n = sizeof sig_algs / sizeof sig_algs[0], hlen;

	if (der_expect(&alg, 0x06, &oid) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((size_t)(oid.end - oid.p) == sig_algs[i].oid_len &&
		    memcmp(oid.p, sig_algs[i].oid, sig_algs[i].oid_len) == 0)
			break;
	if (i == n)
		return -1;
	sig_algs[i].hash->init(&hc.vtable);
	sig_algs[i].hash->update(&hc.vtable, p->tbs, p->tbs_len);
	sig_algs[i].hash->out(&hc.vtable, hash);
	hlen = (sig_algs[i].hash->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
	for (size_t a = 0; a < issuers->n; a++) {
		const br_x509_trust_anchor *ta = &issuers->ta[a];
		size_t slen = (size_t)(p->sig.end - p->sig.p);
		if (ta->dn.len != p->issuer_len || memcmp(ta->dn.data, p->issuer, p->issuer_len) != 0)
			continue;
		if (!sig_algs[i].rsa && ta->pkey.key_type == BR_KEYTYPE_EC &&
		    br_ecdsa_vrfy_asn1_get_default()(br_ec_get_default(), hash, hlen, &ta->pkey.key.ec,
						     p->sig.p, slen))
			return 0;
		if (sig_algs[i].rsa && ta->pkey.key_type == BR_KEYTYPE_RSA &&
		    br_rsa_pkcs1_vrfy_get_default()(p->sig.p, slen, sig_algs[i].hash_oid, hlen,
						    &ta->pkey.key.rsa, out) &&
		    memcmp(out, hash, hlen) == 0)
			return 0;
	}
	return -1;
}

static int serial_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 21);
}

static int crl_entries(struct tls_crl *c, struct der rev, const char *path, struct berr *e)
{
	size_t cap = 0;

	while (rev.p < rev.end) {
		struct der ent, serial;
		if (der_expect(&rev, 0x30, &ent) < 0 || der_expect(&ent, 0x02, &serial) < 0)
			return berr_set(e, EINVAL, "%s: malformed revoked entry", path);
		size_t sl = (size_t)(serial.end - serial.p);
		if (sl < 1 || sl > 20)
			continue;            /* not a serial we issue: cannot match */
		if (c->n == cap) {
			if (cap >= CRL_ENTRIES_MAX)
				return berr_set(e, EFBIG, "%s: more than %d entries", path,
						CRL_ENTRIES_MAX);
			cap = cap ? cap * 2 : 64;
			void *n = realloc(c->serial, cap * sizeof *c->serial);
			if (!n)
				return berr_set(e, ENOMEM, "%s: out of memory", path);
			c->serial = n;
		}
		memset(c->serial[c->n], 0, sizeof c->serial[0]);
		c->serial[c->n][0] = (unsigned char)sl;
		memcpy(c->serial[c->n] + 1, serial.p, sl);
		c->n++;
	}
	if (c->n)
		qsort(c->serial, c->n, sizeof c->serial[0], serial_cmp);
	return 0;
}

struct crl_sink {
	unsigned char *p;
	size_t len, cap;
	int on;
};

static void crl_dest(void *arg, const void *src, size_t l)
{
	struct crl_sink *s = arg;

	if (l > s->cap - s->len)
		l = s->cap - s->len;    /* cannot happen: DER is shorter than its base64 */
	memcpy(s->p + s->len, src, l);
	s->len += l;
}

/* The DER of the file: the first PEM "X509 CRL" decoded, or the bytes as they are. */
static unsigned char *crl_der(const char *path, size_t *len, struct berr *e)
{
	unsigned char *buf = malloc(CRL_FILE_MAX), *out;
	ssize_t n;
	br_pem_decoder_context pc;
	size_t used = 0;
	struct crl_sink s = { 0 };

	if (!buf)
		return berr_set(e, ENOMEM, "%s: out of memory", path), NULL;
	n = fs_read(path, (char *)buf, CRL_FILE_MAX, e);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[0] == 0x30) {
		*len = (size_t)n;
		return buf;
	}
	out = malloc((size_t)n + 1);
	if (!out) {
		free(buf);
		return berr_set(e, ENOMEM, "%s: out of memory", path), NULL;
	}
	s.p = out;
	s.cap = (size_t)n;
	br_pem_decoder_init(&pc);
	while (used < (size_t)n) {
		used += br_pem_decoder_push(&pc, buf + used, (size_t)n - used);
		int ev = br_pem_decoder_event(&pc);
		if (ev == BR_PEM_BEGIN_OBJ && !strcmp(br_pem_decoder_name(&pc), "X509 CRL")) {
			s.on = 1;
			br_pem_decoder_setdest(&pc, crl_dest, &s);
		} else if (ev == BR_PEM_BEGIN_OBJ) {
			br_pem_decoder_setdest(&pc, NULL, NULL);
		} else if ((ev == BR_PEM_END_OBJ && s.on) || ev == BR_PEM_ERROR) {
			break;
		}
	}
	free(buf);
	if (!s.on || !s.len) {
		free(out);
		return berr_set(e, EINVAL, "%s: no X509 CRL (PEM) or DER CRL", path), NULL;
	}
	*len = s.len;
	return out;
}

int tls_crl_load(struct tls_crl *c, const char *path, const struct tls_anchors *issuers, struct berr *e)
{
	struct crl_parts p;
	size_t len;
	unsigned char *der;
	int r = 0;

	memset(c, 0, sizeof *c);
	der = crl_der(path, &len, e);
	if (!der)
		return -1;
	if (crl_split(der, len, &p) < 0 || der_time(p.this_tag, &p.this_update, &c->this_update) < 0 ||
	    (p.have_next && der_time(p.next_tag, &p.next_update, &c->next_update) < 0))
		r = berr_set(e, EINVAL, "%s: malformed CRL", path);
	else if (crl_verify(&p, issuers) < 0)
		r = berr_set(e, EINVAL, "%s: CRL not signed by a loaded CA", path);
	else if (p.have_revoked)
		r = crl_entries(c, p.revoked, path, e);
	free(der);
	if (r < 0)
		tls_crl_free(c);
	return r;
}

void tls_crl_free(struct tls_crl *c)
{
	free(c->serial);
	memset(c, 0, sizeof *c);
}

int tls_crl_has(const struct tls_crl *c, const unsigned char *serial, size_t len)
{
	unsigned char key[21] = { 0 };

	if (!c || len < 1 || len > 20 || !c->n)
		return 0;
	key[0] = (unsigned char)len;
	memcpy(key + 1, serial, len);
	return bsearch(key, c->serial, c->n, sizeof c->serial[0], serial_cmp) != NULL;
}
