/* state.h — PID 1's whole state: one struct, made in main() on the stack
 * and passed down. Nothing in init/ keeps state anywhere else. */
#ifndef BERTH_INIT_STATE_H
#define BERTH_INIT_STATE_H

#include <sys/types.h>

#include "autoconf.h"
#include "init/conf.h"
#include "init/svc_conf.h"
#include "lib/evloop.h"
#include "lib/log.h"

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
	long long drain_ns;              /* restart waiting for the old cgroup to empty since */
	int log_r, log_w;                /* pipe for stdout/stderr, kept across runs */
	int log_fd;                      /* /run/berth/log/NAME.log */
	long long log_bytes;             /* bytes in log_fd */
	char line[SVC_LINE_MAX];         /* partial line for the console mirror */
	size_t line_len;
	long long con_tat_ns;            /* console rate limit: the bucket's next-line time */
	unsigned long con_skipped;       /* lines the rate limit kept off the console */
	long long con_said_ns;           /* when that count was last reported */
};

/* Input devices with a power button that PID 1 watches (power.h). */
#define POWER_DEVS_MAX 4

struct power_state {
	int fd[POWER_DEVS_MAX];          /* -1: free */
	int id[POWER_DEVS_MAX];          /* loop slots */
	dev_t rdev[POWER_DEVS_MAX];
	char name[POWER_DEVS_MAX][16];   /* "event0" */
	int timer;                       /* scans /dev/input while none is open */
};

/* The event loop's tables: the signalfd, the control socket and its
 * client, one log pipe per service, the power button devices; one timer
 * each for the services' next due time, the console shell's respawn, the
 * control client's deadline, the shutdown's current step, the power
 * button scan and the watchdog's ping. */
#define INIT_LOOP_FDS (3 + CONFIG_INIT_SERVICES_MAX + POWER_DEVS_MAX)
#define INIT_LOOP_TIMERS 7

/* Where the shutdown is (shutdown.h): a step and what it waits for. */
enum shutdown_step {
	SHUTDOWN_SERVICES,        /* stopping services in reverse start order */
	SHUTDOWN_TERM_ALL,        /* SIGTERM to every process, grace period */
	SHUTDOWN_KILL_ALL,        /* SIGKILL to what is left */
	SHUTDOWN_FINAL,           /* seed, sync, unmount (in a child, with a deadline), reboot(2) */
	SHUTDOWN_HALTED,          /* reboot(2) failed: retried, then only reaping */
};

struct shutdown_state {
	enum shutdown_step step;
	int entered;                     /* the current step's action is done */
	int svc;                         /* SERVICES: index in order being stopped */
	long long t0_ns;                 /* when the shutdown began */
	long long step_ns;               /* when the current step began */
	long long deadline_ns;           /* the current step gives up then */
	int timer;                       /* evloop timer that advances it */
	pid_t final_pid;                 /* FINAL: the child writing out the data, 0: none */
	int final_status;                /* its wait status once reaped */
};

struct init {
	struct logger log;               /* fd: PID 1's own non-blocking console descriptor */
	struct log_drops console_drops;  /* lines that descriptor did not take */
	struct log_queue console_queue;  /* what it has not taken yet (lib/log.h) */
	long long t0_ns;                 /* CLOCK_BOOTTIME when PID 1 started */
	const char *conf_path;
	struct init_conf conf;
	int sigfd;                       /* signalfd for every signal PID 1 handles */
	pid_t shell_pid;                 /* console shell, 0 when not running */
	enum init_stop stop;
	int stopping;                    /* shutdown under way: no restarts */
	struct shutdown_state sd;
	int data;                        /* data dir: 1 partition, 0 tmpfs, -1 none */
	char data_status[96];            /* "data STATE: detail" (init/data.c), for berthctl status */
	int cg_parent_made;              /* svc.h: the services' parent cgroup was made (or tried) */
	pid_t data_mount_pid;            /* data.h: the child mounting the partition, 0: none */
	char data_dev[64];               /* the device it mounts */
	struct power_state power;        /* power.h */
	int wd_fd;                       /* watchdog.h: the device, -1: none */
	int wd_period_ms;                /* its ping period */
	int t_wd;                        /* its loop timer, -1: none */
	pid_t mod_after_pid;             /* boot_after.h: the modules_after loader, 0: none */
	pid_t mod_late_pid;              /* the modules_late loader, 0: none */

	struct svc svcs[CONFIG_INIT_SERVICES_MAX];
	int nsvcs;
	int order[CONFIG_INIT_SERVICES_MAX];   /* start order: indexes into svcs */
	int svc_watched;                 /* services [0, svc_watched) have their log pipe in the loop */

	struct evloop loop;              /* init/loop.c's; CLOCK_BOOTTIME */
	struct evloop_fd loop_fds[INIT_LOOP_FDS];
	struct evloop_timer loop_timers[INIT_LOOP_TIMERS];
	int loop_heap[INIT_LOOP_TIMERS];
	int ctl_id, client_id;           /* loop slots of ctl_fd and ctl_client, -1: none */
	int t_svc, t_shell, t_client;    /* loop timers */
	int t_log;                       /* flushes console_queue while it holds lines */

	int ctl_fd;                      /* listening control socket, -1: none */
	int ctl_client;                  /* one client at a time, -1: none */
	long long ctl_deadline_ns;       /* drop the client if silent until then */
};

#endif
