/* util.h — small file-descriptor and file helpers shared by every program. */
#ifndef BERTH_LIB_UTIL_H
#define BERTH_LIB_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Hand an fd over: returns *fd and sets *fd to -1. */
static inline int fd_take(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* Close *fd if open and set it to -1; keeps errno. */
void fd_close(int *fd);

/* Write all of buf, retrying on EINTR and short writes. */
int util_write_all(int fd, const void *buf, size_t len, struct berr *e);

/* Write a small string to a file that exists (procfs, sysfs, cgroupfs). */
int util_write_file(const char *path, const char *s, struct berr *e);

#endif
