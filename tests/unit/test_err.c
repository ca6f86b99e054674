/* test_err.c — the error contract: messages, errno, context, truncation. */
#include <errno.h>
#include <string.h>

#include "lib/err.h"
#include "tests/unit/unit.h"

static void set_formats_and_returns_minus_one(void)
{
	struct berr e;

	CHECK_INT(berr_set(&e, EINVAL, "bad %s %d", "value", 7), -1);
	CHECK_INT(e.errnum, EINVAL);
	CHECK_STR(e.msg, "bad value 7");
}

static void sys_appends_strerror_of_errno(void)
{
	struct berr e;

	errno = ENOENT;
	CHECK_INT(berr_sys(&e, "open %s", "/x"), -1);
	CHECK_INT(e.errnum, ENOENT);
	CHECK_STR(e.msg, "open /x: No such file or directory");
}

static void prefix_adds_context_and_keeps_errno(void)
{
	struct berr e;

	errno = EACCES;
	berr_sys(&e, "mount /proc");
	berr_prefix(&e, "boot");
	CHECK_INT(e.errnum, EACCES);
	CHECK_STR(e.msg, "boot: mount /proc: Permission denied");
}

static void long_message_is_cut_visibly(void)
{
	struct berr e;
	char big[BERR_MSG_MAX * 2];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	berr_set(&e, 0, "%s", big);
	CHECK_INT(strlen(e.msg), BERR_MSG_MAX - 1);
	CHECK_STR(e.msg + BERR_MSG_MAX - 4, "...");
}

static void clear_empties(void)
{
	struct berr e;

	berr_set(&e, EIO, "x");
	berr_clear(&e);
	CHECK_INT(e.errnum, 0);
	CHECK_STR(e.msg, "");
}

UNIT_MAIN(UNIT(set_formats_and_returns_minus_one), UNIT(sys_appends_strerror_of_errno),
	  UNIT(prefix_adds_context_and_keeps_errno), UNIT(long_message_is_cut_visibly),
	  UNIT(clear_empties))
