/* state.h — PID 1's whole state: one struct, made in main() on the stack
 * and passed down. Nothing in init/ keeps state anywhere else. */
#ifndef BERTH_INIT_STATE_H
#define BERTH_INIT_STATE_H

#include <sys/types.h>

#include "init/conf.h"
#include "lib/log.h"

enum init_stop {
	STOP_NONE,
	STOP_POWEROFF,
	STOP_REBOOT,
	STOP_HALT,
};

struct init {
	struct logger log;
	long long t0_ns;                 /* CLOCK_BOOTTIME when PID 1 started */
	const char *conf_path;
	struct init_conf conf;
	int sigfd;                       /* signalfd for every signal PID 1 handles */
	pid_t shell_pid;                 /* console shell, 0 when not running */
	long long shell_respawn_ns;      /* when to start it again, 0: not pending */
	enum init_stop stop;
};

#endif
