/* sandbox.c — see sandbox.h. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/util.h"
#include "runtime/image/sandbox.h"

/* What creating files with their recorded owners, modes and xattrs needs. */
static const cap_value_t keep_caps[] = {
	CAP_CHOWN,        /* owners from the tar headers */
	CAP_DAC_OVERRIDE, /* writing into directories whose recorded mode is read-only */
	CAP_FOWNER,       /* chmod/utimes/xattrs on files now owned by others */
	CAP_FSETID,       /* keep setgid when the group is not ours */
	CAP_MKNOD,        /* overlayfs whiteouts: char 0:0 */
	CAP_SETFCAP,      /* security.capability xattrs */
};

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

	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return berr_sys(e, "seccomp(SECCOMP_SET_MODE_FILTER)");
	return 0;
}

static int drop_caps(struct berr *e)
{
	cap_t c;
	int rc = 0;

	/* bounding set first (needs CAP_SETPCAP, still held) */
	for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++) {
		int keep = 0;
		for (size_t i = 0; i < ARRAY_SIZE(keep_caps); i++)
			keep |= keep_caps[i] == v;
		if (!keep && prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
			return berr_sys(e, "prctl(PR_CAPBSET_DROP, %d)", (int)v);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return berr_sys(e, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	/* uid 0 must not regain anything through exec or setuid fixups */
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0) < 0)
		return berr_sys(e, "prctl(PR_SET_SECUREBITS)");
	c = cap_init();
	if (!c)
		return berr_sys(e, "cap_init");
	if (cap_set_flag(c, CAP_PERMITTED, (int)ARRAY_SIZE(keep_caps), keep_caps, CAP_SET) < 0 ||
	    cap_set_flag(c, CAP_EFFECTIVE, (int)ARRAY_SIZE(keep_caps), keep_caps, CAP_SET) < 0 ||
	    cap_set_proc(c) < 0)
		rc = berr_sys(e, "cap_set_proc");
	cap_free(c);
	return rc;
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
