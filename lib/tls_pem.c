/* tls_pem.c — loading what lib/tls needs from files: a certificate chain and
 * its key, trust anchors, a CRL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/tls-internal.h"

#define PEM_FILE_MAX (256 * 1024)

void tls_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* One decoded PEM object (or the whole file when it is DER). */
struct pem_obj {
	char name[64];
	unsigned char *der;
	size_t len;
};
struct pem_list {
	struct pem_obj *obj;
	size_t n;
	int failed;               /* out of memory */
};

static void pem_list_free(struct pem_list *l, int wipe)
{
	for (size_t i = 0; i < l->n; i++) {
		if (wipe)
			tls_wipe(l->obj[i].der, l->obj[i].len);
		free(l->obj[i].der);
	}
	free(l->obj);
	memset(l, 0, sizeof *l);
}

static void pem_dest(void *arg, const void *src, size_t len)
{
	struct pem_list *l = arg;
	struct pem_obj *o = &l->obj[l->n - 1];
	unsigned char *n;

	if (l->failed)
		return;
	n = realloc(o->der, o->len + len);
	if (!n) {
		l->failed = 1;
		return;
	}
	memcpy(n + o->len, src, len);
	o->der = n;
	o->len += len;
}

static int pem_begin(struct pem_list *l, const char *name)
{
	struct pem_obj *n = realloc(l->obj, (l->n + 1) * sizeof *n);

	if (!n)
		return -1;
	l->obj = n;
	memset(&n[l->n], 0, sizeof n[0]);
	snprintf(n[l->n].name, sizeof n[0].name, "%s", name);
	l->n++;
	return 0;
}

/* Decode every PEM object of buf; with der_ok, a buffer that starts with a
 * DER SEQUENCE is taken as one object named der_name. */
static int pem_decode(const char *path, const unsigned char *buf, size_t len, struct pem_list *l,
		      const char *der_name, struct berr *e)
{
	br_pem_decoder_context pc;
	int inside = 0;

	memset(l, 0, sizeof *l);
	if (der_name && len > 0 && buf[0] == 0x30) {
		if (pem_begin(l, der_name) < 0)
			return berr_set(e, ENOMEM, "%s: out of memory", path);
		pem_dest(l, buf, len);
		return l->failed ? berr_set(e, ENOMEM, "%s: out of memory", path) : 0;
	}
	br_pem_decoder_init(&pc);
	while (len > 0) {
		size_t used = br_pem_decoder_push(&pc, buf, len);
		buf += used;
		len -= used;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			if (pem_begin(l, br_pem_decoder_name(&pc)) < 0)
				l->failed = 1;
			else
				br_pem_decoder_setdest(&pc, pem_dest, l);
			inside = 1;
			break;
		case BR_PEM_END_OBJ:
			inside = 0;
			break;
		case BR_PEM_ERROR:
			return berr_set(e, EINVAL, "%s: malformed PEM", path);
		}
		if (l->failed)
			return berr_set(e, ENOMEM, "%s: out of memory", path);
	}
	if (inside)
		return berr_set(e, EINVAL, "%s: PEM object not terminated", path);
	return 0;
}

/* Read a file (bounded) and decode its PEM objects. */
static int pem_file(const char *path, struct pem_list *l, const char *der_name, struct berr *e)
{
	char *buf = malloc(PEM_FILE_MAX);
	ssize_t n;
	int r;

	memset(l, 0, sizeof *l);
	if (!buf)
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	n = fs_read(path, buf, PEM_FILE_MAX, e);
	if (n < 0) {
		free(buf);
		return -1;
	}
	r = pem_decode(path, (unsigned char *)buf, (size_t)n, l, der_name, e);
	tls_wipe(buf, (size_t)n);
	free(buf);
	if (r < 0)
		pem_list_free(l, 1);
	return r;
}

/* ---------------------------------------------------------------- credentials */

