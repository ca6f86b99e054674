/* mem_read.h — a tar_read_fn over a buffer, for the image unit tests and
 * fuzz targets. */
#ifndef BERTH_TESTS_UNIT_MEM_READ_H
#define BERTH_TESTS_UNIT_MEM_READ_H

#include <string.h>
#include <sys/types.h>

#include "lib/err.h"

struct mem {
	const unsigned char *p;
	size_t len, pos;
	size_t chunk;           /* most bytes per call (short reads), 0: no limit */
};

static inline ssize_t mem_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct mem *m = ctx;

	(void)e;
	if (n > m->len - m->pos)
		n = m->len - m->pos;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

#endif
