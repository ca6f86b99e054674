/* tar_build.h — builds tar archives in memory for the image unit tests. */
#ifndef BERTH_TESTS_UNIT_TAR_BUILD_H
#define BERTH_TESTS_UNIT_TAR_BUILD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb {
	unsigned char *p;
	size_t len, cap;
};

static inline void tb_put(struct tb *t, const void *d, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 4096;
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, d, n);
	t->len += n;
}

static inline void tb_pad(struct tb *t)
{
	static const unsigned char z[512];
	if (t->len % 512)
		tb_put(t, z, 512 - t->len % 512);
}

/* One header block; name/link are cut to 100 bytes as ustar does. */
static inline void tb_hdr(struct tb *t, const char *name, char type, unsigned mode,
			  unsigned long long size, const char *link)
{
	unsigned char h[512];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name) > 100 ? 100 : strlen(name));
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link) > 100 ? 100 : strlen(link));
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	tb_put(t, h, 512);
}

static inline void tb_file(struct tb *t, const char *name, const char *data)
{
	tb_hdr(t, name, '0', 0644, strlen(data), NULL);
	tb_put(t, data, strlen(data));
	tb_pad(t);
}

/* A PAX 'x' header with raw records (already "LEN key=value\n" formatted). */
static inline void tb_pax(struct tb *t, const void *recs, size_t n)
{
	tb_hdr(t, "PaxHeader", 'x', 0644, n, NULL);
	tb_put(t, recs, n);
	tb_pad(t);
}

/* Format one PAX record with the right length prefix. */
static inline size_t tb_pax_rec(char *out, const char *key, const void *val, size_t vlen)
{
	size_t base = strlen(key) + vlen + 3, len = base + 1, digits;
	for (;;) {
		char tmp[32];
		digits = (size_t)snprintf(tmp, sizeof(tmp), "%zu", len);
		if (base + digits == len)
			break;
		len = base + digits;
	}
	size_t o = (size_t)sprintf(out, "%zu %s=", len, key);
	memcpy(out + o, val, vlen);
	out[o + vlen] = '\n';
	return o + vlen + 1;
}

static inline void tb_end(struct tb *t)
{
	static const unsigned char z[1024];
	tb_put(t, z, sizeof(z));
}

#endif
