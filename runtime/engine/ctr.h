/* ctr.h — the containers (E2 owns this module; E1 declares what it calls).
 *
 * Until E2's runtime/engine/ctr*.c are merged, weak_ctr.c gives weak
 * defaults (no containers) that E2's strong definitions replace.
 */
#ifndef BERTH_RUNTIME_ENGINE_CTR_H
#define BERTH_RUNTIME_ENGINE_CTR_H

#include "lib/err.h"

struct engine;

/* An [engine] key of berth.conf that conf.c does not know (default
 * limits, log size…): -1 with a message for an unknown key or a bad value.
 * Called while the configuration is read, before ctr_table_open. */
int ctr_conf(struct engine *eng, const char *key, const char *value, struct berr *e);

/* A key of berth.conf [policy] (runtime/policy) or [container_network]
 * (runtime/net), which conf.c hands here: 0 taken, 1 not one of these
 * sections, -1 a bad key or value (e says which). Sections never given
 * keep the defaults: every refusal on, the berth0 bridge. */
int ctr_conf_section(struct engine *eng, const char *section, const char *key, const char *value,
		     struct berr *e);

/* Load every container record, reconcile with the shims (live ones
 * reconnected, dead ones marked exited), start restart=always ones. */
int ctr_table_open(struct engine *eng, struct berr *e);
void ctr_table_close(struct engine *eng);
/* Counts for /info (takes eng->mu itself). */
int ctr_counts(struct engine *eng, int *running, int *paused, int *stopped);
/* 1 when a container uses image config hex (64 hex digits): image delete's 409. */
int ctr_image_in_use(struct engine *eng, const char *hex);
/* 1 when a container mounts volume name: volume rm's 409. */
int ctr_volume_in_use(struct engine *eng, const char *name);
/* GET /system/df: the value of "Containers" (an array of container
 * summaries with SizeRw, SizeRootFs). */
struct json_w;
void ctr_df(struct engine *eng, struct json_w *w);

#endif
