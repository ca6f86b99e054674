/* volumes.h — named volumes under DATA_ROOT/volumes/<name>/:
 * _data (what containers mount) and volume.json ({"CreatedAt","Labels"}).
 *
 * A volume appears whole: it is made as volumes/.new-<name>.<n> and renamed
 * into place; removal renames it to volumes/.rm-<name>.<n> first. Leftovers
 * of both are removed by volumes_init. eng->vol_mu orders every change;
 * it is taken before eng->mu (the in-use check takes eng->mu), so never
 * call these with eng->mu held.
 */
#ifndef BERTH_RUNTIME_ENGINE_VOLUMES_H
#define BERTH_RUNTIME_ENGINE_VOLUMES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct engine;

#define VOLUME_NAME_MAX 255
#define VOLUME_LABELS_MAX 64
#define VOLUME_LABEL_ANON "com.docker.volume.anonymous"

struct volume {
	char name[VOLUME_NAME_MAX + 1];
	char created[40];                  /* RFC 3339 */
	int nlabels;
	struct { char key[128]; char value[256]; } labels[VOLUME_LABELS_MAX];
};

/* At start: the volumes directory, and leftovers of interrupted changes removed. */
int volumes_init(struct engine *eng, struct berr *e);

/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at most VOLUME_NAME_MAX). */
int volume_name_check(const char *name, struct berr *e);

/* The directory a container mounts for volume name (DATA_ROOT/volumes/NAME/_data)
 * into out[n]; with create, a missing volume is made (no labels); without,
 * it is ENOENT "get NAME: no such volume". Takes vol_mu. */
int volume_path(struct engine *eng, const char *name, int create, char *out, size_t n,
		struct berr *e);

/* Make v (v->name set; "" makes an anonymous one with a random name, written
 * back). An existing volume is read into *v instead: *created 0. */
int volume_create(struct engine *eng, struct volume *v, int *created, struct berr *e);
/* Read one. ENOENT when missing. */
int volume_get(struct engine *eng, const char *name, struct volume *v, struct berr *e);
/* Remove one: EBUSY "remove NAME: volume is in use" while a container uses it. */
int volume_remove(struct engine *eng, const char *name, struct berr *e);
/* Call fn for each volume (sorted by name); fn < 0 stops. */
int volume_each(struct engine *eng, int (*fn)(void *ctx, const struct volume *v), void *ctx,
		struct berr *e);

#endif
