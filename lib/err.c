/* err.c — the error contract: fixed buffers, never allocates. */
#include "lib/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);
	if (n < 0)
		buf[0] = '\0';
	/* A truncated message ends in "..." so that the cut is visible. */
	else if ((size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

int berr_set(struct berr *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	e->errnum = errnum;
	va_start(ap, fmt);
	vformat(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int berr_sys(struct berr *e, const char *fmt, ...)
{
	int errnum = errno;
	char what[BERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vformat(what, sizeof what, fmt, ap);
	va_end(ap);
	return berr_set(e, errnum, "%s: %s", what, strerror(errnum));
}

int berr_prefix(struct berr *e, const char *fmt, ...)
{
	char ctx[BERR_MSG_MAX];
	char old[BERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vformat(ctx, sizeof ctx, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	return berr_set(e, e->errnum, "%s: %s", ctx, old);
}

void berr_clear(struct berr *e)
{
	e->errnum = 0;
	e->msg[0] = '\0';
}
