/* api_util.h — helpers shared by E1's route files (api_system.c,
 * api_images.c, api_volumes.c). */
#ifndef BERTH_RUNTIME_ENGINE_API_UTIL_H
#define BERTH_RUNTIME_ENGINE_API_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"

struct engine;
struct req;

/* "2006-01-02T15:04:05.000000000Z" (Go's RFC 3339 with nanoseconds, as
 * dockerd writes Created) of unix ns into buf[n ≥ 31]. */
void api_rfc3339(int64_t ns, char *buf, size_t n);
/* Parse the same (any fraction, 'Z' or ±hh:mm): unix ns; -1 when malformed. */
int api_parse_rfc3339(const char *s, int64_t *ns);

/* Write the object a progress stream ends with when it fails
 * ({"errorDetail":{"message":M},"error":M}: docker load's and pull's form)
 * into w, which the caller initialised. */
void api_stream_error(struct json_w *w, const char *msg);

/* Images in the store (store_mu held). */
int api_images_count(struct engine *eng);
/* GET /system/df: "LayersSize" and "Images" members (takes store_mu). */
void api_images_df(struct engine *eng, struct json_w *w);
/* GET /system/df: the "Volumes" member. */
void api_volumes_df(struct engine *eng, struct json_w *w);

/* GET /system/df */
int api_system_df(struct req *r);
/* POST /images/load (api_images_load.c) */
int api_images_load(struct req *r);
/* POST /images/create?fromImage= (api_pull.c) */
int api_images_pull(struct req *r);
/* POST /auth: docker login (api_pull.c) */
int api_auth(struct req *r);

#endif
