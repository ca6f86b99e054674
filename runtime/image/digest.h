/* digest.h — sha256 digests as OCI writes them: "sha256:<64 lowercase hex>". */
#ifndef BERTH_RUNTIME_IMAGE_DIGEST_H
#define BERTH_RUNTIME_IMAGE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_hash.h>

#include "lib/err.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digest {
	int ni;                     /* SHA-NI path (sha_ni.c) or BearSSL */
	br_sha256_context ctx;
	uint32_t h[8];
	unsigned char buf[64];
	size_t fill;
	uint64_t len;
};

/* SHA-NI when the CPU has it, BearSSL's br_sha256 otherwise. */
void digest_init(struct digest *d);
/* The same with the implementation chosen (ni ignored without SHA-NI);
 * for tests. */
void digest_init_impl(struct digest *d, int ni);
void digest_update(struct digest *d, const void *buf, size_t len);
/* "sha256:<hex>" into out[DIGEST_STR_LEN + 1]. */
void digest_final(struct digest *d, char *out);
/* sha256 of a buffer, as "sha256:<hex>". */
void digest_buf(const void *buf, size_t len, char *out);

/* Check that s is "sha256:" and 64 lowercase hex digits (other algorithms
 * are refused by name); copy the hex part into hex[DIGEST_HEX_LEN + 1]. */
int digest_parse(const char *s, size_t len, char *hex, struct berr *e);

#endif
