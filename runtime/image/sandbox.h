/* sandbox.h — berth-unpack's confinement: chroot, rlimits and a wall-clock
 * alarm, a capability set reduced to file creation with recorded owners,
 * no_new_privs, and a seccomp filter allowing only file-creation syscalls
 * (no socket, exec, mount, ptrace...). Irreversible; call once, early.
 * (Candidate for lib/ once lib/caps and lib/seccomp exist: the cap list and
 * the syscall allow-list are the parts specific to unpacking.)
 */
#ifndef BERTH_RUNTIME_IMAGE_SANDBOX_H
#define BERTH_RUNTIME_IMAGE_SANDBOX_H

#include <stdint.h>

#include "lib/err.h"

struct sandbox_limits {
	unsigned cpu_sec;       /* RLIMIT_CPU */
	unsigned time_sec;      /* alarm(): SIGALRM ends the process */
	uint64_t mem_bytes;     /* RLIMIT_AS */
	uint64_t fsize_bytes;   /* RLIMIT_FSIZE: largest single file */
};

int sandbox_enter(const char *root, const struct sandbox_limits *lim, struct berr *e);

/* Only the filter (tests use it to prove that socket(2) is refused). */
int sandbox_seccomp(struct berr *e);

#endif
