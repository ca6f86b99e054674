/* fuzz_top.c — libFuzzer target: berthctl top's reader of a /metrics body
 * (tools/berthctl_top.c). Whatever the bytes, it stays in bounds, and what
 * it writes is NUL-terminated and as long as it says. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/berthctl_top.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[16384];
	struct berr e;
	int n = top_format((const char *)data, size, out, sizeof(out), &e);

	if (n >= 0 && strlen(out) != (size_t)n)
		abort();
	if (n < 0 && strlen(out) >= sizeof(out))
		abort();
	return 0;
}
