/* logfile_w.c — the shim's side of the log: entries appended to
 * log.json, rotated at the size limit (logfile.h). */
#include "runtime/shim/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"

/* An entry: the text escaped (at worst 6 bytes per byte, U+FFFD is 3 for
 * 1), the stream and the time around it. */
#define ENTRY_MAX (6 * CONFIG_SHIM_LOG_LINE_MAX + 128)

void logfile_format_time(int64_t ns, char buf[32])
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	char b[96];

	gmtime_r(&sec, &tm);
	snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns % 1000000000));
	memcpy(buf, b, 31);
	buf[31] = '\0';
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min;
	unsigned c = p[0], cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* p[0..n) with every byte that is not UTF-8 replaced by U+FFFD into out
 * (3 * n bytes at most); returns the length. */
static size_t utf8_clean(const char *p, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(u + i, n - i);
		if (l) {
			memcpy(out + o, p + i, l);
			o += l, i += l;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3, i++;
		}
	}
	return o;
}

static int open_log(struct logfile_w *w, struct berr *e)
{
	struct stat st;

	w->fd = openat(w->dirfd, LOGFILE_NAME, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (w->fd < 0)
		return berr_sys(e, "open %s", LOGFILE_NAME);
	if (fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fd_close(&w->fd);
		return berr_set(e, EINVAL, "%s: not a regular file", LOGFILE_NAME);
	}
	w->size = (uint64_t)st.st_size;
	return 0;
}

/* log.json.N-2 → .N-1 … log.json → .1, and a new log.json (one file
 * kept: log.json is emptied). */
static int rotate(struct logfile_w *w, struct berr *e)
{
	char from[32], to[32];

	fd_close(&w->fd);
	if (w->files == 1) {
		if (unlinkat(w->dirfd, LOGFILE_NAME, 0) < 0 && errno != ENOENT)
			return berr_sys(e, "rotate %s", LOGFILE_NAME);
		return open_log(w, e);
	}
	for (int k = w->files - 1; k >= 1; k--) {
		if (k == 1)
			snprintf(from, sizeof from, "%s", LOGFILE_NAME);
		else
			snprintf(from, sizeof from, "%s.%d", LOGFILE_NAME, k - 1);
		snprintf(to, sizeof to, "%s.%d", LOGFILE_NAME, k);
		if (renameat(w->dirfd, from, w->dirfd, to) < 0 && errno != ENOENT)
			return berr_sys(e, "rotate %s to %s", from, to);
	}
	return open_log(w, e);
}

int logfile_w_open(struct logfile_w *w, int dirfd, uint64_t max, int files, struct berr *e)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->dirfd = dirfd;
	w->max = max ? max : (uint64_t)CONFIG_SHIM_LOG_MAX_DEFAULT;
	w->files = files > 0 ? files : CONFIG_SHIM_LOG_FILES_DEFAULT;
	if (w->files > LOGFILE_FILES_MAX)
		w->files = LOGFILE_FILES_MAX;
	w->entry = malloc(ENTRY_MAX + 3 * CONFIG_SHIM_LOG_LINE_MAX);
	if (!w->entry)
		return berr_sys(e, "log buffer");
	if (open_log(w, e) < 0) {
		logfile_w_close(w);
		return -1;
	}
	return 0;
}

/* One entry of text p[0..n) (n <= CONFIG_SHIM_LOG_LINE_MAX). */
static int write_entry(struct logfile_w *w, int stream, const char *p, size_t n, const char *stamp,
		       struct berr *e)
{
	char *clean = w->entry + ENTRY_MAX;
	struct json_w j;
	const char *out;
	size_t len;

	json_w_init(&j, w->entry, ENTRY_MAX);
	json_w_obj(&j);
	json_w_key(&j, "log");
	json_w_strn(&j, clean, utf8_clean(p, n, clean));
	json_w_kstr(&j, "stream", stream == 2 ? "stderr" : "stdout");
	json_w_kstr(&j, "time", stamp);
	json_w_obj_end(&j);
	if (json_w_finish(&j, &out, &len, e) < 0)
		return berr_prefix(e, "log entry");
	w->entry[len++] = '\n'; /* over the NUL: the buffer has room (ENTRY_MAX is generous) */
	if (w->size > 0 && w->size + len > w->max && rotate(w, e) < 0) {
		/* keep logging into log.json rather than losing output */
		struct berr ignore;
		if (w->fd < 0 && open_log(w, &ignore) < 0)
			return -1;
		w->size = 0; /* (try the rotation again after another max bytes) */
		if (util_write_all(w->fd, w->entry, len, &ignore) < 0)
			return -1;
		w->size += len;
		return -1;
	}
	if (util_write_all(w->fd, w->entry, len, e) < 0)
		return berr_prefix(e, "write %s", LOGFILE_NAME);
	w->size += len;
	return 0;
}

int logfile_w_write(struct logfile_w *w, int stream, const char *p, size_t n, int64_t t_ns, struct berr *e)
{
	char stamp[32];

	/* a failed rotation left no log.json open: try again */
	if (w->fd < 0 && (!w->entry || open_log(w, e) < 0))
		return w->entry ? -1 : berr_set(e, EBADF, "the log is closed");
	logfile_format_time(t_ns, stamp);
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;
		if (k > CONFIG_SHIM_LOG_LINE_MAX)
			k = CONFIG_SHIM_LOG_LINE_MAX;
		if (write_entry(w, stream, p, k, stamp, e) < 0)
			return -1;
		p += k, n -= k;
	}
	return 0;
}

void logfile_w_close(struct logfile_w *w)
{
	fd_close(&w->fd);
	free(w->entry);
	w->entry = NULL;
}
