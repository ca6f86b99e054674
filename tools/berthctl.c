/* berthctl — the admin's client: locally through PID 1's control socket,
 * or remotely (-H tcp://HOST:PORT) through berth-apid over TLS with a client
 * certificate (tools/berthctl_remote.c). main() parses the command line. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/initctl.h"
#include "lib/sock.h"
#include "tools/berthctl.h"
#include "tools/berthctl_top.h"
#include "tools/berthctl_update.h"

static const char usage[] =
	"usage: berthctl [--socket PATH] COMMAND\n"
	"       berthctl -H tcp://HOST:PORT [--tlsdir DIR] COMMAND\n"
	"\n"
	"Commands (local, through PID 1's control socket " INITCTL_PATH "):\n"
	"  status          the data partition's state: mounted, ephemeral, no-disk\n"
	"                  or mount-failed, and why\n"
	"  services        list services: name, state, pid, restarts, uptime, last exit\n"
	"  restart NAME    stop service NAME and start it again\n"
	"  reboot          stop every service and reboot\n"
	"  poweroff        stop every service and power off\n"
	"  halt            stop every service and halt\n"
	"  top [--engine PATH]  CPU, memory, disk, containers, services from berthd's GET /metrics\n"
	BERTHCTL_UPDATE_USAGE
	"\n"
	"services needs root or the berth-admin group; the others need\n"
	"CAP_SYS_BOOT (root over SSH has it).\n"
	"\n"
	"Remote (HTTPS to berth-apid with the client certificate DIR/cert.pem and\n"
	"DIR/key.pem, the server checked against DIR/ca.pem and the host's name or\n"
	"address): services, restart NAME, reboot, poweroff, system (version,\n"
	"uptime, data usage, certificate expiry; also: status), logs SERVICE [-f],\n"
	"metrics (the raw Prometheus text), ps (containers), slots, update\n"
	"[--sha256 HEX] FILE (the admin's; streamed, progress on stderr).\n"
	"The host comes from -H (--host), else BERTH_HOST, else DOCKER_HOST when it\n"
	"is tcp://; the directory from --tlsdir (--cert-dir), else BERTH_CERT_PATH,\n"
	"else DOCKER_CERT_PATH, else ~/.docker. Port 2376 when none is given.\n"
	"\n"
	"Exit codes:\n"
	"  0    done\n"
	"  1    PID 1 or berth-apid refused the request (its reason is printed)\n"
	"  100  usage\n"
	"  111  system call or TLS failed (connect, handshake, send, receive)\n";

static int request(const char *path, struct initctl_req *q, int (*each)(const struct initctl_rep *))
{
	struct initctl_rep r;
	struct berr e;
	int fd = sock_connect(path, SOCK_SEQPACKET, &e), rc = 0;

	if (fd < 0) {
		fprintf(stderr, "berthctl: error: %s\n", e.msg);
		return e.errnum == ENAMETOOLONG || e.errnum == EINVAL ? 100 : 111;
	}
	q->version = INITCTL_VERSION;
	if (send(fd, q, sizeof *q, MSG_NOSIGNAL) != (ssize_t)sizeof *q) {
		int err = errno;

		/* PID 1 answers a peer it refuses at once and closes: read why */
		if (err != EPIPE || recv(fd, &r, sizeof r, MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof r) {
			fprintf(stderr, "berthctl: error: send: %s\n", strerror(err));
			close(fd);
			return 111;
		}
	}
	do {
		ssize_t n = recv(fd, &r, sizeof r, 0);

		if (n != (ssize_t)sizeof r || r.version != INITCTL_VERSION) {
			fprintf(stderr, "berthctl: error: receive: %s\n",
				n < 0 ? strerror(errno) : "short or foreign reply");
			close(fd);
			return 111;
		}
		r.msg[sizeof r.msg - 1] = '\0';
		if (r.error) {
			fprintf(stderr, "berthctl: error: %s: %s\n", r.msg, strerror(r.error));
			rc = 1;
		} else if (each) {
			each(&r);
		} else if (r.msg[0]) {
			printf("%s\n", r.msg);
		}
	} while (r.more && rc == 0);
	close(fd);
	return rc;
}

