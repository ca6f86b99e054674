/* ctl.c — the control socket (lib/sock: created 0660 root:berth-admin;
 * queries for root and that group, power and restart for CAP_SYS_BOOT and
 * the berth-api user),
 * fixed-size messages. */
#include "init/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/svc.h"
#include "init/svc_conf.h"
#include "lib/initctl.h"
#include "lib/sock.h"
#include "lib/util.h"

#define CAP_SYS_BOOT_BIT 22 /* linux/capability.h's CAP_SYS_BOOT */

/* CTL_ADMIN_GROUP's gid, or (gid_t)-1 when /etc/group has none. */
static gid_t admin_gid(void)
{
	long gid, unused;

	if (svc_conf_lookup(SVC_GROUP, CTL_ADMIN_GROUP, &gid, &unused) < 0 || gid <= 0)
		return (gid_t)-1;
	return (gid_t)gid;
}

/* CTL_API_USER's uid, or (uid_t)-1 when /etc/passwd has none (never 0). */
static uid_t api_uid(void)
{
	long uid, unused;

	if (svc_conf_lookup(SVC_PASSWD, CTL_API_USER, &uid, &unused) < 0 || uid <= 0)
		return (uid_t)-1;
	return (uid_t)uid;
}

int ctl_open(struct init *in, struct berr *e)
{
	gid_t admin = admin_gid();
	struct sock_perm perm = { .mode = 0660, .uid = 0, .gid = admin == (gid_t)-1 ? 0 : admin };
	int fd;

	in->ctl_fd = in->ctl_client = -1;
	/* The control socket, the service logs and the engine's socket live
	 * here: root's, 0711, so that each socket's own mode and group decide
	 * who reaches it (init.sock: berth-admin; engine.sock: berth) and
	 * nobody else can list or create anything (the logs are in
	 * /run/berth/log, 0750 root). */
	if (mkdir("/run/berth", 0711) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir /run/berth");
	if (chown("/run/berth", 0, 0) < 0 || chmod("/run/berth", 0711) < 0)
		return berr_sys(e, "chmod /run/berth");
	fd = sock_listen(INITCTL_PATH, SOCK_SEQPACKET | SOCK_NONBLOCK, &perm, 4, e);
	if (fd < 0)
		return -1;
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
	struct sock_peer peer;
	struct berr e;
	int fd = sock_accept(in->ctl_fd, SOCK_NONBLOCK, &peer, &e);

	if (fd < 0)
		return;
	if (in->ctl_client >= 0) { /* poll does not ask while one is served */
		close(fd);
		return;
	}
	/* Who it is is checked once its request is read (ctl_serve): a refusal
	 * sent before would race with the request, and a socket closed with
	 * the request unread resets the connection, losing the refusal. */
	in->ctl_client = fd;
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

/* 1 when the client passes allow (lib/sock.h: for a capability, read from
 * /proc/PID/status and checked to be the peer); else an EPERM reply with
 * why, logged, and 0. */
static int allowed(struct init *in, const struct sock_allow *allow, const char *why)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	struct sock_peer peer;
	struct berr e;

	if (getsockopt(in->ctl_client, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_msg(&in->log, LOG_WARN, "control socket: SO_PEERCRED: %s", strerror(errno));
		fail(in, EPERM, "peer unknown");
		return 0;
	}
	peer = (struct sock_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
	if (sock_peer_check(in->ctl_client, &peer, allow, &e) == 0)
		return 1;
	log_msg(&in->log, LOG_WARN, "control socket: refused uid %d: %s", (int)peer.uid, e.msg);
	fail(in, EPERM, why);
	return 0;
}

/* Any request: uid 0, the admin group or CAP_SYS_BOOT. */
static int may_read(struct init *in)
{
	const struct sock_allow reader = { .uid = 0, .gid = admin_gid(), .cap = CAP_SYS_BOOT_BIT };

	return allowed(in, &reader, "only root and the " CTL_ADMIN_GROUP " group may use the control socket");
}

/* Restart, reboot, poweroff, halt: a peer holding CAP_SYS_BOOT now, or
 * berth-apid's user (it has no capabilities; its admin role asks for these
 * through /berth/v1, tls-apis.md §3). */
static int may_act(struct init *in)
{
	const struct sock_allow boot = { .uid = api_uid(), .gid = (gid_t)-1, .cap = CAP_SYS_BOOT_BIT };

	return allowed(in, &boot, "restart, reboot, poweroff and halt need CAP_SYS_BOOT or the "
			      CTL_API_USER " user");
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
	if (!may_read(in))
		goto out;
	if (n != (ssize_t)sizeof q || q.version != INITCTL_VERSION) {
		fail(in, EINVAL, "bad request: want one struct initctl_req of this version");
		goto out;
	}
	q.name[sizeof q.name - 1] = '\0';
	switch (q.cmd) {
	case INITCTL_SERVICES:
		list(in);
		break;
	case INITCTL_STATUS:
		fail(in, 0, in->data_status[0] ? in->data_status : "data: not set up");
		break;
	case INITCTL_RESTART:
		if (!may_act(in))
			break;
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
		if (!may_act(in))
			break;
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
