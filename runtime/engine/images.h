/* images.h — image names as Docker reads them, and the image store as the
 * engine's routes (and E2's create) use it.
 *
 * Names are normalised as Docker's reference package does (DOCKER_API.md
 * §4): "busybox" is "docker.io/library/busybox:latest", "me/app:1" is
 * "docker.io/me/app:1", a first component with '.' or ':' or "localhost"
 * is a registry. Stored names (as archives gave them) are compared in
 * that normal form, and shown in the familiar one ("busybox:latest").
 */
#ifndef BERTH_RUNTIME_ENGINE_IMAGES_H
#define BERTH_RUNTIME_ENGINE_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "runtime/image/digest.h"
#include "runtime/image/imgconf.h"
#include "runtime/image/manifest.h"

struct engine;
struct store;

/* "docker.io/library/busybox:latest" from "busybox" into out[REF_NAME_MAX + 32];
 * EINVAL "invalid reference format…" when it is not a reference. */
int images_ref_normalize(const char *ref, char *out, size_t n, struct berr *e);
/* The familiar form of a normalised name ("busybox:latest"). */
void images_ref_familiar(const char *full, char *out, size_t n);
/* The familiar form of a stored name (as it is when it does not parse). */
void images_name_familiar(const char *stored, char *out, size_t n);

/* Take store_mu and the store's lock (shared to read, exclusive to
 * change); images_unlock also refreshes the count /info shows. */
int images_lock(struct engine *eng, int mode /* enum store_lock_mode */, struct berr *e);
void images_unlock(struct engine *eng);

/* REF (a name, "sha256:<hex>", or a unique hex prefix of ≥ 4 digits) →
 * the image's config hex and the stored name that matched ("" for an id).
 * ENOENT "No such image: REF". The store must be locked (shared). */
int images_resolve_locked(struct store *s, const char *ref, char hex[DIGEST_HEX_LEN + 1],
			  char name[REF_NAME_MAX], struct berr *e);
/* The same, taking store_mu and the store's shared lock. */
int images_resolve(struct engine *eng, const char *ref, char hex[DIGEST_HEX_LEN + 1],
		   char name[REF_NAME_MAX], struct berr *e);

/* Read image hex's config blob into *c (allocated by the caller: it is
 * large). The store must be locked. */
int images_config_locked(struct store *s, const char *hex, struct imgconf *c, struct berr *e);
/* The same, taking the locks. */
int images_config(struct engine *eng, const char *hex, struct imgconf *c, struct berr *e);

#endif