static int chain_load(struct tls_creds *c, const char *path, struct berr *e)
{
	struct pem_list l;
	struct tls_peer_id id;
	int client_ok;

	if (pem_file(path, &l, NULL, e) < 0)
		return -1;
	c->chain = calloc(l.n ? l.n : 1, sizeof *c->chain);
	if (!c->chain) {
		pem_list_free(&l, 0);
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	}
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.obj[i].name, "CERTIFICATE") != 0) {
			free(l.obj[i].der);
			continue;
		}
		c->chain[c->chain_len].data = l.obj[i].der;
		c->chain[c->chain_len++].data_len = l.obj[i].len;
	}
	free(l.obj);
	if (c->chain_len == 0)
		return berr_set(e, EINVAL, "%s: no CERTIFICATE in the file", path);
	if (tls_cert_identity(c->chain[0].data, c->chain[0].data_len, &id, &client_ok, e) < 0)
		return berr_prefix(e, "%s", path);
	c->not_after = id.not_after;
	return 0;
}

static int key_copy_ec(struct tls_creds *c, const br_ec_private_key *k, const char *path,
		       struct berr *e)
{
	if (k->curve != BR_EC_secp256r1 && k->curve != BR_EC_secp384r1 &&
	    k->curve != BR_EC_secp521r1)
		return berr_set(e, EINVAL, "%s: EC key on an unsupported curve (%d)", path, k->curve);
	c->key_buf = malloc(k->xlen);
	if (!c->key_buf)
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	memcpy(c->key_buf, k->x, k->xlen);
	c->key_buf_len = k->xlen;
	c->ec = (br_ec_private_key){ k->curve, c->key_buf, k->xlen };
	c->key_type = BR_KEYTYPE_EC;
	return 0;
}

static int key_copy_rsa(struct tls_creds *c, const br_rsa_private_key *k, const char *path,
			struct berr *e)
{
	size_t total = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
	unsigned char *p;

	if (k->n_bitlen < 2048)
		return berr_set(e, EINVAL, "%s: RSA key of %u bits (at least 2048 needed)", path,
				(unsigned)k->n_bitlen);
	c->key_buf = p = malloc(total);
	if (!p)
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	c->key_buf_len = total;
	c->rsa.n_bitlen = k->n_bitlen;
#define PART(f)                                            \
	do {                                               \
		memcpy(p, k->f, k->f##len);                \
		c->rsa.f = p;                              \
		c->rsa.f##len = k->f##len;                 \
		p += k->f##len;                            \
	} while (0)
	PART(p);
	PART(q);
	PART(dp);
	PART(dq);
	PART(iq);
#undef PART
	c->key_type = BR_KEYTYPE_RSA;
	return 0;
}

static int key_load(struct tls_creds *c, const char *path, struct berr *e)
{
	struct pem_list l;
	br_skey_decoder_context *kd;
	int r = -1, found = 0;

	if (pem_file(path, &l, NULL, e) < 0)
		return -1;
	kd = malloc(sizeof *kd);
	if (!kd) {
		pem_list_free(&l, 1);
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	}
	for (size_t i = 0; i < l.n && !found; i++) {
		const char *nm = l.obj[i].name;
		if (strcmp(nm, "PRIVATE KEY") != 0 && strcmp(nm, "EC PRIVATE KEY") != 0 &&
		    strcmp(nm, "RSA PRIVATE KEY") != 0)
			continue;
		found = 1;
		br_skey_decoder_init(kd);
		br_skey_decoder_push(kd, l.obj[i].der, l.obj[i].len);
		if (br_skey_decoder_last_error(kd) != 0)
			berr_set(e, EINVAL, "%s: undecodable %s (error %d)", path, nm,
				 br_skey_decoder_last_error(kd));
		else if (br_skey_decoder_key_type(kd) == BR_KEYTYPE_EC)
			r = key_copy_ec(c, br_skey_decoder_get_ec(kd), path, e);
		else if (br_skey_decoder_key_type(kd) == BR_KEYTYPE_RSA)
			r = key_copy_rsa(c, br_skey_decoder_get_rsa(kd), path, e);
		else
			berr_set(e, EINVAL, "%s: unsupported key type", path);
	}
	if (!found)
		berr_set(e, EINVAL, "%s: no private key (PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)",
			 path);
	tls_wipe(kd, sizeof *kd);
	free(kd);
	pem_list_free(&l, 1);
	return r;
}

int tls_creds_load(struct tls_creds *c, const char *cert_path, const char *key_path, struct berr *e)
{
	memset(c, 0, sizeof *c);
	if (chain_load(c, cert_path, e) < 0 || key_load(c, key_path, e) < 0) {
		tls_creds_wipe(c);
		return -1;
	}
	return 0;
}

void tls_creds_wipe(struct tls_creds *c)
{
	if (c->key_buf) {
		tls_wipe(c->key_buf, c->key_buf_len);
		free(c->key_buf);
	}
	for (size_t i = 0; i < c->chain_len; i++)
		free(c->chain[i].data);
	free(c->chain);
	tls_wipe(c, sizeof *c);
}

int tls_creds_not_after(const struct tls_creds *c, int64_t *unix_secs, struct berr *e)
{
	if (!c->chain_len)
		return berr_set(e, EINVAL, "no certificate loaded");
	*unix_secs = c->not_after;
	return 0;
}

/* ---------------------------------------------------------------- anchors */

struct dn_buf {
	unsigned char *p;
	size_t len;
	int failed;
};

static void dn_append(void *arg, const void *buf, size_t len)
{
	struct dn_buf *d = arg;
	unsigned char *n;

	if (d->failed)
		return;
	n = realloc(d->p, d->len + len);
	if (!n) {
		d->failed = 1;
		return;
	}
	memcpy(n + d->len, buf, len);
	d->p = n;
	d->len += len;
}

static int pkey_copy(br_x509_pkey *dst, const br_x509_pkey *src)
{
	if (src->key_type == BR_KEYTYPE_RSA) {
		unsigned char *p = malloc(src->key.rsa.nlen + src->key.rsa.elen);
		if (!p)
			return -1;
		memcpy(p, src->key.rsa.n, src->key.rsa.nlen);
		memcpy(p + src->key.rsa.nlen, src->key.rsa.e, src->key.rsa.elen);
		*dst = *src;
		dst->key.rsa.n = p;
		dst->key.rsa.e = p + src->key.rsa.nlen;
		return 0;
	}
	unsigned char *q = malloc(src->key.ec.qlen);
	if (!q)
		return -1;
	memcpy(q, src->key.ec.q, src->key.ec.qlen);
	*dst = *src;
	dst->key.ec.q = q;
	return 0;
}

static int anchor_add(struct tls_anchors *a, const unsigned char *der, size_t len, const char *path,
		      struct berr *e)
{
	br_x509_decoder_context *dc = malloc(sizeof *dc);
	struct dn_buf dn = { 0 };
	br_x509_trust_anchor *ta = &a->ta[a->n];
	const br_x509_pkey *pk;

