/* sock.c — Unix sockets: listen with mode and owner set first, peer checks
 * (see sock.h for the creation sequence and the credential sources). */
#include "lib/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77 /* Linux 6.5; not yet in musl's or glibc's headers here */
#endif

#define STATUS_MAX 8192 /* /proc/PID/status; longer (huge Groups:) fails closed */

static int path_ok(const char *path, struct berr *e)
{
	struct sockaddr_un sa;

	if (!path[0])
		return berr_set(e, EINVAL, "socket path: empty (abstract sockets are not used)");
	if (strlen(path) >= sizeof sa.sun_path)
		return berr_set(e, ENAMETOOLONG, "socket path %s: longer than %zu bytes", path,
				sizeof sa.sun_path - 1);
	return 0;
}

/* A stale socket at path may go; anything else stays and is an error. */
static int stale_ok(const char *path, struct berr *e)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : berr_sys(e, "stat %s", path);
	if (!S_ISSOCK(st.st_mode))
		return berr_set(e, EEXIST, "%s: exists and is not a socket", path);
	return 0;
}

/* Bind fd in the private directory dir, set owner and mode, listen. */
static int bind_private(int fd, const char *dir, const struct sock_perm *perm, int backlog,
			struct sockaddr_un *sa, struct berr *e)
{
	int w = snprintf(sa->sun_path, sizeof sa->sun_path, "%s/s", dir);

	if (w < 0 || (size_t)w >= sizeof sa->sun_path)
		return berr_set(e, ENAMETOOLONG, "socket path %s/s: too long", dir);
	if (bind(fd, (struct sockaddr *)sa, sizeof *sa) < 0)
		return berr_sys(e, "bind %s", sa->sun_path);
	if (fchownat(AT_FDCWD, sa->sun_path, perm->uid, perm->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(e, "chown %s", sa->sun_path);
	if (fchmodat(AT_FDCWD, sa->sun_path, perm->mode & 07777, 0) < 0)
		return berr_sys(e, "chmod %s", sa->sun_path);
	if (listen(fd, backlog) < 0)
		return berr_sys(e, "listen %s", sa->sun_path);
	return 0;
}

int sock_listen(const char *path, int type, const struct sock_perm *perm, int backlog,
		struct berr *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof sa.sun_path];
	const char *slash = strrchr(path, '/');
	int plen = slash ? (int)(slash + 1 - path) : 0, fd = -1, w;

	if (path_ok(path, e) < 0 || stale_ok(path, e) < 0)
		return -1;
	w = snprintf(dir, sizeof dir, "%.*s.sock.XXXXXX", plen, path);
	if (w < 0 || (size_t)w + 2 >= sizeof dir)
		return berr_set(e, ENAMETOOLONG, "socket path %s: its temporary name does not fit "
				"in %zu bytes", path, sizeof dir - 1);
	if (!mkdtemp(dir))
		return berr_sys(e, "mkdtemp %s", dir);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		berr_sys(e, "socket %s", path);
	} else if (bind_private(fd, dir, perm, backlog, &sa, e) < 0) {
		fd_close(&fd);
	} else if (rename(sa.sun_path, path) < 0) {
		berr_sys(e, "rename %s to %s", sa.sun_path, path);
		fd_close(&fd);
	}
	if (sa.sun_path[0] && fd < 0)
		unlink(sa.sun_path);
	rmdir(dir);
	return fd < 0 ? -1 : fd;
}

int sock_connect(const char *path, int type, struct berr *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (path_ok(path, e) < 0)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(e, "socket %s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		berr_sys(e, "connect %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int sock_accept(int lfd, int flags, struct sock_peer *peer, struct berr *e)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | flags);

	if (fd < 0)
		return berr_sys(e, "accept");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred) {
		berr_sys(e, "SO_PEERCRED");
		close(fd);
		return -1;
	}
	*peer = (struct sock_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
	return fd;
}

/* 1: gid is one of the peer's supplementary groups at connect(). */
static int in_groups(int fd, gid_t gid, struct berr *e)
{
	gid_t groups[SOCK_PEER_GROUPS_MAX];
	socklen_t len = sizeof groups;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno == ERANGE)
			return berr_set(e, ERANGE, "peer has more than %d groups", SOCK_PEER_GROUPS_MAX);
		return berr_sys(e, "SO_PEERGROUPS");
	}
	for (size_t i = 0; i < len / sizeof groups[0]; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* The hex or decimal fields after "KEY:" in a /proc status text. */
static const char *status_field(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, key, n) == 0 && l[n] == ':')
			return l + n + 1;
		if (!nl)
			break;
		l = nl + 1;
	}
	return NULL;
}

/* 1: cap is in the effective set of the live peer; see sock.h for the race. */
static int has_cap(int fd, const struct sock_peer *peer, int cap, struct berr *e)
{
	char path[32], text[STATUS_MAX], *end;
	const char *f;
	socklen_t len = sizeof(int);
	int pidfd = -1, rc = -1;
	unsigned long long eff;
	unsigned long ruid, euid;

	if (peer->pid <= 0)
		return berr_set(e, ESRCH, "peer's pid is not visible here");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0)
		pidfd = -1; /* older kernel: the uid check below narrows the race */
	snprintf(path, sizeof path, "/proc/%d/status", (int)peer->pid);
	if (fs_read(path, text, sizeof text, e) < 0)
		goto out;
	f = status_field(text, "Uid");
	if (!f || sscanf(f, "%lu %lu", &ruid, &euid) != 2 || euid != peer->uid) {
		rc = berr_set(e, ESRCH, "peer pid %d: not the process that connected", (int)peer->pid);
		goto out;
	}
	f = status_field(text, "CapEff");
	eff = f ? strtoull(f, &end, 16) : 0;
	if (!f || end == f) {
		rc = berr_set(e, EINVAL, "%s: no CapEff", path);
		goto out;
	}
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		rc = berr_set(e, ESRCH, "peer pid %d: exited before its capabilities were read",
			      (int)peer->pid);
		goto out;
	}
	rc = cap >= 0 && cap < 64 && (eff >> cap) & 1;
out:
	fd_close(&pidfd);
	return rc;
}

/* EPERM naming the peer and what it lacks. */
static int refused(const struct sock_peer *peer, const struct sock_allow *allow, struct berr *e)
{
	char want[96] = "";
	size_t n = 0;

	if (allow->uid != (uid_t)-1)
		n += (size_t)snprintf(want + n, sizeof want - n, " uid %u", (unsigned)allow->uid);
	if (allow->gid != (gid_t)-1 && n < sizeof want)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s group %u", n ? " or" : "",
				      (unsigned)allow->gid);
	if (allow->cap >= 0 && n < sizeof want)
		snprintf(want + n, sizeof want - n, "%s capability %d", n ? " or" : "", allow->cap);
	return berr_set(e, EPERM, "peer uid %u gid %u pid %d: not%s", (unsigned)peer->uid,
			(unsigned)peer->gid, (int)peer->pid, want[0] ? want : " allowed");
}

int sock_peer_check(int fd, const struct sock_peer *peer, const struct sock_allow *allow,
		    struct berr *e)
{
	int r;

	if (allow->uid != (uid_t)-1 && peer->uid == allow->uid)
		return 0;
	if (allow->gid != (gid_t)-1) {
		if (peer->gid == allow->gid)
			return 0;
		if ((r = in_groups(fd, allow->gid, e)) != 0)
			return r > 0 ? 0 : -1;
	}
	if (allow->cap >= 0 && (r = has_cap(fd, peer, allow->cap, e)) != 0)
		return r > 0 ? 0 : -1;
	return refused(peer, allow, e);
}
