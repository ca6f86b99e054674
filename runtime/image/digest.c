/* digest.c — sha256: SHA-NI (sha_ni.c) when the CPU has it, else BearSSL; see digest.h. */
#include <errno.h>
#include <string.h>

#include "runtime/image/digest.h"
#include "runtime/image/sha_ni.h"

void digest_init_impl(struct digest *d, int ni)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	d->ni = ni && sha_ni_usable();
	if (!d->ni) {
		br_sha256_init(&d->ctx);
		return;
	}
	memcpy(d->h, iv, sizeof(iv));
	d->fill = 0;
	d->len = 0;
}

void digest_init(struct digest *d)
{
	digest_init_impl(d, 1);
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!d->ni) {
		br_sha256_update(&d->ctx, buf, len);
		return;
	}
	d->len += len;
	if (d->fill) {
		size_t n = 64 - d->fill < len ? 64 - d->fill : len;
		memcpy(d->buf + d->fill, p, n);
		d->fill += n;
		p += n;
		len -= n;
		if (d->fill < 64)
			return;
		sha_ni_blocks(d->h, d->buf, 1);
		d->fill = 0;
	}
	if (len >= 64) {
		sha_ni_blocks(d->h, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	memcpy(d->buf, p, len);
	d->fill = len;
}

void digest_final(struct digest *d, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char sum[br_sha256_SIZE];

	if (d->ni) {
		uint64_t bits = d->len * 8;
		d->buf[d->fill++] = 0x80;
		if (d->fill > 56) {
			memset(d->buf + d->fill, 0, 64 - d->fill);
			sha_ni_blocks(d->h, d->buf, 1);
			d->fill = 0;
		}
		memset(d->buf + d->fill, 0, 56 - d->fill);
		for (int i = 0; i < 8; i++)
			d->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
		sha_ni_blocks(d->h, d->buf, 1);
		for (int i = 0; i < 8; i++)
			for (int k = 0; k < 4; k++)
				sum[4 * i + k] = (unsigned char)(d->h[i] >> (24 - 8 * k));
	} else {
		br_sha256_out(&d->ctx, sum);
	}
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < br_sha256_SIZE; i++) {
		out[7 + 2 * i] = hexd[sum[i] >> 4];
		out[8 + 2 * i] = hexd[sum[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

void digest_buf(const void *buf, size_t len, char *out)
{
	struct digest d;

	digest_init(&d);
	digest_update(&d, buf, len);
	digest_final(&d, out);
}

int digest_parse(const char *s, size_t len, char *hex, struct berr *e)
{
	const char *colon = memchr(s, ':', len);

	if (!colon)
		return berr_set(e, EINVAL, "digest \"%.*s\" has no algorithm", (int)(len > 80 ? 80 : len), s);
	if ((size_t)(colon - s) != 6 || memcmp(s, "sha256", 6) != 0)
		return berr_set(e, ENOTSUP, "digest algorithm \"%.*s\" is unsupported (only sha256)",
				(int)(colon - s > 32 ? 32 : colon - s), s);
	if (len != DIGEST_STR_LEN)
		return berr_set(e, EINVAL, "digest \"%.*s\" is not 64 hex digits", (int)(len > 80 ? 80 : len), s);
	for (size_t i = 7; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return berr_set(e, EINVAL, "digest \"%.*s\" is not lowercase hex", (int)len, s);
	memcpy(hex, s + 7, DIGEST_HEX_LEN);
	hex[DIGEST_HEX_LEN] = '\0';
	return 0;
}
