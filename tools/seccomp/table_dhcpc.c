/* table_dhcpc.c — berth-dhcpc once its UDP socket is bound (it parses
 * network input from then on). Found by running it under strace through a
 * lease, a renewal and an expiry (tests/host/init_dhcpc.sh): DHCP messages on
 * the bound socket; netlink sockets for address and route changes (and
 * if_nametoindex's AF_UNIX socket with SIOCGIFINDEX); the resolver file
 * written atomically (lib/fs); logging; the time. No new AF_INET socket, no
 * exec, no other ioctl. Everything else fails with EPERM. */
#include <linux/sockios.h>
#include <sys/socket.h>

#include "tools/seccomp/table.h"

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }

static const struct sc_rule rules[] = {
	/* DHCP on the bound socket, netlink requests */
	A(sendto), A(recvfrom), A(poll), A(ppoll), A(bind), A(getrandom),
	{ .name = "socket", .nr = __NR_socket, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 2, .mask = ~0u, .vals = { AF_UNIX, AF_NETLINK } } } },
	{ .name = "ioctl", .nr = __NR_ioctl, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 1, .op = SC_IN, .n = 1, .mask = ~0u, .vals = { SIOCGIFINDEX } } } },
	/* the resolver file (fs_write_atomic or open/rename), logging */
	A(open), A(openat), A(read), A(write), A(writev), A(close), A(fcntl), A(fchmod), A(fsync),
	A(rename), A(renameat), A(unlinkat), A(getpid),
	/* the process itself: time, memory, signals, exit */
	A(clock_gettime), A(clock_nanosleep), A(nanosleep), A(brk), A(mmap), A(munmap),
	A(rt_sigreturn), A(rt_sigprocmask), A(restart_syscall), A(exit), A(exit_group),
};
const struct sc_prog sc_prog_dhcpc = { .name = "dhcpc", .rules = rules, .n = sizeof rules / sizeof rules[0] };
