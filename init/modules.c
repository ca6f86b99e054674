/* modules.c — modules.dep resolution and finit_module loading. */
#include "init/modules.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/console.h"
#include "lib/fs.h"
#include "lib/kconfig.h"
#include "lib/util.h"

#define MODULES_DEP_MAX (64 * 1024) /* the image has only the board's modules */
#define MODULES_ALIAS_MAX (128 * 1024) /* and only their PCI aliases */
#define MODULES_PCI_MAX (16 * 1024)    /* the machine's PCI modaliases, one per line */
#define MODALIAS_MAX 256

/* Module names compare with '-' and '_' as one character. */
static int name_char(char c)
{
	return c == '-' ? '_' : c;
}

/* Are a and b (len bytes each) the same module name? */
static int same_name(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len && name_char(a[i]) == name_char(b[i]); i++)
		;
	return i == len;
}

/* Does the file path p[0..len) name module `name`? ("x/y/virtio_blk.ko") */
static int path_is_module(const char *p, size_t len, const char *name, size_t name_len)
{
	const char *base = p, *end = p + len, *dot;

	for (const char *q = p; q < end; q++)
		if (*q == '/')
			base = q + 1;
	dot = NULL;
	for (const char *q = base; q + 3 <= end; q++)
		if (q[0] == '.' && q[1] == 'k' && q[2] == 'o') {
			dot = q;
			break;
		}
	if (!dot || (size_t)(dot - base) != name_len)
		return 0;
	return same_name(base, name, name_len);
}

/* The next blank-separated word of [*p, end): its start (length in *len),
 * *p moved past it; NULL when none is left. */
static const char *next_word(const char **p, const char *end, size_t *len)
{
	const char *s;

	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*len = (size_t)(*p - s);
	return *len ? s : NULL;
}

/* The next line of the NUL-terminated text at *p: its start (length in
 * *len, without the newline), *p moved past it; NULL at the end. */
static const char *next_line(const char **p, size_t *len)
{
	const char *s = *p, *eol;

	if (!*s)
		return NULL;
	eol = strchrnul(s, '\n');
	*len = (size_t)(eol - s);
	*p = *eol ? eol + 1 : eol;
	return s;
}

static int plan_add(const char *dep, unsigned off, unsigned len, struct mod_ref *plan,
		    size_t max, size_t *n, struct berr *e)
{
	for (size_t i = 0; i < *n; i++)
		if (plan[i].len == len && memcmp(dep + plan[i].off, dep + off, len) == 0)
			return 0;
	if (*n >= max)
		return berr_set(e, E2BIG, "more than %zu modules to load", max);
	plan[*n].off = off;
	plan[*n].len = len;
	(*n)++;
	return 0;
}

int modules_plan(const char *dep, const char *name, size_t name_len, struct mod_ref *plan,
		 size_t max, size_t *n, struct berr *e)
{
	const char *at = dep, *line;
	size_t n_line;

	while ((line = next_line(&at, &n_line))) {
		const char *eol = line + n_line;
		const char *colon = memchr(line, ':', n_line);

		if (colon && path_is_module(line, (size_t)(colon - line), name, name_len)) {
			/* Dependencies, last listed first, then the module itself. */
			struct mod_ref deps[64];
			size_t nd = 0;
			const char *p = colon + 1;

			const char *s;
			size_t wlen;

			while ((s = next_word(&p, eol, &wlen))) {
				if (nd == ARRAY_SIZE(deps))
					return berr_set(e, E2BIG, "%.*s: more than %zu dependencies",
							(int)name_len, name, ARRAY_SIZE(deps));
				deps[nd].off = (unsigned)(s - dep);
				deps[nd].len = (unsigned)wlen;
				nd++;
			}
			while (nd-- > 0)
				if (plan_add(dep, deps[nd].off, deps[nd].len, plan, max, n, e) < 0)
					return -1;
			return plan_add(dep, (unsigned)(line - dep), (unsigned)(colon - line), plan, max, n, e);
		}
	}
	return berr_set(e, ENOENT, "module %.*s: not in modules.dep", (int)name_len, name);
}

/* The plan index of the file p[0..len), or -1. */
static int graph_find(const char *dep, const struct mod_graph *g, const char *p, size_t len)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->mod[i].len == len && memcmp(dep + g->mod[i].off, p, len) == 0)
			return (int)i;
	return -1;
}

/* Entry i's needs: the files its own modules.dep line lists that are
 * earlier in the plan. */
