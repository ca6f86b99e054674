/* sha_ni.h — SHA-256 block function with the x86 SHA extensions.
 * digest.c uses it when the CPU has them (and BearSSL's br_sha256
 * otherwise): BearSSL's portable code hashes at ~120 MB/s here, which made
 * hashing the largest cost of an image import. */
#ifndef BERTH_RUNTIME_IMAGE_SHA_NI_H
#define BERTH_RUNTIME_IMAGE_SHA_NI_H

#include <stddef.h>
#include <stdint.h>

/* 1 when SHA, SSSE3 and SSE4.1 are available (cpuid). */
int sha_ni_usable(void);
/* Compress `blocks` 64-byte blocks into state h[8]. */
void sha_ni_blocks(uint32_t h[8], const unsigned char *data, size_t blocks);

#endif
