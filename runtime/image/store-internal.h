/* store-internal.h — what store.c shares with store_gc.c. */
#ifndef BERTH_RUNTIME_IMAGE_STORE_INTERNAL_H
#define BERTH_RUNTIME_IMAGE_STORE_INTERNAL_H

#include "runtime/image/store.h"

/* Call fn(ctx, name) for every entry of dir (relative to the root) but "."
 * and ".."; stops at the first failure. */
typedef int (*store_entry_fn)(void *ctx, const char *name, struct berr *e);
int store_each_entry(struct store *s, const char *dir, store_entry_fn fn, void *ctx, struct berr *e);

#endif
