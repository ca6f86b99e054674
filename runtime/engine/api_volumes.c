/* api_volumes.c — /volumes routes. */
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/engine.h"

void api_volumes_df(struct engine *eng, struct json_w *w)
{
	(void)eng;
	json_w_key(w, "Volumes");
	json_w_arr(w);
	json_w_arr_end(w);
}

const struct route api_volumes_routes[] = {
	{ NULL },
};
