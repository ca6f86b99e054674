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

#include "autoconf.h"
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

/* The modules a set needs, each file once, in plan order (dependencies
 * first), each with the plan indexes that must be loaded before it (the
 * files its modules.dep line lists; only earlier entries count, so a
 * broken modules.dep cannot make two entries wait for each other). */
#define MODULES_NEED_MAX 32
struct mod_graph {
	struct mod_ref mod[CONFIG_INIT_MODULES_MAX];
	unsigned char nneed[CONFIG_INIT_MODULES_MAX];
	unsigned short need[CONFIG_INIT_MODULES_MAX][MODULES_NEED_MAX];
	size_t n;
};

/* Add module `name` and what it needs to g (modules_plan, then each new
 * entry's needs). Errors: modules_plan's, and E2BIG for an entry needing
 * more than MODULES_NEED_MAX others. */
int modules_graph_add(const char *dep, const char *name, size_t name_len, struct mod_graph *g,
		      struct berr *e);

/* Load one module file (dep text: rel, len bytes; "kernel/a/b.ko"), in a
 * loader process; <0 when it failed (said by the function). */
typedef int modules_load_fn(void *ctx, const char *rel, size_t len);

/* Run g: each entry in a forked loader calling load, at most `jobs` at
 * once, each started as soon as everything it needs is loaded (one that
 * needs a failed one is not started: logged, and counted). Returns when
 * every loader is done: how many entries failed. */
int modules_run(const char *dep, const struct mod_graph *g, int jobs, modules_load_fn *load,
		void *ctx, const struct logger *lg);

/* Does module `name` drive PCI hardware of which the machine has none?
 * alias: modules.alias text (only its "alias pci:PATTERN MODULE" lines
 * count); devs: the PCI devices' modaliases, one per line
 * ("pci:v00008086d000010D3sv…"), matched as kmod does (fnmatch). 1: the
 * module has PCI aliases and none matches; 0: one matches, or it has none
 * (a filesystem, a virtio driver), or a pattern is too long to judge. */
int modules_pci_absent(const char *alias, const char *devs, const char *name, size_t name_len);

/* The modaliases of the PCI devices under dir ("/sys/bus/pci/devices"),
 * one per line, into buf (a device without one is left out). -1 when the
 * directory or a device's modalias cannot be read, or buf is too small:
 * then nothing counts as absent. */
int modules_pci_devices(const char *dir, char *buf, size_t size);

/* Load every module named in `names` (space-separated) from the running
 * kernel's /lib/modules/<release>/ with finit_module(2): each module file
 * once, in a forked loader of its own (at most CONFIG_INIT_MODULES_JOBS at
 * once) as soon as what it needs is loaded, so that independent modules,
 * their signature checks, relocations and device probes run on every CPU
 * at once, and no two loaders ever load the same file. Returns when every
 * loader is done. Modules already loaded or built in count as loaded; a
 * load another process has under way is waited for. Failures are logged
 * per module (a module whose dependency failed is not tried) and the rest
 * still loaded; returns how many failed. A module that drives PCI
 * hardware the machine does not have (modules_pci_absent, with the image's
 * modules.alias) is not loaded; one line names those. The closing line says
 * "modules: SET: N named loaded, …" (set NULL: no "SET: ", the boot set;
 * N: the named ones not skipped so). */
int modules_load(const char *names, const char *set, const struct logger *lg);

/* modules_load in a forked child, without waiting for it; the child exits
 * with the count of failures (at most 100) when done, and PID 1 reaps it.
 * Returns its pid; 0 when `names` is empty or fork failed (logged; nothing
 * loaded: PID 1's boot loads the set itself then, and what comes after
 * ready goes without). */
pid_t modules_load_bg(const char *names, const char *set, const struct logger *lg);

/* Write kernel.modules_disabled=1: no module can be loaded or removed until
 * the next boot. Logged either way. */
void modules_lock(const struct logger *lg);

#endif
