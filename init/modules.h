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
 * logged per module and the rest still loaded; returns how many failed. */
int modules_load(const char *names, const struct logger *lg);

/* In a forked child, without waiting for it: load `names` as modules_load
 * does, then, when `lock` is set, write kernel.modules_disabled=1 so that
 * no further module can ever be loaded. The child exits 0; PID 1 reaps it
 * as any finished helper. Returns its pid, or -1 (logged) when fork fails. */
pid_t modules_load_late(const char *names, int lock, const struct logger *lg);

#endif
