/* metrics.h — berthd's GET /metrics, split by source (docs/metrics.md).
 *
 * api_metrics.c answers the route: one chunked text/plain 0.0.4 body
 * written through lib/prom with a fixed buffer, each part below adding its
 * families. Everything is read at scrape time; nothing polls. A source that
 * cannot be read leaves its samples out (a family keeps its HELP and TYPE).
 */
#ifndef BERTH_RUNTIME_ENGINE_METRICS_H
#define BERTH_RUNTIME_ENGINE_METRICS_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/cgroup.h"
#include "lib/prom.h"
#include "runtime/engine/ctr_rec.h"

struct engine;

#define METRICS_IF_NAME 16     /* IFNAMSIZ */

/* One interface's counters from a /proc/net/dev. */
struct metrics_netdev {
	char name[METRICS_IF_NAME];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

/* Parse the text of /proc/net/dev (or /proc/PID/net/dev) into out[max]:
 * the count of interfaces (those beyond max are left out), -1 when a line
 * is malformed. */
int metrics_netdev_parse(const char *buf, struct metrics_netdev *out, int max);

/* metrics_host.c: the host's families from proc (/proc, or a fixture
 * directory in the tests) and the file system holding data_root. */
void metrics_host(struct prom_w *w, const char *proc, const char *data_root);
/* metrics_ctr.c: the containers' families (the table copied under eng->mu,
 * then the files read without it). */
void metrics_ctr(struct engine *eng, struct prom_w *w);

#define METRICS_CTR_IF_MAX 8

/* One container as the families see it. */
struct metrics_ctr {
	char id[CTR_ID_LEN + 1], name[CTR_NAME_MAX], image[CTR_REF_MAX], state[16];
	int running;
	pid_t pid;
	int restarts;
	int64_t started_ns;
	int has_mem, has_cpu, has_io, has_pids;  /* what could be read */
	struct cgroup_memory mem;
	struct cgroup_cpu cpu;
	long long mem_max, pids, pids_max;       /* -1: "max"; -2: unreadable */
	long long io_r, io_w;
	int nif;
	struct metrics_netdev ifs[METRICS_CTR_IF_MAX];
};

/* metrics_ctr_out.c: read c's cgroup files from cgroot/<id>/ and its
 * network counters from proc/<pid>/net/dev (the container's namespace, as
 * its init process sees it); then write every container family for cs[0..n). */
void metrics_ctr_read(struct metrics_ctr *c, const char *cgroot, const char *proc);
void metrics_ctr_write(struct prom_w *w, const struct metrics_ctr *cs, int n);
/* metrics_svc.c: PID 1's services, from its control socket at init_sock
 * (absent: no samples) and their cgroups under cgroup_dir. */
void metrics_svc(struct prom_w *w, const char *init_sock, const char *cgroup_dir);
void metrics_engine(struct engine *eng, struct prom_w *w);   /* api_metrics.c */

#endif