static int print_services(const struct initctl_rep *r)
{
	for (uint32_t i = 0; i < r->count && i < INITCTL_SVCS_PER_REP; i++) {
		const struct initctl_svc *s = &r->svc[i];
		char last[32] = "-";

		if (s->last_status >= 0) {
			if (WIFSIGNALED(s->last_status))
				snprintf(last, sizeof last, "signal %d", WTERMSIG(s->last_status));
			else
				snprintf(last, sizeof last, "exit %d", WEXITSTATUS(s->last_status));
		}
		printf("%-20.*s %-9.12s %7d %8u %10lld.%03lld  %s\n", INITCTL_NAME_MAX, s->name,
		       s->state, (int)s->pid, (unsigned)s->restarts, (long long)s->uptime_ms / 1000,
		       (long long)s->uptime_ms % 1000, last);
	}
	return 0;
}

/* -H/--host, --tlsdir/--cert-dir and the environment; returns the index
 * of the command, or -1 for a usage error. */
static int options(int argc, char **argv, const char **path, struct bctl_remote *rm)
{
	static char home_docker[4096];
	const char *dh = getenv("DOCKER_HOST");
	int i = 1;

	while (i + 1 < argc && argv[i][0] == '-' && strcmp(argv[i], "--help") != 0) {
		if (!strcmp(argv[i], "--socket"))
			*path = argv[i + 1];
		else if (!strcmp(argv[i], "-H") || !strcmp(argv[i], "--host"))
			rm->host = argv[i + 1];
		else if (!strcmp(argv[i], "--tlsdir") || !strcmp(argv[i], "--cert-dir"))
			rm->tlsdir = argv[i + 1];
		else
			return -1;
		i += 2;
	}
	if (!rm->host)
		rm->host = getenv("BERTH_HOST");
	if (!rm->host && dh && !strncmp(dh, "tcp://", 6))
		rm->host = dh;
	if (rm->host && !rm->host[0])
		rm->host = NULL;
	if (!rm->tlsdir)
		rm->tlsdir = getenv("BERTH_CERT_PATH");
	if (!rm->tlsdir)
		rm->tlsdir = getenv("DOCKER_CERT_PATH");
	if (!rm->tlsdir || !rm->tlsdir[0]) {
		snprintf(home_docker, sizeof home_docker, "%s/.docker",
			 getenv("HOME") ? getenv("HOME") : "");
		rm->tlsdir = home_docker;
	}
	return i;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; uint32_t cmd; } simple[] = {
		{ "status", INITCTL_STATUS }, { "reboot", INITCTL_REBOOT }, { "poweroff", INITCTL_POWEROFF }, { "halt", INITCTL_HALT },
	};
	const char *path = INITCTL_PATH;
	struct bctl_remote rm = { 0 };
	struct initctl_req q;
	int i, rc;

	memset(&q, 0, sizeof q);
	signal(SIGPIPE, SIG_IGN);
	i = options(argc, argv, &path, &rm);
	if (i < 0 || i >= argc) {
		fputs(usage, stderr);
		return 100;
	}
	if (strcmp(argv[i], "--help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (rm.host)
		return bctl_remote_main(&rm, argc - i, argv + i);
	if (strcmp(argv[i], "top") == 0)
		return berthctl_top(argc - i, argv + i);
	if ((rc = berthctl_update_cmd(argc - i, argv + i)) >= 0)
		return rc;
	if (strcmp(argv[i], "services") == 0 && i + 1 == argc) {
		q.cmd = INITCTL_SERVICES;
		printf("%-20s %-9s %7s %8s %14s  %s\n", "NAME", "STATE", "PID", "RESTARTS", "UPTIME(s)", "LAST");
		return request(path, &q, print_services);
	}
	if (strcmp(argv[i], "restart") == 0 && i + 2 == argc) {
		if (strlen(argv[i + 1]) >= sizeof q.name) {
			fprintf(stderr, "berthctl: error: service name too long: %s\n", argv[i + 1]);
			return 100;
		}
		q.cmd = INITCTL_RESTART;
		strcpy(q.name, argv[i + 1]);
		return request(path, &q, NULL);
	}
	for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++) {
		if (strcmp(argv[i], simple[k].name) == 0 && i + 1 == argc) {
			q.cmd = simple[k].cmd;
			return request(path, &q, NULL);
		}
	}
	fprintf(stderr, "berthctl: error: unknown command or wrong arguments: %s\n%s", argv[i], usage);
	return 100;
}
