/* gz.c — streaming gunzip with size and ratio limits; see gz.h. */
#include <errno.h>
#include <string.h>

#include "runtime/image/gz.h"

int gz_init(struct gz *g, tar_read_fn in, void *in_ctx, uint64_t max_out,
	    unsigned ratio_max, struct berr *e)
{
	memset(g, 0, offsetof(struct gz, buf));
	g->in = in;
	g->in_ctx = in_ctx;
	g->max_out = max_out;
	g->ratio_max = ratio_max;
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
		return berr_set(e, ENOMEM, "zlib: inflateInit2 failed");
	g->inited = 1;
	return 0;
}

void gz_end(struct gz *g)
{
	if (g->inited)
		inflateEnd(&g->z);
	g->inited = 0;
}

ssize_t gz_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct gz *g = ctx;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	while (!g->end) {
		if (g->z.avail_in == 0 && !g->eof) {
			ssize_t k = g->in(g->in_ctx, g->buf, sizeof(g->buf), e);
			if (k < 0)
				return -1;
			if (k == 0)
				g->eof = 1;
			g->z.next_in = g->buf;
			g->z.avail_in = (uInt)k;
			g->in_total += (uint64_t)k;
		}
		if (g->z.avail_in == 0 && g->eof)
			return berr_set(e, EPROTO, "gzip: truncated stream after %llu compressed bytes",
					(unsigned long long)g->in_total);
		g->z.next_out = buf;
		g->z.avail_out = (uInt)n;
		int rc = inflate(&g->z, Z_NO_FLUSH);
		size_t got = n - g->z.avail_out;
		if (rc == Z_STREAM_END) {
			/* another gzip member may follow (concatenated streams) */
			if (g->z.avail_in == 0 && !g->eof) {
				ssize_t k = g->in(g->in_ctx, g->buf, sizeof(g->buf), e);
				if (k < 0)
					return -1;
				g->z.next_in = g->buf;
				g->z.avail_in = (uInt)k;
				g->in_total += (uint64_t)k;
				if (k == 0)
					g->eof = 1;
			}
			if (g->z.avail_in == 0)
				g->end = 1;
			else if (inflateReset(&g->z) != Z_OK)
				return berr_set(e, EPROTO, "gzip: cannot reset for the next member");
		} else if (rc == Z_BUF_ERROR && got == 0 && g->z.avail_in == 0) {
			continue;
		} else if (rc != Z_OK) {
			return berr_set(e, EPROTO, "gzip: corrupt stream: %s",
					g->z.msg ? g->z.msg : "inflate failed");
		}
		g->out_total += got;
		if (g->out_total > g->max_out)
			return berr_set(e, EFBIG, "gzip bomb: more than %llu bytes uncompressed",
					(unsigned long long)g->max_out);
		if (g->out_total > GZ_RATIO_SLACK &&
		    g->out_total / (g->in_total ? g->in_total : 1) > g->ratio_max)
			return berr_set(e, EFBIG, "gzip bomb: expands more than %u times (%llu bytes from %llu)",
					g->ratio_max, (unsigned long long)g->out_total,
					(unsigned long long)g->in_total);
		if (got > 0)
			return (ssize_t)got;
	}
	return 0;
}

enum gz_format gz_sniff(const unsigned char *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return FMT_GZIP;
	if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return FMT_ZSTD;
	if (len >= 263 && memcmp(p + 257, "ustar", 5) == 0)
		return FMT_TAR;
	return len >= 512 ? FMT_OTHER : FMT_TAR;
}
