/* unpack_sandbox.c — see unpack_sandbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "runtime/image/unpack_sandbox.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* What creating files with their recorded owners, modes and xattrs needs. */
static const uint64_t keep_caps =
	CAP_BIT(CAP_CHOWN) |        /* owners from the tar headers */
	CAP_BIT(CAP_DAC_OVERRIDE) | /* writing into directories whose recorded mode is read-only */
	CAP_BIT(CAP_FOWNER) |       /* chmod/utimes/xattrs on files now owned by others */
	CAP_BIT(CAP_FSETID) |       /* keep setgid when the group is not ours */
	CAP_BIT(CAP_SETFCAP);       /* security.capability xattrs */

/* uid 0 regains nothing through exec or setuid fixups, keepcaps stays off,
 * nothing is raised into the ambient set; all locked. */
static const unsigned securebits =
	SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

static int set_limits(const struct sandbox_limits *lim, struct berr *e)
{
	struct rlimit r;

	r.rlim_cur = r.rlim_max = lim->cpu_sec;
	if (setrlimit(RLIMIT_CPU, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_CPU)");
	r.rlim_cur = r.rlim_max = lim->mem_bytes;
	if (setrlimit(RLIMIT_AS, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_AS)");
	r.rlim_cur = r.rlim_max = lim->fsize_bytes;
	if (setrlimit(RLIMIT_FSIZE, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_FSIZE)");
	r.rlim_cur = r.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &r) < 0 || setrlimit(RLIMIT_NPROC, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_CORE/NPROC)");
	r.rlim_cur = r.rlim_max = 64 + CONFIG_IMAGE_PATH_DEPTH_MAX;
	if (setrlimit(RLIMIT_NOFILE, &r) < 0)
		return berr_sys(e, "setrlimit(RLIMIT_NOFILE)");
	alarm(lim->time_sec);
	return 0;
}

int unpack_sandbox_enter(const char *root, const struct sandbox_limits *lim, struct berr *e)
{
	const struct sandbox sb = {
		.uid = 0, .gid = 0, .caps = keep_caps, .securebits = securebits, .no_new_privs = 1,
		.filter = seccomp_unpack_filter, .filter_len = seccomp_unpack_len,
	};
	int fd;

	/* whatever the parent left open (a store fd, another layer's pipe) */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		return berr_sys(e, "close_range");
	if (chdir(root) < 0)
		return berr_sys(e, "chdir %s", root);
	if (chroot(".") < 0)
		return berr_sys(e, "chroot %s", root);
	if (chdir("/") < 0)
		return berr_sys(e, "chdir / after chroot");
	if (set_limits(lim, e) < 0)
		return -1;
	if (sandbox_apply(&sb, e) < 0)
		return -1;
	fd = openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open /");
	return fd;
}
