/* fuzz_ctr_rec.c — libFuzzer target: container.json's reader
 * (runtime/engine/ctr_rec.c) must not crash on anything, and a record it
 * accepts must survive being written and read back unchanged. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "runtime/engine/ctr_rec.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char dir[] = "/tmp/fuzz_ctr_rec.XXXXXX";

static void cleanup(void)
{
	char p[256];

	snprintf(p, sizeof p, "%s/%s/container.json", dir, ID);
	unlink(p);
	snprintf(p, sizeof p, "%s/%s", dir, ID);
	rmdir(p);
	rmdir(dir);
}

static int open_dir(void)
{
	static int fd = -1;

	if (fd < 0) {
		if (!mkdtemp(dir) || (fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0 || mkdirat(fd, ID, 0700) < 0)
			abort();
		atexit(cleanup);
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctr_rec a, b;
	struct berr e;
	int fd = open_dir();

	if (fs_write_atomic_at(fd, ID "/container.json", data, size, 0600, &e) < 0)
		abort();
	if (ctr_rec_read(fd, ID, &a, &e) < 0)
		return 0;
	if (ctr_rec_write(fd, &a, &e) < 0 || ctr_rec_read(fd, ID, &b, &e) < 0)
		abort();
	if (strcmp(a.name, b.name) || strcmp(a.image, b.image) || strcmp(a.image_ref, b.image_ref) ||
	    a.created_ns != b.created_ns || a.status != b.status || a.exit_code != b.exit_code ||
	    a.restart_count != b.restart_count || strcmp(a.error, b.error) || strcmp(a.ip, b.ip) ||
	    a.body_len != b.body_len || memcmp(a.body, b.body, a.body_len))
		abort();
	ctr_rec_free(&a);
	ctr_rec_free(&b);
	return 0;
}
