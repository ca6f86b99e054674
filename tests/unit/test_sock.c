/* test_sock.c — lib/sock: the socket is born with its mode and owner, a
 * stale socket is replaced but nothing else is, and the peer check refuses
 * a child of another uid/gid and accepts it through its group or a
 * capability. Creating users' processes needs root: skipped otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sock.h"
#include "tests/unit/unit.h"

#define OTHER_UID 4321
#define OTHER_GID 4322
#define EXTRA_GID 4323   /* the child's supplementary group */

static char dir[64];
static char path[96];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/berth-sock-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(chmod(dir, 0755) == 0);
	snprintf(path, sizeof path, "%s/x.sock", dir);
}

static void cleanup(void)
{
	unlink(path);
	CHECK(rmdir(dir) == 0); /* nothing else left behind */
}

static int entries(const char *d)
{
	char cmd[128];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", d);
	f = popen(cmd, "r");
	CHECK(f && fscanf(f, "%d", &n) == 1);
	pclose(f);
	return n;
}

static void born_with_mode_and_owner(void)
{
	struct sock_perm perm = { .mode = 0660, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	struct berr e;
	struct stat st;
	int fd;

	setup();
	if (geteuid() == 0)
		perm.gid = EXTRA_GID;
	fd = sock_listen(path, SOCK_STREAM, &perm, 4, &e);
	if (fd < 0)
		UNIT_FAIL_("%s", e.msg);
	CHECK(lstat(path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0660);
	CHECK_INT(st.st_gid, geteuid() == 0 ? EXTRA_GID : getegid());
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(entries(dir), 1); /* the private directory is gone */
	int c = sock_connect(path, SOCK_STREAM, &e);
	CHECK(c >= 0);
	CHECK(fcntl(c, F_GETFD) & FD_CLOEXEC);
	cleanup();
}

static void stale_socket_replaced_other_files_kept(void)
{
	struct sock_perm perm = { .mode = 0600, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct berr e;
	struct stat st;
	int fd, stale;

	setup();
	/* a regular file: kept, EEXIST */
	CHECK(close(open(path, O_CREAT | O_WRONLY, 0644)) == 0);
	CHECK_INT(sock_listen(path, SOCK_STREAM, &perm, 4, &e), -1);
	CHECK_INT(e.errnum, EEXIST);
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
	CHECK_INT(entries(dir), 1);
	unlink(path);
	/* a symlink to a socket: kept too */
	CHECK(symlink("/nonexistent", path) == 0);
	CHECK_INT(sock_listen(path, SOCK_STREAM, &perm, 4, &e), -1);
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	unlink(path);
	/* a stale socket (its listener closed): replaced */
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	stale = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(stale, (struct sockaddr *)&sa, sizeof sa) == 0);
	close(stale);
	fd = sock_listen(path, SOCK_SEQPACKET | SOCK_NONBLOCK, &perm, 4, &e);
	if (fd < 0)
		UNIT_FAIL_("%s", e.msg);
	CHECK(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK(sock_connect(path, SOCK_SEQPACKET, &e) >= 0);
	/* no abstract sockets, no overlong paths */
	CHECK_INT(sock_listen("", SOCK_STREAM, &perm, 4, &e), -1);
	char longp[200];
	memset(longp, 'a', sizeof longp);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	CHECK_INT(sock_listen(longp, SOCK_STREAM, &perm, 4, &e), -1);
	CHECK_INT(e.errnum, ENAMETOOLONG);
	cleanup();
}

/* A child that becomes uid OTHER_UID with primary group gid and the
 * supplementary EXTRA_GID (gid -1: stays root), connects, and waits until
 * the parent closes (or exits at once: die_at_once). Returns its pid. */
static pid_t connect_as(int gid, int die_at_once)
{
	int sync[2];
	pid_t pid;
	char c;

	CHECK(pipe(sync) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct berr e;
		gid_t extra = EXTRA_GID;
		int fd;

		close(sync[0]);
		if (gid >= 0 && (setgroups(1, &extra) < 0 || setgid((gid_t)gid) < 0 ||
				 setuid(OTHER_UID) < 0))
			_exit(2);
		fd = sock_connect(path, SOCK_STREAM, &e);
		if (fd < 0)
			_exit(3);
		if (write(sync[1], "c", 1) != 1)
			_exit(4);
		if (die_at_once)
			_exit(0);
		while (read(fd, &c, 1) > 0)
			;
		_exit(0);
	}
	close(sync[1]);
	CHECK(read(sync[0], &c, 1) == 1); /* connected */
	close(sync[0]);
	return pid;
}

static int check_peer(int lfd, const struct sock_allow *allow, struct sock_peer *peer,
		      struct berr *e)
{
	int fd = sock_accept(lfd, 0, peer, e), rc;

	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	rc = sock_peer_check(fd, peer, allow, e);
	close(fd);
	return rc;
}

static void peer_check_uid_group_capability(void)
{
	struct sock_perm perm = { .mode = 0666, .uid = 0, .gid = 0 };
	struct sock_allow root = SOCK_ALLOW_UID(0);
	struct sock_allow root_or_extra = { .uid = 0, .gid = EXTRA_GID, .cap = -1 };
	struct sock_allow primary = { .uid = (uid_t)-1, .gid = OTHER_GID, .cap = -1 };
	struct sock_allow net_admin = { .uid = (uid_t)-1, .gid = (gid_t)-1, .cap = 12 };
	struct sock_peer peer;
	struct berr e;
	int lfd, st;
	pid_t pid;

	if (geteuid() != 0)
		UNIT_SKIP("needs root to run a child as another uid");
	setup();
	lfd = sock_listen(path, SOCK_STREAM, &perm, 8, &e);
	CHECK(lfd >= 0);

	/* uid 0 only: the other uid is refused, with a message naming it */
	pid = connect_as(OTHER_GID, 0);
	CHECK_INT(check_peer(lfd, &root, &peer, &e), -1);
	CHECK_INT(e.errnum, EPERM);
	CHECK_INT(peer.uid, OTHER_UID);
	CHECK_INT(peer.gid, OTHER_GID);
	CHECK_INT(peer.pid, pid);
	CHECK(strstr(e.msg, "peer uid 4321 gid 4322") && strstr(e.msg, "not uid 0"));
	waitpid(pid, &st, 0);

	/* root or the supplementary group: accepted through the group */
	pid = connect_as(OTHER_GID, 0);
	if (check_peer(lfd, &root_or_extra, &peer, &e) != 0)
		UNIT_FAIL_("group member refused: %s", e.msg);
	waitpid(pid, &st, 0);

	/* the primary group counts too */
	pid = connect_as(OTHER_GID, 0);
	CHECK_INT(check_peer(lfd, &primary, &peer, &e), 0);
	waitpid(pid, &st, 0);

	/* a group the child is not in */
	pid = connect_as(OTHER_GID, 0);
	struct sock_allow other = { .uid = (uid_t)-1, .gid = 999, .cap = -1 };
	CHECK_INT(check_peer(lfd, &other, &peer, &e), -1);
	CHECK_INT(e.errnum, EPERM);
	waitpid(pid, &st, 0);

	/* a capability: the unprivileged child lacks CAP_NET_ADMIN */
	pid = connect_as(OTHER_GID, 0);
	CHECK_INT(check_peer(lfd, &net_admin, &peer, &e), -1);
	CHECK_INT(e.errnum, EPERM);
	waitpid(pid, &st, 0);

	/* a root child keeps it, unless it is gone before the check (its PID
	 * could name another process by then) */
	pid = connect_as(-1, 0);
	if (check_peer(lfd, &net_admin, &peer, &e) != 0)
		UNIT_FAIL_("root peer with CAP_NET_ADMIN refused: %s", e.msg);
	waitpid(pid, &st, 0);
	pid = connect_as(-1, 1);
	waitpid(pid, &st, 0);
	CHECK_INT(check_peer(lfd, &net_admin, &peer, &e), -1);
	cleanup();
}

static void mode_keeps_others_out(void)
{
	struct sock_perm perm = { .mode = 0600, .uid = 0, .gid = 0 };
	struct berr e;
	pid_t pid;
	int lfd, st;

	if (geteuid() != 0)
		UNIT_SKIP("needs root to run a child as another uid");
	setup();
	lfd = sock_listen(path, SOCK_STREAM, &perm, 4, &e);
	CHECK(lfd >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (setgid(OTHER_GID) < 0 || setuid(OTHER_UID) < 0)
			_exit(2);
		_exit(sock_connect(path, SOCK_STREAM, &e) < 0 && e.errnum == EACCES ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cleanup();
}

UNIT_MAIN(UNIT(born_with_mode_and_owner), UNIT(stale_socket_replaced_other_files_kept),
	  UNIT(peer_check_uid_group_capability), UNIT(mode_keeps_others_out))
