/* cgroup.c — cgroup v2 groups (see cgroup.h). */
#include "lib/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"

#define NAME_MAX_KEY 32 /* longest key kept from a "key value" line */

static int write_at(int dirfd, const char *file, const char *v, struct berr *e)
{
	int fd = openat(dirfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0)
		return berr_sys(e, "cgroup %s", file);
	rc = util_write_all(fd, v, strlen(v), e);
	close(fd);
	return rc < 0 ? berr_prefix(e, "cgroup %s", file) : 0;
}

int cgroup_enable(const char *dir, const char *controllers, struct berr *e)
{
	char v[256];
	size_t used = 0;
	int fd, rc;

	for (const char *p = controllers; *p;) {
		size_t n = strcspn(p, " \n");
		if (n > 0) {
			if (used + n + 2 >= sizeof v)
				return berr_set(e, E2BIG, "cgroup controllers '%s': too long", controllers);
			used += (size_t)snprintf(v + used, sizeof v - used, "%s+%.*s", used ? " " : "", (int)n, p);
		}
		p += n;
		p += strspn(p, " \n");
	}
	if (!used)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "cgroup %s", dir);
	rc = write_at(fd, "cgroup.subtree_control", v, e);
	close(fd);
	return rc < 0 ? berr_prefix(e, "%s: enable '%s'", dir, v) : 0;
}

static int write_limits(int fd, const struct cgroup_limits *l, struct berr *e)
{
	char v[64];

	if (l->pids_max) {
		snprintf(v, sizeof v, "%lld", l->pids_max);
		if (write_at(fd, "pids.max", v, e) < 0)
			return -1;
	}
	if (l->memory_max) {
		snprintf(v, sizeof v, "%lld", l->memory_max);
		if (write_at(fd, "memory.max", v, e) < 0)
			return -1;
	}
	if (l->no_swap && write_at(fd, "memory.swap.max", "0", e) < 0 && e->errnum != ENOENT)
		return -1;
	if (l->oom_group && write_at(fd, "memory.oom.group", "1", e) < 0)
		return -1;
	if (l->cpu_quota_us) {
		snprintf(v, sizeof v, "%lld %lld", l->cpu_quota_us, l->cpu_period_us ? l->cpu_period_us : 100000);
		if (write_at(fd, "cpu.max", v, e) < 0)
			return -1;
	}
	if (l->cpu_weight) {
		if (l->cpu_weight > 10000)
			return berr_set(e, EINVAL, "cpu.weight %u: want 1..10000", l->cpu_weight);
		snprintf(v, sizeof v, "%u", l->cpu_weight);
		if (write_at(fd, "cpu.weight", v, e) < 0)
			return -1;
	}
	/* io.max takes one device per write */
	for (const char *p = l->io_max; p && *p;) {
		char line[128];
		size_t n = strcspn(p, "\n");
		if (n >= sizeof line)
			return berr_set(e, E2BIG, "io.max line too long");
		if (n) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (write_at(fd, "io.max", line, e) < 0)
				return -1;
		}
		p += n + (p[n] == '\n');
	}
	return 0;
}

int cgroup_create(const char *path, const struct cgroup_limits *l, int exist_ok, struct berr *e)
{
	int made = 0, fd;

	if (mkdir(path, 0755) == 0)
		made = 1;
	else if (errno != EEXIST || !exist_ok)
		return berr_sys(e, "cgroup %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		berr_sys(e, "cgroup %s", path);
		goto fail;
	}
	if (write_limits(fd, l, e) < 0) {
		berr_prefix(e, "%s", path);
		goto fail;
	}
	return fd;
fail:
	fd_close(&fd);
	if (made)
		rmdir(path);
	return -1;
}

int cgroup_enter(int cgfd, pid_t pid, struct berr *e)
{
	char v[24];

	snprintf(v, sizeof v, "%d", (int)pid);
	return write_at(cgfd, "cgroup.procs", v, e);
}

/* 1 while cgroup.events says populated 1, 0 once empty. */
static int populated(int evfd, struct berr *e)
{
	char buf[256];
	const char *p;
	ssize_t n;

	if (lseek(evfd, 0, SEEK_SET) < 0)
		return berr_sys(e, "cgroup.events");
	n = fs_read_fd(evfd, "cgroup.events", buf, sizeof buf, e);
	if (n < 0)
		return -1;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "populated ", 10) == 0)
			return p[10] != '0';
	return berr_set(e, EINVAL, "cgroup.events: no populated line");
}

/* SIGKILL every pid listed in cgroup.procs, read in pieces (a big group
 * lists more than any fixed buffer holds). */
