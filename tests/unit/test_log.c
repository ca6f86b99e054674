/* test_log.c — log line format, levels, one write per line. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "tests/unit/unit.h"

/* A logger writing into a pipe; read_back() returns what it wrote. */
struct capture {
	int fds[2];
	struct logger lg;
};

static struct logger *capture(struct capture *c, int stamp, enum log_level level)
{
	CHECK(pipe(c->fds) == 0);
	c->lg = (struct logger){ .prog = "t", .fd = c->fds[1], .stamp = stamp, .level = level };
	return &c->lg;
}

static const char *read_back(struct capture *c, char *buf, size_t size)
{
	ssize_t n;

	close(c->fds[1]);
	n = read(c->fds[0], buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void line_has_prog_level_message(void)
{
	struct capture c;
	char buf[256];

	log_msg(capture(&c, 0, LOG_INFO), LOG_WARN, "disk %s is %d%% full", "vda", 91);
	CHECK_STR(read_back(&c, buf, sizeof buf), "t: warning: disk vda is 91% full\n");
}

static void levels_above_the_logger_are_dropped(void)
{
	struct capture c;
	struct logger *lg = capture(&c, 0, LOG_WARN);
	char buf[256];

	log_msg(lg, LOG_INFO, "dropped");
	log_msg(lg, LOG_ERROR, "kept");
	CHECK_STR(read_back(&c, buf, sizeof buf), "t: error: kept\n");
}

static void stamp_is_seconds_and_micros(void)
{
	char buf[64];

	log_format_stamp(buf, sizeof buf, 3531849123LL);
	CHECK_STR(buf, "[    3.531849] ");
	log_format_stamp(buf, sizeof buf, 0);
	CHECK_STR(buf, "[    0.000000] ");
}

static void stamped_line_starts_with_boot_time(void)
{
	struct capture c;
	char buf[256];

	log_msg(capture(&c, 1, LOG_INFO), LOG_INFO, "x");
	read_back(&c, buf, sizeof buf);
	CHECK(buf[0] == '[');
	CHECK(strstr(buf, "] t: info: x\n") != NULL);
}

static void overlong_message_is_one_bounded_line(void)
{
	struct capture c;
	char buf[LOG_LINE_MAX * 2], big[LOG_LINE_MAX * 2];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_msg(capture(&c, 0, LOG_INFO), LOG_INFO, "%s", big);
	read_back(&c, buf, sizeof buf);
	CHECK(strlen(buf) <= LOG_LINE_MAX);
	CHECK(buf[strlen(buf) - 1] == '\n');
	CHECK(strchr(buf, '\n') == buf + strlen(buf) - 1);
}

/* A full non-blocking pipe (a console nobody reads): log_msg returns at
 * once, counts each line it could not write, and the first line written
 * after the reader catches up says how many were lost. */
static void full_nonblocking_fd_drops_and_counts(void)
{
	struct log_drops drops = { 0, 0 };
	struct capture c;
	struct logger *lg = capture(&c, 0, LOG_INFO);
	char buf[65536 * 2];
	ssize_t n;

	lg->drops = &drops;
	CHECK(fcntl(c.fds[1], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(c.fds[0], F_SETFL, O_NONBLOCK) == 0);
	for (int i = 0; i < 10000; i++) /* far more than a pipe holds */
		log_msg(lg, LOG_ERROR, "line %d of a flood", i);
	CHECK(drops.dropped > 0);
	CHECK(drops.reported == 0);
	while ((n = read(c.fds[0], buf, sizeof buf)) > 0)
		; /* the reader catches up */
	unsigned long lost = drops.dropped;
	log_msg(lg, LOG_INFO, "after");
	n = read(c.fds[0], buf, sizeof buf - 1);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	char want[128];
	snprintf(want, sizeof want, "t: warning: console: %lu lines dropped\nt: info: after\n", lost);
	CHECK_STR(buf, want);
	CHECK(drops.reported == lost);
	CHECK(log_write(lg, "x\n", 2) == 0);
	close(c.fds[0]);
	close(c.fds[1]);
}

/* Fill a non-blocking pipe to the brim; returns how many bytes. */
static size_t fill(int fd)
{
	char junk[4096];
	size_t total = 0;
	ssize_t w;

	memset(junk, 'j', sizeof junk);
	while ((w = write(fd, junk, sizeof junk)) > 0)
		total += (size_t)w;
	while ((w = write(fd, junk, 1)) > 0)
		total += (size_t)w;
	return total;
}

/* A child of PID 1 on a busy console (log_child): its line waits for
 * room (here a reader that drains the pipe 100 ms later) and goes out
 * whole, where a line dropped at once would vanish with the child. */
static void child_waits_for_room_on_a_busy_console(void)
{
	struct log_drops drops;
	struct capture c;
	struct logger *lg = capture(&c, 0, LOG_INFO);
	char buf[8192];
	pid_t pid;
	int status;
	ssize_t n, got = 0;

	size_t junk;

	CHECK(fcntl(c.fds[1], F_SETFL, O_NONBLOCK) == 0);
	junk = fill(c.fds[1]);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) { /* the slow reader: the junk only */
		usleep(100000);
		while (junk > 0 && (n = read(c.fds[0], buf, junk < sizeof buf ? junk : sizeof buf)) > 0)
			junk -= (size_t)n;
		_exit(0);
	}
	log_child(lg, &drops, 2000);
	log_msg(lg, LOG_INFO, "modules: 3 named loaded");
	CHECK_INT(drops.dropped, 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	close(c.fds[1]);
	while ((n = read(c.fds[0], buf, sizeof buf - 1)) > 0)
		got = n;
	CHECK(got > 0);
	buf[got] = '\0';
	CHECK(strstr(buf, "t: info: modules: 3 named loaded\n") != NULL);
	close(c.fds[0]);
}

/* A console nobody reads: the child waits wait_ms once, then drops (and
 * counts) at once: three lines cost one wait, not three. */
static void child_waits_once_on_a_stopped_console(void)
{
	struct log_drops drops;
	struct capture c;
	struct logger *lg = capture(&c, 0, LOG_INFO);
	long long t0;

	CHECK(fcntl(c.fds[1], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fill(c.fds[1]) > 0);
	log_child(lg, &drops, 200);
	t0 = log_boottime_ns();
	for (int i = 0; i < 3; i++)
		log_msg(lg, LOG_INFO, "line %d", i);
	t0 = (log_boottime_ns() - t0) / 1000000LL;
	CHECK(t0 >= 190 && t0 < 390);
	CHECK(drops.dropped >= 3); /* and the reports of them, which failed too */
	close(c.fds[0]);
	close(c.fds[1]);
}

/* Read everything the pipe holds now into buf (NUL-terminated). */
static size_t drain_pipe(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/* PID 1's logger: what a full pipe does not take waits in the queue, in
 * order, and goes out on log_flush once the reader caught up; what does not
 * fit in the queue is dropped, counted and reported after it. */
static void queue_keeps_lines_a_full_fd_did_not_take(void)
{
	static char buf[65536 * 4];
	struct log_drops drops = { 0, 0 };
	struct log_queue q;
	struct capture c;
	struct logger *lg = capture(&c, 0, LOG_INFO);
	char want[128];

	lg->drops = &drops;
	log_queue_init(lg, &q);
	CHECK(fcntl(c.fds[1], F_SETFL, O_NONBLOCK) == 0);
	CHECK(fcntl(c.fds[0], F_SETFL, O_NONBLOCK) == 0);
	fill(c.fds[1]);
	log_msg(lg, LOG_INFO, "ready");
	log_msg(lg, LOG_INFO, "second");
	CHECK(drops.dropped == 0);
	CHECK(q.len == strlen("t: info: ready\nt: info: second\n"));
	CHECK(log_flush(lg) == 1); /* still full */
	drain_pipe(c.fds[0], buf, sizeof buf);
	CHECK(log_flush(lg) == 0);
	drain_pipe(c.fds[0], buf, sizeof buf);
	CHECK_STR(buf, "t: info: ready\nt: info: second\n");

	/* a stopped reader: the queue fills, then lines are dropped */
	fill(c.fds[1]);
	for (int i = 0; i < 1000; i++)
		log_msg(lg, LOG_ERROR, "line %d of a flood", i);
	CHECK(q.len <= LOG_QUEUE_MAX);
	CHECK(drops.dropped > 0);
	unsigned long lost = drops.dropped;
	drain_pipe(c.fds[0], buf, sizeof buf);
	CHECK(log_flush(lg) == 0); /* the queue, then the report */
	drain_pipe(c.fds[0], buf, sizeof buf);
	CHECK(strncmp(buf, "t: error: line 0 of a flood\n", 28) == 0);
	snprintf(want, sizeof want, "t: warning: console: %lu lines dropped\n", lost);
	CHECK(strlen(buf) > strlen(want) && strcmp(buf + strlen(buf) - strlen(want), want) == 0);
	CHECK(drops.reported == lost);

	/* in a forked child the queue is not its own: no queue there */
	fill(c.fds[1]);
	pid_t pid = fork();
	if (pid == 0)
		_exit(log_write(lg, "child\n", 6) == -1 && q.len == 0 ? 0 : 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(c.fds[0]);
	close(c.fds[1]);
}

UNIT_MAIN(UNIT(queue_keeps_lines_a_full_fd_did_not_take), UNIT(full_nonblocking_fd_drops_and_counts), UNIT(line_has_prog_level_message), UNIT(levels_above_the_logger_are_dropped),
	  UNIT(stamp_is_seconds_and_micros), UNIT(stamped_line_starts_with_boot_time),
	  UNIT(overlong_message_is_one_bounded_line), UNIT(child_waits_for_room_on_a_busy_console),
	  UNIT(child_waits_once_on_a_stopped_console))
