/* berthctl_top.h — `berthctl top`: a short human summary of one GET /metrics
 * body (docs/metrics.md): CPU, memory, disk, the containers with their CPU
 * and memory, the services. */
#ifndef BERTH_TOOLS_BERTHCTL_TOP_H
#define BERTH_TOOLS_BERTHCTL_TOP_H

#include <stddef.h>

#include "lib/err.h"

#define TOP_CTR_MAX 256          /* containers listed (more are counted) */
#define TOP_SVC_MAX 64           /* services listed */
#define TOP_BODY_MAX (8 << 20)   /* the largest /metrics body berthctl reads */

/* Turn the text-format body metrics[0..len) into lines in out[size]
 * (NUL-terminated). Lines it does not understand are skipped; a malformed
 * sample line is EINVAL naming its line; out too small is ENOBUFS. Returns
 * the length written. */
int top_format(const char *metrics, size_t len, char *out, size_t size, struct berr *e);

/* `berthctl top [--engine PATH]` (argv[0] is "top"): fetch GET /metrics from
 * berthd's socket (default /run/berth/engine.sock) and print the summary.
 * Returns the exit code (0, 100 usage, 111 system call failed, 1 bad answer). */
int berthctl_top(int argc, char **argv);

#endif