static int graph_needs(const char *dep, struct mod_graph *g, size_t i, struct berr *e)
{
	const char *path = dep + g->mod[i].off, *at = dep, *line;
	size_t len = g->mod[i].len, n_line;

	g->nneed[i] = 0;
	while ((line = next_line(&at, &n_line))) {
		const char *eol = line + n_line;

		if (n_line > len && line[len] == ':' && memcmp(line, path, len) == 0) {
			const char *p = line + len + 1, *s;
			size_t n;

			while ((s = next_word(&p, eol, &n))) {
				int j = graph_find(dep, g, s, n);

				if (j < 0 || (size_t)j >= i)
					continue;
				if (g->nneed[i] == MODULES_NEED_MAX)
					return berr_set(e, E2BIG, "%.*s: needs more than %d modules",
							(int)len, path, MODULES_NEED_MAX);
				g->need[i][g->nneed[i]++] = (unsigned short)j;
			}
			return 0;
		}
	}
	return 0;
}

int modules_graph_add(const char *dep, const char *name, size_t name_len, struct mod_graph *g,
		      struct berr *e)
{
	size_t first = g->n;

	if (modules_plan(dep, name, name_len, g->mod, ARRAY_SIZE(g->mod), &g->n, e) < 0)
		return -1;
	for (size_t i = first; i < g->n; i++)
		if (graph_needs(dep, g, i, e) < 0)
			return -1;
	return 0;
}

/* finit_module, again while another process has the same module half
 * loaded (the kernel answers EBUSY or EAGAIN then; EEXIST once it is in):
 * at most a second. */
static int finit_waiting(int fd)
{
	int rc;

	for (int tries = 0;; tries++) {
		rc = (int)syscall(SYS_finit_module, fd, "", 0);
		if (rc == 0 || (errno != EBUSY && errno != EAGAIN) || tries == 100)
			return rc;
		poll(NULL, 0, 10);
	}
}

static int load_one(const char *dir, const char *rel, size_t rel_len, const struct logger *lg)
{
	char path[512];
	int fd, n;

	n = snprintf(path, sizeof path, "%s/%.*s", dir, (int)rel_len, rel);
	if (n < 0 || (size_t)n >= sizeof path) {
		log_msg(lg, LOG_ERROR, "module path too long: %.*s", (int)rel_len, rel);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_msg(lg, LOG_ERROR, "module %s: %s", path, strerror(errno));
		return -1;
	}
	if (finit_waiting(fd) < 0 && errno != EEXIST) {
		int err = errno;

		close(fd);
		if (err == ENODEV) {
			/* A driver for hardware this machine lacks (one board's
			 * list serves many machines: efivarfs without UEFI, a
			 * watchdog of another chipset): said, not an error. */
			log_msg(lg, LOG_INFO, "module %.*s: no such device on this machine",
				(int)rel_len, rel);
			return 0;
		}
		log_msg(lg, LOG_ERROR, "finit_module %s: %s", path, strerror(err));
		return -1;
	}
	close(fd);
	return 0;
}

/* modules.dep and the module directory of the running kernel. */
static int read_dep(char *dep, size_t size, char *dir, size_t dir_size, const struct logger *lg)
{
	char dep_path[352];
	struct utsname u;
	struct berr e;

	if (uname(&u) < 0) {
		log_msg(lg, LOG_ERROR, "uname: %s", strerror(errno));
		return -1;
	}
	snprintf(dir, dir_size, "/lib/modules/%s", u.release);
	snprintf(dep_path, sizeof dep_path, "%s/modules.dep", dir);
	if (fs_read(dep_path, dep, size, &e) < 0) {
		log_err(lg, &e);
		return -1;
	}
	return 0;
}

enum { MOD_WAIT, MOD_RUN, MOD_DONE, MOD_FAILED };

/* One run of modules_run: each entry's state and loader. */
struct sched {
	const char *dep;
	const struct mod_graph *g;
	int jobs;
	modules_load_fn *load;
	void *ctx;
	const struct logger *lg;
	unsigned char st[CONFIG_INIT_MODULES_MAX];
	pid_t pid[CONFIG_INIT_MODULES_MAX];
	int nrun, failed;
};

/* 1: everything entry i needs is in; 0: not yet; -1: a need failed
 * (*which set to it). */
static int needs_met(const struct sched *s, size_t i, size_t *which)
{
	int met = 1;

	for (unsigned k = 0; k < s->g->nneed[i]; k++) {
		size_t j = s->g->need[i][k];

		if (s->st[j] == MOD_FAILED) {
			*which = j;
			return -1;
		}
		if (s->st[j] != MOD_DONE)
			met = 0;
	}
	return met;
}

