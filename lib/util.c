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

ssize_t util_read_file(const char *path, char *buf, size_t size, struct berr *e)
{
	size_t len = 0;
	int fd;

	if (size == 0)
		return berr_set(e, EINVAL, "read %s: no buffer", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", path);
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			char extra;
			n = read(fd, &extra, 1);
			if (n == 0)
				break;
			close(fd);
			if (n < 0)
				return berr_sys(e, "read %s", path);
			return berr_set(e, EFBIG, "read %s: larger than %zu bytes", path, size - 1);
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			berr_sys(e, "read %s", path);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
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
