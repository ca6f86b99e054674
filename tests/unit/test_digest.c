/* test_digest.c — sha256 digests and their syntax. */
#include <errno.h>

#include <stdlib.h>

#include "runtime/image/digest.h"
#include "runtime/image/sha_ni.h"
#include "tests/unit/unit.h"

static void test_known_vectors(void)
{
	char out[DIGEST_STR_LEN + 1];
	struct digest d;

	digest_buf("abc", 3, out);
	CHECK_STR(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_init(&d);
	digest_update(&d, "a", 1);
	digest_update(&d, "bc", 2);
	digest_final(&d, out);
	CHECK_STR(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	digest_buf("", 0, out);
	CHECK_STR(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_parse(void)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct berr e;
	const char *ok = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	CHECK_INT(digest_parse(ok, strlen(ok), hex, &e), 0);
	CHECK_STR(hex, ok + 7);
	CHECK(digest_parse("sha512:abcd", 11, hex, &e) < 0);
	CHECK_INT(e.errnum, ENOTSUP);
	CHECK(strstr(e.msg, "sha512"));
	CHECK(digest_parse("sha256:abcd", 11, hex, &e) < 0);
	CHECK(digest_parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 64, hex, &e) < 0);
	char up[80];
	strcpy(up, ok);
	up[10] = 'C';
	CHECK(digest_parse(up, strlen(up), hex, &e) < 0);
	strcpy(up, ok);
	up[20] = '/';
	CHECK(digest_parse(up, strlen(up), hex, &e) < 0);
}

/* FIPS 180-4 two-block vector and a million 'a's, on both implementations */
static void test_both_impls_vectors(void)
{
	static const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char out[DIGEST_STR_LEN + 1];
	unsigned char *a = malloc(1000000);
	struct digest d;

	memset(a, 'a', 1000000);
	for (int ni = 0; ni < 2; ni++) {
		digest_init_impl(&d, ni);
		digest_update(&d, msg, strlen(msg));
		digest_final(&d, out);
		CHECK_STR(out, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		digest_init_impl(&d, ni);
		for (int i = 0; i < 1000000; i += 999)
			digest_update(&d, a + i, 1000000 - i < 999 ? (size_t)(1000000 - i) : 999);
		digest_final(&d, out);
		CHECK_STR(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	}
	free(a);
}

/* SHA-NI and BearSSL agree on every length 0..300 and odd update splits */
static void test_ni_matches_bearssl(void)
{
	unsigned char buf[4096];
	char x[DIGEST_STR_LEN + 1], y[DIGEST_STR_LEN + 1];
	struct digest a, b;

	if (!sha_ni_usable())
		UNIT_SKIP("this CPU has no SHA extensions");
	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rand();
	for (size_t len = 0; len <= 300; len++) {
		digest_init_impl(&a, 1);
		digest_init_impl(&b, 0);
		CHECK(a.ni && !b.ni);
		for (size_t o = 0; o < len;) {
			size_t n = 1 + (size_t)rand() % 70;
			if (n > len - o)
				n = len - o;
			digest_update(&a, buf + o, n);
			o += n;
		}
		digest_update(&b, buf, len);
		digest_final(&a, x);
		digest_final(&b, y);
		CHECK_STR(x, y);
	}
	digest_init_impl(&a, 1);
	digest_init_impl(&b, 0);
	digest_update(&a, buf, sizeof(buf));
	digest_update(&b, buf, sizeof(buf));
	digest_final(&a, x);
	digest_final(&b, y);
	CHECK_STR(x, y);
}

UNIT_MAIN(UNIT(test_known_vectors), UNIT(test_parse), UNIT(test_both_impls_vectors),
	  UNIT(test_ni_matches_bearssl))
