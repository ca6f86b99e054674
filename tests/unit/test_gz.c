/* test_gz.c — streaming gunzip: round trip, multi-member, bombs, truncation. */
#include <errno.h>
#include <stdlib.h>
#include <zlib.h>

#include "runtime/image/gz.h"
#include "tests/unit/mem_read.h"
#include "tests/unit/unit.h"


static size_t gzip(const void *in, size_t len, unsigned char *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	CHECK_INT(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t n = cap - z.avail_out;
	deflateEnd(&z);
	return n;
}

/* Decompress everything; returns bytes out or -1 with e set. */
static long long drain(struct mem *m, uint64_t max, unsigned ratio, unsigned char *out,
		       size_t cap, struct berr *e)
{
	struct gz *g = malloc(sizeof(*g));
	long long total = 0;
	unsigned char buf[4096];
	ssize_t k;

	CHECK_INT(gz_init(g, mem_read, m, max, ratio, e), 0);
	while ((k = gz_read(g, buf, sizeof(buf), e)) > 0) {
		if (out && (size_t)total + (size_t)k <= cap)
			memcpy(out + total, buf, (size_t)k);
		total += k;
	}
	gz_end(g);
	free(g);
	return k < 0 ? -1 : total;
}

static void test_roundtrip_multimember(void)
{
	static unsigned char in[200000], out[400000], z[300000];
	struct berr e;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + i / 1000);
	size_t n = gzip(in, sizeof(in), z, sizeof(z));
	size_t n2 = gzip("tail", 4, z + n, sizeof(z) - n);
	struct mem m = { z, n + n2, 0, 1000 };
	CHECK_INT(drain(&m, 1u << 30, 1000, out, sizeof(out), &e), sizeof(in) + 4);
	CHECK(memcmp(out, in, sizeof(in)) == 0);
	CHECK(memcmp(out + sizeof(in), "tail", 4) == 0);
}

static void test_bomb_ratio_and_size(void)
{
	size_t len = 64u << 20;
	unsigned char *zeros = calloc(1, len), *z = malloc(1u << 20);
	struct berr e;
	size_t n = gzip(zeros, len, z, 1u << 20);
	struct mem m = { z, n, 0, 1000 };

	CHECK(drain(&m, 1ull << 40, 100, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "gzip bomb"));
	CHECK(strstr(e.msg, "100 times"));
	m.pos = 0;
	CHECK(drain(&m, 10u << 20, 100000, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "more than 10485760 bytes"));
	m.pos = 0;
	CHECK_INT(drain(&m, 1ull << 40, 100000, NULL, 0, &e), len);
}

static void test_truncated_and_corrupt(void)
{
	static unsigned char in[100000], z[200000];
	struct berr e;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 31 % 251);
	size_t n = gzip(in, sizeof(in), z, sizeof(z));
	struct mem m = { z, n - 10, 0, 1000 };
	CHECK(drain(&m, 1u << 30, 1000, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "truncated"));
	z[n / 2] ^= 0xff;
	m.len = n;
	m.pos = 0;
	CHECK(drain(&m, 1u << 30, 1000, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "gzip"));
}

static void test_sniff(void)
{
	unsigned char b[512] = { 0x1f, 0x8b };
	CHECK_INT(gz_sniff(b, sizeof(b)), FMT_GZIP);
	b[0] = 0x28; b[1] = 0xb5; b[2] = 0x2f; b[3] = 0xfd;
	CHECK_INT(gz_sniff(b, sizeof(b)), FMT_ZSTD);
	memset(b, 0, sizeof(b));
	memcpy(b + 257, "ustar", 5);
	CHECK_INT(gz_sniff(b, sizeof(b)), FMT_TAR);
	b[257] = 'x';
	CHECK_INT(gz_sniff(b, sizeof(b)), FMT_OTHER);
}

UNIT_MAIN(UNIT(test_roundtrip_multimember), UNIT(test_bomb_ratio_and_size),
	  UNIT(test_truncated_and_corrupt), UNIT(test_sniff))
