/* fuzz_slots.c — the parts of lib/slots that read untrusted bytes: an
 * uploaded image's PE headers and .osrel (slots_uki_version, from a file
 * in /tmp) and file names (slots_parse_name, the input up to its first NUL
 * or 80 bytes). A version found must be a NUL-terminated string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_slots.XXXXXX", name[81], ver[SLOTS_VERSION_MAX];
	struct slot s;
	struct berr e;
	int fd, slot;
	size_t n = size < 80 ? size : 80;

	memcpy(name, data, n);
	name[n] = '\0';
	if (slots_parse_name(name, &slot, &s) == 0 && (slot < 0 || slot > 1 || strlen(s.file) >= SLOTS_NAME_MAX))
		abort();
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	unlink(path);
	if (write(fd, data, size) == (ssize_t)size && slots_uki_version(fd, ver, sizeof ver, &e) == 0 &&
	    strlen(ver) >= sizeof ver)
		abort();
	close(fd);
	return 0;
}
