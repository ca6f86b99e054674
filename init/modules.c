/* modules.c — modules.dep resolution and finit_module loading. */
#include "init/modules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/kconfig.h"
#include "lib/util.h"

#define MODULES_DEP_MAX (64 * 1024) /* the image has only the board's modules */

/* Module names compare with '-' and '_' as one character. */
static int name_char(char c)
{
	return c == '-' ? '_' : c;
}

/* Does the file path p[0..len) name module `name`? ("x/y/virtio_blk.ko") */
static int path_is_module(const char *p, size_t len, const char *name, size_t name_len)
{
	const char *base = p, *end = p + len, *dot;
	size_t i;

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
	for (i = 0; i < name_len; i++)
		if (name_char(base[i]) != name_char(name[i]))
			return 0;
	return 1;
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
	const char *line = dep;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *colon;

		if (!eol)
			eol = line + strlen(line);
		colon = memchr(line, ':', (size_t)(eol - line));
		if (colon && path_is_module(line, (size_t)(colon - line), name, name_len)) {
			/* Dependencies, last listed first, then the module itself. */
			struct mod_ref deps[64];
			size_t nd = 0;
			const char *p = colon + 1;

			while (p < eol) {
				const char *s;
				while (p < eol && (*p == ' ' || *p == '\t'))
					p++;
				s = p;
				while (p < eol && *p != ' ' && *p != '\t')
					p++;
				if (p > s) {
					if (nd == ARRAY_SIZE(deps))
						return berr_set(e, E2BIG, "%.*s: more than %zu dependencies",
								(int)name_len, name, ARRAY_SIZE(deps));
					deps[nd].off = (unsigned)(s - dep);
					deps[nd].len = (unsigned)(p - s);
					nd++;
				}
			}
			while (nd-- > 0)
				if (plan_add(dep, deps[nd].off, deps[nd].len, plan, max, n, e) < 0)
					return -1;
			return plan_add(dep, (unsigned)(line - dep), (unsigned)(colon - line), plan, max, n, e);
		}
		line = *eol ? eol + 1 : eol;
	}
	return berr_set(e, ENOENT, "module %.*s: not in modules.dep", (int)name_len, name);
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
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST) {
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

/* Load one named module and its dependencies, in order; returns how many
 * failed. */
static int load_chain(const char *dep, const char *dir, const char *name, size_t len,
		      const struct logger *lg)
{
	struct mod_ref plan[CONFIG_INIT_MODULES_MAX];
	size_t n = 0;
	struct berr e;
	int failed = 0;

	if (modules_plan(dep, name, len, plan, ARRAY_SIZE(plan), &n, &e) < 0) {
		log_err(lg, &e);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (load_one(dir, dep + plan[i].off, plan[i].len, lg) < 0)
			failed++;
	return failed;
}

/* Collect one loader; returns the failures it reported. */
static int reap_loader(pid_t *pids, int *nrun)
{
	int status;
	pid_t pid;

	do
		pid = waitpid(-1, &status, 0);
	while (pid < 0 && errno == EINTR);
	if (pid < 0)
		return 0;
	for (int i = 0; i < *nrun; i++)
		if (pids[i] == pid) {
			pids[i] = pids[--*nrun];
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
	return 0; /* not one of ours (PID 1 reaps orphans too) */
}

int modules_load(const char *names, const char *set, const struct logger *lg)
{
	char dep[MODULES_DEP_MAX];
	char dir[320];
	pid_t pids[CONFIG_INIT_MODULES_JOBS];
	int nrun = 0, failed = 0, named = 0;
	long long t0 = log_boottime_ns();
	const char *p = names;

	if (read_dep(dep, sizeof dep, dir, sizeof dir, lg) < 0)
		return 1;
	while (*p) {
		const char *s;
		pid_t pid;

		while (*p == ' ' || *p == '\t')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p == s)
			continue;
		named++;
		if (nrun == CONFIG_INIT_MODULES_JOBS)
			failed += reap_loader(pids, &nrun);
		/* One loader per named module: signature checks, relocation and
		 * device probes run on every CPU at once. A dependency two
		 * loaders share is loaded by one; the kernel makes the other's
		 * finit_module wait for it and answer EEXIST. */
		pid = fork();
		if (pid == 0) {
			int f = load_chain(dep, dir, s, (size_t)(p - s), lg);
			_exit(f > 100 ? 100 : f);
		}
		if (pid < 0) /* no process: load it here */
			failed += load_chain(dep, dir, s, (size_t)(p - s), lg);
		else
			pids[nrun++] = pid;
	}
	while (nrun > 0)
		failed += reap_loader(pids, &nrun);
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
		/* Not loaded here: modules_load waits for any child, and PID 1's
		 * services are running by now. */
		log_msg(lg, LOG_ERROR, "modules: %s: fork: %s; not loaded", set, strerror(errno));
		return 0;
	}
	if (pid == 0) {
		modules_load(names, set, lg);
		_exit(0);
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
