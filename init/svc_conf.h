/* svc_conf.h — one supervised service from /etc/berth/services.d/NAME.conf.
 *
 * The file is ini (read with lib/conf.h); every key lives in a [service]
 * section:
 *   command      = /ABS/PATH [ARG…]   words split on blanks, no quoting (required;
 *                                     no . or .. in the path)
 *   user         = NAME|UID           default SVC_DEFAULT_USER (berth-svc), or
 *                                     nobody (65534) when /etc/passwd lacks it;
 *                                     root only when written (UID 0-4294967294)
 *   group        = NAME|GID           default the user's primary group
 *   capabilities = none|all|cap_x cap_y…  capabilities kept (default none)
 *   restart      = always|on-failure|never   (default always)
 *   after        = NAME [NAME…]       start after these services (repeatable)
 *   memory_max   = N[K|M|G]           cgroup memory.max (default: no limit)
 *   pids_max     = N                  cgroup pids.max (default: no limit)
 *   env          = KEY=VALUE          one variable per line (repeatable)
 *   stop_signal  = TERM|INT|HUP|QUIT|USR1|USR2|KILL or a number (default TERM)
 *   stop_timeout = N[ms|s|m|h]        stop signal to SIGKILL, at most 10m; N
 *                                     alone is seconds (default Kconfig)
 *   kill         = group|main         what a stop or restart ends: the whole
 *                                     cgroup (default), or only the main
 *                                     process, leaving the processes it forked
 *                                     running (dropbear: admin sessions survive
 *                                     a restart of the listener); shutdown
 *                                     still ends every process
 *   console      = all|errors|none    which log lines are mirrored to the
 *                                     console (errors: lines with "error" or
 *                                     "warn"; default errors)
 * The service's name is the file name without ".conf": 1..31 of [a-z0-9_-].
 * A wrong key or value is reported as "file:line: what is wrong" and the
 * whole service is skipped (svc_conf_load returns -1 without setting *e).
 */
#ifndef BERTH_INIT_SVC_CONF_H
#define BERTH_INIT_SVC_CONF_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/log.h"

#define SVC_NAME_MAX 31
#define SVC_CMD_MAX 512      /* bytes of command and arguments */
#define SVC_ARGS_MAX 32
#define SVC_ENV_MAX 1024     /* bytes of KEY=VALUE strings */
#define SVC_ENVS_MAX 32
#define SVC_AFTER_MAX 8
#define SVC_FILE_MAX 8192    /* bytes of one services.d file, and of /etc/passwd */
#define SVC_PASSWD "/etc/passwd"
#define SVC_GROUP "/etc/group"
#define SVC_DEFAULT_USER "berth-svc" /* the user of a service without `user =` */
#define SVC_NOBODY 65534             /* ... when /etc/passwd has no such user */

enum svc_restart { SVC_RESTART_ALWAYS, SVC_RESTART_ON_FAILURE, SVC_RESTART_NEVER };
enum svc_console { SVC_CONSOLE_ERRORS, SVC_CONSOLE_ALL, SVC_CONSOLE_NONE };
enum svc_kill { SVC_KILL_GROUP, SVC_KILL_MAIN };

struct svc_conf {
	char name[SVC_NAME_MAX + 1];
	char cmd[SVC_CMD_MAX];              /* arguments, each NUL-terminated */
	unsigned short arg_off[SVC_ARGS_MAX];
	int argc;
	char env[SVC_ENV_MAX];              /* KEY=VALUE strings, NUL-terminated */
	unsigned short env_off[SVC_ENVS_MAX];
	int envc;
	uid_t uid;
	gid_t gid;
	int have_gid;                       /* group given (else the user's) */
	uint64_t caps;                      /* bit n: keep capability n */
	int caps_all;                       /* keep every capability */
	enum svc_restart restart;
	enum svc_kill kill;                 /* kill = group|main */
	char after[SVC_AFTER_MAX][SVC_NAME_MAX + 1];
	int nafter;
	long long memory_max;               /* bytes; 0: no limit */
	long pids_max;                      /* 0: no limit */
	int stop_signal;
	int stop_timeout_ms;
	enum svc_console console;
};

/* Is s a valid service name (1..31 of [a-z0-9_-])? */
int svc_name_valid(const char *s, size_t len);

/* Find name in an /etc/passwd or /etc/group style file: *id is field 3,
 * *id2 field 4 (passwd: the primary group). Returns 0, or -1 when the file
 * is unreadable or has no such name. Never allocates. */
int svc_conf_lookup(const char *file, const char *name, long *id, long *id2);

/* Read path (at most SVC_FILE_MAX-1 bytes) into *c, naming the service
 * `name`. Returns 0 when the service is usable; -1 when the file is
 * unreadable or too big (*e set) or any line was wrong (each logged through
 * lg as "path:line: what", e->errnum 0 and e->msg "N errors"). User and
 * group names are looked up in /etc/passwd and /etc/group. Never allocates. */
int svc_conf_load(struct svc_conf *c, const char *path, const char *name,
		  const struct logger *lg, struct berr *e);

/* Parse the same format from a buffer (used by the fuzz target and tests). */
int svc_conf_parse(struct svc_conf *c, const char *text, const char *path, const char *name,
		   const struct logger *lg, struct berr *e);

#endif
