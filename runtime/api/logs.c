/* logs.c — GET /berth/v1/logs?service=NAME[&follow=1][&tail=N]: PID 1's
 * service log (log_dir/NAME.log, readable through the berth-admin group)
 * as text/plain, chunked. With follow the file is looked at every
 * LOG_POLL_MS for new bytes and for rotation (NAME.log renamed to
 * NAME.log.1 and a new one opened: the old file is read to its end, then
 * the new one from its start); the answer ends when the client goes away.
 * Only openat, lseek, read and fstat touch the file:
 * tools/seccomp/table_apid.c allows them already (musl's open is SYS_open).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/api/apid.h"

#define LOG_POLL_MS 250
#define LOG_NAME_MAX 32  /* as init's service names: 1..31 of [a-z0-9_-] */
#define LOG_TAIL_MAX 100000

/* svc_name_valid's rule (init/svc_conf.h): no '/', no "..", no surprise. */
static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= LOG_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* pread as apid's seccomp table allows it (lseek and read; no pread64). */
static ssize_t read_at(int fd, void *buf, size_t n, off_t at)
{
	if (lseek(fd, at, SEEK_SET) != at)
		return -1;
	return read(fd, buf, n);
}

/* Send fd from *pos to its end (as it is now); *pos moves on. */
static int send_rest(struct aconn *c, int fd, off_t *pos, struct berr *e)
{
	for (;;) {
		ssize_t r = read_at(fd, c->out, sizeof(c->out), *pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berr_sys(e, "read");
		if (r == 0)
			return tls_conn_flush(&c->tls, tls_now_ms() + c->d->conf.send_ms, e);
		if (proxy_chunk(c, c->out, (size_t)r, e) < 0)
			return -1;
		*pos += r;
	}
}

/* Where the last n lines of fd (size bytes) start. */
static off_t tail_start(struct aconn *c, int fd, off_t size, long n)
{
	off_t at = size;
	long seen = 0;

	while (at > 0) {
		size_t len = at < (off_t)sizeof(c->out) ? (size_t)at : sizeof(c->out);
		ssize_t r = read_at(fd, c->out, len, at - (off_t)len);

		if (r != (ssize_t)len)
			return 0;
		for (size_t i = len; i-- > 0;) {
			off_t off = at - (off_t)len + (off_t)i;

			/* the file's last newline ends the last line, it starts none */
			if (c->out[i] == '\n' && off != size - 1 && ++seen == n)
				return off + 1;
		}
		at -= (off_t)len;
	}
	return 0;
}

/* Has the client gone (or sent anything: a follow ends with it)? */
static int client_gone(struct aconn *c, int ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int r = poll(&p, 1, ms);

	return r > 0 || (r < 0 && errno != EINTR);
}

/* Follow path from *pos in *fd: new bytes, and rotation (a new inode, or a
 * shorter file) read to the old file's end then reopened. The name is
 * looked at by opening it (musl's stat is SYS_stat, not in the table). */
static int follow(struct aconn *c, const char *path, int *fd, off_t pos, struct berr *e)
{
	struct stat a, b;
	int nfd;

	for (;;) {
		if (send_rest(c, *fd, &pos, e) < 0)
			return -1;
		if (client_gone(c, LOG_POLL_MS))
			return 0;
		nfd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (nfd < 0)
			continue; /* between PID 1's rename and its open */
		if (fstat(*fd, &a) < 0 || fstat(nfd, &b) < 0 || !S_ISREG(b.st_mode) ||
		    (a.st_ino == b.st_ino && a.st_dev == b.st_dev && b.st_size >= pos)) {
			close(nfd);
			continue;
		}
		if (send_rest(c, *fd, &pos, e) < 0) {
			close(nfd);
			return -1;
		}
		close(*fd);
		*fd = nfd;
		pos = 0;
	}
}

static int open_log(struct aconn *c, const char *name, char *path, size_t size, int *fd, int keep)
{
	struct stat st;
	int err;

	snprintf(path, size, "%s/%s.log", c->d->conf.log_dir, name);
	*fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (*fd >= 0 && fstat(*fd, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	err = *fd >= 0 ? EINVAL : errno;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	if (err == ENOENT)
		return proxy_error(c, 404, keep, "no log for service %s", name) < 0 ? -1 : 404;
	if (err == EACCES || err == EPERM)
		return proxy_error(c, 403, keep, "service log %s: %s (berth-api needs the berth-admin group)",
				   name, strerror(err)) < 0 ? -1 : 403;
	return proxy_error(c, 500, keep, "service log %s: %s", name, strerror(err)) < 0 ? -1 : 500;
}

int logs_serve(struct aconn *c, int *keep)
{
	const char *q = http_target_query(c->hp.target);
	char name[LOG_NAME_MAX], v[16], path[API_PATH_MAX + LOG_NAME_MAX + 8];
	long tail = -1;
	int fol = 0, fd, rc;
	off_t pos = 0;
	struct stat st;
	struct berr e;

	if (http_query_get(q, "service", name, sizeof(name), &e) != 1 || !name_ok(name))
		return proxy_error(c, 400, *keep, "bad service name (1..31 of a-z, 0-9, _ and -)") < 0 ? -1 : 400;
	if (http_query_get(q, "follow", v, sizeof(v), &e) == 1)
		fol = !strcmp(v, "1") || !strcmp(v, "true");
	if (http_query_get(q, "tail", v, sizeof(v), &e) == 1 && strcmp(v, "all")) {
		char *end;

		tail = strtol(v, &end, 10);
		if (*end || end == v || tail < 0 || tail > LOG_TAIL_MAX)
			return proxy_error(c, 400, *keep, "bad tail (0..%d or all)", LOG_TAIL_MAX) < 0 ? -1 : 400;
	}
	if ((rc = open_log(c, name, path, sizeof(path), &fd, *keep)) != 0)
		return rc;
	if (tail >= 0 && fstat(fd, &st) == 0)
		pos = tail == 0 ? st.st_size : tail_start(c, fd, st.st_size, tail);
	if (proxy_stream_head(c, "text/plain; charset=utf-8", keep, &e) < 0)
		rc = -1;
	else if (fol)
		rc = follow(c, path, &fd, pos, &e) < 0 ? -1 : 0;
	else
		rc = send_rest(c, fd, &pos, &e);
	close(fd);
	if (rc < 0)
		return -1;
	if (fol) {
		*keep = 0; /* the client went away, or spoke: done with it */
		return 200;
	}
	if (proxy_stream_end(c, &e) < 0)
		return -1;
	return 200;
}
