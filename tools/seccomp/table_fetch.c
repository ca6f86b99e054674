/* table_fetch.c — berth-fetch once confined (it reads registry answers from
 * then on): its control socket (sendmsg/recvmsg with descriptors), TCP
 * sockets (AF_INET, AF_INET6 only) with connect/poll/read/write, writing the
 * blob descriptors berthd handed it (pwrite, ftruncate, fstat), threads for
 * parallel downloads (clone without namespace flags, futex), getrandom for
 * TLS, memory, the time, exit. No open or any other path-based call, no
 * exec, no other socket family. Everything else fails with EPERM. */
#include <sys/socket.h>

#include "tools/seccomp/table.h"

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }

static const struct sc_rule rules[] = {
	/* the network and the control socket */
	A(connect), A(poll), A(ppoll), A(getsockopt), A(setsockopt), A(shutdown),
	A(sendmsg), A(recvmsg), A(sendto), A(recvfrom), A(read), A(write), A(writev), A(readv),
	A(close), A(fcntl),
	{ .name = "socket", .nr = __NR_socket, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 2, .mask = ~0u, .vals = { AF_INET, AF_INET6 } } } },
	/* the blob descriptors */
	A(pwrite64), A(ftruncate), A(fstat), A(lseek),
	/* threads */
	{ .name = "clone", .nr = __NR_clone, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 1, .mask = SC_CLONE_NS_MASK, .vals = { 0 } } } },
	{ .name = "clone3", .nr = __NR_clone3, .kind = SC_ENOSYS },
	A(futex), A(set_robust_list), A(set_tid_address), A(mprotect), A(membarrier), A(sched_yield),
	A(gettid), A(tkill), A(getpid),
	/* TLS randomness, the process itself */
	A(getrandom), A(clock_gettime), A(clock_nanosleep), A(nanosleep), A(brk), A(mmap), A(munmap), A(mremap),
	A(madvise), A(rt_sigreturn), A(rt_sigprocmask), A(rt_sigaction), A(restart_syscall),
	A(exit), A(exit_group),
};
const struct sc_prog sc_prog_fetch = { "fetch", rules, sizeof rules / sizeof rules[0], 0 };
