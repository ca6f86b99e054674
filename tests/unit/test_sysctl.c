/* test_sysctl.c — the network part of the host hardening, applied in a
 * private network namespace (never the host's) between two others joined
 * by veth pairs: every value is set, and a packet from one side to the
 * other is not forwarded unless [system] ip_forward says so. The kernel
 * part (kexec, sysrq, …) is one-way on a running kernel: the system test
 * init_data.sh checks it after boot. Needs root, ip(8) and nsenter. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/sysctl.h"
#include "lib/fs.h"
#include "tests/unit/unit.h"

/* A child in a network namespace of its own, killed when the test ends. */
static pid_t netns_child(void)
{
	int p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1);
	close(p[0]);
	return pid;
}

static void check_value(const char *path, const char *want)
{
	char got[32];
	struct berr e;

	CHECK(fs_read(path, got, sizeof got, &e) > 0);
	got[strcspn(got, "\n")] = '\0';
	if (strcmp(got, want) != 0)
		fprintf(stderr, "#   %s = %s, want %s\n", path, got, want);
	CHECK_STR(got, want);
}

static int sh(const char *fmt, pid_t l, pid_t r)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, fmt, l, l, r, r, l, r);
	return system(cmd);
}

static void enter(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		_exit(2);
	close(fd);
}

/* Does a UDP datagram from the left namespace reach 10.91.2.2:9999 in the
 * right one (through this one)? A receiver in r, a sender in l. */
static int reaches(pid_t l, pid_t r)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9999) };
	int p[2], status = -1;
	pid_t rx, tx;
	char c;

	inet_pton(AF_INET, "10.91.2.2", &to.sin_addr);
	CHECK(pipe(p) == 0);
	if ((rx = fork()) == 0) {
		struct pollfd pf = { .events = POLLIN };

		enter(r);
		pf.fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (pf.fd < 0 || bind(pf.fd, (struct sockaddr *)&to, sizeof to) < 0 || write(p[1], "x", 1) != 1)
			_exit(2);
		_exit(poll(&pf, 1, 2000) == 1 ? 0 : 1);
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1);
	close(p[0]);
	if ((tx = fork()) == 0) {
		int fd;

		enter(l);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		for (int i = 0; i < 10; i++) {
			if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof to) < 0) {
				/* no route or not yet resolved: try again */
			}
			usleep(100000);
		}
		_exit(0);
	}
	waitpid(tx, NULL, 0);
	waitpid(rx, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void packets_between_two_interfaces_are_not_forwarded(void)
{
	struct logger lg = { .prog = "test", .fd = 2, .level = LOG_ERROR };
	struct init_conf c;
	pid_t l, r;
	int failed = 0;

	if (geteuid() != 0)
		UNIT_SKIP("needs root (network namespaces)");
	if (system("{ command -v ip && command -v nsenter; } >/dev/null 2>&1") != 0)
		UNIT_SKIP("needs ip and nsenter");
	if (unshare(CLONE_NEWNET) < 0)
		UNIT_SKIP("no network namespaces here");
	l = netns_child();
	r = netns_child();
	/* this namespace is the host between two networks: l0 10.91.1.1/24 to
	 * the left one (10.91.1.2), r0 10.91.2.1/24 to the right (10.91.2.2) */
	CHECK_INT(sh("exec > /dev/null 2>&1; set -e; ip link set lo up;"
		     "ip link add l0 type veth peer name l1; ip link set l1 netns %d;"
		     "nsenter -t %d -n sh -c 'ip link set lo up; ip link set l1 up; ip addr add 10.91.1.2/24 dev l1;"
		     " ip route add default via 10.91.1.1';"
		     "ip link add r0 type veth peer name r1; ip link set r1 netns %d;"
		     "nsenter -t %d -n sh -c 'ip link set lo up; ip link set r1 up; ip addr add 10.91.2.2/24 dev r1;"
		     " ip route add default via 10.91.2.1';"
		     "ip addr add 10.91.1.1/24 dev l0; ip link set l0 up; ip addr add 10.91.2.1/24 dev r0;"
		     "ip link set r0 up; : %d %d", l, r), 0);
	CHECK(system("echo 1 > /proc/sys/net/ipv4/ip_forward") == 0); /* as the old table had it */

	memset(&c, 0, sizeof c);
	sysctl_harden_net(&c, &lg, &failed);
	CHECK_INT(failed, 0);
	check_value("/proc/sys/net/ipv4/ip_forward", "0");
	check_value("/proc/sys/net/ipv6/conf/all/forwarding", "0");
	for (const char *const *f = (const char *const[]){ "all", "default", "l0", "r0", "lo", NULL }; *f; f++) {
		char p[128];
		static const char *const v4[][2] = {
			{ "accept_redirects", "0" }, { "secure_redirects", "0" }, { "send_redirects", "0" },
			{ "accept_source_route", "0" }, { "rp_filter", "1" },
		};
		static const char *const v6[][2] = {
			{ "accept_redirects", "0" }, { "accept_source_route", "0" }, { "accept_ra", "0" },
		};

		for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++) {
			snprintf(p, sizeof p, "/proc/sys/net/ipv4/conf/%s/%s", *f, v4[i][0]);
			check_value(p, v4[i][1]);
		}
		for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
			snprintf(p, sizeof p, "/proc/sys/net/ipv6/conf/%s/%s", *f, v6[i][0]);
			check_value(p, v6[i][1]);
		}
	}
	CHECK(!reaches(l, r));

	/* configured on (as the engine will, with its rules): forwarded, so the
	 * check above can tell; router advertisements as configured */
	c.ip_forward = 1;
	c.ipv6_accept_ra = 1;
	sysctl_harden_net(&c, &lg, &failed);
	CHECK_INT(failed, 0);
	check_value("/proc/sys/net/ipv4/ip_forward", "1");
	check_value("/proc/sys/net/ipv6/conf/l0/accept_ra", "1");
	CHECK(reaches(l, r));
	kill(l, SIGKILL);
	kill(r, SIGKILL);
}

UNIT_MAIN(UNIT(packets_between_two_interfaces_are_not_forwarded))
