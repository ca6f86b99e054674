/* svc.c — load, order, start, restart with back-off, stop. */
#include "init/svc.h"

#include <fcntl.h>
#include <limits.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/svc_exec.h"
#include "init/svc_log.h"
#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"

#define CG_SYSTEM "/sys/fs/cgroup/system"
#define MS 1000000LL
#define DRAIN_POLL_MS 10          /* how often a restart looks at the old group */
#define DRAIN_WARN_MS 1000        /* ... and when it says it is still waiting */

static void cg_path(char *buf, size_t size, const struct svc *s)
{
	snprintf(buf, size, CG_SYSTEM "/%s", s->c.name);
}

/* /sys/fs/cgroup/system with every controller the root gave it. */
static void cg_system(struct init *in)
{
	static const char *const ctl[] = { "cpu", "memory", "pids", "io" };
	static const struct cgroup_limits none;
	struct berr e;
	int ok = 0, fd = cgroup_create(CG_SYSTEM, &none, 1, &e);

	if (fd < 0) {
		log_msg(&in->log, LOG_WARN, "%s: services run without limits", e.msg);
		return;
	}
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(ctl); i++)
		ok += cgroup_enable(CG_SYSTEM, ctl[i], &e) == 0;
	if (!ok)
		log_msg(&in->log, LOG_WARN, CG_SYSTEM ": no controllers: service limits cannot apply");
}

void svc_cgroup_parent(struct init *in)
{
	if (!in->cg_parent_made)
		cg_system(in);
	in->cg_parent_made = 1;
}

/* The service's group with its limits; memory.swap.max 0 (no swap to hide
 * in) and memory.oom.group 1 (an OOM kill ends the whole service) come
 * with a memory limit. */
static void cg_service(struct init *in, struct svc *s)
{
	struct cgroup_limits l = {
		.memory_max = s->c.memory_max, .no_swap = s->c.memory_max != 0,
		.oom_group = s->c.memory_max != 0, .pids_max = s->c.pids_max,
	};
	char dir[96];
	struct berr e;
	int fd;

	cg_path(dir, sizeof dir, s);
	fd = cgroup_create(dir, &l, 1, &e);
	if (fd < 0)
		log_msg(&in->log, LOG_ERROR, "service %s: %s", s->c.name, e.msg);
	fd_close(&fd);
}

/* Kill what is left in the service's cgroup (forked helpers, a process
 * group that outlived the main process), unless the service says
 * kill = main. */
static void cg_kill(struct svc *s)
{
	char dir[96];
	struct berr e;
	int fd;

	if (s->c.kill == SVC_KILL_MAIN)
		return;
	cg_path(dir, sizeof dir, s);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		cgroup_kill(fd, 0, &e);
	fd_close(&fd);
}

/* 1 while the service's cgroup holds a process ("populated 1" in
 * cgroup.events); 0 when empty, or without a cgroup (nothing to wait for).
 * A kill = main service's group keeps what its main process forked (an SSH
 * listener's sessions): only the main process, already reaped, is waited
 * for. */
