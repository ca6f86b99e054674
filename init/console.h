/* console.h — the console on fds 0-2, and the optional console shell. */
#ifndef BERTH_INIT_CONSOLE_H
#define BERTH_INIT_CONSOLE_H

#include "init/state.h"

/* Make fds 0, 1 and 2 the console: kept as they are when all three are
 * open (the kernel opened /dev/console, or a test harness gave pipes),
 * otherwise /dev/console (or /dev/null when there is none). */
void console_setup(void);

/* Start conf.console_shell on the console in a new session, with signals
 * restored to their defaults; sets shell_pid. Returns -1 when fork failed
 * (logged; the caller tries again later), else 0. */
int console_shell_start(struct init *in);

#endif
