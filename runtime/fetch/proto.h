/* proto.h — berthd ↔ berth-fetch: one SOCK_SEQPACKET socketpair, one
 * message per datagram: a 4-byte type, then its payload; file descriptors
 * travel with SCM_RIGHTS.
 *
 *   berthd → berth-fetch   FETCH_START (struct fetch_start; with login set, berth-fetch
 *                          only authenticates and answers FETCH_DONE or FETCH_ERROR), then FETCH_FD
 *                          (u32 blob index + one fd) answering each FETCH_BLOB: the file
 *                          may hold the blob's start already (resume from its size); without
 *                          an fd, another pull is downloading the blob: skip it
 *   berth-fetch → berthd   FETCH_MANIFEST (u32 0 top / 1 chosen from an index,
 *                          then Content-Type, NUL, body), FETCH_BLOB (u32 index:
 *                          0 the config, 1.. the layers), FETCH_PROGRESS (u32
 *                          index, u64 bytes), FETCH_BLOB_DONE (u32 index),
 *                          FETCH_DONE, FETCH_ERROR or FETCH_ERROR_AGAIN (a message)
 *
 * berthd trusts nothing berth-fetch says: it parses the manifests itself,
 * checks their digests, and hashes every blob it handed out.
 */
#ifndef BERTH_RUNTIME_FETCH_PROTO_H
#define BERTH_RUNTIME_FETCH_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/fetch/dist.h"

#define FETCH_MSG_MAX (128 * 1024)   /* a manifest must fit in one message */

enum fetch_msg {
	FETCH_START = 1,
	FETCH_FD,
	FETCH_MANIFEST,
	FETCH_BLOB,
	FETCH_PROGRESS,
	FETCH_BLOB_DONE,
	FETCH_DONE,
	FETCH_ERROR,
	FETCH_ERROR_AGAIN,      /* a failure of the network (a timeout, a cut
	                         * connection, a 5xx): partial blobs are worth keeping */
};

/* Everything berth-fetch needs for one pull (strings NUL-terminated). */
struct fetch_start {
	char host[DIST_HOST_MAX];        /* where to connect (IP literal or name) */
	unsigned port;
	int https;
	char server_name[DIST_HOST_MAX]; /* TLS name to check (the registry host) */
	char repo[DIST_REPO_MAX];
	char ref[DIST_TAG_MAX + DIGEST_STR_LEN + 2]; /* tag or sha256:… */
	char os[32], arch[32];
	char username[DIST_CRED_MAX], password[DIST_CRED_MAX];
	char identitytoken[DIST_CRED_MAX];
	int parallel;                    /* blob downloads at once */
	int timeout_s;                   /* per request without progress */
	int login;                       /* 1: only check the credentials (GET /v2/) */
};

/* Send one message (fd < 0: none). */
int fetch_send(int sock, uint32_t type, const void *payload, size_t len, int fd, struct berr *e);
/* Receive one message into buf[size] (FETCH_MSG_MAX): its type, *len, and
 * a passed fd in *fd (-1 when none). 0 at EOF (*type 0). A message
 * longer than size, or more than one fd, is EPROTO. */
int fetch_recv(int sock, uint32_t *type, void *buf, size_t size, size_t *len, int *fd,
	       struct berr *e);

#endif
