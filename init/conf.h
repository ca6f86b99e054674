/* conf.h — PID 1's settings from berth.conf (ini, read with inih).
 *
 * Keys read here (everything else in the file belongs to other programs and
 * is ignored):
 *   [system] hostname       = NAME         (RFC 1123, at most 64 bytes)
 *   [system] modules        = NAME NAME…   (kernel modules to load at boot,
 *                                           before the services: what readiness
 *                                           needs; continuation lines append;
 *                                           loaded after ready instead when the
 *                                           data partition and the static
 *                                           interfaces are usable without them)
 *   [system] modules_after  = NAME NAME…   (loaded right after ready, in the
 *                                           background; what needs them — the
 *                                           ESP, the watchdog, the power
 *                                           button — waits for them)
 *   [system] modules_late   = NAME NAME…   (loaded in the background once boot
 *                                           is done; then, with
 *                                           CONFIG_INIT_MODULES_LOCK, module
 *                                           loading is disabled for good)
 *   [system] console_shell  = /PATH [ARG…] (only with CONFIG_INIT_CONSOLE_SHELL)
 *   [system] services       = /DIR         (default /etc/berth/services.d)
 *   [system] data           = /DIR         data partition mount point (default
 *                                           /var/lib/berth)
 *   [system] resolv_conf    = /PATH        where DNS servers go (default
 *                                           /etc/resolv.conf)
 *   [system] data_wait      = DURATION     how long to wait for the data
 *                                           partition to appear (default 5s,
 *                                           at most 60s)
 *   [system] data_ephemeral = SIZE         no data partition: a tmpfs of SIZE
 *                                           (1M-64G) at the data directory,
 *                                           state lost at power-off (default:
 *                                           unset, the partition is required)
 *   [system] ip_forward     = yes|no       net.ipv4.ip_forward (default no; the
 *                                           engine turns it on with its rules)
 *   [system] ipv6_accept_ra = yes|no       IPv6 router advertisements (default no)
 *   [system] sysctl.NAME    = VALUE        written to /proc/sys/NAME at boot
 *                                           (NAME dotted: [a-z0-9_.-], at most 32)
 *   [network] IFNAME        = dhcp
 *   [network] IFNAME        = static A.B.C.D/N [gateway A.B.C.D] [dns A.B.C.D]…
 *                                           (at most 4 interfaces, 3 dns each)
 * Values are checked with lib/conf.h (hostname: RFC 1123, at most 64 bytes;
 * paths: absolute, normalised, no . or .. component). The file is at most
 * INIT_CONF_FILE_MAX-1 bytes, a regular file (not a symlink).
 * A bad value is reported as "file:line: what is wrong" and that setting is
 * skipped; the rest of the file still applies.
 */
#ifndef BERTH_INIT_CONF_H
#define BERTH_INIT_CONF_H

#include <netinet/in.h>

#include "lib/err.h"
#include "lib/log.h"

#define INIT_CONF_FILE_MAX 16384
#define INIT_CONF_HOSTNAME_MAX 64
#define INIT_CONF_SHELL_MAX 256
#define INIT_CONF_MODULES_MAX 2048
#define INIT_CONF_IFACES_MAX 4
#define INIT_CONF_DNS_MAX 3
#define INIT_CONF_SYSCTLS_MAX 32
#define INIT_CONF_SYSCTL_NAME_MAX 64
#define INIT_CONF_SYSCTL_VALUE_MAX 64
#define INIT_CONF_DATA_WAIT_MS 5000         /* default data_wait */
#define INIT_CONF_DATA_WAIT_MAX_MS 60000

struct init_iface {
	char name[16];                               /* IFNAMSIZ */
	int dhcp;                                    /* else static */
	struct in_addr addr, gateway;                /* static; gateway 0: none */
	int prefix;
	struct in_addr dns[INIT_CONF_DNS_MAX];
	int ndns;
};

struct init_conf {
	char hostname[INIT_CONF_HOSTNAME_MAX + 1];   /* empty: leave as is */
	char console_shell[INIT_CONF_SHELL_MAX];     /* empty: none */
	char modules[INIT_CONF_MODULES_MAX];         /* space-separated */
	char modules_after[INIT_CONF_MODULES_MAX];   /* space-separated */
	char modules_late[INIT_CONF_MODULES_MAX];    /* space-separated */
	char services_dir[INIT_CONF_SHELL_MAX];      /* services.d */
	char data_dir[INIT_CONF_SHELL_MAX];          /* data partition mount point */
	char resolv_conf[INIT_CONF_SHELL_MAX];       /* /etc/resolv.conf */
	long long data_wait_ms;                      /* wait for the partition */
	long long data_ephemeral;                    /* tmpfs bytes; 0: partition required */
	int ip_forward;                              /* net.ipv4.ip_forward */
	int ipv6_accept_ra;                          /* accept IPv6 router advertisements */
	struct {
		char name[INIT_CONF_SYSCTL_NAME_MAX];
		char value[INIT_CONF_SYSCTL_VALUE_MAX];
	} sysctls[INIT_CONF_SYSCTLS_MAX];
	int nsysctls;
	struct init_iface ifaces[INIT_CONF_IFACES_MAX];
	int nifaces;
	int errors;                                  /* bad lines reported */
};

/* Fill *c from path. A missing file leaves the defaults (empty) and is not
 * an error; an unreadable or too big one is. Bad lines are logged through lg and
 * counted in c->errors. */
int init_conf_load(struct init_conf *c, const char *path, const struct logger *lg,
		   struct berr *e);

#endif
