/* boot_after.h — what PID 1 starts right after "berth: ready".
 *
 * Readiness waits only for the boot set of modules (berth.conf `modules`:
 * the data disk's, the network's), and not even for that when what it is
 * for is usable without it (init/main.c moves it to the front of
 * `modules_after`). Right after ready two background
 * loaders start at once: `modules_after` (what the appliance needs soon but
 * readiness does not: the RNG, the power button, the watchdog, the EFI
 * system partition's filesystems) and `modules_late` (the container
 * engine's). What needs the first set waits for its loader: then the ESP
 * is mounted and the slot marker started (init/slot.h), the watchdog
 * opened and fed (init/watchdog.h) and /dev/input scanned for the power
 * button at once (init/power.h). Once both loaders are done, module
 * loading is disabled for good with CONFIG_INIT_MODULES_LOCK.
 * Without CONFIG_INIT_MODULES nothing is loaded and the dependents start
 * at ready.
 */
#ifndef BERTH_INIT_BOOT_AFTER_H
#define BERTH_INIT_BOOT_AFTER_H

#include <sys/types.h>

#include "init/state.h"

/* Start the two loaders (or, with nothing to load, the dependents). */
void boot_after_ready(struct init *in);

/* A child was reaped: when it is one of the loaders, carry on from there
 * and return 1; otherwise 0. */
int boot_after_reaped(struct init *in, pid_t pid);

#endif
