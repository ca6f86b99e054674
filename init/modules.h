/* modules.h — load kernel modules in dependency order, from modules.dep.
 *
 * modules.dep (written by depmod at image build time) has one line per
 * module:  "kernel/a/b.ko: kernel/c/d.ko kernel/e/f.ko"  listing every
 * module it needs, transitively, in an order where the last one listed must
 * be loaded first.
 */
#ifndef BERTH_INIT_MODULES_H
#define BERTH_INIT_MODULES_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/log.h"

/* A module file named in the modules.dep text: dep + off, len bytes. */
struct mod_ref {
	unsigned off, len;
};

/* Append to plan[*n..max) what loading the module `name` (a name, not a
 * path: "virtio_blk"; '-' and '_' are the same) needs, dependencies first,
 * skipping files already in the plan. Errors: ENOENT when modules.dep has no
 * such module, E2BIG when the plan would exceed max entries. */
int modules_plan(const char *dep, const char *name, size_t name_len, struct mod_ref *plan,
		 size_t max, size_t *n, struct berr *e);

/* Load every module named in `names` (space-separated) from the running
 * kernel's /lib/modules/<release>/, dependencies first, with
 * finit_module(2): each named module (with its dependencies, in order) in
 * its own forked loader, all at once, and returns when every loader is
 * done. Modules already loaded or built in count as loaded. Failures are
 * logged per module and the rest still loaded; returns how many failed.
 * The closing line says "modules: SET: N named loaded, …" (set NULL: no
 * "SET: ", the boot set). */
int modules_load(const char *names, const char *set, const struct logger *lg);

/* modules_load in a forked child, without waiting for it; the child exits
 * 0 when done, and PID 1 reaps it. Returns its pid; 0 when `names` is
 * empty or fork failed (logged; nothing loaded). */
pid_t modules_load_bg(const char *names, const char *set, const struct logger *lg);

/* Write kernel.modules_disabled=1: no module can be loaded or removed until
 * the next boot. Logged either way. */
void modules_lock(const struct logger *lg);

#endif
