/* console.h — the console on fds 0-2, and the optional console shell. */
#ifndef BERTH_INIT_CONSOLE_H
#define BERTH_INIT_CONSOLE_H

#include "init/state.h"

/* Make fds 0, 1 and 2 the console: kept as they are when all three are
 * open (the kernel opened /dev/console, or a test harness gave pipes),
 * otherwise /dev/console (or /dev/null when there is none). Then give PID 1
 * its own descriptor for its log lines (console_log_open). */
void console_setup(struct init *in);

/* Point in->log at a new, non-blocking open file description of what fd 2
 * is (the console shell keeps fds 0-2, blocking, to itself: O_NONBLOCK
 * belongs to the description, not the descriptor), with lines the console
 * does not take at once dropped and counted in in->console_drops. Via
 * /dev/console when fd 2 is the console, else /proc/self/fd/2 (so it is
 * tried again once /proc is mounted); a regular file never blocks and is
 * used as it is. Does nothing once done. */
void console_log_open(struct init *in);

/* How long a child of PID 1 that logs (a module loader, the seed writer,
 * shutdown's writer, the slot marker) waits for room on a busy console
 * before it drops a line, once (log_child): PID 1's own count of dropped
 * lines dies with the child's copy of it, so a child's line dropped at
 * once would vanish without a word. */
#define CONSOLE_CHILD_WAIT_MS 500

/* Start conf.console_shell on the console in a new session, with signals
 * restored to their defaults; sets shell_pid. Returns -1 when fork failed
 * (logged; the caller tries again later), else 0. */
int console_shell_start(struct init *in);

#endif
