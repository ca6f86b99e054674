/* shutdown.h — the orderly end of the system. */
#ifndef BERTH_INIT_SHUTDOWN_H
#define BERTH_INIT_SHUTDOWN_H

#include "init/state.h"

/* Stop everything and power off, reboot or halt (in->stop): SIGTERM to every
 * process, wait up to the grace period while reaping, SIGKILL to what is
 * left, sync, reboot(2). Each step is logged with its duration. Returns only
 * if reboot(2) fails (logged); PID 1 then goes back to its loop. */
void shutdown_run(struct init *in);

#endif
