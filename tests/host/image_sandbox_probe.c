/* image_sandbox_probe.c — built static with musl by image_sandbox.sh: leaves
 * stray fds open, enters berth-unpack's sandbox (unpack_sandbox_enter) on the
 * directory given, then checks from the inside what berth-unpack can do:
 * create files, directories, FIFOs and whiteouts (0:0), and nothing else —
 * no other device node, socket, exec, mount, ptrace, chroot or unlink — and
 * that no fd is open but stdio and the layer directory.
 * Exit 0 when all hold, else the number of the failed step. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/image/unpack_sandbox.h"

/* Only 0-2 and root open among the first 1024. */
static int only_stdio_and(int root)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != root && fcntl(fd, F_GETFD) >= 0)
			return 0;
	return root > 2 && fcntl(root, F_GETFD) >= 0;
}

static int refused(int rc)
{
	return rc < 0 && errno == EPERM;
}

static int probe(const char *dir)
{
	struct sandbox_limits lim = { 60, 60, 256u << 20, 1u << 20 };
	struct berr e;
	char *argv[] = { "/bin/true", NULL };
	int fd, root;

	if (open("/", O_RDONLY) < 0 || open("/", O_PATH) < 0 || dup2(0, 40) < 0)
		return 1; /* strays the sandbox must close */
	root = unpack_sandbox_enter(dir, &lim, &e);
	if (root < 0)
		return 2;
	if (!only_stdio_and(root))
		return 3;
	fd = openat(root, "f", O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) < 0)
		return 4;
	if (mkdirat(root, "d", 0700) < 0)
		return 5;
	if (mknodat(root, "wh", S_IFCHR | 0, makedev(0, 0)) < 0)
		return 6;
	if (mknodat(root, "fifo", S_IFIFO | 0600, 0) < 0)
		return 7;
	if (!refused(mknodat(root, "null", S_IFCHR | 0666, makedev(1, 3))))
		return 8;
	if (!refused(mknodat(root, "console", S_IFCHR | 0600, makedev(5, 1))))
		return 9;
	if (!refused(mknodat(root, "sda", S_IFBLK | 0600, makedev(8, 0))))
		return 10;
	if (!refused(mknodat(root, "blk0", S_IFBLK | 0600, 0)))
		return 11;
	if (!refused(socket(AF_INET, SOCK_STREAM, 0)) || !refused(socket(AF_UNIX, SOCK_STREAM, 0)))
		return 12;
	if (!refused(execve("/bin/true", argv, NULL)))
		return 13;
	if (!refused(mount("none", "/d", "tmpfs", 0, NULL)))
		return 14;
	if (!refused((int)ptrace(PTRACE_TRACEME, 0, NULL, NULL)))
		return 15;
	if (!refused(chroot("/d")) || !refused(unlinkat(root, "d", AT_REMOVEDIR)))
		return 16;
	return 0;
}

int main(int argc, char **argv)
{
	return argc == 2 ? probe(argv[1]) : 100;
}
