/* shim.c — the container of one shim: made from spec.json with its stdio
 * (pipes, or the terminal's master), started on request, its exit
 * recorded in state.json (OOM kills from its cgroup's memory.events);
 * the shim is done once that is written, the output has ended and every
 * client and waiter has been served. */
#define SHIM_DAEMON
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

#define STATE_NAME "state.json"

int64_t shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int shim_write_state(struct shim *sh, struct berr *e)
{
	char buf[2048];
	int n = shim_state_format(&sh->st, buf, sizeof buf, e);

	if (n < 0 || fs_write_atomic_at(sh->dirfd, STATE_NAME, buf, (size_t)n, 0644, e) < 0)
		return berr_prefix(e, "state.json");
	return 0;
}

void shim_check_done(struct shim *sh)
{
	if (sh->st.status == SHIM_EXITED && sh->io.out_open == 0 && shim_clients_count(sh) == 0)
		evloop_stop(&sh->loop);
}

/* The first process has ended: its status, OOM kills, the state, the
 * waiters. */
static void exited(struct shim *sh, const struct launch_result *r)
{
	int cgfd = launch_cgroup_fd(sh->l);
	struct cgroup_memory m;
	struct berr e;

	/* Everything the container wrote is logged before its exit is known
	 * (a `logs -f` ends at the exit): its pid namespace is empty by now,
	 * so its output is at its end. */
	io_drain(&sh->io);
	sh->st.status = SHIM_EXITED;
	sh->st.exit_code = r->status;
	sh->st.finished_ns = shim_now_ns();
	if (cgfd >= 0 && cgroup_read_memory(cgfd, &m, &e) == 0 && m.oom_kill > 0)
		sh->st.oom_killed = 1;
	/* The group goes before anyone hears of the exit: the next run's
	 * shim (a restart policy) makes <parent>/<id> again at once. */
	if (sh->pid_slot >= 0)
		evloop_fd_del(&sh->loop, sh->pid_slot);
	sh->pid_slot = -1;
	launch_destroy(sh->l);
	sh->l = NULL;
	if (shim_write_state(sh, &e) < 0)
		log_err(&sh->lg, &e);
	ctl_answer_waiters(sh);
	shim_check_done(sh);
}

static void on_pid(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim *sh = arg;
	struct launch_result r;
	struct berr e;

	(void)fd, (void)ev, (void)l;
	if (sh->st.status == SHIM_EXITED)
		return; /* a failed start recorded it */
	memset(&r, 0, sizeof r);
	if (launch_wait(sh->l, -1, &r, &e) < 0) {
		log_err(&sh->lg, &e);
		r.status = 255;
	}
	exited(sh, &r);
}

int shim_do_start(struct shim *sh, struct launch_result *r, struct berr *e)
{
	if (sh->st.status != SHIM_CREATED)
		return berr_set(e, EALREADY, "the container has been started already");
	if (launch_start(sh->l, r, e) < 0) {
		struct launch_result x = *r;
		size_t n = strnlen(e->msg, sizeof sh->st.error - 1);
		/* cut at a character boundary: the state is JSON, UTF-8 only */
		while (n > 0 && n < strlen(e->msg) && ((unsigned char)e->msg[n] & 0xc0) == 0x80)
			n--;
		memcpy(sh->st.error, e->msg, n);
		sh->st.error[n] = '\0';
		sh->st.started_ns = shim_now_ns();
		if (x.status == 0)
			x.status = x.class == LAUNCH_ERR_EXEC ? 127 : 128;
		exited(sh, &x);
		return -1;
	}
	sh->st.status = SHIM_RUNNING;
	sh->st.started_ns = shim_now_ns();
	if (shim_write_state(sh, e) < 0)
		log_err(&sh->lg, e);
	return 0;
}

