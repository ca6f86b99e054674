/* util.c — fd and whole-file helpers; bounded, never allocating. */
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void fd_close(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	errno = saved;
}

int util_write_all(int fd, const void *buf, size_t len, struct berr *e)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "write");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int util_write_file(const char *path, const char *s, struct berr *e)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return berr_sys(e, "open %s", path);
	if (util_write_all(fd, s, strlen(s), e) < 0) {
		close(fd);
		return berr_prefix(e, "%s", path);
	}
	if (close(fd) < 0)
		return berr_sys(e, "close %s", path);
	return 0;
}
