/* sandbox.c — see sandbox.h. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/caps.h"
#include "lib/seccomp.h"
#include "lib/util.h"
#include "runtime/image/sandbox.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* What creating files with their recorded owners, modes and xattrs needs. */
static const uint64_t keep_caps =
	CAP_BIT(CAP_CHOWN) |        /* owners from the tar headers */
	CAP_BIT(CAP_DAC_OVERRIDE) | /* writing into directories whose recorded mode is read-only */
	CAP_BIT(CAP_FOWNER) |       /* chmod/utimes/xattrs on files now owned by others */
	CAP_BIT(CAP_FSETID) |       /* keep setgid when the group is not ours */
	CAP_BIT(CAP_MKNOD) |        /* overlayfs whiteouts: char 0:0 */
	CAP_BIT(CAP_SETFCAP);       /* security.capability xattrs */

static const int allowed[] = {
	SYS_read, SYS_write, SYS_writev, SYS_close, SYS_lseek, SYS_dup,
	SYS_fstat, SYS_newfstatat, SYS_statx,
	SYS_openat, SYS_mkdirat, SYS_mknodat, SYS_symlinkat, SYS_linkat,
	SYS_fchown, SYS_fchownat, SYS_fchmod, SYS_fchmodat,
	SYS_utimensat, SYS_fsetxattr, SYS_fcntl,
	SYS_brk, SYS_mmap, SYS_munmap, SYS_mremap, SYS_madvise,
	SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_clock_gettime,
	SYS_exit, SYS_exit_group,
};

int sandbox_seccomp(struct berr *e)
{
	struct sock_filter f[8 + ARRAY_SIZE(allowed) * 2];
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	/* x32 syscall numbers have bit 30 set: never allowed */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)allowed[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	/* everything else fails with EPERM (a clear error rather than a
	 * silent kill; nothing outside the list can do harm either way) */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);

	if (seccomp_no_new_privs(e) < 0)
		return -1;
	return seccomp_load(f, n, e);
}

/* The audited order of lib/caps.h, with securebits locked so that uid 0
 * regains nothing through exec or setuid fixups. */
static int drop_caps(struct berr *e)
{
	if (caps_bound(keep_caps, e) < 0 || caps_ambient_clear(e) < 0)
		return -1;
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_SECUREBITS)");
	return caps_set(keep_caps, e);
}

int sandbox_enter(const char *root, const struct sandbox_limits *lim, struct berr *e)
{
	struct rlimit r;

	if (chdir(root) < 0)
		return berr_sys(e, "chdir %s", root);
	if (chroot(".") < 0)
		return berr_sys(e, "chroot %s", root);
	if (chdir("/") < 0)
		return berr_sys(e, "chdir / after chroot");

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

	if (drop_caps(e) < 0)
		return -1;
	return sandbox_seccomp(e);
}
