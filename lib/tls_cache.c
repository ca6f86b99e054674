/* tls_cache.c — the server's session cache: BearSSL's LRU behind a mutex,
 * with the client's identity kept per session (a resumed handshake carries
 * no certificate) and the checks that keep a session from outliving its
 * certificate. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/tls-internal.h"

struct tls_cache_slot {
	unsigned char id[32];
	int used;
	int64_t saved;
	struct tls_peer_id peer;
};

/* A session older than this, or whose certificate has expired since, is
 * not resumed: the client shows its certificate again. */
#define SESSION_MAX_AGE (24 * 3600)

#define LRU_ENTRY_BYTES 100     /* BearSSL's figure per cached session */

static struct tls_conn *conn_of(br_ssl_server_context *sc)
{
	return (struct tls_conn *)(void *)((char *)sc - offsetof(struct tls_conn, ctx.s));
}

static void cache_save(const br_ssl_session_cache_class **ctx, br_ssl_server_context *sc,
		       const br_ssl_session_parameters *params)
{
	struct tls_cache *k = (struct tls_cache *)(void *)ctx;
	struct tls_cache_slot *slot;

	if (params->session_id_len != sizeof slot->id)
		return;
	pthread_mutex_lock(&k->lock);
	k->lru.vtable->save(&k->lru.vtable, sc, params);
	slot = &k->slots[k->next_slot];
	k->next_slot = (k->next_slot + 1) % k->n_slots;
	memcpy(slot->id, params->session_id, sizeof slot->id);
	slot->peer = conn_of(sc)->peer;
	slot->saved = (int64_t)time(NULL);
	slot->used = 1;
	pthread_mutex_unlock(&k->lock);
}

static int cache_load(const br_ssl_session_cache_class **ctx, br_ssl_server_context *sc,
		      br_ssl_session_parameters *params)
{
	struct tls_cache *k = (struct tls_cache *)(void *)ctx;
	struct tls_conn *c = conn_of(sc);
	int64_t now = (int64_t)time(NULL), saved = 0;
	int r, found = 0;

	pthread_mutex_lock(&k->lock);
	r = k->lru.vtable->load(&k->lru.vtable, sc, params);
	for (size_t i = 0; r && i < k->n_slots && !found; i++)
		if (k->slots[i].used && params->session_id_len == sizeof k->slots[i].id &&
		    memcmp(k->slots[i].id, params->session_id, sizeof k->slots[i].id) == 0) {
			c->peer = k->slots[i].peer;
			saved = k->slots[i].saved;
			found = 1;
		}
	pthread_mutex_unlock(&k->lock);
	if (!found || now - saved > SESSION_MAX_AGE || now > c->peer.not_after ||
	    tls_server_revoked(k->server, c->peer.serial)) {
		memset(&c->peer, 0, sizeof c->peer);
		return 0;
	}
	c->resumed = 1;
	return 1;
}

static const br_ssl_session_cache_class cache_vtable = {
	sizeof(struct tls_cache), cache_save, cache_load,
};

int tls_cache_init(struct tls_cache *k, const struct tls_server *s, size_t bytes, struct berr *e)
{
	size_t n = bytes / (LRU_ENTRY_BYTES + sizeof(struct tls_cache_slot));

	memset(k, 0, sizeof *k);
	if (n < 1)
		n = 1;
	k->vtable = &cache_vtable;
	k->server = s;
	k->n_slots = n;
	k->lru_buf = malloc(n * LRU_ENTRY_BYTES);
	k->slots = calloc(n, sizeof *k->slots);
	if (!k->lru_buf || !k->slots) {
		free(k->lru_buf);
		free(k->slots);
		return berr_set(e, ENOMEM, "session cache of %zu bytes: out of memory", bytes);
	}
	br_ssl_session_cache_lru_init(&k->lru, k->lru_buf, n * LRU_ENTRY_BYTES);
	pthread_mutex_init(&k->lock, NULL);
	return 0;
}

void tls_cache_fini(struct tls_cache *k)
{
	tls_wipe(k->lru_buf, k->n_slots * LRU_ENTRY_BYTES);  /* master secrets */
	free(k->lru_buf);
	free(k->slots);
	pthread_mutex_destroy(&k->lock);
	memset(k, 0, sizeof *k);
}
