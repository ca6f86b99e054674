/* table_proxy.c — berth-proxy once its sandbox is applied (it reads
 * network input from then on): the inherited listening sockets, accept4,
 * new AF_INET stream and datagram sockets to the container (connect,
 * SO_ERROR), pipes and splice for TCP, recvfrom/sendto for UDP, epoll,
 * the status line (write), an error line on stderr, memory, the time,
 * exit. No open or any other path-based call, no exec, no other socket
 * family. Everything else fails with EPERM. */
#include <sys/socket.h>

#include "tools/seccomp/table.h"

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }

static const struct sc_rule rules[] = {
	/* the relay */
	A(epoll_create1), A(epoll_ctl), A(epoll_wait), A(epoll_pwait), A(accept4), A(connect),
	A(getsockopt), A(shutdown), A(splice), A(pipe2), A(recvfrom), A(sendto), A(close),
	{ .name = "socket", .nr = __NR_socket, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 1, .mask = ~0u, .vals = { AF_INET } } } },
	/* the status line, an error line on stderr */
	A(write), A(writev),
	/* the process itself: time, memory, signals, exit */
	A(clock_gettime), A(brk), A(mmap), A(munmap), A(madvise),
	A(rt_sigreturn), A(rt_sigprocmask), A(restart_syscall), A(exit), A(exit_group),
};
const struct sc_prog sc_prog_proxy = { "proxy", rules, sizeof rules / sizeof rules[0], 0 };
