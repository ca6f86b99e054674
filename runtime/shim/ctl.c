/* ctl.c — the control socket: SOCK_SEQPACKET, root only (SO_PEERCRED),
 * one text request per datagram (at most SHIM_MSG_MAX bytes), one answer
 * each ("ok …" or "err ERRNO CLASS STATUS message"); "wait" is answered at
 * the container's exit. */
#define SHIM_DAEMON
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sock.h"
#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

static void conn_close(struct shim *sh, struct shim_conn *c)
{
	evloop_fd_del(&sh->loop, c->slot);
	fd_close(&c->fd);
	c->waiting = 0;
}

static void answer(struct shim *sh, struct shim_conn *c, const char *a, size_t n)
{
	struct berr e;

	if (proto_send(c->fd, a, n, -1, &e) < 0)
		conn_close(sh, c);
}

static void answer_err(struct shim *sh, struct shim_conn *c, const struct berr *e, int class, int status)
{
	char a[BERR_MSG_MAX + 64];
	int n = proto_err(a, sizeof a, e, class, status);

	answer(sh, c, a, (size_t)n < sizeof a ? (size_t)n : sizeof a - 1);
}

static void answer_state(struct shim *sh, struct shim_conn *c)
{
	char a[2048] = "ok ";
	struct berr e;
	int n = shim_state_format(&sh->st, a + 3, sizeof a - 3, &e);

	if (n < 0)
		answer_err(sh, c, &e, LAUNCH_ERR_SYS, 0);
	else
		answer(sh, c, a, (size_t)n + 3);
}

void ctl_answer_waiters(struct shim *sh)
{
	for (int i = 0; i < CONFIG_SHIM_CONNS_MAX; i++)
		if (sh->conns[i].fd >= 0 && sh->conns[i].waiting) {
			sh->conns[i].waiting = 0;
			answer_state(sh, &sh->conns[i]);
		}
}

void ctl_close_all(struct shim *sh)
{
	for (int i = 0; i < CONFIG_SHIM_CONNS_MAX; i++)
		if (sh->conns[i].fd >= 0)
			conn_close(sh, &sh->conns[i]);
	if (sh->lslot >= 0)
		evloop_fd_del(&sh->loop, sh->lslot);
	sh->lslot = -1;
	fd_close(&sh->lfd);
}

static int do_exec_status(struct shim *sh, const char *args, char *a, size_t size, struct berr *e)
{
	struct shim_exec *x;
	int no;

	if (sscanf(args, "%d", &no) != 1 || !(x = exec_find(sh, no)))
		return berr_set(e, ENOENT, "no such exec");
	return snprintf(a, size, "ok %d %d %d", x->running, x->code, (int)x->pid);
}

/* One request: 0 answered into a (length *n), 1 answered later (wait),
 * -1 e (and class, status) for an "err" answer. */
static int dispatch(struct shim *sh, struct shim_conn *c, char *m, int fd, char *a, size_t size, int *n,
		    struct launch_result *r, struct berr *e)
{
	char *args = strchr(m, ' ');
	unsigned u1, u2;
	int i1, rc;

	if (args)
		*args++ = '\0';
	else
		args = m + strlen(m);
	*n = snprintf(a, size, "ok");
	if (strcmp(m, "start") == 0)
		return shim_do_start(sh, r, e);
	if (strcmp(m, "kill") == 0) {
		if (sscanf(args, "%d", &i1) != 1 || i1 <= 0 || i1 >= 65)
			return berr_set(e, EINVAL, "kill: bad signal '%s'", args);
		if (sh->st.status == SHIM_EXITED)
			return berr_set(e, ESRCH, "the container's first process has ended");
		return launch_kill(sh->l, i1, e);
	}
	if (strcmp(m, "resize") == 0)
		return sscanf(args, "%u %u", &u1, &u2) != 2 ? berr_set(e, EINVAL, "resize: want ROWS COLS")
							     : io_resize(&sh->io, u1, u2, e);
	if (strcmp(m, "attach") == 0) {
		if (fd < 0 || sscanf(args, "%u", &u1) != 1) {
			if (fd >= 0)
				close(fd);
			return berr_set(e, EINVAL, "attach: want FLAGS and a connection");
		}
		{
			int n = 0;
			for (int i = 0; i < SHIM_CLIENTS; i++)
				n += sh->clients[i].fd >= 0 && sh->clients[i].io == &sh->io;
			if (n >= CONFIG_SHIM_ATTACH_MAX) {
				close(fd);
				return berr_set(e, EBUSY, "%d attach streams already", CONFIG_SHIM_ATTACH_MAX);
			}
		}
		return client_add(sh, &sh->io, fd, u1, e);
	}
	if (strcmp(m, "exec") == 0) {
		rc = exec_request(sh, args, strlen(args), fd, &i1, e);
		if (rc == 0)
			*n = snprintf(a, size, "ok %d", i1);
		return rc;
	}
	if (strcmp(m, "exec-resize") == 0) {
		struct shim_exec *x;
		if (sscanf(args, "%d %u %u", &i1, &u1, &u2) != 3 || !(x = exec_find(sh, i1)))
			return berr_set(e, ENOENT, "no such exec");
		return io_resize(&x->io, u1, u2, e);
	}
	if (strcmp(m, "exec-status") == 0) {
		rc = do_exec_status(sh, args, a, size, e);
		if (rc >= 0)
			*n = rc;
		return rc < 0 ? -1 : 0;
	}
	if (strcmp(m, "wait") == 0) {
		if (sh->st.status == SHIM_EXITED)
			return 2;
		c->waiting = 1;
		return 1;
	}
	return berr_set(e, EINVAL, "unknown request '%.40s'", m);
}

