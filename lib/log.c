/* log.c — stamped one-line log messages with one write(2) each. */
#include "lib/log.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

long long log_boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int log_format_stamp(char *buf, unsigned long size, long long ns)
{
	int n;

	if (ns < 0)
		ns = 0;
	n = snprintf(buf, size, "[%5lld.%06lld] ", ns / 1000000000LL, (ns % 1000000000LL) / 1000);
	if (n < 0)
		return 0;
	return (unsigned long)n < size ? n : (int)size - 1;
}

/* May lg still wait for room (wait_ms, and nothing dropped yet)? */
static int may_wait(const struct logger *lg)
{
	return lg->wait_ms > 0 && (!lg->drops || lg->drops->dropped == 0);
}

/* 0 when all n bytes went out; -1 when the descriptor would block (past
 * lg's wait) or failed (a non-blocking console that is full or stopped). */
static int write_all(const struct logger *lg, const char *p, size_t n)
{
	long long deadline = may_wait(lg) ? log_boottime_ns() + lg->wait_ms * 1000000LL : 0;

	while (n > 0) {
		ssize_t w = write(lg->fd, p, n);
		if (w < 0) {
			long long left = deadline - log_boottime_ns();
			struct pollfd pfd = { .fd = lg->fd, .events = POLLOUT };

			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && left > 0 &&
			    poll(&pfd, 1, (int)(left / 1000000LL) + 1) >= 0)
				continue;
			return -1; /* nowhere left to report it */
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void log_child(struct logger *lg, struct log_drops *drops, int wait_ms)
{
	memset(drops, 0, sizeof *drops);
	lg->drops = drops;
	lg->wait_ms = wait_ms;
	lg->queue = NULL;
}

void log_queue_init(struct logger *lg, struct log_queue *q)
{
	q->owner = (int)getpid();
	q->len = 0;
	lg->queue = q;
}

/* lg's queue when the calling process owns it, else NULL (a forked child). */
static struct log_queue *queue_of(const struct logger *lg)
{
	return lg->queue && lg->queue->owner == (int)getpid() ? lg->queue : NULL;
}

/* Write the queue's head as far as the descriptor takes it. */
static void queue_push(const struct logger *lg, struct log_queue *q)
{
	size_t done = 0;

	while (done < q->len) {
		ssize_t w = write(lg->fd, q->buf + done, q->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done < q->len && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		if (lg->drops)
			lg->drops->dropped++; /* a descriptor that fails: give the bytes up */
		done = q->len;
	}
	memmove(q->buf, q->buf + done, q->len - done);
	q->len -= done;
}

/* Queue n bytes (a line or the rest of one); 0, or -1 when they do not fit. */
static int queue_add(struct log_queue *q, const char *p, size_t n)
{
	if (n > sizeof q->buf - q->len)
		return -1;
	memcpy(q->buf + q->len, p, n);
	q->len += n;
	return 0;
}

static int emit(const struct logger *lg, const char *line, size_t n);

/* Tell how many lines were lost since the last report, once the descriptor
 * takes lines again. */
static void report_drops(const struct logger *lg)
{
	struct log_drops *d = lg->drops;
	unsigned long lost = d->dropped - d->reported;
	char line[160];
	size_t len = 0;
	int n;

	if (lg->stamp)
		len = (size_t)log_format_stamp(line, sizeof line, log_boottime_ns());
	n = snprintf(line + len, sizeof line - len, "%s: warning: console: %lu lines dropped\n",
		     lg->prog, lost);
	if (n <= 0 || (size_t)n >= sizeof line - len)
		return;
	if (emit(lg, line, len + (size_t)n) == 0)
		d->reported += lost;
	else
		d->dropped++; /* the report itself is one more */
}

/* Through the queue: the line goes behind what waits there, then as much
 * as the descriptor takes goes out (lines are at most LOG_LINE_MAX, well
 * under the queue's size). */
static int queued_write(const struct logger *lg, struct log_queue *q, const char *line, size_t n)
{
	if (q->len)
		queue_push(lg, q);
	if (queue_add(q, line, n) < 0)
		return -1;
	queue_push(lg, q);
	return 0;
}

static int emit(const struct logger *lg, const char *line, size_t n)
{
	struct log_queue *q = queue_of(lg);

	return q ? queued_write(lg, q, line, n) : write_all(lg, line, n);
}

int log_flush(const struct logger *lg)
{
	struct log_queue *q = queue_of(lg);

	if (!q)
		return 0;
	if (q->len)
		queue_push(lg, q);
	if (!q->len && lg->drops && lg->drops->dropped != lg->drops->reported)
		report_drops(lg);
	return q->len != 0;
}

void log_drain(const struct logger *lg, int ms)
{
	long long deadline = log_boottime_ns() + ms * 1000000LL;

	while (log_flush(lg)) {
		long long left = deadline - log_boottime_ns();
		struct pollfd pfd = { .fd = lg->fd, .events = POLLOUT };

		if (left <= 0 || poll(&pfd, 1, (int)(left / 1000000LL) + 1) < 0)
			return;
	}
}

int log_write(const struct logger *lg, const char *line, size_t n)
{
	struct log_queue *q = queue_of(lg);

	if (lg->drops && lg->drops->dropped != lg->drops->reported && (!q || !q->len))
		report_drops(lg);
	if (emit(lg, line, n) == 0)
		return 0;
	if (lg->drops)
		lg->drops->dropped++;
	return -1;
}

void log_msg(const struct logger *lg, enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	size_t len = 0;
	va_list ap;
	int n;

	if (level > lg->level)
		return;
	if (lg->stamp)
		len = (size_t)log_format_stamp(line, sizeof line, log_boottime_ns());
	n = snprintf(line + len, sizeof line - len, "%s: %s: ", lg->prog, level_names[level]);
	if (n > 0)
		len += (size_t)n;
	if (len >= sizeof line - 1)
		len = sizeof line - 2;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += (size_t)n < sizeof line - len - 1 ? (size_t)n : sizeof line - len - 2;
	line[len++] = '\n';
	log_write(lg, line, len);
}

void log_err(const struct logger *lg, const struct berr *e)
{
	log_msg(lg, LOG_ERROR, "%s", e->msg);
}
