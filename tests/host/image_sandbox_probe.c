/* image_sandbox_probe.c — built static with musl by image_sandbox.sh:
 * loads berth-unpack's seccomp filter, then checks that file creation works
 * and socket, exec, mount, ptrace, chroot and unlink fail with EPERM.
 * Exit 0 when the filter holds, else the number of the failed step. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/image/sandbox.h"
#include <stdio.h>
#include <stdlib.h>

static int probe(void)
{
	struct berr e;
	char dir[] = "/tmp/berth-sandbox-test.XXXXXX", p[64];
	int fd;

	if (!mkdtemp(dir))
		return 1;
	if (sandbox_seccomp(&e) < 0)
		return 2;
	snprintf(p, sizeof(p), "%s/f", dir);
	fd = openat(AT_FDCWD, p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) < 0)
		return 3;
	snprintf(p, sizeof(p), "%s/d", dir);
	if (mkdirat(AT_FDCWD, p, 0700) < 0)
		return 4;
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 5;
	if (socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 6;
	char *argv[] = { "/bin/true", NULL };
	if (execve("/bin/true", argv, NULL) == 0 || errno != EPERM)
		return 7;
	if (mount("none", dir, "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 8;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 || errno != EPERM)
		return 9;
	if (chroot(dir) == 0 || errno != EPERM)
		return 10;
	if (unlinkat(AT_FDCWD, p, AT_REMOVEDIR) == 0 || errno != EPERM)
		return 11;
	return 0;
}

int main(void)
{
	return probe();
}
