/* test_util.c — whole-file reads refuse truncation; fd handover. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "tests/unit/unit.h"

static void write_tmp(char *path, const char *content)
{
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
	close(fd);
}

static void reads_a_file_that_fits(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[16];
	struct berr e;

	write_tmp(path, "hello\n");
	CHECK_INT(util_read_file(path, buf, sizeof buf, &e), 6);
	CHECK_STR(buf, "hello\n");
	unlink(path);
}

static void exact_fit_is_not_truncation(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[6];
	struct berr e;

	write_tmp(path, "12345");
	CHECK_INT(util_read_file(path, buf, sizeof buf, &e), 5);
	CHECK_STR(buf, "12345");
	unlink(path);
}

static void too_big_is_an_error_not_a_cut(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[6];
	struct berr e;

	write_tmp(path, "123456");
	CHECK_INT(util_read_file(path, buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, EFBIG);
	CHECK(strstr(e.msg, "larger than 5 bytes") != NULL);
	unlink(path);
}

static void missing_file_names_the_path(void)
{
	char buf[8];
	struct berr e;

	CHECK_INT(util_read_file("/nonexistent/berth", buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, ENOENT);
	CHECK_STR(e.msg, "open /nonexistent/berth: No such file or directory");
}

static void fd_take_hands_over(void)
{
	int fd = open("/dev/null", O_RDONLY), got;

	got = fd_take(&fd);
	CHECK(got >= 0);
	CHECK_INT(fd, -1);
	fd_close(&got);
	CHECK_INT(got, -1);
}

UNIT_MAIN(UNIT(reads_a_file_that_fits), UNIT(exact_fit_is_not_truncation),
	  UNIT(too_big_is_an_error_not_a_cut), UNIT(missing_file_names_the_path),
	  UNIT(fd_take_hands_over))
