/* test_zs.c — streaming zstd decoding with bomb limits (runtime/image/zs.h).
 * The frames below were made with the zstd CLI: "hello zstd\n"; 4 MiB of
 * zeros at -19 (149 bytes); 3 MB of zeros at --long=29 from a pipe, whose
 * frame declares a 512 MiB window. */
#include <errno.h>
#include <string.h>

#include "runtime/image/zs.h"
#include "tests/unit/unit.h"

static const unsigned char a_zst[] = {
  0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x0b, 0x59, 0x00, 0x00, 0x68, 0x65, 0x6c,
  0x6c, 0x6f, 0x20, 0x7a, 0x73, 0x74, 0x64, 0x0a, 0x6c, 0x57, 0xf9, 0x51
};
static const unsigned int a_zst_len = 24;
static const unsigned char z_zst[] = {
  0x28, 0xb5, 0x2f, 0xfd, 0xa4, 0x00, 0x00, 0x40, 0x00, 0x4c, 0x00, 0x00,
  0x08, 0x00, 0x01, 0x00, 0xfc, 0xff, 0x39, 0x10, 0x02, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x03, 0x00, 0x10,
  0x00, 0x28, 0x9d, 0xbc, 0x7c
};
static const unsigned int z_zst_len = 149;
static const unsigned char w_zst[] = {
  0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x98, 0x64, 0x00, 0x00, 0x10, 0x00, 0x00,
  0x02, 0x00, 0xe9, 0xff, 0x37, 0x73, 0xe0, 0x01, 0x2c, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10,
  0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x54, 0x00, 0x00,
  0x00, 0x01, 0x00, 0xfd, 0xff, 0x03, 0x00, 0x20, 0x27, 0x40, 0x02, 0x00,
  0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x02, 0x00,
  0x10, 0x00, 0x02, 0x00, 0x10, 0x00, 0x03, 0x36, 0x0e, 0x00, 0x03, 0xc9,
  0xaf, 0xd6
};
static const unsigned int w_zst_len = 122;

struct src {
	const unsigned char *p;
	size_t len, off, step;   /* step: bytes per read, to cut frames anywhere */
};

static ssize_t src_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct src *s = ctx;
	size_t k = s->len - s->off;

	(void)e;
	if (k > n)
		k = n;
	if (s->step && k > s->step)
		k = s->step;
	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (ssize_t)k;
}

/* Decode all of p[len] with the given limits: bytes out, or -1 with e set. */
static long long decode(const unsigned char *p, size_t len, size_t step, uint64_t max, unsigned ratio,
			size_t outchunk, unsigned char *keep, size_t keepsize, struct berr *e)
{
	static struct zs z;
	struct src s = { p, len, 0, step };
	unsigned char buf[65536];
	long long total = 0;
	ssize_t k;

	if (zs_init(&z, src_read, &s, max, ratio, e) < 0)
		return -1;
	while ((k = zs_read(&z, buf, outchunk, e)) > 0) {
		if (keep && (size_t)total + (size_t)k <= keepsize)
			memcpy(keep + total, buf, (size_t)k);
		total += k;
	}
	zs_end(&z);
	return k < 0 ? -1 : total;
}

static void test_small(void)
{
	unsigned char out[64];
	struct berr e;

	CHECK_INT(decode(a_zst, a_zst_len, 0, 1 << 20, 1000, 65536, out, sizeof(out), &e), 11);
	CHECK(memcmp(out, "hello zstd\n", 11) == 0);
	/* one input byte and one output byte at a time */
	memset(out, 0, sizeof(out));
	CHECK_INT(decode(a_zst, a_zst_len, 1, 1 << 20, 1000, 1, out, sizeof(out), &e), 11);
	CHECK(memcmp(out, "hello zstd\n", 11) == 0);
}

static void test_concatenated(void)
{
	unsigned char two[2 * sizeof(a_zst) + 16], out[64];
	/* a skippable frame (magic 0x184D2A50, 4-byte length, payload) between */
	static const unsigned char skip[] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4 };
	size_t n = 0;
	struct berr e;

	memcpy(two, a_zst, a_zst_len), n += a_zst_len;
	memcpy(two + n, skip, sizeof(skip)), n += sizeof(skip);
	memcpy(two + n, a_zst, a_zst_len), n += a_zst_len;
	CHECK_INT(decode(two, n, 5, 1 << 20, 1000, 65536, out, sizeof(out), &e), 22);
	CHECK(memcmp(out, "hello zstd\nhello zstd\n", 22) == 0);
}

static void test_truncated(void)
{
	struct berr e;

	for (size_t cut = 0; cut < a_zst_len; cut++) {
		if (decode(a_zst, cut, 0, 1 << 20, 1000, 65536, NULL, 0, &e) >= 0)
			UNIT_FAIL_("a frame cut at %zu decoded", cut);
		CHECK(strstr(e.msg, "zstd") != NULL);
	}
	CHECK(decode(z_zst, z_zst_len - 3, 0, 8 << 20, 1u << 30, 65536, NULL, 0, &e) < 0);
}

static void test_corrupt(void)
{
	unsigned char bad[sizeof(a_zst)];
	struct berr e;

	memcpy(bad, a_zst, a_zst_len);
	bad[a_zst_len - 2] ^= 0x55;   /* the content checksum */
	CHECK(decode(bad, a_zst_len, 0, 1 << 20, 1000, 65536, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "corrupt") != NULL);
	/* trailing garbage after a frame */
	unsigned char tail[sizeof(a_zst) + 4];
	memcpy(tail, a_zst, a_zst_len);
	memcpy(tail + a_zst_len, "junk", 4);
	CHECK(decode(tail, a_zst_len + 4, 0, 1 << 20, 1000, 65536, NULL, 0, &e) < 0);
}

static void test_bomb_limits(void)
{
	struct berr e;

	/* 4 MiB from 149 bytes: fine with a generous ratio, refused at 1000 */
	CHECK_INT(decode(z_zst, z_zst_len, 0, 8 << 20, 1u << 30, 65536, NULL, 0, &e), 4 << 20);
	CHECK(decode(z_zst, z_zst_len, 0, 8 << 20, 1000, 65536, NULL, 0, &e) < 0);
	CHECK_INT(e.errnum, EFBIG);
	CHECK(strstr(e.msg, "zstd bomb: expands more than 1000 times") != NULL);
	/* the size limit */
	CHECK(decode(z_zst, z_zst_len, 0, 3 << 20, 1u << 30, 65536, NULL, 0, &e) < 0);
	CHECK_INT(e.errnum, EFBIG);
	CHECK(strstr(e.msg, "more than 3145728 bytes") != NULL);
}

static void test_window_limit(void)
{
	struct berr e;

	CHECK(decode(w_zst, w_zst_len, 0, 8 << 20, 1u << 30, 65536, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "zstd") != NULL);
	CHECK(strstr(e.msg, "emory") != NULL);   /* "Frame requires too much memory for decoding" */
}

UNIT_MAIN(UNIT(test_small), UNIT(test_concatenated), UNIT(test_truncated), UNIT(test_corrupt),
	  UNIT(test_bomb_limits), UNIT(test_window_limit))