static void on_conn(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim_conn *c = arg;
	struct shim *sh = (struct shim *)((char *)l - offsetof(struct shim, loop));
	struct launch_result r = { .class = LAUNCH_ERR_SYS };
	struct berr e = { 0, "" };
	char a[256];
	int pass = -1, n = 0, rc;
	ssize_t got;

	(void)ev;
	got = proto_recv(fd, sh->msg, SHIM_MSG_MAX, &pass, &e);
	if (got < 0 && (e.errnum == EAGAIN || e.errnum == EINTR))
		return;
	if (got <= 0) {
		if (pass >= 0)
			close(pass);
		conn_close(sh, c);
		return;
	}
	rc = dispatch(sh, c, sh->msg, pass, a, sizeof a, &n, &r, &e);
	/* attach and exec took the passed fd (closed it on failure) */
	if (pass >= 0 && strncmp(sh->msg, "attach", 7) != 0 && strncmp(sh->msg, "exec", 5) != 0)
		close(pass);
	if (rc == 2)
		answer_state(sh, c);
	else if (rc == 0)
		answer(sh, c, a, (size_t)n);
	else if (rc < 0)
		answer_err(sh, c, &e, r.class, r.status);
}

static void on_listen(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim *sh = arg;
	struct sock_allow root = SOCK_ALLOW_UID(0);
	struct sock_peer peer;
	struct shim_conn *c = NULL;
	struct berr e;
	int cfd;

	(void)l, (void)ev;
	cfd = sock_accept(fd, SOCK_NONBLOCK, &peer, &e);
	if (cfd < 0)
		return;
	if (sock_peer_check(cfd, &peer, &root, &e) < 0) {
		log_err(&sh->lg, &e);
		close(cfd);
		return;
	}
	for (int i = 0; i < CONFIG_SHIM_CONNS_MAX && !c; i++)
		if (sh->conns[i].fd < 0)
			c = &sh->conns[i];
	if (!c) {
		log_msg(&sh->lg, LOG_WARN, "control connection refused: %d open already", CONFIG_SHIM_CONNS_MAX);
		close(cfd);
		return;
	}
	c->fd = cfd;
	c->waiting = 0;
	c->slot = evloop_fd_add(&sh->loop, cfd, EVLOOP_IN, on_conn, c, &e);
	if (c->slot < 0) {
		log_err(&sh->lg, &e);
		fd_close(&c->fd);
	}
}

int ctl_listen(struct shim *sh, struct berr *e)
{
	const struct sock_perm perm = { 0600, 0, 0 };
	char dir[512];
	struct stat st;

	for (int i = 0; i < CONFIG_SHIM_CONNS_MAX; i++)
		sh->conns[i].fd = -1;
	if (snprintf(dir, sizeof dir, "%s", sh->ctl) >= (int)sizeof dir)
		return berr_set(e, ENAMETOOLONG, "control socket %s: path too long", sh->ctl);
	dirname(dir);
	{
		/* R/shims/<id>/ctl: R/shims too, when berthd has not made it */
		char up[512];
		snprintf(up, sizeof up, "%s", dir);
		dirname(up);
		if (mkdir(up, 0700) < 0 && errno != EEXIST)
			return berr_sys(e, "control directory %s", up);
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "control directory %s", dir);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return berr_set(e, ENOTDIR, "control directory %s: not a directory", dir);
	sh->lfd = sock_listen(sh->ctl, SOCK_SEQPACKET | SOCK_NONBLOCK, &perm, 16, e);
	if (sh->lfd < 0)
		return berr_prefix(e, "control socket");
	/* which file is ours: a shim of the next run may replace it while
	 * this one still serves its last clients */
	if (lstat(sh->ctl, &st) == 0) {
		sh->ctl_dev = st.st_dev;
		sh->ctl_ino = st.st_ino;
	}
	sh->lslot = evloop_fd_add(&sh->loop, sh->lfd, EVLOOP_IN, on_listen, sh, e);
	return sh->lslot < 0 ? -1 : 0;
}
