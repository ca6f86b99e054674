/* ctr_rec.h — one container's record on disk (D/containers/<id>/container.json)
 * and the rules for ids and names. Knows nothing of the engine, so that it
 * can be tested alone.
 *
 * container.json is berthd's record of a container: its id, name, creation
 * time, the image (config hex and the reference as the user gave it), the
 * create body exactly as received (re-read with create_req_parse at load:
 * one reader for a body, ever), the restart count and the last known state.
 * It is written with lib/fs (temporary, fsync, rename, fsync the directory),
 * so a record is complete or absent. A container directory without a record
 * is the leftover of an interrupted create or remove: ctr_rec_sweep removes
 * it.
 */
#ifndef BERTH_ENGINE_CTR_REC_H
#define BERTH_ENGINE_CTR_REC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

#define CTR_ID_LEN 64
#define CTR_NAME_MAX 128          /* without the leading '/', with the NUL */
#define CTR_REF_MAX 256
#define CTR_ERROR_MAX 256
#define CTR_REC_FILE "container.json"
#define CTR_PORTS_MAX 64          /* published sockets recorded (CONFIG_NET_PORTS_MAX's default) */

/* One published socket of the running container: the host port actually
 * bound (a HostPort "" got a free one at start). */
struct ctr_port {
	char ip[16];                  /* the host address, "0.0.0.0" for all */
	uint16_t cport, hport;
	int udp;
};

enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_RESTARTING, CTR_EXITED, CTR_REMOVING, CTR_DEAD };

struct ctr_rec {
	char id[CTR_ID_LEN + 1];
	char name[CTR_NAME_MAX];      /* "web", stored without the '/' */
	int64_t created_ns;           /* unix ns */
	char image[CTR_ID_LEN + 1];   /* config hex */
	char image_ref[CTR_REF_MAX];  /* as the user gave it */
	int restart_count;
	int stopped_by_user;          /* for unless-stopped, and for always across a restart */
	enum ctr_status status;
	int exit_code;
	int oom_killed;
	pid_t pid;
	int64_t started_ns, finished_ns;
	char error[CTR_ERROR_MAX];
	char ip[16], gateway[16];     /* bridge network: the lease, "" otherwise */
	int prefix;
	pid_t proxy_pid;              /* berth-proxy of the published ports, 0 none */
	struct ctr_port ports[CTR_PORTS_MAX]; /* what it bound, while it runs */
	int n_ports;
	char *body;                   /* the create body (malloc'd, owned), NUL-terminated */
	size_t body_len;
};

/* "created", "running", … as Docker's State.Status says them. */
const char *ctr_status_name(enum ctr_status s);

/* A fresh id: 64 random lowercase hex digits (never all digits, as Docker's
 * short ids are never taken for numbers). */
int ctr_id_new(char id[CTR_ID_LEN + 1], struct berr *e);
/* 1 when s is 64 lowercase hex digits. */
int ctr_id_valid(const char *s);

/* Docker's name rule ^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$: out gets the name
 * without the '/'. Invalid: -1, e->msg is dockerd's 400 text. */
int ctr_name_check(const char *name, char out[CTR_NAME_MAX], struct berr *e);

/* Restart policies (HostConfig.RestartPolicy.Name). */
enum ctr_restart { CTR_RESTART_NO, CTR_RESTART_ALWAYS, CTR_RESTART_UNLESS_STOPPED, CTR_RESTART_ON_FAILURE };

/* After an exit: 1 when policy p restarts the container. on-failure: a
 * non-zero exit, and at most max_retry restarts (0: no limit). Nothing
 * restarts what the user stopped (docker stop, kill, rm). */
int ctr_restart_wanted(enum ctr_restart p, int exit_code, int restarts, int64_t max_retry,
		       int stopped_by_user);
/* The delay before a restart, from *backoff_ms (the state kept between
 * restarts, 0 at first): 100 ms, doubling up to max_ms, back to 100 ms
 * after a run of 10 s or more (ran_ns). Updates *backoff_ms. */
int ctr_restart_delay(int *backoff_ms, int64_t ran_ns, int max_ms);

/* Write the record (the directory dirfd/<id> must exist). */
int ctr_rec_write(int dirfd, const struct ctr_rec *r, struct berr *e);
/* Read dirfd/<id>/container.json into r (r->body malloc'd: ctr_rec_free). */
int ctr_rec_read(int dirfd, const char *id, struct ctr_rec *r, struct berr *e);
void ctr_rec_free(struct ctr_rec *r);

/* Remove a container's directory: its record first (fsynced), so that a
 * crash part-way leaves a directory the next sweep removes. */
int ctr_rec_remove(int dirfd, const char *id, struct berr *e);

/* Detach whatever is mounted on dirfd/<id>/rootfs (lazily). */
void ctr_rootfs_detach(int dirfd, const char *id);

/* Remove every entry of dirfd that is a container id without a record
 * (skipping busy mount points it cannot remove). Returns how many. */
int ctr_rec_sweep(int dirfd, struct berr *e);

#endif
