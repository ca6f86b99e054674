/* state.h — PID 1's whole state: one struct, made in main() on the stack
 * and passed down. Nothing in init/ keeps state anywhere else. */
#ifndef BERTH_INIT_STATE_H
#define BERTH_INIT_STATE_H

#include <poll.h>
#include <sys/types.h>

#include "autoconf.h"
#include "init/conf.h"
#include "init/svc_conf.h"
#include "lib/log.h"

#ifndef CONFIG_INIT_SERVICES_MAX
#define CONFIG_INIT_SERVICES_MAX 32
#endif

enum init_stop {
	STOP_NONE,
	STOP_POWEROFF,
	STOP_REBOOT,
	STOP_HALT,
};

enum svc_state {
	SVC_DOWN,        /* not started, stopped, or exited for good */
	SVC_RUNNING,
	SVC_STOPPING,    /* stop signal sent; SIGKILL at due_ns */
	SVC_BACKOFF,     /* exited; started again at due_ns */
};

#define SVC_LINE_MAX 256

/* One supervised service: its configuration and what PID 1 knows of it. */
struct svc {
	struct svc_conf c;
	enum svc_state state;
	pid_t pid;                       /* main process while RUNNING/STOPPING */
	long long started_ns;            /* when the current run started */
	long long due_ns;                /* BACKOFF: start; STOPPING: SIGKILL; 0: none */
	long long stop_ns;               /* when the stop signal was sent */
	int backoff_ms;                  /* the next restart delay */
	unsigned restarts;               /* starts after the first */
	int last_status;                 /* wait status of the last exit, -1: none */
	int restart_asked;               /* start again once stopped (control socket) */
	int log_r, log_w;                /* pipe for stdout/stderr, kept across runs */
	int log_fd;                      /* /run/berth/log/NAME.log */
	long long log_bytes;             /* bytes in log_fd */
	char line[SVC_LINE_MAX];         /* partial line for the console mirror */
	size_t line_len;
};

/* Fixed slots in the poll set; the services' log pipes follow. */
enum { PFD_SIG, PFD_CTL, PFD_CLIENT, PFD_SVC };

struct init {
	struct logger log;
	long long t0_ns;                 /* CLOCK_BOOTTIME when PID 1 started */
	const char *conf_path;
	struct init_conf conf;
	int sigfd;                       /* signalfd for every signal PID 1 handles */
	pid_t shell_pid;                 /* console shell, 0 when not running */
	long long shell_respawn_ns;      /* when to start it again, 0: not pending */
	enum init_stop stop;
	int stopping;                    /* shutdown under way: no restarts */
	int data;                        /* data dir: 1 partition, 0 tmpfs, -1 none */

	struct svc svcs[CONFIG_INIT_SERVICES_MAX];
	int nsvcs;
	int order[CONFIG_INIT_SERVICES_MAX];   /* start order: indexes into svcs */
	struct pollfd pfd[PFD_SVC + CONFIG_INIT_SERVICES_MAX];

	int ctl_fd;                      /* listening control socket, -1: none */
	int ctl_client;                  /* one client at a time, -1: none */
	long long ctl_deadline_ns;       /* drop the client if silent until then */
};

#endif