static int cg_populated(const struct svc *s)
{
	char path[128], buf[128];
	struct berr e;

	if (s->c.kill == SVC_KILL_MAIN)
		return 0;
	snprintf(path, sizeof path, CG_SYSTEM "/%s/cgroup.events", s->c.name);
	if (fs_read(path, buf, sizeof buf, &e) < 0)
		return 0;
	return strstr(buf, "populated 1") != NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int svc_index(const struct init *in, const char *name)
{
	for (int i = 0; i < in->nsvcs; i++)
		if (strcmp(in->svcs[i].c.name, name) == 0)
			return i;
	return -1;
}

struct svc *svc_find(struct init *in, const char *name)
{
	int i = svc_index(in, name);
	return i < 0 ? NULL : &in->svcs[i];
}

/* Start order: a service comes after everything its `after =` names;
 * among the ready ones, name order. A cycle is reported and broken in
 * name order. Services [0, from) are placed already. */
static void compute_order(struct init *in, int from)
{
	char placed[CONFIG_INIT_SERVICES_MAX] = { 0 };
	int n = from;

	for (int i = 0; i < from; i++)
		placed[i] = 1;
	while (n < in->nsvcs) {
		int pick = -1;

		for (int i = 0; i < in->nsvcs && pick < 0; i++) {
			int ready = !placed[i];
			for (int a = 0; ready && a < in->svcs[i].c.nafter; a++) {
				int d = svc_index(in, in->svcs[i].c.after[a]);
				ready = d < 0 || placed[d];
			}
			if (ready)
				pick = i;
		}
		if (pick < 0) {
			for (int i = 0; i < in->nsvcs && pick < 0; i++)
				if (!placed[i])
					pick = i;
			log_msg(&in->log, LOG_ERROR, "services: 'after =' cycle through %s: started in name order",
				in->svcs[pick].c.name);
		}
		placed[pick] = 1;
		in->order[n++] = pick;
	}
}

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The NAME.conf files of dir, sorted; read with getdents64 into a stack
 * buffer (opendir would allocate). Returns how many, or -1. */
static int list_dir(struct init *in, const char *dir, char names[][SVC_NAME_MAX + 8])
{
	char buf[4096];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	long got;

	if (fd < 0) {
		if (errno != ENOENT)
			log_msg(&in->log, LOG_ERROR, "services: open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			size_t len = strlen(d->d_name);

			off += d->d_reclen;
			if (d->d_name[0] == '.' || len < 6 || strcmp(d->d_name + len - 5, ".conf") != 0)
				continue;
			if (len >= SVC_NAME_MAX + 8) {
				log_msg(&in->log, LOG_ERROR, "%s/%s:0: file name: want NAME.conf with NAME 1-31 of [a-z0-9_-]: skipped",
					dir, d->d_name);
				continue;
			}
			if (n == CONFIG_INIT_SERVICES_MAX) {
				log_msg(&in->log, LOG_ERROR, "services: more than %d files in %s: %s skipped",
					CONFIG_INIT_SERVICES_MAX, dir, d->d_name);
				continue;
			}
			memcpy(names[n++], d->d_name, len + 1);
		}
	}
	close(fd);
	qsort(names, (size_t)n, sizeof names[0], cmp_names);
	return n;
}

int svc_add(struct init *in, const struct svc_conf *c)
{
	struct svc *s = &in->svcs[in->nsvcs];
	struct berr e;

	if (svc_find(in, c->name))
		return -1;
	if (in->nsvcs == CONFIG_INIT_SERVICES_MAX) {
		log_msg(&in->log, LOG_ERROR, "services: table full (%d): %s skipped",
			CONFIG_INIT_SERVICES_MAX, c->name);
		return -1;
	}
	memset(s, 0, sizeof *s);
	s->c = *c;
	s->state = SVC_DOWN;
	s->last_status = -1;
	s->backoff_ms = CONFIG_INIT_SVC_BACKOFF_MIN_MS;
	if (svc_log_open(s, &e) < 0)
		log_msg(&in->log, LOG_WARN, "service %s: log: %s", s->c.name, e.msg);
	in->nsvcs++;
	return 0;
}

int svc_load(struct init *in, const char *dir, int from)
{
	char names[CONFIG_INIT_SERVICES_MAX][SVC_NAME_MAX + 8];
	int nnames = list_dir(in, dir, names);
	struct svc_conf c;
	struct berr e;

	for (int i = 0; i < nnames; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		names[i][strlen(names[i]) - 5] = '\0';
		if (svc_find(in, names[i]))
			continue; /* known already: a reload adds new services only */
		if (svc_conf_load(&c, path, names[i], &in->log, &e) < 0) {
			log_err(&in->log, &e);
			continue;
		}
		svc_add(in, &c);
	}
	svc_setup_added(in, from);
	log_msg(&in->log, LOG_INFO, "services: %d loaded from %s", in->nsvcs - from, dir);
	return from;
}

void svc_setup_added(struct init *in, int from)
{
	for (int i = from; i < in->nsvcs; i++)
		for (int a = 0; a < in->svcs[i].c.nafter; a++)
			if (svc_index(in, in->svcs[i].c.after[a]) < 0)
				log_msg(&in->log, LOG_WARN, "service %s: after %s: no such service (ignored)",
					in->svcs[i].c.name, in->svcs[i].c.after[a]);
	compute_order(in, from);
	if (from == 0 && in->nsvcs)
		svc_cgroup_parent(in);
	for (int i = from; i < in->nsvcs; i++)
		cg_service(in, &in->svcs[i]);
}

static void start(struct init *in, struct svc *s)
{
	char cg[96];
	pid_t pid;

	cg_path(cg, sizeof cg, s);
	pid = fork();
	if (pid < 0) {
		log_msg(&in->log, LOG_ERROR, "service %s: fork: %s", s->c.name, strerror(errno));
		s->state = SVC_BACKOFF;
		s->due_ns = log_boottime_ns() + (long long)s->backoff_ms * MS;
		return;
	}
	if (pid == 0)
		svc_exec(s, cg);
	s->pid = pid;
	s->state = SVC_RUNNING;
	s->started_ns = log_boottime_ns();
	s->due_ns = 0;
	log_msg(&in->log, LOG_INFO, "service %s: started (pid %d)", s->c.name, (int)pid);
}

/* Start s again, but only once its cgroup is empty: what the last run left
 * is killed (cgroup.kill) and waited for, polled every DRAIN_POLL_MS in
 * BACKOFF, so that two runs never share the group. */
static void restart(struct init *in, struct svc *s)
{
	long long now = log_boottime_ns();

	if (cg_populated(s)) {
		if (s->state != SVC_BACKOFF || !s->drain_ns)
			s->drain_ns = now;
		else if (now - s->drain_ns >= DRAIN_WARN_MS * MS &&
			 now - s->drain_ns < (DRAIN_WARN_MS + DRAIN_POLL_MS) * MS)
			log_msg(&in->log, LOG_WARN, "service %s: its old processes outlive SIGKILL; "
				"waiting for its cgroup to empty before the restart", s->c.name);
		cg_kill(s);
		s->state = SVC_BACKOFF;
		s->due_ns = now + DRAIN_POLL_MS * MS;
		return;
	}
	s->drain_ns = 0;
	s->restarts++;
	start(in, s);
}

void svc_start_all(struct init *in, int from)
{
	for (int i = from; i < in->nsvcs; i++)
		start(in, &in->svcs[in->order[i]]);
}

static void describe(char *buf, size_t size, int status)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exited with %d", WEXITSTATUS(status));
}

