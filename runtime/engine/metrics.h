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

#include "lib/prom.h"

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
void metrics_ctr(struct engine *eng, struct prom_w *w);      /* metrics_ctr.c */
/* metrics_svc.c: PID 1's services, from its control socket at init_sock
 * (absent: no samples) and their cgroups under cgroup_dir. */
void metrics_svc(struct prom_w *w, const char *init_sock, const char *cgroup_dir);
void metrics_engine(struct engine *eng, struct prom_w *w);   /* api_metrics.c */

#endif
