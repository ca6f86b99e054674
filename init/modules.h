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
 * finit_module(2). Modules already loaded or built in count as loaded.
 * Failures are logged per module and the rest still loaded; returns how
 * many failed. */
int modules_load(const char *names, const struct logger *lg);

#endif
