/* log.h — one line per message on a file descriptor, never allocating.
 *
 * Lines look like   [    1.234567] prog: level: message
 * (the stamp is CLOCK_BOOTTIME, seconds since the kernel started, and is left
 * out when the logger's `stamp` is 0). Each line is written with one write(2)
 * so that lines from several processes on one console do not interleave.
 * Only programs log; library code returns errors (err.h).
 *
 * A logger may write to a non-blocking descriptor (PID 1's console): a line
 * the descriptor does not take at once is dropped, not waited for, and
 * counted in `drops` when set; the next line that does go out is preceded
 * by "prog: warning: console: N lines dropped". A logger with `wait_ms`
 * waits up to that long for room before it drops a line, until it has
 * dropped one (from then on it drops at once): a child of PID 1 that says
 * one thing and exits gets its line out through a busy console, and a
 * stopped console costs it wait_ms once.
 *
 * A logger with a `queue` (PID 1's) keeps what the descriptor does not take
 * at once, up to LOG_QUEUE_MAX bytes, instead of dropping it: lines go out
 * in order through log_flush, which its owner calls until it returns 0 (a
 * timer of PID 1's loop); only a line that does not fit is dropped and
 * counted. A burst on a busy console (a shell's banner at boot) then loses
 * nothing, "berth: ready" among it, and a stopped console still costs a
 * bounded buffer and no wait. The queue is its owner process's alone: in a
 * forked child the logger acts as if it had none.
 */
#ifndef BERTH_LIB_LOG_H
#define BERTH_LIB_LOG_H

#include "lib/err.h"

#define LOG_LINE_MAX 1024
#define LOG_QUEUE_MAX 4096

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Lines a non-blocking descriptor did not take; owned by the program. */
struct log_drops {
	unsigned long dropped;  /* lines not written (whole or in part) */
	unsigned long reported; /* of those, how many a warning has reported */
};

/* Bytes a non-blocking descriptor has not taken yet, in order. */
struct log_queue {
	int owner;              /* the pid whose queue it is (getpid at log_queue_init) */
	size_t len;
	char buf[LOG_QUEUE_MAX];
};

struct logger {
	const char *prog;       /* "berth-init" */
	int fd;                 /* where lines go (2 for stderr) */
	int stamp;              /* prefix lines with the boot-time stamp */
	enum log_level level;   /* lines above this level are dropped */
	struct log_drops *drops; /* NULL: not counted */
	int wait_ms;            /* room to wait for on a full non-blocking fd (above) */
	struct log_queue *queue; /* NULL: none (above) */
};

/* Empty *q, owned by the calling process, and make it lg's queue. */
void log_queue_init(struct logger *lg, struct log_queue *q);

/* Write what lg's queue holds as far as the descriptor takes it, without
 * waiting; then report drops not yet reported. Returns 1 while bytes are
 * still queued, 0 when the queue is empty (or there is none). */
int log_flush(const struct logger *lg);

/* log_flush, waiting up to ms for room (before reboot(2): the last lines). */
void log_drain(const struct logger *lg, int ms);

/* For a forked child of the program that owns lg: its own drop count
 * (*drops, zeroed: the parent's count stays the parent's to report) and
 * wait_ms, so that its few lines are not lost to a busy console. */
void log_child(struct logger *lg, struct log_drops *drops, int wait_ms);

void log_msg(const struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write one complete line (n bytes, ending in '\n') to lg->fd as log_msg
 * does: one write(2), not waiting when the descriptor is non-blocking and
 * full (then the line is counted in lg->drops). Returns 0 when it was
 * written whole, -1 when it was dropped. For lines made elsewhere (a
 * service's output mirrored to the console). */
int log_write(const struct logger *lg, const char *line, size_t n);

/* Log e->msg at LOG_ERROR with an optional context ("what failed"). */
void log_err(const struct logger *lg, const struct berr *e);

/* Format "[ssss.uuuuuu] " for the given nanoseconds into buf; returns length. */
int log_format_stamp(char *buf, unsigned long size, long long ns);

/* Nanoseconds since boot (CLOCK_BOOTTIME), or 0 if the clock fails. */
long long log_boottime_ns(void);

#endif
