/* spawn.c — bind the published ports and start berth-proxy with them
 * (net.h). */
#include "runtime/net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"

#define READY_MS 5000
#define ARG_MAX_LEN 24

struct sock {
	int fd;
	int udp;
	uint16_t cport;
};

/* Every configured address that an empty host_ip means: 0.0.0.0 covers
 * the others (binding both would collide). */
static int host_addrs(const struct net_conf *c, const struct net_port *p, uint32_t *out,
		      struct berr *e)
{
	uint32_t a;
	int any = 0;

	for (int i = 0; i < c->n_publish; i++)
		any |= c->publish[i] == htonl(INADDR_ANY);
	if (!p->host_ip[0]) {
		if (any) {
			out[0] = htonl(INADDR_ANY);
			return 1;
		}
		memcpy(out, c->publish, (size_t)c->n_publish * sizeof *out);
		return c->n_publish;
	}
	if (net_parse_ip4(p->host_ip, &a, e) == 0) {
		for (int i = 0; i < c->n_publish && !any; i++)
			any = c->publish[i] == a;
		if (any) {
			out[0] = a;
			return 1;
		}
	}
	return berr_set(e, EACCES, "%.46s: not a publish address on this appliance "
			"(berth.conf [" NET_CONF_SECTION "] publish_addresses)", p->host_ip);
}

/* Bind one socket for p on addr at *hport (0: the kernel picks, and
 * *hport becomes the port it gave). */
static int bind_one(uint32_t addr, const struct net_port *p, uint16_t *hport, struct sock *s,
		    struct berr *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(*hport) };
	socklen_t len = sizeof sa;
	char ip[16];
	int one = 1;

	sa.sin_addr.s_addr = addr;
	inet_ntop(AF_INET, &addr, ip, sizeof ip);
	s->udp = p->udp;
	s->cport = p->cport;
	s->fd = socket(AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return berr_sys(e, "%s:%u%s: socket", ip, *hport, p->udp ? "/udp" : "");
	if ((!p->udp && setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (!p->udp && listen(s->fd, SOMAXCONN) < 0) ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &len) < 0) {
		if (errno == EADDRINUSE)
			berr_set(e, EADDRINUSE, "%s:%u%s: address in use", ip, *hport, p->udp ? "/udp" : "");
		else
			berr_sys(e, "%s:%u%s", ip, *hport, p->udp ? "/udp" : "");
		fd_close(&s->fd);
		return -1;
	}
	*hport = ntohs(sa.sin_port);
	return 0;
}

static int bind_all(const struct net_conf *c, const struct net_port *ports, int n, struct sock *s,
		    int *ns, struct net_bound *bound, int max_bound, struct berr *e)
{
	uint32_t addrs[CONFIG_NET_ADDRS_MAX];

	*ns = 0;
	for (int i = 0; i < n; i++) {
		int k = host_addrs(c, &ports[i], addrs, e);
		uint16_t hport = ports[i].hport;

		if (k < 0)
			return -1;
		if (ports[i].cport == 0)
			return berr_set(e, EINVAL, "port 0 cannot be published");
		/* hport 0: the first address gets the kernel's choice, the
		 * others the same port */
		for (int j = 0; j < k; j++) {
			if (*ns == CONFIG_NET_PORTS_MAX || *ns == max_bound)
				return berr_set(e, E2BIG, "more than %d published sockets (CONFIG_NET_PORTS_MAX)",
						*ns);
			if (bind_one(addrs[j], &ports[i], &hport, &s[*ns], e) < 0)
				return -1;
			bound[*ns].addr = addrs[j];
			bound[*ns].cport = ports[i].cport;
			bound[*ns].hport = hport;
			bound[*ns].udp = ports[i].udp;
			++*ns;
		}
	}
	return 0;
}

/* In the detached grandchild: the cgroup, the status pipe to fd 3, the sockets to
 * 4.., /dev/null on 0 and 1, exec. Async-signal-safe calls
 * only (berthd has threads). */
static void child_exec(const char *bin, char **argv, int status, const struct sock *s, int ns,
		       int cgfd)
{
	int top = 4 + ns, fds[CONFIG_NET_PORTS_MAX + 1], nul;
	struct berr e;

	/* before the descriptors move: cgfd may be one of the target numbers */
	if (cgfd >= 0 && cgroup_enter(cgfd, 0, &e) < 0) {
		dprintf(status, "cgroup: %s\n", e.msg);
		_exit(111);
	}
	/* first above every target slot (close-on-exec, so that no second
	 * copy reaches the proxy), then down into place (dup2 clears it) */
	fds[0] = fcntl(status, F_DUPFD_CLOEXEC, top);
	for (int i = 0; i < ns; i++)
		fds[i + 1] = fcntl(s[i].fd, F_DUPFD_CLOEXEC, top);
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0)
		_exit(111);
	for (int i = 0; i <= ns; i++)
		if (fds[i] < 0 || dup2(fds[i], 3 + i) < 0)
			_exit(111);
	execv(bin, argv);
	dprintf(3, "exec %s: %s\n", bin, strerror(errno));
	_exit(127);
}

