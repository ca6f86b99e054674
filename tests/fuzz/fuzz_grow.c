/* fuzz_grow.c — grow_gpt on arbitrary disk bytes.
 * Input: the first byte picks the partition number (1..8) and whether the
 * disk is the input's size or twice it; the rest is the start of the disk
 * (a file in /tmp). Every answer must be -1, 0 or 1; a grown table must
 * read back as one with nothing left to do. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/grow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_grow.XXXXXX";
	struct grow_result r;
	struct berr e;
	uint64_t bytes;
	unsigned partno;
	int fd, rc;

	if (size < 1)
		return 0;
	partno = 1 + (data[0] & 7);
	bytes = (uint64_t)(size - 1) * ((data[0] & 8) ? 2 : 1);
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	unlink(path);
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1) || ftruncate(fd, (off_t)bytes) < 0) {
		close(fd);
		return 0;
	}
	rc = grow_gpt(fd, bytes, 512, partno, &r, &e);
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1 && (grow_gpt(fd, bytes, 512, partno, &r, &e) != 0 || r.new_last_lba < r.old_last_lba))
		abort();
	close(fd);
	return 0;
}
