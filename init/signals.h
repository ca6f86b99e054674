/* signals.h — what PID 1 does to its signals, and what its children undo.
 *
 * PID 1 handles SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGHUP
 * through a signalfd (they are blocked), ignores SIGPIPE, SIGTTIN and
 * SIGTTOU, and has ctrl-alt-del sent to it as SIGINT. Every process it
 * starts restores all of that before exec.
 */
#ifndef BERTH_INIT_SIGNALS_H
#define BERTH_INIT_SIGNALS_H

#include "lib/err.h"

/* Block the handled signals and return a non-blocking signalfd for them;
 * set the ignored ones and ctrl-alt-del (the latter only in the initial
 * PID namespace; elsewhere it fails, harmlessly). */
int signals_to_fd(struct berr *e);

/* In a child of PID 1, before exec: unblock every signal and restore the
 * dispositions signals_to_fd() changed. */
void signals_child_reset(void);

#endif
