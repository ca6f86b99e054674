/* svc_log.h — a service's stdout/stderr: a pipe PID 1 reads, copied to
 * /run/berth/log/NAME.log (at most CONFIG_INIT_SVC_LOG_KB; then it becomes
 * NAME.log.1 and a new file starts) and mirrored to the console line by
 * line as the service's `console =` asks. The pipe lives as long as PID 1,
 * across restarts; nothing here allocates. */
#ifndef BERTH_INIT_SVC_LOG_H
#define BERTH_INIT_SVC_LOG_H

#include "init/state.h"
#include "lib/err.h"

#define SVC_LOG_DIR "/run/berth/log"

/* Make the pipe (read end non-blocking) and open the log file. */
int svc_log_open(struct svc *s, struct berr *e);

/* Copy what the pipe holds to the log file and the console. */
void svc_log_drain(const struct logger *lg, struct svc *s);

#endif
