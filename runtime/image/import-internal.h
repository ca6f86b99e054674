/* import-internal.h — what import.c (layouts, plan, commit) shares with
 * import_layers.c (the layer jobs, run several at once). */
#ifndef BERTH_RUNTIME_IMAGE_IMPORT_INTERNAL_H
#define BERTH_RUNTIME_IMAGE_IMPORT_INTERNAL_H

#include "runtime/image/archive.h"
#include "runtime/image/import.h"
#include "runtime/image/layer.h"

#define IMPORT_LAYERS_MAX (INDEX_MAX * 8) /* distinct layers unpacked by one import */

/* One image of the archive, as it will be recorded. */
struct plan {
	struct image_rec rec;
	int nnames;
	char names[IMAGE_TAGS_MAX + 2][REF_NAME_MAX];
	const struct arch_file *blob[LAYERS_MAX + 2]; /* layers, then config, manifest */
	int comp[LAYERS_MAX];
};

/* One distinct layer (blob + chain) of the import. */
struct ljob {
	struct layer_job job;
	const char *blob, *config;                /* for messages */
	char want[DIGEST_STR_LEN + 1];            /* diff_id the config names */
	char chain[DIGEST_STR_LEN + 1];
	uint64_t size;                            /* compressed: largest first */
	int dir;                                  /* tmp/.../L<dir> when unpacked here, else -1 */
	char spool[32], label[160], target[STORE_PATH_MAX + 80];
	char diff[DIGEST_STR_LEN + 1];            /* out */
	struct berr err;
	int rc, state;                            /* state: 0 waiting, 1 running, 2 done */
	double t0, secs;
};

struct imp {
	struct store *s;
	const struct import_opts *o;
	struct archive *a;
	enum import_class cls;   /* of the failure */
	char tmp[64];            /* tmp/import.<pid>.<n> */
	int spoolfd;
	int n;
	struct plan img[INDEX_MAX];
	int njobs;
	struct ljob jobs[IMPORT_LAYERS_MAX];
	struct store_names names;
	char js[CONFIG_IMAGE_JSON_MAX + 1];
};

/* Plan every distinct layer of im->img, then run them (at most
 * o->jobs at once) and check each diff_id. */
int import_layers(struct imp *im, struct berr *e);

static inline void import_event(const struct imp *im, const struct import_event *ev)
{
	if (im->o->event)
		im->o->event(im->o->event_ctx, ev);
}

#endif
