/* tls_x509.c — the small DER reading lib/tls needs: a certificate's identity
 * (subject, serial, validity, key usage, EKU), its IP SANs, and the X.509
 * class that wraps br_x509_minimal with those checks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/tls-internal.h"

int der_next(struct der *d, unsigned *tag, struct der *content)
{
	size_t len = 0;

	if (d->end - d->p < 2)
		return -1;
	*tag = *d->p++;
	if ((*tag & 0x1f) == 0x1f)      /* high tag numbers: not in certificates we read */
		return -1;
	unsigned b = *d->p++;
	if (b < 0x80) {
		len = b;
	} else {
		unsigned n = b & 0x7f;
		if (n == 0 || n > 4 || (size_t)(d->end - d->p) < n)
			return -1;
		while (n--)
			len = (len << 8) | *d->p++;
	}
	if ((size_t)(d->end - d->p) < len)
		return -1;
	content->p = d->p;
	content->end = d->p + len;
	d->p += len;
	return 0;
}

int der_expect(struct der *d, unsigned tag, struct der *content)
{
	unsigned t;

	if (der_next(d, &t, content) < 0 || t != tag)
		return -1;
	return 0;
}

static int digits(const unsigned char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's method). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int der_time(unsigned tag, const struct der *v, int64_t *out)
{
	const unsigned char *p = v->p;
	size_t len = (size_t)(v->end - v->p);
	int y, mo, d, h, mi, s;

	if (tag == 0x17 && len == 13) {
		if (digits(p, 2, &y) < 0)
			return -1;
		y += y < 50 ? 2000 : 1900;
		p += 2;
	} else if (tag == 0x18 && len == 15) {
		if (digits(p, 4, &y) < 0)
			return -1;
		p += 4;
	} else {
		return -1;
	}
	if (digits(p, 2, &mo) < 0 || digits(p + 2, 2, &d) < 0 || digits(p + 4, 2, &h) < 0 ||
	    digits(p + 6, 2, &mi) < 0 || digits(p + 8, 2, &s) < 0 || p[10] != 'Z')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* The parts of a certificate we look at. */
struct cert_parts {
	struct der serial, validity, subject, exts;
	int have_exts;
};

static int cert_split(const unsigned char *der, size_t len, struct cert_parts *cp)
{
	struct der d = { der, der + len }, cert, tbs, skip;
	unsigned tag;

	memset(cp, 0, sizeof *cp);
	if (der_expect(&d, 0x30, &cert) < 0 || d.p != d.end || der_expect(&cert, 0x30, &tbs) < 0)
		return -1;
	if (tbs.p < tbs.end && *tbs.p == 0xa0 && der_next(&tbs, &tag, &skip) < 0)
		return -1;
	if (der_expect(&tbs, 0x02, &cp->serial) < 0 || der_expect(&tbs, 0x30, &skip) < 0 ||
	    der_expect(&tbs, 0x30, &skip) < 0 || der_expect(&tbs, 0x30, &cp->validity) < 0 ||
	    der_expect(&tbs, 0x30, &cp->subject) < 0 || der_expect(&tbs, 0x30, &skip) < 0)
		return -1;
	while (tbs.p < tbs.end) {
		struct der v;
		if (der_next(&tbs, &tag, &v) < 0)
			return -1;
		if (tag == 0xa3) {
			if (der_expect(&v, 0x30, &cp->exts) < 0)
				return -1;
			cp->have_exts = 1;
		}
	}
	return 0;
}

static const unsigned char OID_CN[] = { 0x55, 0x04, 0x03 };
static const unsigned char OID_O[] = { 0x55, 0x04, 0x0a };
static const unsigned char OID_OU[] = { 0x55, 0x04, 0x0b };
static const unsigned char OID_KU[] = { 0x55, 0x1d, 0x0f };
static const unsigned char OID_EKU[] = { 0x55, 0x1d, 0x25 };
static const unsigned char OID_SAN[] = { 0x55, 0x1d, 0x11 };
static const unsigned char OID_ANY_EKU[] = { 0x55, 0x1d, 0x25, 0x00 };
static const unsigned char OID_CLIENT_AUTH[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };

static int oid_is(const struct der *v, const unsigned char *oid, size_t n)
{
	return (size_t)(v->end - v->p) == n && memcmp(v->p, oid, n) == 0;
}

static const struct {
	unsigned char oid[3];
	const char *name;
} attr_names[] = {
	{ { 0x55, 0x04, 0x03 }, "CN" }, { { 0x55, 0x04, 0x0a }, "O" }, { { 0x55, 0x04, 0x0b }, "OU" },
	{ { 0x55, 0x04, 0x06 }, "C" },  { { 0x55, 0x04, 0x07 }, "L" }, { { 0x55, 0x04, 0x08 }, "ST" },
	{ { 0x55, 0x04, 0x05 }, "serialNumber" },
};

/* Copy a directory string's value as text: bytes < 0x20 or 0x7f become '?';
 * BMPString and UniversalString keep ASCII characters only. */
static void attr_text(unsigned tag, const struct der *v, char *out, size_t size)
{
	size_t o = 0, step = tag == 0x1e ? 2 : tag == 0x1c ? 4 : 1;

	for (const unsigned char *p = v->p; p + step <= v->end && o + 1 < size; p += step) {
		unsigned ch = p[step - 1];
		for (size_t i = 0; i + 1 < step; i++)
			if (p[i])
				ch = '?';
		out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[o] = '\0';
}

/* Append to the subject string, escaping as RFC 4514 does; truncates silently. */
static void subj_add(char *s, size_t size, size_t *o, const char *text, int escape)
{
	for (const char *p = text; *p; p++) {
		char buf[4];
		int n = 0;
		if (escape && strchr(",+\"\\<>;=", *p))
			buf[n++] = '\\';
		buf[n++] = *p;
		if (*o + (size_t)n + 1 > size)
			return;
		memcpy(s + *o, buf, (size_t)n);
		*o += (size_t)n;
		s[*o] = '\0';
	}
}

static void subj_name(char *s, size_t size, size_t *o, const struct der *oid)
{
	char dotted[64];

	for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++)
		if (oid_is(oid, attr_names[i].oid, 3)) {
			subj_add(s, size, o, attr_names[i].name, 0);
			return;
		}
	/* unknown attribute: its OID in dotted form (first arc pair and the rest) */
	size_t n = 0;
	unsigned long v = 0;
	int first = 1;
	dotted[0] = '\0';
	for (const unsigned char *p = oid->p; p < oid->end && n + 24 < sizeof dotted; p++) {
		v = (v << 7) | (*p & 0x7f);
		if (*p & 0x80)
			continue;
		if (first)
			n += (size_t)snprintf(dotted + n, sizeof dotted - n, "%lu.%lu",
					      v < 80 ? v / 40 : 2, v < 80 ? v % 40 : v - 80);
		else
			n += (size_t)snprintf(dotted + n, sizeof dotted - n, ".%lu", v);
		first = 0;
		v = 0;
	}
	subj_add(s, size, o, dotted, 0);
}

static int subject_parse(struct der subj, struct tls_peer_id *id)
{
	size_t o = 0;

	while (subj.p < subj.end) {
		struct der set, atv, oid, val;
		unsigned tag;
		if (der_expect(&subj, 0x31, &set) < 0)
			return -1;
		while (set.p < set.end) {
			char text[65];
			if (der_expect(&set, 0x30, &atv) < 0 || der_expect(&atv, 0x06, &oid) < 0 ||
			    der_next(&atv, &tag, &val) < 0)
				return -1;
			attr_text(tag, &val, text, sizeof text);
			if (o)
				subj_add(id->subject, sizeof id->subject, &o, ",", 0);
			subj_name(id->subject, sizeof id->subject, &o, &oid);
			subj_add(id->subject, sizeof id->subject, &o, "=", 0);
			subj_add(id->subject, sizeof id->subject, &o, text, 1);
			if (oid_is(&oid, OID_CN, 3) && !id->cn[0])
				memcpy(id->cn, text, sizeof id->cn);
			else if (oid_is(&oid, OID_O, 3) && id->n_o < TLS_ATTR_MAX)
				memcpy(id->o[id->n_o++], text, sizeof text);
			else if (oid_is(&oid, OID_OU, 3) && id->n_ou < TLS_ATTR_MAX)
				memcpy(id->ou[id->n_ou++], text, sizeof text);
		}
	}
	return 0;
}

static int ku_ok(struct der v)
{
	struct der bits;

	if (der_expect(&v, 0x03, &bits) < 0 || bits.end - bits.p < 1)
		return -1;
	/* digitalSignature is the first bit after the unused-bits count */
	return bits.end - bits.p >= 2 && (bits.p[1] & 0x80);
}

static int eku_ok(struct der v)
{
	struct der seq, oid;
	int ok = 0;

	if (der_expect(&v, 0x30, &seq) < 0)
		return -1;
	while (seq.p < seq.end) {
		if (der_expect(&seq, 0x06, &oid) < 0)
			return -1;
		if (oid_is(&oid, OID_CLIENT_AUTH, sizeof OID_CLIENT_AUTH) ||
		    oid_is(&oid, OID_ANY_EKU, sizeof OID_ANY_EKU))
			ok = 1;
	}
	return ok;
}

/* Call fn for each extension: its OID and the OCTET STRING's content. */
static int exts_each(struct der exts, int (*fn)(void *, const struct der *, struct der), void *arg)
{
	while (exts.p < exts.end) {
		struct der ext, oid, val;
		unsigned tag;
		if (der_expect(&exts, 0x30, &ext) < 0 || der_expect(&ext, 0x06, &oid) < 0)
			return -1;
		if (der_next(&ext, &tag, &val) < 0)
			return -1;
		if (tag == 0x01 && der_next(&ext, &tag, &val) < 0)
			return -1;
		if (tag != 0x04)
			return -1;
		int r = fn(arg, &oid, val);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int usage_ext(void *arg, const struct der *oid, struct der val)
{
	int *client_ok = arg, r;

	if (oid_is(oid, OID_KU, 3)) {
		if ((r = ku_ok(val)) < 0)
			return -1;
		if (!r)
			*client_ok = 0;
	} else if (oid_is(oid, OID_EKU, 3)) {
		if ((r = eku_ok(val)) < 0)
			return -1;
		if (!r)
			*client_ok = 0;
	}
	return 0;
}

int tls_cert_identity(const unsigned char *der, size_t len, struct tls_peer_id *id, int *client_ok,
		      struct berr *e)
{
	struct cert_parts cp;
	struct der v, t;
	unsigned tag;

	memset(id, 0, sizeof *id);
	*client_ok = 1;
	if (cert_split(der, len, &cp) < 0)
		return berr_set(e, EINVAL, "certificate: malformed DER");
	size_t sl = (size_t)(cp.serial.end - cp.serial.p);
	if (sl < 1 || sl > 20)
		return berr_set(e, EINVAL, "certificate: serial of %zu bytes", sl);
	for (size_t i = 0; i < sl; i++)
		snprintf(id->serial + 2 * i, 3, "%02x", cp.serial.p[i]);
	v = cp.validity;
	if (der_next(&v, &tag, &t) < 0 || der_time(tag, &t, &id->not_before) < 0 ||
	    der_next(&v, &tag, &t) < 0 || der_time(tag, &t, &id->not_after) < 0)
		return berr_set(e, EINVAL, "certificate: malformed validity");
	if (subject_parse(cp.subject, id) < 0)
		return berr_set(e, EINVAL, "certificate: malformed subject");
	if (cp.have_exts && exts_each(cp.exts, usage_ext, client_ok) < 0)
		return berr_set(e, EINVAL, "certificate: malformed extensions");
	return 0;
}

struct ip_find {
	const unsigned char *addr;
	size_t alen;
	int found;
};

static int san_ext(void *arg, const struct der *oid, struct der val)
{
	struct ip_find *f = arg;
	struct der seq, name;
	unsigned tag;

	if (!oid_is(oid, OID_SAN, 3))
		return 0;
	if (der_expect(&val, 0x30, &seq) < 0)
		return -1;
	while (seq.p < seq.end) {
		if (der_next(&seq, &tag, &name) < 0)
			return -1;
		if (tag == 0x87 && (size_t)(name.end - name.p) == f->alen &&
		    memcmp(name.p, f->addr, f->alen) == 0)
			f->found = 1;
	}
	return 0;
}

int tls_cert_has_ip(const unsigned char *der, size_t len, const unsigned char *addr, size_t alen,
		    struct berr *e)
{
	struct cert_parts cp;
	struct ip_find f = { addr, alen, 0 };

	if (cert_split(der, len, &cp) < 0 || (cp.have_exts && exts_each(cp.exts, san_ext, &f) < 0))
		return berr_set(e, EINVAL, "certificate: malformed DER");
	return f.found;
}

/* ---------------------------------------------------------------- the X.509 class */

static struct tls_x509 *X(const br_x509_class **ctx)
{
	return (struct tls_x509 *)(void *)ctx;
}

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509 *x = X(ctx);
	time_t now = time(NULL);

	x->n_certs = 0;
	x->leaf_len = 0;
	x->leaf_too_big = 0;
	br_x509_minimal_set_time(&x->minimal, (uint32_t)(now / 86400 + 719528),
				 (uint32_t)(now % 86400));
	/* an IP literal is checked here on the leaf, not by name */
	x->minimal.vtable->start_chain(&x->minimal.vtable, x->conn->ip_check ? NULL : server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509 *x = X(ctx);

	if (x->n_certs == 0 && length > TLS_LEAF_MAX)
		x->leaf_too_big = 1;
	x->minimal.vtable->start_cert(&x->minimal.vtable, length);
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_x509 *x = X(ctx);

	if (x->n_certs == 0 && !x->leaf_too_big) {
		if (len > TLS_LEAF_MAX - x->leaf_len) {
			x->leaf_too_big = 1;
		} else {
			memcpy(x->leaf + x->leaf_len, buf, len);
			x->leaf_len += len;
		}
	}
	x->minimal.vtable->append(&x->minimal.vtable, buf, len);
}

static void x_end_cert(const br_x509_class **ctx)
{
	struct tls_x509 *x = X(ctx);

	x->n_certs++;
	x->minimal.vtable->end_cert(&x->minimal.vtable);
}

static unsigned x_fail(struct tls_x509 *x, unsigned err, const char *why)
{
	x->conn->fail = TLS_FAIL_BAD_CERT;
	x->conn->fail_reason = why;
	return err;
}

static unsigned x_end_server_side(struct tls_x509 *x)
{
	struct berr e;
	int client_ok;

	if (tls_cert_identity(x->leaf, x->leaf_len, &x->conn->peer, &client_ok, &e) < 0)
		return x_fail(x, BR_ERR_X509_UNSUPPORTED, "undecodable");
	if (!client_ok)
		return x_fail(x, BR_ERR_X509_FORBIDDEN_KEY_USAGE, "not for client authentication");
	if (tls_server_revoked(x->conn->server, x->conn->peer.serial))
		return x_fail(x, BR_ERR_X509_NOT_TRUSTED, "revoked");
	return 0;
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
	struct tls_x509 *x = X(ctx);
	unsigned err = x->minimal.vtable->end_chain(&x->minimal.vtable);
	struct berr e;

	if (err == BR_ERR_X509_NOT_TRUSTED)
		return x_fail(x, err, "unknown CA");
	if (err == BR_ERR_X509_EXPIRED)
		return x_fail(x, err, "expired or not yet valid");
	if (err == BR_ERR_X509_BAD_SERVER_NAME)
		return x_fail(x, err, "the server name is not in the certificate");
	if (err)
		return x_fail(x, err, x->conn->server ? "invalid chain" : "invalid server certificate");
	if (x->leaf_too_big || x->n_certs == 0)
		return x_fail(x, BR_ERR_X509_LIMIT_EXCEEDED, "leaf certificate too large");
	if (x->conn->server)
		return x_end_server_side(x);
	if (x->conn->ip_check && tls_cert_has_ip(x->leaf, x->leaf_len, x->conn->ip, x->conn->ip_len,
						 &e) != 1)
		return x_fail(x, BR_ERR_X509_BAD_SERVER_NAME, "no IP SAN for the server address");
	return 0;
}

static const br_x509_pkey *x_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct tls_x509 *x = (const struct tls_x509 *)(const void *)ctx;

	return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class tls_x509_vtable = {
	sizeof(struct tls_x509), x_start_chain, x_start_cert, x_append, x_end_cert, x_end_chain,
	x_get_pkey,
};

void tls_x509_algos(br_x509_minimal_context *m)
{
	br_x509_minimal_set_hash(m, br_sha1_ID, &br_sha1_vtable);
	br_x509_minimal_set_hash(m, br_sha224_ID, &br_sha224_vtable);
	br_x509_minimal_set_hash(m, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(m, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(m, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(m, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(m, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
}

void tls_x509_init(struct tls_x509 *x, struct tls_conn *c, const struct tls_anchors *a)
{
	x->vtable = &tls_x509_vtable;
	x->conn = c;
	br_x509_minimal_init(&x->minimal, &br_sha256_vtable, a->ta, a->n);
	tls_x509_algos(&x->minimal);
}
