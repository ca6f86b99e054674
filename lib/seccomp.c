/* seccomp.c — no_new_privs and loading a prebuilt filter. */
#include "lib/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int seccomp_no_new_privs(struct berr *e)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(e, "PR_SET_NO_NEW_PRIVS");
	return 0;
}

int seccomp_load(const struct sock_filter *prog, size_t len, struct berr *e)
{
	struct sock_fprog fp = { .len = (unsigned short)len, .filter = (struct sock_filter *)prog };

	if (len == 0 || len > SECCOMP_FILTER_MAX)
		return berr_set(e, EINVAL, "seccomp filter of %zu instructions (1..%d)", len,
				SECCOMP_FILTER_MAX);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return berr_sys(e, "load the seccomp filter");
	return 0;
}

int seccomp_read_file(const char *path, struct sock_filter *buf, size_t max, struct berr *e)
{
	struct stat st;
	size_t want, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return berr_sys(e, "seccomp filter %s", path);
	if (fstat(fd, &st) < 0) {
		berr_sys(e, "seccomp filter %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size % 8 != 0 ||
	    (size_t)st.st_size / 8 > max) {
		berr_set(e, EINVAL, "seccomp filter %s: not 1..%zu BPF records of 8 bytes", path, max);
		goto fail;
	}
	want = (size_t)st.st_size;
	while (got < want) {
		ssize_t n = read(fd, (char *)buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			berr_set(e, n < 0 ? errno : EIO, "seccomp filter %s: short read", path);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	return (int)(want / 8);
fail:
	close(fd);
	return -1;
}
