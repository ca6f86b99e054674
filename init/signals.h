/* signals.h — what PID 1 does to its signals, and what its children undo.
 *
 * PID 1 handles SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGUSR2 and SIGHUP
 * through a signalfd (they are blocked), ignores SIGPIPE, SIGTTIN and
 * SIGTTOU, and has ctrl-alt-del sent to it as SIGINT. Every process it
 * starts restores all of that before exec. When no signalfd can be made,
 * the signals stay blocked and the loop takes them with signals_poll().
 *
 * Who may power the machine off by signal (signals_sender_may_power):
 * the kernel (sender pid 0: ctrl-alt-del; also any process outside PID 1's
 * PID namespace, which could kill it anyway) or a process whose effective
 * capabilities hold CAP_SYS_BOOT, read from /proc/PID/status when the
 * signal is taken. That read races with the sender: it may have exited
 * (busybox's poweroff, reboot and halt exit right after their kill(), often
 * before PID 1 runs) and its PID been reused. A status file whose real uid
 * is not the signal's sender uid refuses the signal. A sender already gone
 * is trusted only when it was uid 0 (no other uid can signal PID 1 without
 * CAP_KILL): so root without CAP_SYS_BOOT that exits at once can still win
 * that race — berthctl, whose peer is checked while it waits for the
 * answer, has no such gap. Also left: a process of the same real uid that
 * holds CAP_SYS_BOOT taking over the PID between the kill() and the read
 * (the PID space wrapping around in that window).
 */
#ifndef BERTH_INIT_SIGNALS_H
#define BERTH_INIT_SIGNALS_H

#include <sys/types.h>

#include "lib/err.h"

/* The sender of a signal: pid 0 for the kernel. */
struct signals_sender {
	pid_t pid;
	uid_t uid;
};

/* Block the handled signals and return a non-blocking signalfd for them;
 * set the ignored ones and ctrl-alt-del (the latter only in the initial
 * PID namespace; elsewhere it fails, harmlessly). When signalfd() fails
 * (-1, *e set) the signals are blocked and ignored ones set all the same. */
int signals_to_fd(struct berr *e);

/* Without a signalfd: take one pending handled signal without waiting.
 * Returns its number and fills *from, or 0 when none is pending. */
int signals_poll(struct signals_sender *from);

/* 1 when from may ask PID 1 to power off, reboot or halt (see above); 2
 * when it may because it was root and has exited already; 0 when not. */
int signals_sender_may_power(const struct signals_sender *from);

/* In a child of PID 1, before exec: unblock every signal and restore the
 * dispositions signals_to_fd() changed. */
void signals_child_reset(void);

#endif
