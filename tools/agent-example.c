/* agent-example — an operator's agent as a berth service (docs/metrics.md
 * "Agents"): every INTERVAL seconds it writes one line to stdout, which PID 1
 * keeps in /run/berth/log/NAME.log. It needs no privilege: it reads
 * /proc/loadavg and /proc/meminfo, which every user may, and it runs as the
 * service's unprivileged user in the service's cgroup with its limits.
 *
 * usage: berth-agent-example [-i SECONDS] [-n COUNT]
 *   -i  seconds between lines (1..3600, default 10)
 *   -n  stop after COUNT lines (default: until SIGTERM)
 * Exit codes: 0 done or stopped by SIGTERM/SIGINT, 100 usage, 111 /proc unreadable.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* One line: "load1=… load5=… load15=… mem_available_bytes=… uid=…". */
static int report(struct berr *e)
{
	char load[128], mem[8192];
	double l1, l5, l15;
	const char *p;

	if (fs_read("/proc/loadavg", load, sizeof(load), e) < 0 || fs_read("/proc/meminfo", mem, sizeof(mem), e) < 0)
		return -1;
	if (sscanf(load, "%lf %lf %lf", &l1, &l5, &l15) != 3 || !(p = strstr(mem, "MemAvailable:")))
		return berr_set(e, EINVAL, "/proc/loadavg or /proc/meminfo: unexpected format");
	printf("load1=%.2f load5=%.2f load15=%.2f mem_available_bytes=%llu uid=%u\n", l1, l5, l15,
	       strtoull(p + 13, NULL, 10) * 1024, (unsigned)getuid());
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	long interval = 10, count = -1;
	struct berr e;
	int opt;

	while ((opt = getopt(argc, argv, "i:n:")) != -1) {
		char *end = NULL;
		long v = opt == 'i' || opt == 'n' ? strtol(optarg, &end, 10) : 0;

		if (!end || *end || (opt == 'i' && (v < 1 || v > 3600)) || (opt == 'n' && v < 1)) {
			fputs("usage: berth-agent-example [-i SECONDS] [-n COUNT]\n", stderr);
			return 100;
		}
		*(opt == 'i' ? &interval : &count) = v;
	}
	if (optind != argc) {
		fputs("usage: berth-agent-example [-i SECONDS] [-n COUNT]\n", stderr);
		return 100;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop && count != 0) {
		struct timespec ts = { interval, 0 };

		if (report(&e) < 0) {
			fprintf(stderr, "berth-agent-example: error: %s\n", e.msg);
			return 111;
		}
		if (count > 0 && --count == 0)
			break;
		while (!stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return 0;
}
