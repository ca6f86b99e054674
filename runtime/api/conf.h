/* conf.h — berth-apid's configuration: berth.conf [api], and [policy]
 * handed to runtime/policy (the same keys berthd reads, so both refuse
 * alike). Every key is documented in docs/api.md.
 */
#ifndef BERTH_API_CONF_H
#define BERTH_API_CONF_H

#include <netinet/in.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/api/route.h"
#include "runtime/policy/policy.h"

#define API_PATH_MAX 256
#define API_ROLES_MAX 16
#define API_NAME_MAX 33        /* a user or group name and its NUL */
#define API_ATTR_MAX 65         /* an O or OU value (X.520 ub 64) and its NUL */

enum api_attr { API_ATTR_BOTH, API_ATTR_O, API_ATTR_OU };

struct api_role_map {
	char value[API_ATTR_MAX];
	enum api_role role;
};

struct api_conf {
	struct sockaddr_in listen;
	char cert[API_PATH_MAX], key[API_PATH_MAX], client_ca[API_PATH_MAX], crl[API_PATH_MAX];
	char engine_socket[API_PATH_MAX], init_socket[API_PATH_MAX];
	char audit_log[API_PATH_MAX];
	char data_dir[API_PATH_MAX];         /* statfs for GET /berth/v1/system */
	char log_dir[API_PATH_MAX];          /* PID 1's NAME.log files (GET /berth/v1/logs) */
	char user[API_NAME_MAX];            /* uid/gid to run as, /etc/passwd */
	char engine_group[API_NAME_MAX], admin_group[API_NAME_MAX];
	long long audit_max;                 /* bytes before rotation to .1 */
	enum api_attr attr;
	struct api_role_map roles[API_ROLES_MAX];
	int n_roles;
	int roles_set;                       /* roles given: the identity mapping goes */
	int conns_max;
	long long handshake_ms, head_ms, idle_ms, send_ms, body_ms;
	long long session_cache;             /* bytes; 0: no resumption */
	int sandbox;                         /* privilege drop (tests off: non-root runs) */
	struct policy policy;
};


/* Defaults (the image's paths, listen 0.0.0.0:2376). */
void api_conf_init(struct api_conf *c);

/* One key of [api]; an unknown key or a bad value is -1 naming it. */
int api_conf_set(struct api_conf *c, const char *key, const char *value, struct berr *e);

/* Read FILE: [api] and [policy]; other sections are skipped. Each bad
 * line goes to report(file, line, msg); any makes it fail (EINVAL). */
int api_conf_file(struct api_conf *c, const char *path,
		  void (*report)(const char *file, int line, const char *msg), struct berr *e);

/* The role of a client certificate's O and OU values: the highest role any
 * considered value maps to (role_attribute picks which), API_ROLE_NONE when
 * none does. */
enum api_role api_conf_role(const struct api_conf *c, const char (*o)[API_ATTR_MAX], int n_o,
			    const char (*ou)[API_ATTR_MAX], int n_ou);

#endif