/* argv: berth-proxy --status 3 --to ADDR --user U:G 4:tcp:80 ... */
static void make_argv(char **argv, char (*buf)[ARG_MAX_LEN], const struct net_conf *c,
		      const struct net_lease *l, const struct sock *s, int ns)
{
	int k = 0;

	argv[k++] = "berth-proxy";
	argv[k++] = "--status";
	argv[k++] = "3";
	argv[k++] = "--to";
	inet_ntop(AF_INET, &l->addr, buf[0], ARG_MAX_LEN);
	argv[k++] = buf[0];
	argv[k++] = "--user";
	snprintf(buf[1], ARG_MAX_LEN, "%u:%u", (unsigned)c->proxy_uid, (unsigned)c->proxy_gid);
	argv[k++] = buf[1];
	for (int i = 0; i < ns; i++) {
		snprintf(buf[2 + i], ARG_MAX_LEN, "%d:%s:%u", 4 + i, s[i].udp ? "udp" : "tcp", s[i].cport);
		argv[k++] = buf[2 + i];
	}
	argv[k] = NULL;
}

/* Read the proxy's status line (or up to end of file): "ok" or its error. */
static int ready(int fd, struct berr *e)
{
	char msg[BERR_MSG_MAX] = "";
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, READY_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return berr_set(e, ETIMEDOUT, "berth-proxy: not ready after %d ms", READY_MS);
		n = read(fd, msg + len, sizeof msg - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(msg, '\n', len) || len == sizeof msg - 1)
			break;
	}
	msg[len] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	if (!strcmp(msg, "ok"))
		return 0;
	return berr_set(e, EIO, "berth-proxy: %s", msg[0] ? msg : "exited before it was ready");
}

static int start(const char *bin, char **argv, const struct sock *s, int ns, int cgfd, pid_t *pid,
		 struct berr *e)
{
	int st[2] = { -1, -1 }, pp[2] = { -1, -1 }, rc = -1, wst;
	pid_t mid, got = 0;

	if (pipe2(st, O_CLOEXEC) < 0 || pipe2(pp, O_CLOEXEC) < 0) {
		berr_sys(e, "berth-proxy: pipe");
		goto out;
	}
	mid = fork();
	if (mid < 0) {
		berr_sys(e, "berth-proxy: fork");
		goto out;
	}
	if (mid == 0) { /* detach: a new session, and the proxy's parent exits */
		pid_t p;

		setsid();
		p = fork();
		if (p == 0)
			child_exec(bin, argv, st[1], s, ns, cgfd);
		_exit(write(pp[1], &p, sizeof p) == sizeof p && p > 0 ? 0 : 111);
	}
	fd_close(&st[1]);
	fd_close(&pp[1]);
	while (waitpid(mid, &wst, 0) < 0 && errno == EINTR)
		;
	if (read(pp[0], &got, sizeof got) != sizeof got || got <= 0) {
		berr_set(e, EAGAIN, "berth-proxy: fork failed");
		goto out;
	}
	rc = ready(st[0], e);
	if (rc < 0)
		kill(got, SIGKILL);
	else
		*pid = got;
out:
	fd_close(&st[0]);
	fd_close(&st[1]);
	fd_close(&pp[0]);
	fd_close(&pp[1]);
	return rc;
}

int net_proxy_spawn(const char *bin, const struct net_conf *c, const struct net_port *ports, int n,
		    const struct net_lease *l, const char *cgroup_dir, struct net_bound *bound, int max_bound,
		    int *n_bound, pid_t *pid, struct berr *e)
{
	static const struct cgroup_limits none;
	struct sock s[CONFIG_NET_PORTS_MAX];
	char *argv[8 + CONFIG_NET_PORTS_MAX], buf[2 + CONFIG_NET_PORTS_MAX][ARG_MAX_LEN];
	int ns = 0, cgfd = -1, rc = -1;

	*n_bound = 0;
	if (bind_all(c, ports, n, s, &ns, bound, max_bound, e) < 0)
		goto out;
	if (ns == 0) {
		berr_set(e, EINVAL, "no port to publish");
		goto out;
	}
	if (cgroup_dir && (cgfd = cgroup_create(cgroup_dir, &none, 1, e)) < 0) {
		berr_prefix(e, "berth-proxy cgroup");
		goto out;
	}
	make_argv(argv, buf, c, l, s, ns);
	rc = start(bin, argv, s, ns, cgfd, pid, e);
	if (rc == 0)
		*n_bound = ns;
out:
	for (int i = 0; i < ns; i++)
		close(s[i].fd);
	fd_close(&cgfd);
	return rc;
}

int net_proxy_stop(pid_t pid, struct berr *e)
{
	char path[40], comm[32];
	struct berr ignore;
	int pfd;

	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0 && errno == ESRCH)
		return 0;
	if (pfd < 0)
		return berr_sys(e, "berth-proxy %d", (int)pid);
	/* the pidfd pins the process: the name read now is its name */
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	if (fs_read(path, comm, sizeof comm, &ignore) < 0 || strcmp(comm, "berth-proxy\n") != 0) {
		close(pfd);
		return 0; /* gone, and the pid is someone else's now */
	}
	for (int sig = SIGTERM;; sig = SIGKILL) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };

		if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0 && errno != ESRCH) {
			berr_sys(e, "berth-proxy %d: signal", (int)pid);
			close(pfd);
			return -1;
		}
		if (poll(&p, 1, 1000) > 0 || sig == SIGKILL)
			break;
	}
	close(pfd);
	return 0;
}
