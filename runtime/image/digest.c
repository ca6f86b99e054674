/* digest.c — sha256 with BearSSL's br_sha256; see digest.h. */
#include <errno.h>
#include <string.h>

#include "runtime/image/digest.h"

void digest_init(struct digest *d)
{
	br_sha256_init(&d->ctx);
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	br_sha256_update(&d->ctx, buf, len);
}

void digest_final(struct digest *d, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char sum[br_sha256_SIZE];

	br_sha256_out(&d->ctx, sum);
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
