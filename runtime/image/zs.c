/* zs.c — streaming zstd decompression with size and ratio limits; see zs.h. */
#include <errno.h>
#include <string.h>

#include <zstd.h>

#include "autoconf.h"
#include "runtime/image/zs.h"

int zs_init(struct zs *z, tar_read_fn in, void *in_ctx, uint64_t max_out, unsigned ratio_max,
	    struct berr *e)
{
	memset(z, 0, offsetof(struct zs, buf));
	z->in = in;
	z->in_ctx = in_ctx;
	z->max_out = max_out;
	z->ratio_max = ratio_max;
	z->last = 1;            /* no frame yet: an empty input is truncated */
	z->d = ZSTD_createDStream();
	if (!z->d)
		return berr_set(e, ENOMEM, "zstd: cannot create a decoder");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax,
						CONFIG_IMAGE_ZSTD_WINDOW_LOG_MAX))) {
		zs_end(z);
		return berr_set(e, EINVAL, "zstd: cannot limit the window");
	}
	return 0;
}

void zs_end(struct zs *z)
{
	if (z->d)
		ZSTD_freeDStream(z->d);
	z->d = NULL;
}

static int limits(const struct zs *z, struct berr *e)
{
	if (z->out_total > z->max_out)
		return berr_set(e, EFBIG, "zstd bomb: more than %llu bytes uncompressed",
				(unsigned long long)z->max_out);
	if (z->out_total > GZ_RATIO_SLACK && z->out_total / (z->in_total ? z->in_total : 1) > z->ratio_max)
		return berr_set(e, EFBIG, "zstd bomb: expands more than %u times (%llu bytes from %llu)",
				z->ratio_max, (unsigned long long)z->out_total,
				(unsigned long long)z->in_total);
	return 0;
}

ssize_t zs_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct zs *z = ctx;

	while (!z->end) {
		if (z->pos == z->len && !z->eof) {
			ssize_t k = z->in(z->in_ctx, z->buf, sizeof(z->buf), e);
			if (k < 0)
				return -1;
			z->eof = k == 0;
			z->pos = 0;
			z->len = (size_t)k;
			z->in_total += (uint64_t)k;
		}
		if (z->pos == z->len && z->eof && z->last == 0) {
			z->end = 1;     /* the input ended at a frame's end */
			break;
		}
		ZSTD_inBuffer in = { z->buf, z->len, z->pos };
		ZSTD_outBuffer out = { buf, n, 0 };
		size_t r = ZSTD_decompressStream(z->d, &out, &in);
		if (ZSTD_isError(r))
			return berr_set(e, EPROTO, "zstd: corrupt stream: %s", ZSTD_getErrorName(r));
		if (in.pos > z->pos || out.pos > 0)
			z->last = r;    /* with neither, r is the next frame's header hint */
		z->pos = in.pos;
		z->out_total += out.pos;
		if (limits(z, e) < 0)
			return -1;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (z->pos == z->len && z->eof && z->last != 0)
			return berr_set(e, EPROTO, "zstd: truncated stream after %llu compressed bytes",
					(unsigned long long)z->in_total);
	}
	return 0;
}
