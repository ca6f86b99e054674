/* proto.c — one control message per SOCK_SEQPACKET datagram (shim-internal.h). */
#include "runtime/shim/shim-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int proto_send(int sock, const char *msg, size_t len, int fd, struct berr *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (len > SHIM_MSG_MAX)
		return berr_set(e, EMSGSIZE, "control message of %zu bytes: over %d", len, SHIM_MSG_MAX);
	if (fd >= 0) {
		struct cmsghdr *cm;
		memset(cbuf, 0, sizeof cbuf);
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(e, "send to the shim's control socket");
	if ((size_t)n != len)
		return berr_set(e, EPROTO, "a short control message");
	return 0;
}

ssize_t proto_recv(int sock, char *buf, size_t size, int *fd, struct berr *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm;
	int got = -1;
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(e, "receive a control message");
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			if (got >= 0)
				close(got);
			memcpy(&got, CMSG_DATA(cm), sizeof got);
		}
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return berr_set(e, EMSGSIZE, "a control message over %zu bytes", size - 1);
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n)) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		return berr_set(e, EPROTO, "a control message with a NUL byte");
	}
	return n;
}

int proto_err(char *buf, size_t size, const struct berr *e, int class, int status)
{
	return snprintf(buf, size, "err %d %d %d %s", e->errnum, class, status, e->msg);
}
