/* update_sig.h — the site's signature on a system update (docs/disk.md).
 *
 * A site that builds with SITE=dir and a dir/update/key.pub (a PEM ECDSA
 * P-256 public key) gets that key baked into the image as UPDATE_KEY_PATH,
 * its raw uncompressed point (65 bytes). berthd then takes an update only
 * with a signature over the image's sha256 by the matching private key
 * (`openssl dgst -sha256 -sign key.pem -out FILE.sig FILE`: ASN.1 DER).
 */
#ifndef BERTH_RUNTIME_ENGINE_UPDATE_SIG_H
#define BERTH_RUNTIME_ENGINE_UPDATE_SIG_H

#include <stddef.h>

#include "lib/err.h"

#define UPDATE_KEY_PATH "/etc/berth/update-key"
#define UPDATE_KEY_LEN 65     /* 0x04, X, Y */
#define UPDATE_SIG_MAX 80     /* a DER P-256 signature is at most 72 bytes */

/* 0 when sig (DER) is key's signature over the 32-byte hash; -1 (EPERM)
 * otherwise, or (EINVAL) when the key is no P-256 point. */
int update_sig_verify(const unsigned char *key, size_t keylen, const unsigned char hash[32],
		      const unsigned char *sig, size_t siglen, struct berr *e);

/* Hex (any case) into at most size bytes; the length, or -1. */
int update_sig_unhex(const char *hex, unsigned char *out, size_t size);

#endif
