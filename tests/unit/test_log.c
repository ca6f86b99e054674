/* test_log.c — log line format, levels, one write per line. */
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "tests/unit/unit.h"

static void read_pipe(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

static void line_has_prog_level_message(void)
{
	int p[2];
	char buf[256];

	CHECK(pipe(p) == 0);
	struct logger lg = { .prog = "berth-test", .fd = p[1], .stamp = 0, .level = LOG_INFO };
	log_msg(&lg, LOG_WARN, "disk %s is %d%% full", "vda", 91);
	read_pipe(p[0], buf, sizeof buf);
	CHECK_STR(buf, "berth-test: warning: disk vda is 91% full\n");
}

static void levels_above_the_logger_are_dropped(void)
{
	int p[2];
	char buf[256];

	CHECK(pipe(p) == 0);
	struct logger lg = { .prog = "t", .fd = p[1], .stamp = 0, .level = LOG_WARN };
	log_msg(&lg, LOG_INFO, "dropped");
	log_msg(&lg, LOG_ERROR, "kept");
	read_pipe(p[0], buf, sizeof buf);
	CHECK_STR(buf, "t: error: kept\n");
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
	int p[2];
	char buf[256];

	CHECK(pipe(p) == 0);
	struct logger lg = { .prog = "p", .fd = p[1], .stamp = 1, .level = LOG_INFO };
	log_msg(&lg, LOG_INFO, "x");
	read_pipe(p[0], buf, sizeof buf);
	CHECK(buf[0] == '[');
	CHECK(strstr(buf, "] p: info: x\n") != NULL);
}

static void overlong_message_is_one_bounded_line(void)
{
	int p[2];
	char buf[LOG_LINE_MAX * 2], big[LOG_LINE_MAX * 2];

	CHECK(pipe(p) == 0);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct logger lg = { .prog = "p", .fd = p[1], .stamp = 0, .level = LOG_INFO };
	log_msg(&lg, LOG_INFO, "%s", big);
	read_pipe(p[0], buf, sizeof buf);
	CHECK(strlen(buf) <= LOG_LINE_MAX);
	CHECK(buf[strlen(buf) - 1] == '\n');
	CHECK(strchr(buf, '\n') == buf + strlen(buf) - 1);
}

UNIT_MAIN(UNIT(line_has_prog_level_message), UNIT(levels_above_the_logger_are_dropped),
	  UNIT(stamp_is_seconds_and_micros), UNIT(stamped_line_starts_with_boot_time),
	  UNIT(overlong_message_is_one_bounded_line))
