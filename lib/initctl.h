/* initctl.h — the wire format of PID 1's local control socket, shared by
 * init (the server) and tools/berthctl (the client).
 *
 * A SOCK_SEQPACKET Unix socket at INITCTL_PATH, mode 0660 root:berth-admin.
 * PID 1 checks the peer: INITCTL_SERVICES for uid 0, the berth-admin group
 * or CAP_SYS_BOOT; every other command for CAP_SYS_BOOT or the uid of the
 * user berth-api (berth-apid, no capabilities) only (EPERM). Every message is one fixed-size struct:
 * the client sends one struct initctl_req, PID 1 answers with one or more
 * struct initctl_rep (`more` set on all but the last) and closes.
 */
#ifndef BERTH_LIB_INITCTL_H
#define BERTH_LIB_INITCTL_H

#include <stdint.h>

#define INITCTL_PATH "/run/berth/init.sock"
#define INITCTL_VERSION 1
#define INITCTL_NAME_MAX 32
#define INITCTL_SVCS_PER_REP 8

enum initctl_cmd {
	INITCTL_SERVICES = 1,   /* list services */
	INITCTL_RESTART,        /* restart req.name */
	INITCTL_REBOOT,
	INITCTL_POWEROFF,
	INITCTL_HALT,
	INITCTL_STATUS,         /* the machine's state: msg = "data STATE: detail" */
};

struct initctl_req {
	uint32_t version;               /* INITCTL_VERSION */
	uint32_t cmd;                   /* enum initctl_cmd */
	char name[INITCTL_NAME_MAX];    /* NUL-terminated service name (RESTART) */
};

struct initctl_svc {
	char name[INITCTL_NAME_MAX];
	char state[12];                 /* "running", "stopping", "backoff", "down" */
	int32_t pid;                    /* 0 when not running */
	uint32_t restarts;
	int64_t uptime_ms;              /* of the current run; 0 when not running */
	int32_t last_status;            /* wait status of the last exit, -1: none */
};

struct initctl_rep {
	uint32_t version;
	int32_t error;                  /* 0 ok, else an errno value */
	char msg[96];                   /* what went wrong, or what was done */
	uint32_t more;                  /* another reply follows */
	uint32_t count;                 /* entries used in svc[] */
	struct initctl_svc svc[INITCTL_SVCS_PER_REP];
};

#endif
