/* metrics_svc.c — PID 1's services (label name): up, restarts and the last
 * exit from init's control socket (INITCTL_SERVICES, which uid 0 may ask),
 * memory from each service's cgroup (init/svc.c puts service NAME in
 * CGDIR/NAME). Without the control socket (berthd on an ordinary host) the
 * families have no samples.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/cgroup.h"
#include "lib/initctl.h"
#include "lib/sock.h"
#include "runtime/engine/metrics.h"

#define SVC_MAX CONFIG_INIT_SERVICES_MAX   /* init never has more */
#define SVC_TIMEOUT_MS 1000

struct svc_list {
	int n;
	struct initctl_svc s[SVC_MAX];
};

/* Ask PID 1 for its services: 0, or -1 (no socket, refused, timed out). */
static int svc_query(const char *path, struct svc_list *l)
{
	struct initctl_req q = { .version = INITCTL_VERSION, .cmd = INITCTL_SERVICES };
	struct timeval tv = { SVC_TIMEOUT_MS / 1000, (SVC_TIMEOUT_MS % 1000) * 1000 };
	struct initctl_rep *r = malloc(sizeof(*r));
	struct berr e;
	int fd, rc = -1;

	l->n = 0;
	if (!r)
		return -1;
	fd = sock_connect(path, SOCK_SEQPACKET, &e);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (send(fd, &q, sizeof(q), MSG_NOSIGNAL) != (ssize_t)sizeof(q))
		goto out;
	for (;;) {
		if (recv(fd, r, sizeof(*r), 0) != (ssize_t)sizeof(*r) || r->version != INITCTL_VERSION || r->error)
			goto out;
		for (uint32_t i = 0; i < r->count && i < INITCTL_SVCS_PER_REP && l->n < SVC_MAX; i++) {
			l->s[l->n] = r->svc[i];
			l->s[l->n].name[INITCTL_NAME_MAX - 1] = '\0';
			l->s[l->n].state[sizeof(l->s[l->n].state) - 1] = '\0';
			l->n++;
		}
		if (!r->more)
			break;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(r);
	if (rc < 0)
		l->n = 0;
	return rc;
}

/* A wait status as a shell would say it: the exit code, or 128 + signal. */
static int exit_code(int32_t status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

void metrics_svc(struct prom_w *w, const char *init_sock, const char *cgroup_dir)
{
	struct svc_list *l = calloc(1, sizeof(*l));
	long long *mem = calloc(SVC_MAX, sizeof(*mem));
	int n = 0;

	if (l && mem && svc_query(init_sock, l) == 0)
		n = l->n;
	for (int i = 0; i < n; i++) {
		char path[512];
		struct berr e;
		int fd;

		mem[i] = -1;
		snprintf(path, sizeof(path), "%s/%s", cgroup_dir, l->s[i].name);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && cgroup_read_value(fd, "memory.current", &mem[i], &e) < 0)
			mem[i] = -1;
		if (fd >= 0)
			close(fd);
	}
	prom_family(w, "berth_service_up", "gauge", "1 while PID 1's service runs, else 0.");
	for (int i = 0; i < n; i++) {
		const char *const lb[] = { "name", l->s[i].name, NULL };

		prom_sample(w, "berth_service_up", lb, strcmp(l->s[i].state, "running") == 0);
	}
	prom_family(w, "berth_service_restarts_total", "counter", "Times PID 1 started the service again.");
	for (int i = 0; i < n; i++) {
		const char *const lb[] = { "name", l->s[i].name, NULL };

		prom_sample_u64(w, "berth_service_restarts_total", lb, l->s[i].restarts);
	}
	prom_family(w, "berth_service_last_exit_code", "gauge",
		    "How the service's last run ended: its exit code, or 128 + the signal that ended it.");
	for (int i = 0; i < n; i++) {
		const char *const lb[] = { "name", l->s[i].name, NULL };

		if (l->s[i].last_status >= 0 && exit_code(l->s[i].last_status) >= 0)
			prom_sample_i64(w, "berth_service_last_exit_code", lb, exit_code(l->s[i].last_status));
	}
	prom_family(w, "berth_service_memory_bytes", "gauge", "Memory charged to the service's cgroup (memory.current).");
	for (int i = 0; i < n; i++) {
		const char *const lb[] = { "name", l->s[i].name, NULL };

		if (mem[i] >= 0)
			prom_sample_u64(w, "berth_service_memory_bytes", lb, (uint64_t)mem[i]);
	}
	free(mem);
	free(l);
}
