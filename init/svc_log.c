/* svc_log.c — per-service log files with a size bound, console mirror. */
#include "init/svc_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/ctl.h"
#include "init/svc_conf.h"
#include "lib/util.h"

#define LOG_MAX_BYTES ((long long)CONFIG_INIT_SVC_LOG_KB * 1024)
#define SKIP_REPORT_NS 5000000000LL /* "N lines kept off the console" at most this often */

/* The admin group's gid (berth-apid reads the logs through it), or 0
 * (root's) when /etc/group has none. */
static gid_t log_gid(void)
{
	long gid, unused;

	if (svc_conf_lookup(SVC_GROUP, CTL_ADMIN_GROUP, &gid, &unused) < 0 || gid <= 0)
		return 0;
	return (gid_t)gid;
}

static int open_file(struct svc *s, struct berr *e)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, SVC_LOG_DIR "/%s.log", s->c.name);
	s->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (s->log_fd < 0)
		return berr_sys(e, "open %s", path);
	/* 0640 root:berth-admin, also for a file an older PID 1 left root's;
	 * a failure keeps the log going, root's only */
	if (fchown(s->log_fd, 0, log_gid()) == 0)
		(void)fchmod(s->log_fd, 0640);
	s->log_bytes = fstat(s->log_fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

int svc_log_open(struct svc *s, struct berr *e)
{
	int p[2];

	s->log_fd = s->log_r = s->log_w = -1;
	/* Root's only: the control socket and the service logs live here
	 * (ctl_open lets the admin group pass through to the socket). */
	if (mkdir("/run/berth", 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir /run/berth");
	if (mkdir(SVC_LOG_DIR, 0750) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir " SVC_LOG_DIR);
	if (chown(SVC_LOG_DIR, 0, log_gid()) < 0 || chmod(SVC_LOG_DIR, 0750) < 0)
		return berr_sys(e, "chown " SVC_LOG_DIR " to root:" CTL_ADMIN_GROUP);
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe");
	s->log_r = p[0];
	s->log_w = p[1];
	if (fcntl(s->log_r, F_SETFL, O_NONBLOCK) < 0) {
		berr_sys(e, "fcntl O_NONBLOCK");
		fd_close(&s->log_r);
		fd_close(&s->log_w);
		return -1;
	}
	return open_file(s, e);
}

/* Keep the file under its bound: the full one becomes NAME.log.1. */
static void rotate(const struct logger *lg, struct svc *s)
{
	char from[64], to[64];
	struct berr e;

	snprintf(from, sizeof from, SVC_LOG_DIR "/%s.log", s->c.name);
	snprintf(to, sizeof to, SVC_LOG_DIR "/%s.log.1", s->c.name);
	if (rename(from, to) < 0)
		log_msg(lg, LOG_WARN, "service %s: rename %s: %s", s->c.name, from, strerror(errno));
	fd_close(&s->log_fd);
	if (open_file(s, &e) < 0)
		log_err(lg, &e);
}

static void to_file(const struct logger *lg, struct svc *s, const char *buf, size_t n)
{
	if (s->log_fd >= 0 && s->log_bytes + (long long)n > LOG_MAX_BYTES)
		rotate(lg, s);
	if (s->log_fd < 0)
		return; /* the line still reaches the console when asked */
	if (write(s->log_fd, buf, n) == (ssize_t)n)
		s->log_bytes += (long long)n;
}

static int wanted(const struct svc *s, const char *line)
{
	if (s->c.console == SVC_CONSOLE_ALL)
		return 1;
	if (s->c.console == SVC_CONSOLE_NONE)
		return 0;
	return strcasestr(line, "error") || strcasestr(line, "warn") || strcasestr(line, "fatal");
}

/* The console's token bucket (GCRA): a service may put
 * CONFIG_INIT_CONSOLE_BURST lines on the console at once and
 * CONFIG_INIT_CONSOLE_RATE a second after that. 1 when this line may go. */
static int console_token(struct svc *s, long long now)
{
	const long long interval = 1000000000LL / CONFIG_INIT_CONSOLE_RATE;
	long long tat = s->con_tat_ns > now ? s->con_tat_ns : now;

	if (tat - now > (long long)(CONFIG_INIT_CONSOLE_BURST - 1) * interval)
		return 0;
	s->con_tat_ns = tat + interval;
	return 1;
}

/* "[stamp] NAME: text" on the console, through PID 1's non-blocking
 * descriptor (dropped and counted when the console does not take it:
 * then -1). */
static int to_console(const struct logger *lg, const struct svc *s, long long now, const char *text)
{
	char out[LOG_LINE_MAX];
	int n = lg->stamp ? log_format_stamp(out, sizeof out, now) : 0;

	n += snprintf(out + n, sizeof out - (size_t)n, "%s: %s", s->c.name, text);
	if (n > (int)sizeof out - 2)
		n = (int)sizeof out - 2;
	out[n++] = '\n';
	return log_write(lg, out, (size_t)n);
}

static void mirror_line(const struct logger *lg, struct svc *s)
{
	char said[128];

	s->line[s->line_len] = '\0';
	if (s->line_len && wanted(s, s->line)) {
		long long now = log_boottime_ns();

		if (!console_token(s, now)) {
			s->con_skipped++; /* the log file has it */
		} else {
			/* the count is kept until the console took the report: one
			 * said while it was stopped would be lost, and the next
			 * only due SKIP_REPORT_NS later */
			if (s->con_skipped && now - s->con_said_ns >= SKIP_REPORT_NS) {
				snprintf(said, sizeof said, "%lu lines kept off the console (rate limit); "
					 "all are in " SVC_LOG_DIR, s->con_skipped);
				if (to_console(lg, s, now, said) == 0) {
					s->con_skipped = 0;
					s->con_said_ns = now;
				}
			}
			(void)to_console(lg, s, now, s->line); /* the line as the service wrote it */
		}
	}
	s->line_len = 0;
}

void svc_log_drain(const struct logger *lg, struct svc *s)
{
	char buf[4096];

	for (int rounds = 0; rounds < 16; rounds++) { /* bounded: others get their turn */
		ssize_t n = read(s->log_r, buf, sizeof buf);

		if (n <= 0)
			return;
		to_file(lg, s, buf, (size_t)n);
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				mirror_line(lg, s);
			} else if (s->line_len < sizeof s->line - 1) {
				s->line[s->line_len++] = buf[i];
			} else {
				mirror_line(lg, s); /* an over-long line goes out in pieces */
				s->line[s->line_len++] = buf[i];
			}
		}
	}
}
