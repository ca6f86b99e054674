/* overlay.h — an image's root filesystem as an overlay mount: its layers as
 * lower directories (top layer first) and, for a writable container, an
 * upper and work directory under containers/<id>/. Mounted in the caller's
 * mount namespace (the launcher's, when it calls this).
 */
#ifndef BERTH_RUNTIME_IMAGE_OVERLAY_H
#define BERTH_RUNTIME_IMAGE_OVERLAY_H

#include "lib/err.h"
#include "runtime/image/store.h"

#define CONTAINER_ID_MAX 64

/* container_id NULL: read-only, no upper directory. */
int overlay_mount(struct store *s, const char *hex, const char *container_id, const char *target,
		  struct berr *e);
int overlay_umount(const char *target, struct berr *e);

#endif