int svc_exited(struct init *in, pid_t pid, int status)
{
	struct svc *s = NULL;
	long long now = log_boottime_ns(), ran_ms;
	char how[48];
	int failed, delay;

	for (int i = 0; i < in->nsvcs && !s; i++)
		if (in->svcs[i].pid == pid &&
		    (in->svcs[i].state == SVC_RUNNING || in->svcs[i].state == SVC_STOPPING))
			s = &in->svcs[i];
	if (!s)
		return 0;
	if (s->log_r >= 0)
		svc_log_drain(&in->log, s); /* its last words before the exit line */
	cg_kill(s);
	s->pid = 0;
	s->last_status = status;
	ran_ms = (now - s->started_ns) / MS;
	describe(how, sizeof how, status);
	failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	if (s->state == SVC_STOPPING && !s->restart_asked) {
		s->state = SVC_DOWN;
		log_msg(&in->log, LOG_INFO, "service %s: stopped (%s) in %lld ms", s->c.name, how,
			(now - s->stop_ns) / MS);
		return 1;
	}
	if (in->stopping) {
		s->state = SVC_DOWN;
		log_msg(&in->log, LOG_INFO, "service %s: %s during shutdown", s->c.name, how);
		return 1;
	}
	if (s->restart_asked) {
		s->restart_asked = 0;
		s->backoff_ms = CONFIG_INIT_SVC_BACKOFF_MIN_MS;
		log_msg(&in->log, LOG_INFO, "service %s: %s; restarting as asked", s->c.name, how);
		s->state = SVC_DOWN;
		restart(in, s);
		return 1;
	}
	if (s->c.restart == SVC_RESTART_NEVER || (s->c.restart == SVC_RESTART_ON_FAILURE && !failed)) {
		s->state = SVC_DOWN;
		log_msg(&in->log, failed ? LOG_WARN : LOG_INFO, "service %s: %s after %lld ms; restart=%s: stays down",
			s->c.name, how, ran_ms, s->c.restart == SVC_RESTART_NEVER ? "never" : "on-failure");
		return 1;
	}
	if (ran_ms >= CONFIG_INIT_SVC_BACKOFF_RESET_S * 1000LL)
		s->backoff_ms = CONFIG_INIT_SVC_BACKOFF_MIN_MS;
	delay = s->backoff_ms;
	s->backoff_ms = s->backoff_ms > CONFIG_INIT_SVC_BACKOFF_MAX_MS / 2 ? CONFIG_INIT_SVC_BACKOFF_MAX_MS
									    : s->backoff_ms * 2;
	s->state = SVC_BACKOFF;
	s->due_ns = now + (long long)delay * MS;
	log_msg(&in->log, LOG_WARN, "service %s: %s after %lld ms; restart in %d ms", s->c.name, how,
		ran_ms, delay);
	return 1;
}

