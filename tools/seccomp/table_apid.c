/* table_apid.c — berth-apid once it has dropped to berth-api in its empty
 * root: a socket server. accept4 on the inherited listening socket; new
 * AF_UNIX sockets only (berthd's engine.sock, PID 1's init.sock); the
 * connections' I/O and poll; threads (clone with thread flags only, futex,
 * the stacks' mmap/mprotect); the audit log through its directory fd
 * (openat, renameat, fstat); the CRL through its directory fd (fchdir,
 * then chdir back to /); fstatfs of the data partition's fd; the time,
 * sysinfo (uptime), getrandom (TLS), signals for the stop, exit. No execve,
 * no ptrace, no mount, no AF_INET socket of its own, no setuid. */
#include <sched.h>
#include <sys/socket.h>

#include "tools/seccomp/table.h"

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }

/* a thread, never a process: CLONE_THREAD and CLONE_VM both set (a
 * namespace flag would need a capability apid does not have) */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_THREAD)

static const struct sc_rule rules[] = {
	/* connections */
	A(accept4), A(connect), A(shutdown), A(setsockopt), A(getsockopt), A(getsockname),
	A(getpeername), A(recvfrom), A(sendto), A(recvmsg), A(sendmsg), A(read), A(write),
	A(readv), A(writev), A(close), A(poll), A(ppoll), A(fcntl),
	{ .name = "socket", .nr = __NR_socket, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 1, .mask = ~0u, .vals = { AF_UNIX } } } },
	/* the audit log, the data partition's usage */
	A(openat), A(renameat), A(fchdir), A(chdir), A(fstat), A(newfstatat), A(lseek), A(fstatfs), A(statx),
	/* threads and memory */
	{ .name = "clone", .nr = __NR_clone, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 1, .mask = CLONE_THREAD_FLAGS,
			.vals = { CLONE_THREAD_FLAGS } } } },
	{ .name = "clone3", .nr = __NR_clone3, .kind = SC_ENOSYS },
	A(futex), A(set_robust_list), A(set_tid_address), A(mmap), A(munmap), A(mprotect),
	A(mremap), A(madvise), A(brk), A(membarrier),
	/* time, randomness, the machine */
	A(clock_gettime), A(clock_nanosleep), A(nanosleep), A(getrandom), A(sysinfo), A(gettid),
	A(getpid),
	/* signals, exit */
	A(rt_sigprocmask), A(rt_sigreturn), A(rt_sigaction), A(tgkill), A(restart_syscall),
	A(exit), A(exit_group),
};
const struct sc_prog sc_prog_apid = { "apid", rules, sizeof rules / sizeof rules[0], 0 };
