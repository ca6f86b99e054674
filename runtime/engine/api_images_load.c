/* api_images_load.c — POST /images/load: the body streamed into
 * import_archive as it arrives, the CLI's progress stream back
 * (DOCKER_API.md §4 docker load, §8). */
#include <stdio.h>
#include <string.h>

#include "lib/kconfig.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/images.h"
#include "runtime/image/import.h"

#define NAME_OUT (REF_NAME_MAX + 32)

struct load {
	struct req *r;
	int quiet;
	int failed;                 /* the client stopped taking the stream */
};

static ssize_t load_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct load *l = ctx;

	return req_read(l->r, buf, n, e);
}

/* One JSON line of the progress stream. */
static void load_line(struct load *l, struct json_w *w)
{
	if (!l->failed && reply_json_line(l->r, w) < 0)
		l->failed = 1;
}

/* "layer 2/5 sha256:0123456789ab" → "0123456789ab" */
static const char *layer_id(const char *label)
{
	const char *p = label ? strstr(label, "sha256:") : NULL;

	return p ? p + 7 : (label ? label : "");
}

static void load_event(void *ctx, const struct import_event *ev)
{
	struct load *l = ctx;
	char buf[1024], msg[NAME_OUT + 64], fam[NAME_OUT];
	struct json_w w;

	json_w_init(&w, buf, sizeof(buf));
	json_w_obj(&w);
	switch (ev->kind) {
	case IMPORT_LOADED:
		if (ev->name[0]) {
			images_name_familiar(ev->name, fam, sizeof(fam));
			snprintf(msg, sizeof(msg), "Loaded image: %s\n", fam);
		} else {
			snprintf(msg, sizeof(msg), "Loaded image ID: %s\n", ev->digest);
		}
		json_w_kstr(&w, "stream", msg);
		engine_event(l->r->eng, "image", "load", ev->name[0] ? fam : ev->digest, "name",
			     ev->name[0] ? fam : ev->digest, NULL);
		break;
	case IMPORT_LAYER_START:
	case IMPORT_LAYER_PROGRESS:
	case IMPORT_LAYER_DONE:
		if (l->quiet)
			return;
		json_w_kstr(&w, "status", ev->kind == IMPORT_LAYER_DONE ? "Loaded layer" : "Loading layer");
		json_w_key(&w, "progressDetail");
		json_w_obj(&w);
		if (ev->kind == IMPORT_LAYER_PROGRESS)
			json_w_ku64(&w, "current", ev->bytes);
		json_w_obj_end(&w);
		if (ev->kind != IMPORT_LAYER_START) {
			snprintf(msg, sizeof(msg), "%.1fMB", (double)ev->bytes / 1e6);
			json_w_kstr(&w, "progress", msg);
		}
		json_w_kstr(&w, "id", layer_id(ev->label));
		break;
	}
	json_w_obj_end(&w);
	load_line(l, &w);
}

static void load_error(struct load *l, const char *msg)
{
	char buf[2048];
	struct json_w w;

	json_w_init(&w, buf, sizeof(buf));
	api_stream_error(&w, msg);
	load_line(l, &w);
}

int api_images_load(struct req *r)
{
	struct engine *eng = r->eng;
	struct load l = { .r = r, .quiet = req_query_bool(r, "quiet") };
	char unpack[ENGINE_PATH_MAX + 16];
	struct import_reader in = { load_read, &l };
	struct import_opts o = {
		.unpack = unpack,
		.no_setid = !IS_ENABLED(CONFIG_IMAGE_ALLOW_SETID),
		.max_bytes = (uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20,
		.max_entries = CONFIG_IMAGE_LAYER_MAX_ENTRIES,
		.ratio_max = CONFIG_IMAGE_GZIP_RATIO_MAX,
		.event = load_event, .event_ctx = &l,
	};
	struct import_result res = { 0 };
	struct berr e;
	int rc;

#ifdef CONFIG_IMAGE_UNPACK_USERNS
	o.userns_base = CONFIG_IMAGE_UNPACK_USERNS_BASE;
	o.userns_size = CONFIG_IMAGE_UNPACK_USERNS_SIZE;
#endif
	snprintf(unpack, sizeof(unpack), "%s/berth-unpack", eng->conf.libexec);
	if (reply_stream_start(r, 200, "application/json") < 0)
		return -1;
	if (images_lock(eng, STORE_EXCLUSIVE, &e) < 0) {
		load_error(&l, e.msg);
		return reply_stream_end(r);
	}
	rc = import_archive(&eng->store, &in, &o, &res, &e);
	images_unlock(eng);
	if (rc < 0) {
		r->keep = 0;	/* the rest of the archive is not read */
		log_msg(&eng->log, LOG_WARN, "load: %s", e.msg);
		if (res.cls == IMPORT_SOURCE)
			return -1;	/* the client went away: nobody to tell */
		load_error(&l, e.msg);
	}
	return reply_stream_end(r);
}
