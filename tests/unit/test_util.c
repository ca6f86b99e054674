/* test_util.c — fd handover and whole writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "tests/unit/unit.h"

static void fd_take_hands_over(void)
{
	int fd = open("/dev/null", O_RDONLY), got;

	got = fd_take(&fd);
	CHECK(got >= 0);
	CHECK_INT(fd, -1);
	fd_close(&got);
	CHECK_INT(got, -1);
}

static void write_all_writes_everything(void)
{
	int p[2];
	char buf[8] = "";
	struct berr e;

	CHECK(pipe(p) == 0);
	CHECK_INT(util_write_all(p[1], "abcdef", 6, &e), 0);
	CHECK_INT(read(p[0], buf, sizeof buf), 6);
	CHECK(memcmp(buf, "abcdef", 6) == 0);
	close(p[0]);
	close(p[1]);
}

UNIT_MAIN(UNIT(fd_take_hands_over), UNIT(write_all_writes_everything))
