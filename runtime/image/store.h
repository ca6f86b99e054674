/* store.h — the image store under a data root (/var/lib/berth).
 *
 *   blobs/sha256/<hex>     manifests, configs and layer blobs, as imported
 *   layers/<chain hex>/    unpacked layers (overlayfs lower directories)
 *   images/<config hex>    an image record (text, see store_image_write)
 *   names                  "NAME<TAB>sha256:<config hex>" lines
 *   containers/<id>/       per-container upper/work directories
 *   tmp/                   imports in progress; emptied under the exclusive lock
 *   lock                   flock: exclusive for changes, shared for reads;
 *                          holds the generation of images/ and names
 *
 * Every file is written with lib/fs (temporary, fsync, rename, fsync the
 * directory); records and names are written in tmp/ and then renamed into
 * place, so that a killed writer's half-written file is only ever in tmp/.
 * An image exists exactly when its record does, and the record
 * is written after every blob and layer it names: an import is complete or
 * absent, whatever point it is killed at.
 *
 * The index. store_open loads the list of image records and the names
 * once; the operations below keep it current, so that resolving a name,
 * listing or importing never rescans the store nor allocates per call.
 * Invariants, while the lock is held:
 *   - ix->images is the sorted set of valid <hex> entries of images/, and
 *     ix->names is the names file;
 *   - every change to images/ or names is made under the exclusive lock,
 *     and the generation (in the lock file) is incremented before the
 *     change is made, so a crash between the two leaves a generation that
 *     makes others reload, never a stale index that looks current (after a
 *     power cut every process starts over and loads its index at open);
 *   - ix->gen is the generation the index reflects.
 * Another process (berth-image beside berthd) may change the store whenever
 * this one does not hold the lock: store_lock reads the generation, and reloads the
 * index (one scan of images/, one read of names) only when it changed. A
 * long-lived user opens with STORE_UNLOCKED and brackets every operation
 * with store_lock/store_unlock; nothing in the index is trusted between.
 */
#ifndef BERTH_RUNTIME_IMAGE_STORE_H
#define BERTH_RUNTIME_IMAGE_STORE_H

#include <stdint.h>

#include "lib/err.h"
#include "runtime/image/digest.h"
#include "runtime/image/manifest.h"

#define STORE_PATH_MAX 4096
#define STORE_NAMES_MAX 1024
#define STORE_IMAGES_MAX 1024

struct store_name {
	char name[REF_NAME_MAX];
	char digest[DIGEST_STR_LEN + 1];
};

struct store_names {
	int n;
	struct store_name e[STORE_NAMES_MAX];
};

struct store_index {
	uint64_t gen;
	int nimages;
	char images[STORE_IMAGES_MAX][DIGEST_HEX_LEN + 1]; /* sorted */
	struct store_names names;
};

enum store_lock_mode { STORE_UNLOCKED, STORE_SHARED, STORE_EXCLUSIVE };

struct store {
	char root[STORE_PATH_MAX];
	int rootfd;
	int lockfd;
	enum store_lock_mode locked;
	int changing;                    /* gen already bumped under this lock */
	struct store_index *ix;          /* allocated once by store_open */
};

struct image_layer {
	char blob[DIGEST_STR_LEN + 1];   /* as stored in blobs/ */
	char diff[DIGEST_STR_LEN + 1];   /* sha256 of the uncompressed tar */
	char chain[DIGEST_STR_LEN + 1];  /* layers/<hex> */
};

struct image_rec {
	char config[DIGEST_STR_LEN + 1];
	char manifest[DIGEST_STR_LEN + 1]; /* "" for docker-save (legacy) images */
	char os[32], arch[32];
	int nlayers;
	struct image_layer layers[LAYERS_MAX];
};

/* Create the layout if needed, load the index, and take the lock `mode`
 * (kept until store_unlock or store_close). */
int store_open(struct store *s, const char *root, enum store_lock_mode mode, struct berr *e);
void store_close(struct store *s);
/* Take the lock (refreshing the index when another process changed the
 * store); the exclusive lock also removes leftovers of interrupted imports
 * (tmp/). */
int store_lock(struct store *s, enum store_lock_mode mode, struct berr *e);
void store_unlock(struct store *s);

/* A fresh directory tmp/<prefix>.<pid>.<n>; its path relative to the root. */
int store_mktemp(struct store *s, const char *prefix, char *out, size_t size, struct berr *e);
/* 1 when dir/<digest hex> exists (dir relative to the root). */
int store_has(struct store *s, const char *dir, const char *digest);

/* Records: written (exclusive lock) after everything they name is in
 * place; read back checked. The index follows store_image_write and
 * store_image_remove. */
int store_image_write(struct store *s, const struct image_rec *im, struct berr *e);
int store_image_read(struct store *s, const char *hex, struct image_rec *im, struct berr *e);
int store_image_remove(struct store *s, const char *hex, struct berr *e);

/* Name syntax: 1..255 printable non-space bytes. */
int store_name_check(const char *name, struct berr *e);
/* Point name at digest in a names table (replacing what it pointed at). */
int store_names_set(struct store_names *n, const char *name, const char *digest, struct berr *e);
/* Replace the store's names with n (file and index). */
int store_names_write(struct store *s, const struct store_names *n, struct berr *e);

/* REF is a name, name without ":tag" (":latest" is tried), a Docker Hub
 * short name ("busybox" for "docker.io/library/busybox:latest"),
 * "sha256:<hex>" or a unique hex prefix of at least 4 digits. Fills hex and,
 * when name is not NULL, name[REF_NAME_MAX] with the name that matched ("" for
 * a digest). Not found is ENOENT, an ambiguous prefix EINVAL. */
int store_resolve(struct store *s, const char *ref, char *hex, char *name, struct berr *e);

/* Remove REF: a name is untagged (the image goes with its last name); a
 * digest removes the image and all its names. Then collects garbage. */
int store_rm(struct store *s, const char *ref, struct berr *e);
/* Drop blobs and layers no image refers to; reports counts. */
int store_gc(struct store *s, int *blobs, int *layers, struct berr *e);
/* Verify the whole store; each problem is handed to report, one line of
 * text each (no newline). Returns the number of problems (0: consistent)
 * or <0 on error. */
typedef void (*store_report_fn)(void *ctx, const char *line);
int store_check(struct store *s, store_report_fn report, void *ctx, struct berr *e);

/* chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
void store_chain_id(const char *parent, const char *diff, char *out);

#endif
