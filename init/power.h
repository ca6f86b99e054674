/* power.h — the power button: an orderly poweroff on KEY_POWER.
 *
 * virsh shutdown, a cloud's "stop" and qemu's system_powerdown press the
 * ACPI power button. With the kernel's ACPI button driver and evdev loaded
 * (the board's module list) it is an input device; PID 1 opens every
 * /dev/input/event* whose EV_KEY bitmap (EVIOCGBIT) has KEY_POWER, at most
 * POWER_DEVS_MAX, watches them in its loop and asks for a poweroff
 * (in->stop = STOP_POWEROFF) when the key goes down. Devices may appear
 * after boot (a module loaded late, a hot-plugged keyboard): while none is
 * open /dev/input is scanned again every POWER_RESCAN_MS; a device that
 * goes away (ENODEV) is closed and the scans resume. Off with
 * CONFIG_INIT_POWER_BUTTON=n.
 */
#ifndef BERTH_INIT_POWER_H
#define BERTH_INIT_POWER_H

#include "init/state.h"
#include "lib/err.h"

#define POWER_RESCAN_MS 2000

/* Register the scan timer on in->loop, due at once (the first scan runs
 * in the loop's first step, after boot). */
int power_init(struct init *in, struct berr *e);

/* Scan /dev/input now (the input modules were just loaded), also when a
 * device is open already: the first scan may have found only a keyboard
 * with a power key, before the ACPI power button's driver was in. */
void power_scan_now(struct init *in);

/* Does this EV_KEY bitmap (from EVIOCGBIT(EV_KEY, len)) have KEY_POWER? */
int power_bits_have_key(const unsigned char *bits, size_t len);

#endif
