/* zs.h — streaming zstd decompression (libzstd) with the gzip bomb limits.
 *
 * zs_read() has tar_read_fn's shape, like gz_read(). Output is refused
 * past max_out bytes and past ratio_max times the compressed input (plus
 * GZ_RATIO_SLACK), naming the limit; a frame whose window is larger than
 * 2^CONFIG_IMAGE_ZSTD_WINDOW_LOG_MAX is refused before its memory is
 * allocated. Concatenated and skippable frames are read as one stream.
 */
#ifndef BERTH_RUNTIME_IMAGE_ZS_H
#define BERTH_RUNTIME_IMAGE_ZS_H

#include <stdint.h>

#include "runtime/image/gz.h"
#include "runtime/image/tar.h"

struct zs {
	void *d;                /* ZSTD_DStream */
	tar_read_fn in;
	void *in_ctx;
	size_t pos, len;        /* unread input in buf[pos..len) */
	uint64_t in_total, out_total, max_out;
	unsigned ratio_max;
	size_t last;            /* the decoder's last hint: 0 at a frame's end */
	int end, eof;
	unsigned char buf[GZ_BUF];
};

int zs_init(struct zs *z, tar_read_fn in, void *in_ctx, uint64_t max_out, unsigned ratio_max,
	    struct berr *e);
ssize_t zs_read(void *ctx, void *buf, size_t n, struct berr *e);
void zs_end(struct zs *z);

#endif
