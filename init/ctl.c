/* ctl.c — the control socket: SO_PEERCRED, fixed-size messages. */
#include "init/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "init/svc.h"
#include "lib/initctl.h"
#include "lib/util.h"

int ctl_open(struct init *in, struct berr *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = INITCTL_PATH };
	mode_t old;
	int fd, rc;

	in->ctl_fd = in->ctl_client = -1;
	/* Root's only: the control socket and the service logs live here. */
	if (mkdir("/run/berth", 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir /run/berth");
	if (chmod("/run/berth", 0700) < 0)
		return berr_sys(e, "chmod /run/berth");
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berr_sys(e, "control socket");
	unlink(INITCTL_PATH);
	old = umask(0177); /* the socket is born 0600: no window for others */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, 4) < 0) {
		berr_sys(e, "bind %s", INITCTL_PATH);
		close(fd);
		return -1;
	}
	in->ctl_fd = fd;
	return 0;
}

void ctl_close(struct init *in)
{
	fd_close(&in->ctl_client);
	if (in->ctl_fd >= 0) {
		fd_close(&in->ctl_fd);
		unlink(INITCTL_PATH);
	}
}

static void reply(struct init *in, struct initctl_rep *r)
{
	r->version = INITCTL_VERSION;
	if (send(in->ctl_client, r, sizeof *r, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof *r)
		log_msg(&in->log, LOG_WARN, "control socket: reply: %s", strerror(errno));
}

static void fail(struct init *in, int err, const char *msg)
{
	struct initctl_rep r;

	memset(&r, 0, sizeof r);
	r.error = err;
	snprintf(r.msg, sizeof r.msg, "%s", msg);
	reply(in, &r);
}

void ctl_accept(struct init *in)
{
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof cred;
	int fd = accept4(in->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (in->ctl_client >= 0) { /* poll does not ask while one is served */
		close(fd);
		return;
	}
	in->ctl_client = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		log_msg(&in->log, LOG_WARN, "control socket: refused uid %d", (int)cred.uid);
		fail(in, EPERM, "only root may use the control socket");
		fd_close(&in->ctl_client);
		return;
	}
	in->ctl_deadline_ns = log_boottime_ns() + 1000000000LL;
}

static const char *state_name(enum svc_state st)
{
	switch (st) {
	case SVC_RUNNING: return "running";
	case SVC_STOPPING: return "stopping";
	case SVC_BACKOFF: return "backoff";
	case SVC_DOWN: break;
	}
	return "down";
}

static void list(struct init *in)
{
	struct initctl_rep r;
	long long now = log_boottime_ns();
	int i = 0;

	do {
		memset(&r, 0, sizeof r);
		for (; i < in->nsvcs && r.count < INITCTL_SVCS_PER_REP; i++) {
			const struct svc *s = &in->svcs[in->order[i]];
			struct initctl_svc *o = &r.svc[r.count++];

			snprintf(o->name, sizeof o->name, "%s", s->c.name);
			snprintf(o->state, sizeof o->state, "%s", state_name(s->state));
			o->pid = s->pid;
			o->restarts = s->restarts;
			o->uptime_ms = s->pid ? (now - s->started_ns) / 1000000LL : 0;
			o->last_status = s->last_status;
		}
		r.more = i < in->nsvcs;
		reply(in, &r);
	} while (i < in->nsvcs);
}

void ctl_serve(struct init *in)
{
	static const enum init_stop stops[] = {
		[INITCTL_REBOOT] = STOP_REBOOT, [INITCTL_POWEROFF] = STOP_POWEROFF,
		[INITCTL_HALT] = STOP_HALT,
	};
	struct initctl_req q;
	ssize_t n = recv(in->ctl_client, &q, sizeof q, MSG_DONTWAIT);
	struct svc *s;

	if (n < 0 && errno == EAGAIN && log_boottime_ns() < in->ctl_deadline_ns)
		return; /* not yet */
	if (n != (ssize_t)sizeof q || q.version != INITCTL_VERSION) {
		fail(in, EINVAL, "bad request: want one struct initctl_req of this version");
		goto out;
	}
	q.name[sizeof q.name - 1] = '\0';
	switch (q.cmd) {
	case INITCTL_SERVICES:
		list(in);
		break;
	case INITCTL_RESTART:
		s = svc_find(in, q.name);
		if (!s) {
			fail(in, ENOENT, "no such service");
			break;
		}
		log_msg(&in->log, LOG_INFO, "control socket: restart %s", s->c.name);
		svc_restart(in, s);
		fail(in, 0, "restarting");
		break;
	case INITCTL_REBOOT:
	case INITCTL_POWEROFF:
	case INITCTL_HALT:
		if (in->stopping) {
			fail(in, EALREADY, "shutdown already under way");
			break;
		}
		log_msg(&in->log, LOG_INFO, "control socket: %s asked",
			q.cmd == INITCTL_REBOOT ? "reboot" : q.cmd == INITCTL_HALT ? "halt" : "poweroff");
		in->stop = stops[q.cmd];
		fail(in, 0, "shutting down");
		break;
	default:
		fail(in, EINVAL, "unknown command");
		break;
	}
out:
	fd_close(&in->ctl_client);
}
