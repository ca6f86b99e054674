/* log.h — one line per message on a file descriptor, never allocating.
 *
 * Lines look like   [    1.234567] prog: level: message
 * (the stamp is CLOCK_BOOTTIME, seconds since the kernel started, and is left
 * out when the logger's `stamp` is 0). Each line is written with one write(2)
 * so that lines from several processes on one console do not interleave.
 * Only programs log; library code returns errors (err.h).
 */
#ifndef BERTH_LIB_LOG_H
#define BERTH_LIB_LOG_H

#include "lib/err.h"

#define LOG_LINE_MAX 1024

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

struct logger {
	const char *prog;       /* "berth-init" */
	int fd;                 /* where lines go (2 for stderr) */
	int stamp;              /* prefix lines with the boot-time stamp */
	enum log_level level;   /* lines above this level are dropped */
};

void log_msg(const struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log e->msg at LOG_ERROR with an optional context ("what failed"). */
void log_err(const struct logger *lg, const struct berr *e);

/* Format "[ssss.uuuuuu] " for the given nanoseconds into buf; returns length. */
int log_format_stamp(char *buf, unsigned long size, long long ns);

/* Nanoseconds since boot (CLOCK_BOOTTIME), or 0 if the clock fails. */
long long log_boottime_ns(void);

#endif