static int kill_procs(int cgfd, struct berr *e)
{
	char buf[512];
	long long pid = -1;
	int fd = openat(cgfd, "cgroup.procs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(e, "cgroup.procs");
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berr_sys(e, "read cgroup.procs");
			close(fd);
			return -1;
		}
		/* n == 0: end of file, which ends the last number too */
		for (ssize_t i = 0; i < (n > 0 ? n : 1); i++) {
			char ch = n > 0 ? buf[i] : '\n';
			if (ch >= '0' && ch <= '9') {
				pid = (pid < 0 ? 0 : pid) * 10 + (ch - '0');
				if (pid >= 1LL << 31) {
					close(fd);
					return berr_set(e, EINVAL, "cgroup.procs: a pid out of range");
				}
				continue;
			}
			if (pid > 0)
				kill((pid_t)pid, SIGKILL);
			pid = -1;
		}
		if (n == 0)
			break;
	}
	close(fd);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int cgroup_kill(int cgfd, int timeout_ms, struct berr *e)
{
	long long deadline = now_ms() + timeout_ms;
	int evfd = -1, rc = -1, have_kill;

	have_kill = write_at(cgfd, "cgroup.kill", "1", e) == 0;
	if (!have_kill && e->errnum != ENOENT)
		return -1;
	if (!have_kill && kill_procs(cgfd, e) < 0)
		return -1;
	if (timeout_ms <= 0)
		return 0;
	evfd = openat(cgfd, "cgroup.events", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (evfd < 0)
		return berr_sys(e, "cgroup.events");
	for (;;) {
		int p = populated(evfd, e);
		long long left = deadline - now_ms();
		struct pollfd pfd = { evfd, POLLPRI, 0 };

		if (p <= 0) {
			rc = p;
			break;
		}
		if (left <= 0) {
			rc = berr_set(e, ETIMEDOUT, "cgroup still populated after %d ms", timeout_ms);
			break;
		}
		/* A fork can race the loop over cgroup.procs: go again. */
		if (!have_kill && kill_procs(cgfd, e) < 0)
			break;
		/* cgroup.events signals POLLPRI on change; wake up anyway now
		 * and then (a fixture file never does). */
		poll(&pfd, 1, left < 20 ? (int)left : 20);
	}
	close(evfd);
	return rc;
}

int cgroup_remove(const char *path, int timeout_ms, struct berr *e)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct timespec ts = { 0, 5000000 };
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || now_ms() >= deadline)
			return berr_sys(e, "remove cgroup %s", path);
		nanosleep(&ts, NULL);
	}
}

/* ---- readers */

/* A decimal >= 0 (or "max", which is -1) at *p, which is moved past it. */
static int parse_num(const char **p, long long *v)
{
	long long x = 0;
	const char *s = *p;

	if (strncmp(s, "max", 3) == 0) {
		*p = s + 3;
		*v = -1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (0x7fffffffffffffffLL - 9) / 10)
			return -1;
		x = x * 10 + (*s - '0');
	}
	*p = s;
	*v = x;
	return 0;
}

struct kv_field {
	const char *key;
	long long *dst;
};

/* "key value\n" lines; keys not in f are skipped (kernels add keys). */
static int parse_kv(const char *buf, const struct kv_field *f, size_t nf, const char *what, struct berr *e)
{
	int line = 0;

	for (const char *p = buf; *p;) {
		size_t kl = strcspn(p, " \n");
		long long v;

		line++;
		if (kl == 0 || kl > NAME_MAX_KEY || p[kl] != ' ')
			return berr_set(e, EINVAL, "%s line %d: want 'key value'", what, line);
		{
			const char *q = p + kl + 1;
			if (parse_num(&q, &v) < 0 || (*q != '\n' && *q != '\0'))
				return berr_set(e, EINVAL, "%s line %d: bad number", what, line);
			for (size_t i = 0; i < nf; i++)
				if (strlen(f[i].key) == kl && memcmp(f[i].key, p, kl) == 0)
					*f[i].dst = v;
			p = *q ? q + 1 : q;
		}
	}
	return 0;
}

int cgroup_parse_memory_events(const char *buf, struct cgroup_memory *m, struct berr *e)
{
	const struct kv_field f[] = {
		{ "low", &m->low }, { "high", &m->high }, { "max", &m->max },
		{ "oom", &m->oom }, { "oom_kill", &m->oom_kill },
	};

	return parse_kv(buf, f, ARRAY_SIZE(f), "memory.events", e);
}

int cgroup_parse_cpu_stat(const char *buf, struct cgroup_cpu *c, struct berr *e)
{
	const struct kv_field f[] = {
		{ "usage_usec", &c->usage_usec }, { "user_usec", &c->user_usec },
		{ "system_usec", &c->system_usec }, { "nr_periods", &c->nr_periods },
		{ "nr_throttled", &c->nr_throttled }, { "throttled_usec", &c->throttled_usec },
	};

	memset(c, 0, sizeof *c);
	return parse_kv(buf, f, ARRAY_SIZE(f), "cpu.stat", e);
}

