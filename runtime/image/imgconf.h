/* imgconf.h — the image config as a container needs it: the runtime
 * defaults of its "config" object (Env, Cmd, Entrypoint, WorkingDir, User,
 * StopSignal, ExposedPorts, Labels, Volumes) and the image's os,
 * architecture, created time and history.
 *
 * Read once from the config blob with lib/json (strict grammar, no
 * duplicate keys). Unknown keys are ignored; null stands for absent; any
 * other wrong type is refused naming the field ("config.Env: want an array
 * of strings"). Strings are kept in the struct's own pool; every list is
 * bounded by CONFIG_IMAGE_CONFIG_LIST_MAX and the pool by
 * CONFIG_IMAGE_CONFIG_STRINGS_BYTES (E2BIG beyond, naming the field).
 * The struct is large: allocate it.
 */
#ifndef BERTH_RUNTIME_IMAGE_IMGCONF_H
#define BERTH_RUNTIME_IMAGE_IMGCONF_H

#include <stddef.h>

#include "autoconf.h"
#include "lib/err.h"

#define IMGCONF_LIST_MAX CONFIG_IMAGE_CONFIG_LIST_MAX

struct imgconf_kv {
	const char *key, *value;
};

/* One entry of "history", oldest first. */
struct imgconf_hist {
	const char *created, *created_by, *comment;   /* "" when absent */
	int empty_layer;                              /* made no layer */
};

struct imgconf {
	const char *os, *arch, *variant;   /* "" when absent */
	const char *created;               /* RFC 3339 as written, "" when absent */
	const char *user, *workdir, *stop_signal;
	int history;                       /* entries in "history" */
	int cmd_set, entrypoint_set;       /* given and not null ([] counts as set) */
	int env_n, cmd_n, entrypoint_n, ports_n, labels_n, volumes_n;
	const char *env[IMGCONF_LIST_MAX];          /* "KEY=value" */
	const char *cmd[IMGCONF_LIST_MAX];
	const char *entrypoint[IMGCONF_LIST_MAX];
	const char *ports[IMGCONF_LIST_MAX];        /* ExposedPorts keys: "80/tcp" */
	const char *volumes[IMGCONF_LIST_MAX];      /* Volumes keys: "/data" */
	struct imgconf_kv labels[IMGCONF_LIST_MAX];
	struct imgconf_hist hist[IMGCONF_LIST_MAX]; /* the first `history` entries */
	size_t pool_len;
	char pool[CONFIG_IMAGE_CONFIG_STRINGS_BYTES];
};

/* Read the config blob js[0..len) into *c. */
int imgconf_read(const char *js, size_t len, struct imgconf *c, struct berr *e);

#endif
