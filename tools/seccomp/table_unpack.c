/* table_unpack.c — berth-unpack, after it has confined itself: read the tar
 * stream, create directories, files, links, whiteouts and FIFOs with their
 * recorded owners, modes, times and xattrs, report. No socket, exec, mount,
 * ptrace, chroot or unlink; mknodat only for S_IFCHR or S_IFIFO with device
 * 0 (an overlay whiteout is the character device 0:0), whatever the
 * capabilities say. Everything else fails with EPERM: a clear error rather
 * than a silent kill, and nothing outside the list can do harm either way. */
#include <sys/stat.h>

#include "tools/seccomp/table.h"

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }

static const struct sc_rule rules[] = {
	A(read), A(write), A(writev), A(close), A(lseek), A(dup),
	A(fstat), A(newfstatat), A(statx),
	A(openat), A(mkdirat), A(symlinkat), A(linkat),
	A(fchown), A(fchownat), A(fchmod), A(fchmodat),
	A(utimensat), A(fsetxattr), A(fcntl),
	A(brk), A(mmap), A(munmap), A(mremap), A(madvise),
	A(rt_sigreturn), A(rt_sigprocmask), A(clock_gettime),
	A(exit), A(exit_group),
	{ .name = "mknodat", .nr = __NR_mknodat, .kind = SC_ARGS, .nchecks = 2,
	  .checks = { { .arg = 2, .op = SC_IN, .n = 2, .mask = S_IFMT, .vals = { S_IFCHR, S_IFIFO } },
		      { .arg = 3, .op = SC_IN, .n = 1, .mask = ~0u, .vals = { 0 } } } },
};
const struct sc_prog sc_prog_unpack = { .name = "unpack", .rules = rules, .n = sizeof rules / sizeof rules[0] };