static int parse_dev(const char **p, unsigned *major, unsigned *minor)
{
	long long a, b;

	if (parse_num(p, &a) < 0 || a < 0 || a > 0xfffff || **p != ':')
		return -1;
	(*p)++;
	if (parse_num(p, &b) < 0 || b < 0 || b > 0xfffff)
		return -1;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return 0;
}

/* "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per line. */
int cgroup_parse_io_stat(const char *buf, struct cgroup_io *io, struct berr *e)
{
	int line = 0;

	memset(io, 0, sizeof *io);
	for (const char *p = buf; *p;) {
		struct cgroup_io_dev d;
		const struct kv_field f[] = {
			{ "rbytes", &d.rbytes }, { "wbytes", &d.wbytes }, { "rios", &d.rios }, { "wios", &d.wios },
		};

		line++;
		memset(&d, 0, sizeof d);
		if (parse_dev(&p, &d.major, &d.minor) < 0)
			return berr_set(e, EINVAL, "io.stat line %d: want MAJ:MIN", line);
		while (*p == ' ') {
			size_t kl;
			long long v;
			p++;
			kl = strcspn(p, "=\n ");
			if (kl == 0 || kl > NAME_MAX_KEY || p[kl] != '=')
				return berr_set(e, EINVAL, "io.stat line %d: want key=value", line);
			{
				const char *q = p + kl + 1;
				if (parse_num(&q, &v) < 0 || (*q != ' ' && *q != '\n' && *q != '\0'))
					return berr_set(e, EINVAL, "io.stat line %d: bad number", line);
				for (size_t i = 0; i < ARRAY_SIZE(f); i++)
					if (strlen(f[i].key) == kl && memcmp(f[i].key, p, kl) == 0)
						*f[i].dst = v;
				p = q;
			}
		}
		if (*p != '\n' && *p != '\0')
			return berr_set(e, EINVAL, "io.stat line %d: trailing characters", line);
		if (*p)
			p++;
		if (io->n >= CGROUP_IO_DEVS_MAX)
			return berr_set(e, EOVERFLOW, "io.stat: more than %d devices", CGROUP_IO_DEVS_MAX);
		io->dev[io->n++] = d;
	}
	return 0;
}

static int read_file(int cgfd, const char *name, char *buf, struct berr *e)
{
	if (fs_read_at(cgfd, name, buf, CGROUP_FILE_MAX, e) < 0)
		return berr_prefix(e, "cgroup");
	return 0;
}

/* One number in a file ("max" reads as -1). */
static int read_one(int cgfd, const char *name, long long *v, struct berr *e)
{
	char buf[64];
	const char *p = buf;

	if (fs_read_at(cgfd, name, buf, sizeof buf, e) < 0)
		return berr_prefix(e, "cgroup");
	if (parse_num(&p, v) < 0 || (*p != '\n' && *p != '\0'))
		return berr_set(e, EINVAL, "cgroup %s: not a number", name);
	return 0;
}

int cgroup_read_memory(int cgfd, struct cgroup_memory *m, struct berr *e)
{
	char buf[CGROUP_FILE_MAX];

	memset(m, 0, sizeof *m);
	if (read_one(cgfd, "memory.current", &m->current, e) < 0)
		return -1;
	if (read_one(cgfd, "memory.peak", &m->peak, e) < 0) {
		if (e->errnum != ENOENT)
			return -1;
		m->peak = -1; /* before Linux 5.19 */
	}
	if (read_file(cgfd, "memory.events", buf, e) < 0)
		return -1;
	return cgroup_parse_memory_events(buf, m, e);
}

int cgroup_read_cpu(int cgfd, struct cgroup_cpu *c, struct berr *e)
{
	char buf[CGROUP_FILE_MAX];

	if (read_file(cgfd, "cpu.stat", buf, e) < 0)
		return -1;
	return cgroup_parse_cpu_stat(buf, c, e);
}

int cgroup_read_io(int cgfd, struct cgroup_io *io, struct berr *e)
{
	char buf[CGROUP_FILE_MAX];

	if (read_file(cgfd, "io.stat", buf, e) < 0)
		return -1;
	return cgroup_parse_io_stat(buf, io, e);
}

int cgroup_read_pids(int cgfd, long long *current, struct berr *e)
{
	return read_one(cgfd, "pids.current", current, e);
}

int cgroup_read_value(int cgfd, const char *file, long long *v, struct berr *e)
{
	return read_one(cgfd, file, v, e);
}