void svc_stop(struct init *in, struct svc *s)
{
	if (s->state == SVC_BACKOFF) {
		s->state = SVC_DOWN;
		s->due_ns = 0;
		return;
	}
	if (s->state != SVC_RUNNING)
		return;
	s->state = SVC_STOPPING;
	s->stop_ns = log_boottime_ns();
	s->due_ns = s->stop_ns + (long long)s->c.stop_timeout_ms * MS;
	log_msg(&in->log, LOG_INFO, "service %s: stopping (signal %d, pid %d)", s->c.name,
		s->c.stop_signal, (int)s->pid);
	kill(s->pid, s->c.stop_signal);
	kill(s->pid, SIGCONT);
}

void svc_restart(struct init *in, struct svc *s)
{
	switch (s->state) {
	case SVC_RUNNING:
		s->restart_asked = 1;
		svc_stop(in, s);
		break;
	case SVC_STOPPING:
		s->restart_asked = 1;
		break;
	case SVC_DOWN:
	case SVC_BACKOFF:
		s->backoff_ms = CONFIG_INIT_SVC_BACKOFF_MIN_MS;
		restart(in, s);
		break;
	}
}

void svc_tick(struct init *in, long long now)
{
	for (int i = 0; i < in->nsvcs; i++) {
		struct svc *s = &in->svcs[i];

		if (s->state == SVC_BACKOFF && now >= s->due_ns && !in->stopping) {
			restart(in, s);
		} else if (s->state == SVC_STOPPING && s->due_ns && now >= s->due_ns) {
			log_msg(&in->log, LOG_WARN, "service %s: still running %d ms after signal %d: SIGKILL",
				s->c.name, s->c.stop_timeout_ms, s->c.stop_signal);
			s->due_ns = 0;
			cg_kill(s);
			kill(s->pid, SIGKILL);
		}
	}
}

long long svc_next_due(const struct init *in)
{
	long long next = 0;

	for (int i = 0; i < in->nsvcs; i++) {
		const struct svc *s = &in->svcs[i];

		if ((s->state == SVC_BACKOFF || s->state == SVC_STOPPING) && s->due_ns &&
		    (next == 0 || s->due_ns < next))
			next = s->due_ns;
	}
	return next;
}

void svc_cgroups_remove(struct init *in)
{
	char dir[96];
	struct berr e;

	for (int i = 0; i < in->nsvcs; i++) {
		cg_path(dir, sizeof dir, &in->svcs[i]);
		cgroup_remove(dir, 0, &e);
	}
	if (in->nsvcs)
		cgroup_remove(CG_SYSTEM, 0, &e);
}
