/* err.h — berth's one error contract.
 *
 * A fallible function returns int (< 0 on failure) and takes `struct berr *e`
 * as its last argument. On failure it fills *e with an errno value and a
 * message in a fixed buffer, so that even out-of-memory can be reported.
 * Callers add context on the way up with berr_prefix(); the error is printed
 * once, at the top (see log.h).
 */
#ifndef BERTH_LIB_ERR_H
#define BERTH_LIB_ERR_H

#include <stddef.h>

#define BERR_MSG_MAX 512

struct berr {
	int errnum;                /* errno value, or 0 when not a system error */
	char msg[BERR_MSG_MAX];    /* "context: context: what: strerror" */
};

/* Set a message (printf format). errnum may be 0. Returns -1. */
int berr_set(struct berr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set "what: strerror(errno)" from the current errno. Returns -1. */
int berr_sys(struct berr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend "context: " to the message; errnum is kept. Returns -1. */
int berr_prefix(struct berr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear *e (errnum 0, empty message). */
void berr_clear(struct berr *e);

#endif