static void finish(struct sched *s, size_t i, int ok)
{
	s->st[i] = ok ? MOD_DONE : MOD_FAILED;
	if (!ok)
		s->failed++;
}

/* Start a loader for every entry whose needs are in (plan order: an entry
 * only needs earlier ones, so one pass settles the failures too). */
static void start_ready(struct sched *s)
{
	for (size_t i = 0; i < s->g->n && s->nrun < s->jobs; i++) {
		const struct mod_ref *m = &s->g->mod[i];
		size_t j = 0;
		int met;
		pid_t pid;

		if (s->st[i] != MOD_WAIT || (met = needs_met(s, i, &j)) == 0)
			continue;
		if (met < 0) {
			log_msg(s->lg, LOG_ERROR, "module %.*s: not loaded: it needs %.*s, which failed",
				(int)m->len, s->dep + m->off, (int)s->g->mod[j].len, s->dep + s->g->mod[j].off);
			finish(s, i, 0);
			continue;
		}
		pid = fork();
		if (pid == 0)
			_exit(s->load(s->ctx, s->dep + m->off, m->len) < 0);
		if (pid < 0) { /* no process: load it here */
			finish(s, i, s->load(s->ctx, s->dep + m->off, m->len) == 0);
			continue;
		}
		s->st[i] = MOD_RUN;
		s->pid[i] = pid;
		s->nrun++;
	}
}

/* Collect one loader. */
static void reap_loader(struct sched *s)
{
	int status;
	pid_t pid;

	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0) { /* no child left: nothing more to wait for */
		for (size_t i = 0; i < s->g->n; i++)
			if (s->st[i] == MOD_RUN)
				finish(s, i, 0);
		s->nrun = 0;
		return;
	}
	for (size_t i = 0; i < s->g->n; i++)
		if (s->st[i] == MOD_RUN && s->pid[i] == pid) {
			finish(s, i, WIFEXITED(status) && WEXITSTATUS(status) == 0);
			s->nrun--;
			return;
		}
	/* not one of ours (PID 1 reaps orphans too) */
}

int modules_run(const char *dep, const struct mod_graph *g, int jobs, modules_load_fn *load,
		void *ctx, const struct logger *lg)
{
	struct sched s = { .dep = dep, .g = g, .jobs = jobs < 1 ? 1 : jobs, .load = load, .ctx = ctx,
			   .lg = lg };

	for (start_ready(&s); s.nrun > 0; start_ready(&s))
		reap_loader(&s);
	return s.failed;
}

/* Does any line of devs match the pattern? Its literal start (up to the
 * first wildcard: vendor and device for most drivers) is compared first,
 * which spares most fnmatch calls. */
static int pci_any_matches(const char *pattern, const char *devs)
{
	const char *p = devs, *line;
	size_t lit = strcspn(pattern, "*?[\\"), n;
	char dev[MODALIAS_MAX];

	while ((line = next_line(&p, &n))) {
		if (n >= sizeof dev || n < lit || memcmp(line, pattern, lit) != 0)
			continue;
		memcpy(dev, line, n);
		dev[n] = '\0';
		if (fnmatch(pattern, dev, 0) == 0)
			return 1;
	}
	return 0;
}

int modules_pci_absent(const char *alias, const char *devs, const char *name, size_t name_len)
{
	const char *p = alias, *line;
	char pattern[MODALIAS_MAX];
	size_t n;
	int has = 0;

	while ((line = next_line(&p, &n))) {
		const char *eol = line + n, *q, *pat, *mod;
		size_t plen, mlen;

		if (strncmp(line, "alias pci:", 10) != 0)
			continue;
		q = line + 6;
		pat = next_word(&q, eol, &plen);
		mod = next_word(&q, eol, &mlen);
		if (!pat || !mod || mlen != name_len || !same_name(mod, name, name_len))
			continue; /* another module's line */
		if (plen + 1 > sizeof pattern)
			return 0; /* too long to judge: load it */
		memcpy(pattern, pat, plen);
		pattern[plen] = '\0';
		has = 1;
		if (pci_any_matches(pattern, devs))
			return 0;
	}
	return has;
}

