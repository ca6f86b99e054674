/* create-internal.h — shared by create.c, create_mounts.c and exec.c. */
#ifndef BERTH_POLICY_CREATE_INTERNAL_H
#define BERTH_POLICY_CREATE_INTERNAL_H

#include "runtime/policy/create.h"
#include "runtime/policy/policy-internal.h"

/* Each member of the object at tok (null: none): fn(d, key, value token,
 * at), with "[key]" on the path. */
int create_map(struct rd *d, int tok, int (*fn)(struct rd *d, const char *key, int val,
						 void *at, struct berr *e),
	       void *at, struct berr *e);
/* ConsoleSize: null or [height, width], each 0..65535. */
int create_console_size(struct rd *d, int tok, unsigned *h, unsigned *w, struct berr *e);

/* HostConfig.Binds, .Mounts, .Tmpfs (at: the struct create_host) and
 * Config.Volumes (at: the struct create_req) into host.mounts. */
int create_binds_read(struct rd *d, int tok, void *at, struct berr *e);
int create_mounts_read(struct rd *d, int tok, void *at, struct berr *e);
int create_tmpfs_read(struct rd *d, int tok, void *at, struct berr *e);
int create_volumes_read(struct rd *d, int tok, void *at, struct berr *e);
/* After the whole body: anonymous volumes give way, duplicate targets 400. */
int create_mounts_finish(struct rd *d, struct create_req *r, struct berr *e);

/* Does the volume driver option key=value mount something of the host
 * (device=…, type= other than tmpfs, o= with bind or rbind)? */
int policy_volopt_host(const char *key, const char *value);

#endif
