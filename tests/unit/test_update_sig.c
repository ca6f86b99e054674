/* test_update_sig.c — update_sig_verify on a vector made with openssl
 * (ecparam prime256v1; dgst -sha256 -sign) for this test. */
#include <string.h>

#include "runtime/engine/update_sig.h"
#include "runtime/image/digest.h"
#include "tests/unit/unit.h"

static const unsigned char key[65] = {
	0x04, 0x4f, 0x97, 0xf8, 0x0c, 0xba, 0x1a, 0x19, 0x93, 0xd6, 0x51, 0x5d,
	0xbc, 0xfd, 0xad, 0xf4, 0xac, 0x3c, 0x61, 0xaa, 0xcb, 0x0c, 0x49, 0x08,
	0xc2, 0xd8, 0x19, 0x78, 0xdd, 0x1f, 0x38, 0x85, 0x6d, 0x1f, 0x84, 0x10,
	0xe6, 0x68, 0x4b, 0xaf, 0x7b, 0xa1, 0x81, 0xdd, 0x8b, 0x50, 0x33, 0xa0,
	0x54, 0xfa, 0x85, 0xe0, 0x4e, 0x15, 0x2e, 0xd3, 0xa3, 0xe2, 0xeb, 0x17,
	0xe5, 0x0a, 0x6b, 0x17, 0x8c
};
static const char sig_hex[] =
	"304402203e5dda595f6dfc0ed51b68a3711107766" "73d1015eb55f28782c4f30d9679e3ef"
	"02203db32cf082b835ac3546c9c4ed79667fe45d663cf3200cfeb62ee91e86718f86";
static const char msg[] = "berth update test vector\n";

static void hash_of(const char *m, unsigned char h[32])
{
	char out[DIGEST_STR_LEN + 1];

	digest_buf(m, strlen(m), out);
	CHECK_INT(update_sig_unhex(out + 7, h, 32), 32);
}

static void test_good(void)
{
	unsigned char h[32], sig[UPDATE_SIG_MAX];
	int n = update_sig_unhex(sig_hex, sig, sizeof sig);
	struct berr e;

	CHECK_INT(n, 70);
	hash_of(msg, h);
	CHECK_INT(update_sig_verify(key, sizeof key, h, sig, (size_t)n, &e), 0);
}

static void test_bad(void)
{
	unsigned char h[32], sig[UPDATE_SIG_MAX], k[65];
	int n = update_sig_unhex(sig_hex, sig, sizeof sig);
	struct berr e;

	hash_of("berth update test vector, changed\n", h);
	CHECK_INT(update_sig_verify(key, sizeof key, h, sig, (size_t)n, &e), -1);
	CHECK_INT(e.errnum, 1 /* EPERM */);
	hash_of(msg, h);
	sig[20] ^= 1;
	CHECK_INT(update_sig_verify(key, sizeof key, h, sig, (size_t)n, &e), -1);
	sig[20] ^= 1;
	memcpy(k, key, sizeof k);
	k[10] ^= 1;
	CHECK_INT(update_sig_verify(k, sizeof k, h, sig, (size_t)n, &e), -1);
	CHECK_INT(update_sig_verify(key, 64, h, sig, (size_t)n, &e), -1);
	CHECK_INT(update_sig_verify(key, sizeof key, h, sig, 0, &e), -1);
	CHECK_INT(update_sig_unhex("abc", sig, sizeof sig), -1);
	CHECK_INT(update_sig_unhex("zz", sig, sizeof sig), -1);
}

UNIT_MAIN(UNIT(test_good), UNIT(test_bad))
