/* weak_ctr.c — what berthd calls in the containers module (ctr.h), and
 * the container and exec route tables, until E2's files are linked in:
 * weak definitions for an engine with no containers. E2's strong definitions replace them at link time;
 * this file then goes.
 */
#include <errno.h>

#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/ctr.h"

__attribute__((weak)) const struct route api_containers_routes[] = { { NULL } };
__attribute__((weak)) const struct route api_exec_routes[] = { { NULL } };

__attribute__((weak)) int ctr_conf(struct engine *eng, const char *key, const char *value,
				   struct berr *e)
{
	(void)eng;
	(void)value;
	return berr_set(e, EINVAL, "[engine] %s: unknown key", key);
}

__attribute__((weak)) int ctr_table_open(struct engine *eng, struct berr *e)
{
	(void)eng;
	(void)e;
	return 0;
}

__attribute__((weak)) void ctr_table_close(struct engine *eng)
{
	(void)eng;
}

__attribute__((weak)) int ctr_counts(struct engine *eng, int *running, int *paused, int *stopped)
{
	(void)eng;
	*running = *paused = *stopped = 0;
	return 0;
}

__attribute__((weak)) int ctr_image_in_use(struct engine *eng, const char *hex)
{
	(void)eng;
	(void)hex;
	return 0;
}

__attribute__((weak)) int ctr_volume_in_use(struct engine *eng, const char *name)
{
	(void)eng;
	(void)name;
	return 0;
}

__attribute__((weak)) void ctr_df(struct engine *eng, struct json_w *w)
{
	(void)eng;
	json_w_arr(w);
	json_w_arr_end(w);
}
