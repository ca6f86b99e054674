/* shim-internal.h — what the parts of runtime/shim share; not part of
 * client.h's API.
 *
 *   proto.c   the control messages: one SOCK_SEQPACKET datagram each,
 *             text, size-checked, an fd beside some (SCM_RIGHTS)
 *   state.c   state.json, written by the shim, read by berthd
 *   client.c  berthd's calls (client.h)
 *   main.c    berth-shim: arguments, readiness, the loop
 *   shim.c    the container: create, start, exit, state
 *   io.c      stdio: the log, attach and exec clients, stdin
 *   ctl.c     the control socket and its requests
 *   exec.c    exec processes
 */
#ifndef BERTH_SHIM_INTERNAL_H
#define BERTH_SHIM_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* The largest control message, either way. */
#define SHIM_MSG_MAX 65536

/* Send one message (with fd when >= 0). */
int proto_send(int sock, const char *msg, size_t len, int fd, struct berr *e);
/* Receive one message into buf[size] (NUL-terminated; a message that
 * does not fit is EMSGSIZE); *fd gets a passed descriptor (close-on-exec)
 * or -1 (fd may be NULL: a passed one is then closed). 0 at end of file,
 * else the length. */
ssize_t proto_recv(int sock, char *buf, size_t size, int *fd, struct berr *e);

/* An "err" answer: "err ERRNO CLASS STATUS message". */
int proto_err(char *buf, size_t size, const struct berr *e, int class, int status);


/* ------------------------------------------------------------ berth-shim */
#ifdef SHIM_DAEMON

#include "lib/evloop.h"
#include "lib/log.h"
#include "runtime/shim/client.h"
#include "runtime/shim/logfile.h"
#include "runtime/shim/spec.h"

#define SHIM_CLIENTS (CONFIG_SHIM_ATTACH_MAX + CONFIG_SHIM_EXEC_MAX)
#define SHIM_FDS (8 + CONFIG_SHIM_CONNS_MAX + SHIM_CLIENTS + 5 * CONFIG_SHIM_EXEC_MAX)
#define SHIM_READ_MAX 65536     /* one read of output or stdin */
#define SHIM_PEND_MAX 65536     /* stdin waiting for the container to read it */

struct shim;
struct shim_io;

/* One output fd's registration: which io, which stream. */
struct shim_src {
	struct shim_io *io;
	int stream;               /* 1 stdout, 2 stderr (the terminal: 1) */
};

/* The stdio of the container or of one exec process. */
struct shim_io {
	struct shim *sh;
	int out[2], out_slot[2];  /* read ends (tty: out[0] is the master); -1 closed */
	struct shim_src src[2];
	int in, in_slot;          /* stdin's write end (tty: a dup of the master); -1 none */
	int master;               /* tty: a dup of the master for resizes; -1 none */
	int tty;
	int log;                  /* the container's own: written to the log */
	int out_open;             /* output fds not yet at their end */
	char *pend;               /* stdin not yet taken by the pipe (SHIM_PEND_MAX) */
	size_t pend_len;
	int in_eof;               /* close in once pend is written */
	int exec;                 /* an exec's: its clients wait for the exit too */
	int exited;
};

/* An attach or exec connection. */
struct shim_client {
	int fd, slot;             /* fd -1: a free entry */
	struct shim_io *io;
	unsigned flags;           /* SHIM_* */
	int sock;                 /* a socket (send/recv), else a pipe or file */
	char *buf;                /* output waiting for it (CONFIG_SHIM_CLIENT_BUF) */
	size_t head, len;
	int in_open;              /* still reading its stdin */
	int stdin_first;          /* the first attach with stdin (StdinOnce) */
	unsigned long dropped;    /* output it was too slow for (bytes) */
};

/* A control connection. */
struct shim_conn {
	int fd, slot;             /* fd -1: free */
	int waiting;              /* asked "wait": answered at the exit */
};

/* One exec process, kept after its exit until its code has been asked for. */
struct shim_exec {
	int used, no;
	struct launch_proc *p;
	struct shim_io io;
	int pid_slot;
	int running, code;
	pid_t pid;
	unsigned long seq;
};

struct shim {
	struct evloop loop;
	struct evloop_fd fds[SHIM_FDS];
	struct evloop_timer timers[1];
	int heap[1];
	struct logger lg;
	int dirfd;
	const char *ctl;
	int lfd, lslot;
	dev_t ctl_dev;            /* the socket file we made (unlinked at the end */
	ino_t ctl_ino;            /* only while it is still ours) */
	struct shimspec *ss;
	struct launch *l;
	int pid_slot;
	struct shim_io io;
	struct logfile_w log;
	unsigned long log_failed;  /* log writes that failed (the first is said) */
	struct shim_state st;
	struct shim_client clients[SHIM_CLIENTS];
	struct shim_conn conns[CONFIG_SHIM_CONNS_MAX];
	struct shim_exec execs[CONFIG_SHIM_EXEC_MAX];
	int next_exec_no;
	unsigned long exec_seq;
	int stdin_once_used;
	char cgname[256];         /* the container's group name (its directory's) */
	char *rbuf;               /* SHIM_READ_MAX */
	char *msg;                /* SHIM_MSG_MAX */
};

/* shim.c */
int shim_setup(struct shim *sh, const char *dir, const char *ctl, const char *cgroup,
	       struct launch_result *r, struct berr *e);
void shim_teardown(struct shim *sh);
int shim_write_state(struct shim *sh, struct berr *e);
int shim_do_start(struct shim *sh, struct launch_result *r, struct berr *e);
/* Stop the loop when everything is served (after the exit). */
void shim_check_done(struct shim *sh);
int64_t shim_now_ns(void);

/* io.c */
void io_init(struct shim_io *io, struct shim *sh);
/* Register io's fds (made non-blocking) with the loop. */
int io_watch(struct shim_io *io, struct berr *e);
/* Read (log, pass on) what the output fds hold now. */
void io_drain(struct shim_io *io);
/* Close what is left of io (its clients are gone). */
void io_close(struct shim_io *io);
int io_resize(struct shim_io *io, unsigned rows, unsigned cols, struct berr *e);
/* A connection for io: output to it per flags, stdin from it. Takes fd. */
int client_add(struct shim *sh, struct shim_io *io, int fd, unsigned flags, struct berr *e);
/* Queue (and try to send) one chunk of stream for c, framed when asked. */
void client_send(struct shim_client *c, int stream, const char *p, size_t n);
/* Close the clients of io that have nothing more to get. */
void io_clients_check(struct shim_io *io);
int shim_clients_count(const struct shim *sh);

/* ctl.c */
int ctl_listen(struct shim *sh, struct berr *e);
/* Answer every "wait" with the final state. */
void ctl_answer_waiters(struct shim *sh);
void ctl_close_all(struct shim *sh);

/* exec.c */
int exec_request(struct shim *sh, const char *json, size_t len, int conn, int *no, struct berr *e);
struct shim_exec *exec_find(struct shim *sh, int no);

#endif
#endif
