/* audit.c — one line per mutating request (method other than GET and
 * HEAD), appended to [api] audit_log:
 *
 *   2026-11-30T22:10:04Z subject="CN=admin-dev,O=admin" serial=1f3a… method=POST path=/v1.47/containers/create status=201
 *
 * The directory is opened (and the file created) before the privilege
 * drop; afterwards the file is reopened with openat on that directory fd,
 * so the chroot never needs to reach it. Past audit_max bytes the file is
 * renamed to NAME.1 (renameat on the same fd; one old file kept) and a new
 * one started. Writes are one write(2) each under a mutex, O_APPEND.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/api/apid.h"

static int mkdir_p(char *path, uid_t owner)
{
	for (char *s = path + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(path, 0750) == 0 && c == '\0')
				(void)chown(path, owner, (gid_t)-1);
			else if (errno != EEXIST && errno != 0) {
				*s = c;
				return -1;
			}
			*s = c;
			if (!c)
				return 0;
		}
	}
}

int audit_open(struct audit *a, const char *path, long long max, uid_t owner, struct berr *e)
{
	char dir[API_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	pthread_mutex_init(&a->mu, NULL);
	a->max = max;
	a->dirfd = a->fd = -1;
	if (!slash || !slash[1] || (size_t)(slash - path) >= sizeof(dir))
		return berr_set(e, EINVAL, "audit_log %s: want an absolute file path", path);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	snprintf(a->name, sizeof(a->name), "%s", slash + 1);
	errno = 0;
	if (*dir && mkdir_p(dir, owner) < 0)
		return berr_sys(e, "audit_log: %s", dir);
	a->dirfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->dirfd < 0)
		return berr_sys(e, "audit_log: %s", dir);
	if (owner != (uid_t)-1 && fstat(a->dirfd, &st) == 0 && st.st_uid != owner)
		(void)fchown(a->dirfd, owner, (gid_t)-1);
	a->fd = openat(a->dirfd, a->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (a->fd < 0)
		return berr_sys(e, "audit_log: %s", path);
	if (owner != (uid_t)-1)
		(void)fchown(a->fd, owner, (gid_t)-1);
	a->size = fstat(a->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

static void rotate_locked(struct audit *a)
{
	char old[API_PATH_MAX + 2];
	int fd;

	snprintf(old, sizeof(old), "%s.1", a->name);
	if (renameat(a->dirfd, a->name, a->dirfd, old) < 0)
		return;
	fd = openat(a->dirfd, a->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return;	/* keep writing to the renamed file rather than lose lines */
	close(a->fd);
	a->fd = fd;
	a->size = 0;
}

/* s quoted: '"' and '\\' escaped, control bytes as \xNN. */
static size_t quote(char *out, size_t size, const char *s)
{
	size_t n = 0;

	if (size < 3)
		return 0;
	out[n++] = '"';
	for (; *s && n + 6 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			out[n++] = '\\', out[n++] = (char)ch;
		else if (ch < 0x20 || ch == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

void audit_line(struct audit *a, const struct tls_peer_id *peer, const char *method,
		const char *target, int status)
{
	char line[2048], subj[600], when[32];
	struct timespec ts;
	struct tm tm;
	int n;

	if (a->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	quote(subj, sizeof(subj), peer ? peer->subject : "");
	n = snprintf(line, sizeof(line), "%s subject=%s serial=%s method=%s path=%s status=%d\n", when,
		     subj, peer && *peer->serial ? peer->serial : "-", method, target, status);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';	/* a path cut short, still one line */
	}
	pthread_mutex_lock(&a->mu);
	if (a->size + n > a->max)
		rotate_locked(a);
	if (write(a->fd, line, (size_t)n) == n)
		a->size += n;
	pthread_mutex_unlock(&a->mu);
}