int modules_pci_devices(const char *dir, char *buf, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;
	int rc = 0;

	if (!d)
		return -1;
	if (size == 0) {
		closedir(d);
		return -1;
	}
	buf[0] = '\0';
	while ((de = readdir(d))) {
		char path[PATH_MAX], m[MODALIAS_MAX];
		struct berr e;
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/modalias", dir, de->d_name);
		len = fs_read(path, m, sizeof m, &e);
		if (len < 0 && e.errnum != ENOENT) {
			rc = -1; /* a device not known: none may be judged absent */
			break;
		}
		if (len <= 0)
			continue;
		while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == '\0'))
			len--;
		if (n + (size_t)len + 2 > size) {
			rc = -1;
			break;
		}
		memcpy(buf + n, m, (size_t)len);
		n += (size_t)len;
		buf[n++] = '\n';
		buf[n] = '\0';
	}
	closedir(d);
	return rc;
}

/* The image's modules.alias (its PCI lines) into alias, and the machine's
 * PCI devices into devs; 0 when both could be read (then a module can be
 * judged absent), -1 when not (every module is loaded, as before). */
static int read_pci(const char *dir, char *alias, size_t alias_size, char *devs, size_t devs_size,
		    const struct logger *lg)
{
	char path[352];
	struct berr e;

	snprintf(path, sizeof path, "%s/modules.alias", dir);
	if (fs_read(path, alias, alias_size, &e) < 0) {
		if (e.errnum != ENOENT)
			log_msg(lg, LOG_WARN, "modules: %s: every module loaded, present hardware or not", e.msg);
		return -1;
	}
	if (modules_pci_devices("/sys/bus/pci/devices", devs, devs_size) < 0)
		return -1;
	return 0;
}

/* Where modules_load's files are, and its logger. */
struct load_where {
	const struct logger *lg;
	char dir[320];
};

/* modules_load_fn for a file under the running kernel's module directory. */
static int load_file(void *ctx, const char *rel, size_t len)
{
	const struct load_where *w = ctx;

	return load_one(w->dir, rel, len, w->lg);
}

int modules_load(const char *names, const char *set, const struct logger *lg)
{
	char dep[MODULES_DEP_MAX], alias[MODULES_ALIAS_MAX], devs[MODULES_PCI_MAX], skipped[256] = "";
	struct load_where where = { .lg = lg };
	struct mod_graph g = { .n = 0 };
	int named = 0, failed = 0, nskipped = 0, pci;
	long long t0 = log_boottime_ns();
	const char *p = names;

	if (read_dep(dep, sizeof dep, where.dir, sizeof where.dir, lg) < 0)
		return 1;
	pci = read_pci(where.dir, alias, sizeof alias, devs, sizeof devs, lg) == 0;
	while (*p) {
		const char *n;
		struct berr e;

		while (*p == ' ' || *p == '\t')
			p++;
		n = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p == n)
			continue;
		if (pci && modules_pci_absent(alias, devs, n, (size_t)(p - n))) {
			size_t k = strlen(skipped);

			snprintf(skipped + k, sizeof skipped - k, "%s%.*s", k ? " " : "", (int)(p - n), n);
			nskipped++;
			continue;
		}
		named++;
		if (modules_graph_add(dep, n, (size_t)(p - n), &g, &e) < 0) {
			log_err(lg, &e);
			failed++;
		}
	}
	if (nskipped)
		log_msg(lg, LOG_INFO, "modules: %s%s%d not loaded, no PCI device here for them: %s",
			set ? set : "", set ? ": " : "", nskipped, skipped);
	failed += modules_run(dep, &g, CONFIG_INIT_MODULES_JOBS, load_file, &where, lg);
	log_msg(lg, failed ? LOG_WARN : LOG_INFO, "modules: %s%s%d named loaded, %d failed, in %lld ms",
		set ? set : "", set ? ": " : "", named, failed, (log_boottime_ns() - t0) / 1000000LL);
	return failed;
}

pid_t modules_load_bg(const char *names, const char *set, const struct logger *lg)
{
	pid_t pid;

	if (!names[0])
		return 0;
	pid = fork();
	if (pid < 0) {
		log_msg(lg, LOG_ERROR, "modules: %s: fork: %s", set ? set : "boot", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		struct logger clg = *lg;
		struct log_drops drops;
		int failed;

		log_child(&clg, &drops, CONSOLE_CHILD_WAIT_MS);
		failed = modules_load(names, set, &clg);
		_exit(failed > 100 ? 100 : failed);
	}
	return pid;
}

void modules_lock(const struct logger *lg)
{
	struct berr e;

	if (util_write_file("/proc/sys/kernel/modules_disabled", "1\n", &e) < 0)
		log_err(lg, &e);
	else
		log_msg(lg, LOG_INFO, "modules: loading disabled (kernel.modules_disabled=1)");
}
