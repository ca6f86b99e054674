/* test_fetch_proto.c — the berthd ↔ berth-fetch messages (runtime/fetch/proto.h):
 * types and payloads across a SEQPACKET pair, a descriptor with its message,
 * EOF, and what a receiver refuses (too long, two descriptors). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/fetch/proto.h"
#include "tests/unit/unit.h"

static void pair(int sv[2])
{
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
}

static void test_roundtrip(void)
{
	int sv[2], fd;
	uint32_t type;
	size_t len;
	char buf[64];
	struct berr e;

	pair(sv);
	CHECK_INT(fetch_send(sv[0], FETCH_BLOB, "\1\0\0\0", 4, -1, &e), 0);
	CHECK_INT(fetch_send(sv[0], FETCH_DONE, NULL, 0, -1, &e), 0);
	CHECK_INT(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e), 1);
	CHECK_INT(type, FETCH_BLOB);
	CHECK_INT(len, 4);
	CHECK_INT(fd, -1);
	CHECK(memcmp(buf, "\1\0\0\0", 4) == 0);
	CHECK_INT(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e), 1);
	CHECK_INT(type, FETCH_DONE);
	CHECK_INT(len, 0);
	close(sv[0]);
	CHECK_INT(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e), 0);
	CHECK_INT(type, 0);
	close(sv[1]);
}

static void test_fd(void)
{
	int sv[2], fd, p[2];
	uint32_t type;
	size_t len;
	char buf[16];
	struct berr e;

	pair(sv);
	CHECK(pipe(p) == 0);
	CHECK_INT(fetch_send(sv[0], FETCH_FD, "\2\0\0\0", 4, p[1], &e), 0);
	close(p[1]);
	CHECK_INT(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e), 1);
	CHECK_INT(type, FETCH_FD);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(write(fd, "x", 1), 1);    /* the same pipe */
	CHECK_INT(read(p[0], buf, 1), 1);
	CHECK_INT(buf[0], 'x');
	close(fd);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_refused(void)
{
	int sv[2], fd, p[2];
	uint32_t type;
	size_t len;
	char buf[8], big[100] = { 0 };
	struct berr e;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} cm;

	pair(sv);
	/* longer than the receiver's buffer: refused, not cut */
	CHECK_INT(fetch_send(sv[0], FETCH_MANIFEST, big, sizeof(big), -1, &e), 0);
	CHECK(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e) < 0);
	CHECK_INT(e.errnum, EPROTO);
	CHECK_INT(fd, -1);
	/* over FETCH_MSG_MAX: not sent */
	static char huge[FETCH_MSG_MAX];
	CHECK(fetch_send(sv[0], FETCH_MANIFEST, huge, sizeof(huge), -1, &e) < 0);
	CHECK_INT(e.errnum, EMSGSIZE);
	/* two descriptors in one message: both closed, refused */
	CHECK(pipe(p) == 0);
	uint32_t t = FETCH_FD;
	struct iovec iov = { &t, sizeof(t) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), p, 2 * sizeof(int));
	CHECK(sendmsg(sv[0], &m, 0) == (ssize_t)sizeof(t));
	close(p[0]);
	close(p[1]);
	CHECK(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e) < 0);
	CHECK_INT(fd, -1);
	CHECK(strstr(e.msg, "more than one descriptor") != NULL);
	/* a message shorter than its type */
	CHECK(send(sv[0], "ab", 2, 0) == 2);
	CHECK(fetch_recv(sv[1], &type, buf, sizeof(buf), &len, &fd, &e) < 0);
	close(sv[0]);
	close(sv[1]);
}

UNIT_MAIN(UNIT(test_roundtrip), UNIT(test_fd), UNIT(test_refused))
