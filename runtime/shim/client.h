/* client.h — what berthd calls to run a container through berth-shim
 * (runtime/shim).
 *
 * One berth-shim per run of a container: started detached (berthd never
 * reaps it and may die and come back), it creates the container from
 * DIR/spec.json, listens on a SOCK_SEQPACKET control socket (root only,
 * SO_PEERCRED) and records the container's life in DIR/state.json. It
 * exits once the container's first process has ended, its state is
 * recorded and every attach stream and waiter has been served.
 *
 * Every call here is one request and one answer on a connection from
 * shim_connect (several calls may share it, one at a time; shim_wait
 * blocks its connection until the exit). Errors carry the shim's own
 * message.
 */
#ifndef BERTH_SHIM_CLIENT_H
#define BERTH_SHIM_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"
#include "runtime/launch/launch.h"

struct shim_paths {
	const char *bin;     /* berth-shim */
	const char *dir;     /* the container's directory: spec.json, state.json, log.json */
	const char *ctl;     /* the control socket (its directory is made 0700 when missing) */
	const char *cgroup;  /* the shims' cgroup directory (a leaf); NULL: none */
};

/* Start berth-shim detached (double fork, setsid). It reads dir/spec.json,
 * creates the container (launch_create, not started), opens ctl, writes
 * state.json ("created") and only then reports ready; a failure comes
 * back as the shim's message with its launch class in r, and nothing is
 * left running. r->warn gets the launch's warnings. */
int shim_spawn(const struct shim_paths *p, struct launch_result *r, struct berr *e);

/* Connect to a shim's control socket: the fd (close-on-exec). ENOENT or
 * ECONNREFUSED: no shim runs there. */
int shim_connect(const char *ctl, struct berr *e);

/* launch_start: let the container's first process exec its command.
 * A failure has r->class LAUNCH_ERR_EXEC with status 126/127. */
int shim_start(int fd, struct launch_result *r, struct berr *e);

/* Send sig to the container's first process. ESRCH once it has ended. */
int shim_kill(int fd, int sig, struct berr *e);

/* The terminal's window size (tty containers; EINVAL otherwise). */
int shim_resize(int fd, unsigned rows, unsigned cols, struct berr *e);

#define SHIM_STDIN 1
#define SHIM_STDOUT 2
#define SHIM_STDERR 4
#define SHIM_MUX 8      /* DOCKER_API.md §5.2 frames (not with a tty) */

/* Hand a client connection (already answered 101) to the shim: it reads
 * stdin from it, writes the output to it, and closes it after the
 * container's output has ended (EOF of stdout+stderr). An attach before
 * start sees everything from the first byte. A write-side EOF from the
 * client is end-of-stdin, never the end of the output. The shim owns conn
 * from here: this call closes the caller's copy, whatever it returns. */
int shim_attach(int fd, int conn, unsigned flags, struct berr *e);

struct shim_exec_req {
	char *const *argv;          /* NULL-terminated */
	const char *const *env;     /* "K=V", added to the container's */
	int n_env;
	const char *user;           /* NULL: the container's */
	const char *workdir;        /* NULL: the container's */
	int tty;
	unsigned flags;             /* SHIM_STDIN|SHIM_STDOUT|SHIM_STDERR, SHIM_MUX without tty */
	int privileged;             /* must be 0: refused otherwise */
};

/* Start a process in the running container, its stdio on conn (-1:
 * detached, output discarded). *no is the shim's number for it. Exec
 * failure is not an error here: the shim writes dockerd's "OCI runtime
 * exec failed: …" line as a stdout frame (raw with a tty), records
 * 126/127, and closes conn. The shim owns conn from here: this call
 * closes the caller's copy, whatever it returns. */
int shim_exec(int fd, const struct shim_exec_req *x, int conn, int *no, struct berr *e);
int shim_exec_resize(int fd, int no, unsigned rows, unsigned cols, struct berr *e);
/* running 1/0; the exit code is final once running is 0 (recorded before
 * conn is closed); pid 0 when it never ran. ENOENT: no such exec. */
int shim_exec_status(int fd, int no, int *running, int *code, pid_t *pid, struct berr *e);

enum shim_status { SHIM_CREATED, SHIM_RUNNING, SHIM_EXITED };
struct shim_state {
	enum shim_status status;
	pid_t pid;                /* the first process (0 when it never existed) */
	pid_t shim_pid;
	int exit_code;            /* 128+n when killed by signal n */
	int oom_killed;
	int64_t started_ns, finished_ns; /* unix ns, 0 unset */
	char error[256];          /* why it did not run (start failure) */
};

/* Block until the container has exited (at once if it has); *st is its
 * final state. */
int shim_wait(int fd, struct shim_state *st, struct berr *e);

/* The state the shim last wrote to dirfd/state.json (dirfd: the
 * container's directory). ENOENT when there is none. */
int shim_state_read(int dirfd, struct shim_state *st, struct berr *e);

/* The same as text and back (state.json's contents; the WAIT answer). */
int shim_state_format(const struct shim_state *st, char *buf, size_t size, struct berr *e);
int shim_state_parse(const char *js, size_t len, struct shim_state *st, struct berr *e);

#endif
