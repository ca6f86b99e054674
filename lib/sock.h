/* sock.h — Unix sockets for local services: a listening socket whose mode,
 * owner and group are set before anyone can connect, and a check of the
 * peer's credentials. Paths only: there are no abstract sockets (they have
 * no permissions at all). Every descriptor is SOCK_CLOEXEC; nothing here
 * allocates.
 *
 * How sock_listen() creates the socket. The socket is bound inside a
 * private directory made with mkdtemp() beside the target (mode 0700, ours),
 * its owner and mode are set there, listen() is called, and only then is it
 * renamed onto the target path. So the path never names a socket with the
 * wrong mode or owner, nor one that is not yet listening: there is no window
 * to connect in, and no umask change (the umask is process-wide, which a
 * library must not touch). rename() also replaces a stale socket atomically,
 * so a client never finds the path missing during a restart. The cost: the
 * target's directory must be writable (it is: we are creating a file there)
 * and the temporary path, target directory + ".sock.XXXXXX/s", must fit in
 * sun_path (107 bytes). A stale path is replaced only when it is a socket
 * (lstat first); anything else fails with EEXIST and is left alone. Whoever
 * can write the directory could swap the path between the lstat and the
 * rename; such a writer could replace the socket anyway.
 *
 * Peer credentials (sock_peer_check). uid and primary gid come from
 * SO_PEERCRED and supplementary groups from SO_PEERGROUPS (Linux 4.13):
 * both are what the peer held when it called connect(), fixed in the socket,
 * so no process lookup and no race. There is no such socket option for
 * capabilities: the peer's CapEff is read from /proc/PID/status, which is
 * racy: the peer may have exited and its PID been reused by another process
 * before the file is read. When the kernel offers SO_PEERPIDFD (Linux 6.5)
 * a pidfd of the peer is taken first and, after the read, checked to still
 * refer to a live process (pidfd_send_signal with signal 0): if the peer
 * has gone, the PID may name someone else and the peer is refused. Without
 * it the status file's effective uid must still equal the SO_PEERCRED uid,
 * which narrows the race to a process of the same user reusing the PID.
 * A peer in a PID namespace we cannot see (pid 0) never passes a
 * capability check. A capability is the peer's current one, uid and groups
 * those at connect().
 */
#ifndef BERTH_LIB_SOCK_H
#define BERTH_LIB_SOCK_H

#include <sys/types.h>

#include "lib/err.h"

/* Supplementary groups read for a group check; a peer with more fails it. */
#define SOCK_PEER_GROUPS_MAX 256

struct sock_perm {
	mode_t mode;                 /* permission bits, e.g. 0600 */
	uid_t uid;                   /* owner; (uid_t)-1: the caller's */
	gid_t gid;                   /* group; (gid_t)-1: the caller's */
};

/* Create a listening Unix socket at path (see above). type is SOCK_STREAM
 * or SOCK_SEQPACKET, optionally | SOCK_NONBLOCK. Returns the fd. */
int sock_listen(const char *path, int type, const struct sock_perm *perm, int backlog,
		struct berr *e);

/* Connect to the socket at path (type as for sock_listen). Returns the fd. */
int sock_connect(const char *path, int type, struct berr *e);

/* SO_PEERCRED: the peer's pid (0: not visible from here), uid and gid. */
struct sock_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};

/* Accept one connection (SOCK_CLOEXEC, plus flags: SOCK_NONBLOCK) and read
 * its credentials into *peer. Returns the fd; EAGAIN when none is waiting. */
int sock_accept(int lfd, int flags, struct sock_peer *peer, struct berr *e);

/* Who may talk: a peer passes when it matches any criterion that is set. */
struct sock_allow {
	uid_t uid;                   /* (uid_t)-1: no uid criterion */
	gid_t gid;                   /* (gid_t)-1: none; else the primary group or
				      * one of the supplementary groups */
	int cap;                     /* -1: none; else in the peer's CapEff */
};

/* Only uid u. */
#define SOCK_ALLOW_UID(u) ((struct sock_allow){ .uid = (u), .gid = (gid_t)-1, .cap = -1 })

/* 0 when the peer of the connected socket fd (its credentials in *peer,
 * from sock_accept) passes allow. Otherwise -1: EPERM with "peer uid U gid
 * G pid P: not …" when it does not, another errno when a check could not
 * be made (the peer is refused then too). */
int sock_peer_check(int fd, const struct sock_peer *peer, const struct sock_allow *allow,
		    struct berr *e);

#endif