/* Join the shims' group (made when missing). */
static int enter_cgroup(const char *dir, struct berr *e)
{
	char up[512];
	int fd;

	snprintf(up, sizeof up, "%s", dir);
	dirname(up);
	if (mkdir(up, 0755) < 0 && errno != EEXIST)
		return berr_sys(e, "cgroup %s", up);
	fd = cgroup_create(dir, &(struct cgroup_limits){ 0 }, 1, e);
	if (fd < 0)
		return -1;
	if (cgroup_enter(fd, 0, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Pipes (or /dev/null) for the first process; the terminal comes later. */
static int make_stdio(struct shim *sh, int child[3], struct berr *e)
{
	struct launch_spec *s = &sh->ss->spec;
	int p[2];

	if (s->tty)
		return 0;
	for (int i = 1; i <= 2; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(e, "pipe");
		sh->io.out[i - 1] = p[0];
		child[i] = p[1];
	}
	if (sh->ss->opts.open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return berr_sys(e, "pipe");
		child[0] = p[0];
		sh->io.in = p[1];
	} else if ((child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return berr_sys(e, "/dev/null");
	for (int i = 0; i < 3; i++)
		s->stdio[i] = child[i];
	return 0;
}

static int take_tty(struct shim *sh, struct berr *e)
{
	int m = launch_tty_take(sh->l, e);

	if (m < 0)
		return -1;
	sh->io.tty = 1;
	sh->io.out[0] = m;
	if ((sh->io.master = fcntl(m, F_DUPFD_CLOEXEC, 3)) < 0)
		return berr_sys(e, "dup");
	if (sh->ss->opts.open_stdin && (sh->io.in = fcntl(m, F_DUPFD_CLOEXEC, 3)) < 0)
		return berr_sys(e, "dup");
	return 0;
}

static int create(struct shim *sh, const char *cgroup, struct launch_result *r, struct berr *e)
{
	int child[3] = { -1, -1, -1 }, rc = -1;

	r->class = LAUNCH_ERR_SYS;
	if (cgroup && enter_cgroup(cgroup, e) < 0)
		return berr_prefix(e, "the shims' cgroup");
	if (make_stdio(sh, child, e) < 0)
		goto out;
	if (launch_create(&sh->ss->spec, &sh->l, r, e) < 0)
		goto out;
	r->class = LAUNCH_ERR_SYS;
	if (sh->ss->spec.tty && take_tty(sh, e) < 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < 3; i++)
		fd_close(&child[i]);
	return rc;
}

/* A name launch takes for a group (else the launcher's own run-<pid>-<time>). */
static int plain_name(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > 128 || !strcmp(n, ".") || !strcmp(n, ".."))
		return 0;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int shim_setup(struct shim *sh, const char *dir, const char *ctl, const char *cgroup, struct launch_result *r,
	       struct berr *e)
{
	sh->ctl = ctl;
	sh->lfd = sh->lslot = sh->pid_slot = -1;
	io_init(&sh->io, sh);
	sh->io.log = 1;
	for (int i = 0; i < SHIM_CLIENTS; i++)
		sh->clients[i].fd = -1;
	for (int i = 0; i < CONFIG_SHIM_CONNS_MAX; i++)
		sh->conns[i].fd = -1;
	memset(r, 0, sizeof *r);
	r->class = LAUNCH_ERR_SYS;
	sh->rbuf = malloc(SHIM_READ_MAX);
	sh->msg = malloc(SHIM_MSG_MAX);
	sh->ss = malloc(sizeof *sh->ss);
	if (!sh->rbuf || !sh->msg || !sh->ss)
		return berr_sys(e, "memory");
	sh->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sh->dirfd < 0)
		return berr_sys(e, "container directory %s", dir);
	r->class = LAUNCH_ERR_SPEC;
	if (shimspec_read(sh->dirfd, "spec.json", sh->ss, e) < 0)
		return -1;
	/* the container's group is <parent>/<id>: the directory's name unless
	 * the spec names one */
	if (!sh->ss->spec.cgroup_name) {
		char tmp[sizeof sh->cgname];
		snprintf(tmp, sizeof tmp, "%s", dir);
		snprintf(sh->cgname, sizeof sh->cgname, "%s", basename(tmp));
		if (plain_name(sh->cgname))
			sh->ss->spec.cgroup_name = sh->cgname;
	}
	if (evloop_init(&sh->loop, CLOCK_MONOTONIC, sh->fds, SHIM_FDS, sh->timers, sh->heap, 1, e) < 0 ||
	    logfile_w_open(&sh->log, sh->dirfd, sh->ss->opts.log_max, sh->ss->opts.log_files, e) < 0 ||
	    create(sh, cgroup, r, e) < 0)
		return -1;
	r->class = LAUNCH_ERR_SYS;
	if (io_watch(&sh->io, e) < 0 || ctl_listen(sh, e) < 0)
		return -1;
	sh->pid_slot = evloop_fd_add(&sh->loop, launch_pidfd(sh->l), EVLOOP_IN, on_pid, sh, e);
	if (sh->pid_slot < 0)
		return -1;
	sh->st.status = SHIM_CREATED;
	sh->st.pid = launch_pid(sh->l);
	sh->st.shim_pid = getpid();
	return shim_write_state(sh, e);
}

void shim_teardown(struct shim *sh)
{
	struct stat st;
	int made = sh->lfd >= 0;

	ctl_close_all(sh);
	if (made && lstat(sh->ctl, &st) == 0 && st.st_dev == sh->ctl_dev && st.st_ino == sh->ctl_ino) {
		char dir[512];
		unlink(sh->ctl);
		snprintf(dir, sizeof dir, "%s", sh->ctl);
		rmdir(dirname(dir));
	}
	for (int i = 0; i < CONFIG_SHIM_EXEC_MAX; i++)
		if (sh->execs[i].used) {
			io_close(&sh->execs[i].io);
			launch_proc_destroy(sh->execs[i].p);
		}
	io_close(&sh->io);
	launch_destroy(sh->l);
	logfile_w_close(&sh->log);
	evloop_fini(&sh->loop);
	free(sh->ss);
	free(sh->rbuf);
	free(sh->msg);
}
