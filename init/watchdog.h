/* watchdog.h — PID 1 feeds the board's watchdog from its loop.
 *
 * With CONFIG_INIT_WATCHDOG, PID 1 opens CONFIG_INIT_WATCHDOG_DEVICE once
 * the modules after ready are loaded (init/boot_after.h: on Debian's cloud
 * kernel the only driver is softdog, which the board's modules.after must
 * then name; when that device is softdog while a hardware watchdog is there
 * too, the hardware one), sets CONFIG_INIT_WATCHDOG_TIMEOUT_S and pings it every
 * third of that from a loop timer. A PID 1 that stops running its loop
 * (stuck in the kernel, spinning) is then reset by the watchdog.
 *
 * At shutdown the watchdog stays armed through poweroff and reboot: every
 * step is bounded and the loop keeps feeding it, so it only fires when PID 1
 * itself hangs or reboot(2) never returns. A halt disarms it (magic close,
 * 'V') just before reboot(2), or the halted machine would be reset.
 */
#ifndef BERTH_INIT_WATCHDOG_H
#define BERTH_INIT_WATCHDOG_H

#include "init/state.h"
#include "lib/err.h"

/* Register the feeding timer, not yet due. */
int watchdog_init(struct init *in, struct berr *e);

/* Open the device and start feeding it (the timer, due at once). */
void watchdog_start(struct init *in);

/* Just before reboot(2): disarm for a halt, otherwise leave it armed. */
void watchdog_before_reboot(struct init *in);

#endif
