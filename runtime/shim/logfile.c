/* logfile.c — berthd's side of the log: read the files oldest first with
 * since/until/tail, then follow log.json across rotations (logfile.h). */
#include "runtime/shim/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"

/* A line: an entry as logfile_w writes it, with room to spare. */
#define LINE_BUF (6 * CONFIG_SHIM_LOG_LINE_MAX + 512)
#define FOLLOW_POLL_MS 100

int logfile_parse_time(const char *s, size_t n, int64_t *ns)
{
	struct tm tm;
	char buf[48];
	int64_t frac = 0, scale = 1000000000;
	size_t i;
	time_t sec;

	if (n < 20 || n >= sizeof buf || s[n - 1] != 'Z')
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(&tm, 0, sizeof tm);
	if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6 || buf[4] != '-' || buf[10] != 'T')
		return -1;
	i = 19;
	if (buf[i] == '.')
		for (i++; buf[i] >= '0' && buf[i] <= '9'; i++)
			if (scale > 1) {
				scale /= 10;
				frac += (buf[i] - '0') * scale;
			}
	if (i != n - 1)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	sec = timegm(&tm);
	*ns = (int64_t)sec * 1000000000 + frac;
	return 0;
}

/* ------------------------------------------------------------ one file */

struct rdr {
	const struct logfile_opts *o;
	logfile_fn fn;
	void *ctx;
	char *buf;        /* LINE_BUF + 1 */
	char *text;       /* an entry's text, unescaped (LINE_BUF) */
	long skip;        /* entries that pass still to skip (tail) */
	long count;       /* counting pass: entries that pass */
	int counting;
};

/* One line: 0 skipped or passed on, < 0 what fn returned. */
static int line(struct rdr *r, const char *p, size_t n)
{
	jsmntok_t tok[16];
	struct json j;
	struct berr e;
	char stream[8], tstr[48];
	size_t len;
	int64_t t;
	int ls, ss, ts, s;

	if (json_parse(&j, p, n, tok, 16, &e) < 0 || (ls = json_get(&j, 0, "log")) < 0 ||
	    (ss = json_get(&j, 0, "stream")) < 0 || (ts = json_get(&j, 0, "time")) < 0 ||
	    json_str(&j, ss, stream, sizeof stream, &e) < 0 || json_str(&j, ts, tstr, sizeof tstr, &e) < 0 ||
	    logfile_parse_time(tstr, strlen(tstr), &t) < 0)
		return 0;
	s = strcmp(stream, "stderr") == 0 ? 2 : strcmp(stream, "stdout") == 0 ? 1 : 0;
	if (!s || (s == 1 && !r->o->out) || (s == 2 && !r->o->err) || (r->o->since_ns && t < r->o->since_ns) ||
	    (r->o->until_ns && t > r->o->until_ns))
		return 0;
	if (r->counting) {
		r->count++;
		return 0;
	}
	if (r->skip > 0) {
		r->skip--;
		return 0;
	}
	if (json_strn(&j, ls, r->text, LINE_BUF, &len, &e) < 0)
		return 0;
	return r->fn(r->ctx, s, t, r->text, len);
}

/* Read fd from *off to its last whole line; *off moves past it. A line
 * longer than the buffer is skipped. */
static int read_lines(struct rdr *r, int fd, int64_t *off)
{
	size_t have = 0;
	int skipping = 0;

	for (;;) {
		ssize_t n = pread(fd, r->buf + have, LINE_BUF - have, *off + (int64_t)have);
		size_t start = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno - 1000 : 0;
		have += (size_t)n;
		for (;;) {
			char *nl = memchr(r->buf + start, '\n', have - start);
			int rc;
			if (!nl)
				break;
			rc = skipping ? 0 : line(r, r->buf + start, (size_t)(nl - r->buf) - start);
			skipping = 0;
			start = (size_t)(nl - r->buf) + 1;
			if (rc < 0) {
				*off += (int64_t)start;
				return rc;
			}
		}
		*off += (int64_t)start;
		memmove(r->buf, r->buf + start, have - start);
		have -= start;
		if (have == LINE_BUF) { /* no newline in a whole buffer: drop it */
			*off += (int64_t)have;
			have = 0;
			skipping = 1;
		}
	}
}

/* ------------------------------------------------------------ the files */

static void file_name(int k, char buf[32])
{
	if (k == 0)
		snprintf(buf, 32, "%s", LOGFILE_NAME);
	else
		snprintf(buf, 32, "%s.%d", LOGFILE_NAME, k);
}

static int open_k(int dirfd, int k, struct stat *st)
{
	char name[32];
	int fd;

	file_name(k, name);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)))
		fd_close(&fd);
	return fd;
}

/* Which log.json[.k] is (dev, ino) now: k, or -1. */
static int find_file(int dirfd, uint64_t dev, uint64_t ino)
{
	for (int k = 0; k < LOGFILE_FILES_MAX; k++) {
		char name[32];
		struct stat st;
		file_name(k, name);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == dev && st.st_ino == ino)
			return k;
	}
	return -1;
}