	if (!dc)
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	br_x509_decoder_init(dc, dn_append, &dn);
	br_x509_decoder_push(dc, der, len);
	pk = br_x509_decoder_get_pkey(dc);
	if (!pk || dn.failed) {
		int err = br_x509_decoder_last_error(dc);
		free(dc);
		free(dn.p);
		return berr_set(e, EINVAL, "%s: certificate %zu undecodable (error %d)", path, a->n + 1,
				err);
	}
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn.p;
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(dc) ? BR_X509_TA_CA : 0;
	if (pkey_copy(&ta->pkey, pk) < 0) {
		free(dc);
		free(dn.p);
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	}
	free(dc);
	a->n++;
	return 0;
}

int tls_anchors_load(struct tls_anchors *a, const char *pem_path, struct berr *e)
{
	struct pem_list l;
	int r = 0;

	memset(a, 0, sizeof *a);
	if (pem_file(pem_path, &l, NULL, e) < 0)
		return -1;
	a->ta = calloc(l.n ? l.n : 1, sizeof *a->ta);
	if (!a->ta) {
		pem_list_free(&l, 0);
		return berr_set(e, ENOMEM, "%s: out of memory", pem_path);
	}
	for (size_t i = 0; i < l.n && r == 0; i++)
		if (strcmp(l.obj[i].name, "CERTIFICATE") == 0)
			r = anchor_add(a, l.obj[i].der, l.obj[i].len, pem_path, e);
	pem_list_free(&l, 0);
	if (r == 0 && a->n == 0)
		r = berr_set(e, EINVAL, "%s: no CERTIFICATE in the file", pem_path);
	if (r < 0)
		tls_anchors_free(a);
	return r;
}

void tls_anchors_free(struct tls_anchors *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->ta[i].dn.data);
		if (a->ta[i].pkey.key_type == BR_KEYTYPE_RSA)
			free(a->ta[i].pkey.key.rsa.n);
		else
			free(a->ta[i].pkey.key.ec.q);
	}
	free(a->ta);
	memset(a, 0, sizeof *a);
}
