/* fuzz_tar.c — libFuzzer target: the streaming tar reader and the entry
 * path check of berth-unpack, on arbitrary bytes (and through gunzip when
 * the input looks like gzip). Run briefly by make check
 * (tests/host/fuzz.sh). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/image/gz.h"
#include "runtime/image/tar.h"
#include "runtime/image/unpack.h"
#include "tests/unit/mem_read.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tar_reader r;
	static struct tar_entry ent;
	static struct gz g;
	struct mem m = { data, size, 0, 97 }; /* odd chunks: short reads */
	struct berr e;
	char buf[4096], clean[TAR_NAME_MAX + 2];
	int use_gz = gz_sniff(data, size) == FMT_GZIP;

	if (use_gz) {
		if (gz_init(&g, mem_read, &m, 1 << 24, 1000, &e) < 0)
			return 0;
		tar_init(&r, gz_read, &g);
	} else {
		tar_init(&r, mem_read, &m);
	}
	for (int i = 0; i < 10000; i++) {
		int rc = tar_next(&r, &ent, &e);
		if (rc <= 0)
			break;
		if (strlen(ent.path) > TAR_NAME_MAX || strlen(ent.link) > TAR_NAME_MAX)
			abort();
		unpack_clean_path(ent.path, clean, sizeof(clean) - 1, 128, &e);
		if (i & 1)
			while (tar_read(&r, buf, sizeof(buf), &e) > 0)
				;
	}
	if (use_gz)
		gz_end(&g);
	return 0;
}
