/* proto.c — the berthd ↔ berth-fetch messages; see proto.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "runtime/fetch/proto.h"

int fetch_send(int sock, uint32_t type, const void *payload, size_t len, int fd, struct berr *e)
{
	struct iovec iov[2] = { { &type, sizeof(type) }, { (void *)payload, len } };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (len + sizeof(type) > FETCH_MSG_MAX)
		return berr_set(e, EMSGSIZE, "message of %zu bytes is over %d", len, FETCH_MSG_MAX);
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		m.msg_control = cm.buf;
		m.msg_controllen = sizeof(cm.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t k = sendmsg(sock, &m, MSG_NOSIGNAL);
		if (k >= 0)
			return 0;
		if (errno != EINTR)
			return berr_sys(e, "send to the fetch socket");
	}
}

/* Close every fd a control message carried: more than one is an error. */
static int take_fds(struct msghdr *m, int *fd, struct berr *e)
{
	int bad = 0;

	*fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0 && !bad)
				*fd = f;
			else {
				close(f);
				bad = 1;
			}
		}
	}
	if (bad || (m->msg_flags & MSG_CTRUNC)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return berr_set(e, EPROTO, "fetch socket: more than one descriptor in a message");
	}
	return 0;
}

int fetch_recv(int sock, uint32_t *type, void *buf, size_t size, size_t *len, int *fd,
	       struct berr *e)
{
	struct iovec iov[2] = { { type, sizeof(*type) }, { buf, size } };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = cm.buf,
			    .msg_controllen = sizeof(cm.buf) };
	ssize_t k;

	*type = 0;
	*len = 0;
	*fd = -1;
	do
		k = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return berr_sys(e, "receive from the fetch socket");
	if (take_fds(&m, fd, e) < 0)
		return -1;
	if (k == 0)
		return 0;
	if (m.msg_flags & MSG_TRUNC || (size_t)k < sizeof(*type)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return berr_set(e, EPROTO, "fetch socket: a message of a bad length");
	}
	*len = (size_t)k - sizeof(*type);
	return 1;
}
