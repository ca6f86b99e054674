/* tty.h — berth-run --tty: a terminal from the container's own devpts
 * instance, its master passed to berth-run, which relays it to its own
 * stdin/stdout (raw mode and window size when those are a terminal). */
#ifndef BERTH_LAUNCH_TTY_H
#define BERTH_LAUNCH_TTY_H

#include <termios.h>

#include "lib/err.h"

#define TTY_BUF 4096

/* Child, after pivot_root: open /dev/pts/ptmx, send the master over sock,
 * make the peer the controlling terminal and fds 0, 1, 2. */
int tty_child(int sock, struct berr *e);

/* Parent: receive the master (or -1 if the child ended first), set its
 * window size from stdin's, and let the child go on. */
int tty_recv(int sock, int *master, struct berr *e);

struct tty_relay {
	int master;
	int in_open;          /* still reading stdin */
	int raw;              /* stdin was put in raw mode */
	struct termios saved;
};

/* Start relaying: raw mode and window size when stdin is a terminal. */
void tty_relay_start(struct tty_relay *t, int master);
/* Copy what is ready (revents of stdin and the master); 0 when the master
 * is closed (EIO: the container's last writer is gone). */
int tty_relay_io(struct tty_relay *t, short in_revents, short master_revents);
/* SIGWINCH: pass the window size on. */
void tty_relay_winch(struct tty_relay *t);
/* Copy what is left on the master, restore the terminal. */
void tty_relay_end(struct tty_relay *t);

#endif
