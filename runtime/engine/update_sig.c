/* update_sig.c — ECDSA P-256 verification of updates with BearSSL. */
#include "runtime/engine/update_sig.h"

#include <errno.h>
#include <string.h>

#include <bearssl_ec.h>

int update_sig_verify(const unsigned char *key, size_t keylen, const unsigned char hash[32],
		      const unsigned char *sig, size_t siglen, struct berr *e)
{
	unsigned char q[UPDATE_KEY_LEN];
	br_ec_public_key pk = { .curve = BR_EC_secp256r1, .q = q, .qlen = UPDATE_KEY_LEN };

	if (keylen != UPDATE_KEY_LEN || key[0] != 0x04)
		return berr_set(e, EINVAL, "the update key is not an uncompressed P-256 point (%zu bytes)", keylen);
	if (siglen == 0 || siglen > UPDATE_SIG_MAX)
		return berr_set(e, EPERM, "bad signature (%zu bytes)", siglen);
	memcpy(q, key, sizeof q);
	if (!br_ecdsa_vrfy_asn1_get_default()(br_ec_get_default(), hash, 32, &pk, sig, siglen))
		return berr_set(e, EPERM, "bad signature: not the site's update key's over this image");
	return 0;
}

static int nibble(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int update_sig_unhex(const char *hex, unsigned char *out, size_t size)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > size)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}
