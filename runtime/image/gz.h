/* gz.h — streaming gzip decompression (zlib) with a bomb limit.
 *
 * gz_read() has tar_read_fn's shape, so a tar reader can sit on top of a
 * gzip stream. Output is refused past max_out bytes and past ratio_max
 * times the compressed input (plus a small allowance), naming the limit.
 */
#ifndef BERTH_RUNTIME_IMAGE_GZ_H
#define BERTH_RUNTIME_IMAGE_GZ_H

#include <stdint.h>
#include <zlib.h>

#include "runtime/image/tar.h"

#define GZ_BUF 65536
#define GZ_RATIO_SLACK (1u << 20) /* bytes of output always allowed */

struct gz {
	z_stream z;
	tar_read_fn in;
	void *in_ctx;
	uint64_t in_total, out_total, max_out;
	unsigned ratio_max;
	int inited, end, eof;
	unsigned char buf[GZ_BUF];
};

int gz_init(struct gz *g, tar_read_fn in, void *in_ctx, uint64_t max_out,
	    unsigned ratio_max, struct berr *e);
ssize_t gz_read(void *ctx, void *buf, size_t n, struct berr *e);
void gz_end(struct gz *g);

/* Compression format of a stream from its first bytes. */
enum gz_format { FMT_TAR, FMT_GZIP, FMT_ZSTD, FMT_OTHER };
enum gz_format gz_sniff(const unsigned char *p, size_t len);

#endif
