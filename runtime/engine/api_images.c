/* api_images.c — /images routes. */
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/engine.h"

int api_images_count(struct engine *eng)
{
	struct berr e;
	int n;

	if (store_lock(&eng->store, STORE_SHARED, &e) < 0)
		return -1;
	n = eng->store.ix->nimages;
	store_unlock(&eng->store);
	return n;
}

void api_images_df(struct engine *eng, struct json_w *w)
{
	(void)eng;
	json_w_ki64(w, "LayersSize", 0);
	json_w_key(w, "Images");
	json_w_arr(w);
	json_w_arr_end(w);
}

const struct route api_images_routes[] = {
	{ NULL },
};
