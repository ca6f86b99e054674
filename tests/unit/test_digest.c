/* test_digest.c — sha256 digests and their syntax. */
#include <errno.h>

#include "runtime/image/digest.h"
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

UNIT_MAIN(UNIT(test_known_vectors), UNIT(test_parse))
