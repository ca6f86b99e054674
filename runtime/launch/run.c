/* run.c — the parent side of a launch: check every value, prepare what the
 * child needs, clone3 into the namespaces, forward signals, wait.
 *
 * Order matters: the spec is checked and the exec user resolved before
 * anything is created; the launcher is non-dumpable before the clone
 * (escape class 1) and never enters the container itself.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/util.h"
#include "runtime/launch/cgroup.h"
#include "runtime/launch/launch-internal.h"
#include "runtime/launch/seccomp_default.h"
#include "runtime/launch/tty.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Signals berth-run passes on to the container. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

static int check_hostname(const char *h, struct berr *e)
{
	size_t n = strlen(h);

	if (n == 0 || n > LAUNCH_HOSTNAME_MAX || h[0] == '-' || h[0] == '.')
		return berr_set(e, EINVAL, "hostname '%s': 1..%d letters, digits, '-' or '.'", h,
				LAUNCH_HOSTNAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
			return berr_set(e, EINVAL, "hostname '%s': 1..%d letters, digits, '-' or '.'", h,
					LAUNCH_HOSTNAME_MAX);
	return 0;
}

static int env_has(const struct launch_spec *s, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < s->n_env; i++)
		if (strncmp(s->env[i], key, n) == 0 && s->env[i][n] == '=')
			return 1;
	return 0;
}

static int build_env(struct launch_ctx *c, struct berr *e)
{
	const struct launch_spec *s = c->spec;
	int n = 0;

	for (int i = 0; i < s->n_env; i++) {
		const char *v = s->env[i], *eq = strchr(v, '=');
		if (!eq || eq == v)
			return berr_set(e, EINVAL, "env '%s': want KEY=VALUE", v);
		for (const char *p = v; p < eq; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return berr_set(e, EINVAL, "env '%s': bad character in the name", v);
		c->envp[n++] = v;
	}
	if (!env_has(s, "PATH"))
		c->envp[n++] = DEFAULT_PATH;
	if (!env_has(s, "HOSTNAME")) {
		snprintf(c->env_hostname, sizeof c->env_hostname, "HOSTNAME=%s", c->hostname);
		c->envp[n++] = c->env_hostname;
	}
	if (s->tty && !env_has(s, "TERM"))
		c->envp[n++] = "TERM=xterm";
	if (!env_has(s, "HOME")) {
		snprintf(c->env_home, sizeof c->env_home, "HOME=%s", c->user.home);
		c->envp[n++] = c->env_home;
	}
	c->envp[n] = NULL;
	return 0;
}

/* /dev, /proc and /sys of the image must not be symlinks (class 3, 5). */
static int check_rootfs(int rootfd, const char *path, struct berr *e)
{
	static const char *const special[] = { "dev", "proc", "sys" };

	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		struct stat st;
		if (fstatat(rootfd, special[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return berr_sys(e, "root %s: /%s", path, special[i]);
		}
		if (!S_ISDIR(st.st_mode))
			return berr_set(e, ELOOP, "root %s: /%s is a %s, not a directory: refused", path,
					special[i], S_ISLNK(st.st_mode) ? "symlink" : "file");
	}
	return 0;
}

static int prepare(const struct launch_spec *s, struct launch_ctx *c, struct berr *e)
{
	uint64_t perm;
	int rootfd;

	if (s->argc < 1 || !s->argv[0] || !s->argv[0][0])
		return berr_set(e, EINVAL, "no command");
	if (!s->rootfs || s->rootfs[0] != '/')
		return berr_set(e, EINVAL, "root '%s': must be an absolute path", s->rootfs ? s->rootfs : "");
	if (s->workdir && s->workdir[0] != '/')
		return berr_set(e, EINVAL, "workdir '%s': must be an absolute path", s->workdir);
	if (s->n_sysctls > 0 && s->net == LAUNCH_NET_HOST)
		for (int i = 0; i < s->n_sysctls; i++)
			if (strncmp(s->sysctls[i].key, "net.", 4) == 0)
				return berr_set(e, EPERM, "sysctl %s: refused with --network host "
					       "(the container has no network namespace of its own)",
					       s->sysctls[i].key);
	if (s->cpus_milli > 1000LL * sysconf(_SC_NPROCESSORS_ONLN))
		return berr_set(e, EINVAL, "cpus %lld.%03lld: more than the %ld CPUs of this host",
				s->cpus_milli / 1000, s->cpus_milli % 1000, sysconf(_SC_NPROCESSORS_ONLN));
	if (s->remap_count && s->net != LAUNCH_NET_NONE)
		return berr_set(e, EINVAL, "--userns-remap needs --network none (sysfs is mounted for "
			       "the container's own network namespace)");
	if (caps_permitted(&perm, e) < 0)
		return -1;
	if (s->caps & ~perm) {
		char names[512];
		if (caps_format(s->caps & ~perm, names, sizeof names, e) < 0)
			return -1;
		return berr_set(e, EPERM, "capabilities %s: berth-run itself does not hold them", names);
	}
	if (s->hostname) {
		if (check_hostname(s->hostname, e) < 0)
			return -1;
		snprintf(c->hostname, sizeof c->hostname, "%s", s->hostname);
	} else {
		unsigned char r[6];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			return berr_sys(e, "getrandom");
		for (int i = 0; i < 6; i++)
			snprintf(c->hostname + 2 * i, 3, "%02x", r[i]);
	}
	for (int i = 0; i < s->n_mounts; i++) {
		struct stat st;
		if (!s->mounts[i].tmpfs && stat(s->mounts[i].src, &st) < 0)
			return berr_sys(e, "bind source %s", s->mounts[i].src);
	}

	rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berr_sys(e, "root %s", s->rootfs);
	if (check_rootfs(rootfd, s->rootfs, e) < 0 ||
	    launch_user_resolve(rootfd, s->user, s->groups_add, s->n_groups_add, &c->user, e) < 0) {
		close(rootfd);
		return -1;
	}
	close(rootfd);
	if (s->remap_count) {
		if (c->user.uid >= s->remap_count || c->user.gid >= s->remap_count)
			return berr_set(e, EINVAL, "user %u:%u: outside the %u ids of --userns-remap",
					(unsigned)c->user.uid, (unsigned)c->user.gid, s->remap_count);
		for (int i = 0; i < c->user.n_groups; i++)
			if (c->user.groups[i] >= s->remap_count)
				return berr_set(e, EINVAL, "group %u: outside the %u ids of --userns-remap",
						(unsigned)c->user.groups[i], s->remap_count);
		c->userns = 1;
	}
	if (build_env(c, e) < 0)
		return -1;

	switch (s->seccomp) {
	case LAUNCH_SECCOMP_DEFAULT:
		c->filter = seccomp_default_filter;
		c->filter_len = seccomp_default_len;
		break;
	case LAUNCH_SECCOMP_FILE: {
		int n;
		c->filter_buf = calloc(SECCOMP_FILTER_MAX, sizeof *c->filter_buf);
		if (!c->filter_buf)
			return berr_sys(e, "seccomp filter buffer");
		n = seccomp_read_file(s->seccomp_file, c->filter_buf, SECCOMP_FILTER_MAX, e);
		if (n < 0)
			return -1;
		c->filter = c->filter_buf;
		c->filter_len = (size_t)n;
		break;
	}
	case LAUNCH_SECCOMP_UNCONFINED:
		c->filter = NULL;
		break;
	}
	if (c->filter && !s->no_new_privs)
		return berr_set(e, EINVAL, "a seccomp filter needs no_new_privs (the container "
			       "does not keep CAP_SYS_ADMIN)");
	c->netns_fd = -1;
	if (s->net == LAUNCH_NET_NS) {
		c->netns_fd = open(s->netns, O_RDONLY | O_CLOEXEC);
		if (c->netns_fd < 0)
			return berr_sys(e, "network namespace %s", s->netns);
	}
	return 0;
}

/* Map container ids 0..N-1 to the remap range; the parent is root in the
 * initial namespace, so setgroups stays allowed. */
static int write_maps(pid_t pid, const struct launch_spec *s, struct berr *e)
{
	char path[64], map[64];

	snprintf(map, sizeof map, "0 %u %u\n", s->remap_uid, s->remap_count);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (util_write_file(path, map, e) < 0)
		return berr_prefix(e, "uid_map");
	snprintf(map, sizeof map, "0 %u %u\n", s->remap_gid, s->remap_count);
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (util_write_file(path, map, e) < 0)
		return berr_prefix(e, "gid_map");
	return 0;
}

static int status_of(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status & 0xff;
	return 128 + si->si_status;
}

int launch_run(const struct launch_spec *s, struct launch_result *r, struct berr *e)
{
	struct launch_ctx c;
	struct clone_args ca;
	struct launch_cg cg;
	sigset_t fwd, old;
	int pfd[2] = { -1, -1 }, spfd[2] = { -1, -1 }, tfd[2] = { -1, -1 }, pidfd = -1, sfd = -1, rc = -1,
	    cgfd = -1, master = -1;
	struct tty_relay relay = { -1, 0, 0, { 0 } };
	pid_t pid;

	memset(r, 0, sizeof *r);
	memset(&c, 0, sizeof c);
	c.spec = s;
	c.netns_fd = -1;
	if (prepare(s, &c, e) < 0) {
		fd_close(&c.netns_fd);
		free(c.filter_buf);
		return -1;
	}
	if (launch_cg_prepare(s, &cg, r, e) < 0)
		goto out;
	if (launch_cg_create(&cg, &cgfd, e) < 0)
		goto out;
	/* Without a device program nothing stops a device node from being
	 * used: the launcher's /dev is then read-only and every other mount
	 * nodev, so a node made with CAP_MKNOD or brought by the image or a
	 * bind cannot be opened. Devices still fail closed. */
	c.no_devices = !cg.active;

	/* Non-dumpable before any namespace exists: the child inherits it
	 * and a container process can never open the launcher through /proc. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		berr_sys(e, "PR_SET_DUMPABLE");
		goto out;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0 || pipe2(spfd, O_CLOEXEC) < 0 ||
	    (s->tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tfd) < 0)) {
		berr_sys(e, "pipe");
		goto out;
	}
	sigemptyset(&fwd);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&fwd, forwarded[i]);
	sigaddset(&fwd, SIGCHLD);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
	if (sfd < 0) {
		berr_sys(e, "signalfd");
		goto restore;
	}

	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
		   CLONE_PIDFD | (s->net == LAUNCH_NET_HOST ? 0 : CLONE_NEWNET) |
		   (c.userns ? CLONE_NEWUSER : 0);
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0) {
		berr_sys(e, "clone3");
		goto restore;
	}
	if (pid == 0) {
		close(pfd[0]);
		close(spfd[1]);
		c.err_fd = pfd[1];
		c.sync_fd = spfd[0];
		c.tty_fd = tfd[1];
		fd_close(&tfd[0]);
		launch_child(&c);
	}
	fd_close(&pfd[1]);
	fd_close(&spfd[0]);
	/* The child waits for this byte: with a user namespace, its id maps
	 * are written first. */
	if ((c.userns && write_maps(pid, s, e) < 0) || write(spfd[1], "", 1) != 1) {
		if (!e->msg[0])
			berr_sys(e, "start the child");
		kill(pid, SIGKILL);
		waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED);
		r->status = 111;
		goto restore;
	}
	fd_close(&spfd[1]);
	fd_close(&tfd[1]);
	if (s->tty && tty_recv(tfd[0], &master, e) < 0) {
		kill(pid, SIGKILL);
		waitid(P_PID, (id_t)pid, &(siginfo_t){ 0 }, WEXITED);
		r->status = 111;
		goto restore;
	}

	/* The child writes a struct berr when its setup or exec fails; end of
	 * file means the exec happened (the pipe is close-on-exec). */
	{
		struct berr ce;
		ssize_t n;
		do
			n = read(pfd[0], &ce, sizeof ce);
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof ce) {
			siginfo_t si;
			*e = ce;
			e->msg[sizeof e->msg - 1] = '\0';
			memset(&si, 0, sizeof si);
			waitid(P_PID, (id_t)pid, &si, WEXITED);
			r->status = status_of(&si);
			goto restore;
		}
	}

	/* Forward signals (and relay the terminal) until the container's
	 * PID 1 ends. */
	if (master >= 0)
		tty_relay_start(&relay, fd_take(&master));
	for (;;) {
		struct pollfd p[4] = { { sfd, POLLIN, 0 }, { pidfd, POLLIN, 0 },
				       { relay.master, POLLIN, 0 }, { relay.in_open ? 0 : -1, POLLIN, 0 } };
		siginfo_t si;

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			berr_sys(e, "poll");
			kill(pid, SIGKILL);
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo ssi;
			if (read(sfd, &ssi, sizeof ssi) == (ssize_t)sizeof ssi && ssi.ssi_signo != SIGCHLD) {
				if (ssi.ssi_signo == SIGWINCH && relay.master >= 0)
					tty_relay_winch(&relay);
				else
					syscall(SYS_pidfd_send_signal, pidfd, ssi.ssi_signo, NULL, 0);
			}
		}
		if (relay.master >= 0 && tty_relay_io(&relay, p[3].revents, p[2].revents) == 0)
			p[2].fd = -1; /* hung up: wait for the exit below */
		if (relay.master >= 0 && p[2].fd < 0 && !(p[1].revents & POLLIN)) {
			/* the terminal closed but PID 1 lives: stop relaying */
			tty_relay_end(&relay);
		}
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == pid) {
			r->status = status_of(&si);
			rc = 0;
			break;
		}
	}
restore:
	if (relay.master >= 0)
		tty_relay_end(&relay);
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	launch_cg_destroy(&cg, &cgfd);
	fd_close(&sfd);
	fd_close(&pidfd);
	fd_close(&pfd[0]);
	fd_close(&pfd[1]);
	fd_close(&spfd[0]);
	fd_close(&spfd[1]);
	fd_close(&tfd[0]);
	fd_close(&tfd[1]);
	fd_close(&master);
	fd_close(&c.netns_fd);
	free(c.filter_buf);
	return rc;
}
