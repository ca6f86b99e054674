/* modules.c — modules.dep resolution and finit_module loading. */
#include "init/modules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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
		log_msg(lg, LOG_ERROR, "finit_module %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int modules_load(const char *names, const struct logger *lg)
{
	char dep[MODULES_DEP_MAX];
	struct mod_ref plan[CONFIG_INIT_MODULES_MAX];
	size_t n = 0, i;
	char dir[320];
	struct utsname u;
	struct berr e;
	int failed = 0, loaded = 0;
	const char *p = names;

	if (uname(&u) < 0) {
		log_msg(lg, LOG_ERROR, "uname: %s", strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);
	{
		char dep_path[352];
		snprintf(dep_path, sizeof dep_path, "%s/modules.dep", dir);
		if (fs_read(dep_path, dep, sizeof dep, &e) < 0) {
			log_err(lg, &e);
			return 1;
		}
	}
	while (*p) {
		const char *s;
		while (*p == ' ' || *p == '\t')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (p > s && modules_plan(dep, s, (size_t)(p - s), plan, ARRAY_SIZE(plan), &n, &e) < 0) {
			log_err(lg, &e);
			failed++;
		}
	}
	for (i = 0; i < n; i++) {
		if (load_one(dir, dep + plan[i].off, plan[i].len, lg) < 0)
			failed++;
		else
			loaded++;
	}
	log_msg(lg, failed ? LOG_WARN : LOG_INFO, "modules: %d loaded, %d failed", loaded, failed);
	return failed;
}