static int rdr_init(struct rdr *r, const struct logfile_opts *o, logfile_fn fn, void *ctx, struct berr *e)
{
	memset(r, 0, sizeof *r);
	r->o = o, r->fn = fn, r->ctx = ctx;
	r->buf = malloc(LINE_BUF + 1);
	r->text = malloc(LINE_BUF);
	if (!r->buf || !r->text) {
		free(r->buf);
		free(r->text);
		return berr_sys(e, "log reader");
	}
	return 0;
}

static void rdr_free(struct rdr *r)
{
	free(r->buf);
	free(r->text);
}

/* All files, opened at once (oldest first in fds[]), then read once to
 * count (tail) and once to pass the entries on. */
static int read_files(struct rdr *r, int *fds, int n, struct logfile_pos *end)
{
	int64_t off;
	int rc = 0;

	if (r->o->tail >= 0) {
		r->counting = 1;
		for (int i = 0; i < n; i++) {
			off = 0;
			read_lines(r, fds[i], &off);
		}
		r->counting = 0;
		r->skip = r->count > r->o->tail ? r->count - r->o->tail : 0;
	}
	for (int i = 0; i < n && rc >= 0; i++) {
		off = 0;
		rc = read_lines(r, fds[i], &off);
		if (i == n - 1 && end)
			end->off = off;
	}
	return rc;
}

int logfile_read(int dirfd, const struct logfile_opts *o, logfile_fn fn, void *ctx, struct logfile_pos *end,
		 struct berr *e)
{
	int fds[LOGFILE_FILES_MAX], n = 0, rc;
	struct stat st, newest = { 0 };
	struct rdr r;

	if (end)
		memset(end, 0, sizeof *end);
	if (rdr_init(&r, o, fn, ctx, e) < 0)
		return -1;
	for (int k = LOGFILE_FILES_MAX - 1; k >= 0; k--) {
		int fd = open_k(dirfd, k, &st);
		if (fd >= 0)
			fds[n++] = fd;
		if (k == 0 && fd >= 0)
			newest = st;
	}
	if (end && n && newest.st_ino) {
		end->dev = newest.st_dev;
		end->ino = newest.st_ino;
	}
	rc = newest.st_ino ? read_files(&r, fds, n, end) : (n ? read_files(&r, fds, n, NULL) : 0);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	rdr_free(&r);
	if (rc < -1000)
		return errno = -rc - 1000, berr_sys(e, "read the log");
	return rc;
}

/* ------------------------------------------------------------ following */

/* The file to go on with once the one at *pos has been read to its end:
 * the next newer one when it has been rotated away (its index k now, k-1
 * next), or -1 while it is still log.json. */
static int next_after(int dirfd, const struct logfile_pos *pos)
{
	int k = find_file(dirfd, pos->dev, pos->ino);

	if (k == 0)
		return -1;
	return k > 0 ? k - 1 : 0; /* gone altogether: log.json */
}

static int open_pos(int dirfd, struct logfile_pos *pos, int k)
{
	struct stat st;
	int fd = open_k(dirfd, k, &st);

	if (fd >= 0 && ((uint64_t)st.st_dev != pos->dev || (uint64_t)st.st_ino != pos->ino)) {
		pos->dev = st.st_dev;
		pos->ino = st.st_ino;
		pos->off = 0;
	}
	return fd;
}

/* Read what is new: to the end of the current file, then through the
 * files that replaced it. */
static int catch_up(struct rdr *r, int dirfd, struct logfile_pos *pos, int *fd)
{
	for (;;) {
		int rc, k;
		if (*fd >= 0 && (rc = read_lines(r, *fd, &pos->off)) < 0)
			return rc;
		k = *fd >= 0 ? next_after(dirfd, pos) : 0;
		if (k < 0)
			return 0;
		fd_close(fd);
		*fd = open_pos(dirfd, pos, k);
		if (*fd < 0)
			return 0; /* no log.json yet */
	}
}

int logfile_follow(int dirfd, struct logfile_pos *pos, const struct logfile_opts *o, logfile_fn fn,
		   void *ctx, int (*stop)(void *ctx), struct berr *e)
{
	struct logfile_opts fo = *o;
	struct rdr r;
	int fd = -1, rc = 0;

	fo.tail = -1;
	if (rdr_init(&r, &fo, fn, ctx, e) < 0)
		return -1;
	if (pos->ino) {
		int k = find_file(dirfd, pos->dev, pos->ino);
		struct stat st;
		if (k >= 0)
			fd = open_k(dirfd, k, &st);
	}
	for (;;) {
		int stopping = stop(ctx);
		/* after stop said 1, one more pass drains what came before */
		rc = catch_up(&r, dirfd, pos, &fd);
		if (rc < 0 || stopping)
			break;
		poll(NULL, 0, FOLLOW_POLL_MS);
	}
	fd_close(&fd);
	rdr_free(&r);
	if (rc < -1000)
		return errno = -rc - 1000, berr_sys(e, "read the log");
	return rc < 0 ? rc : 0;
}
