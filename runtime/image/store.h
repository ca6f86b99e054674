/* store.h — the image store under a data root (/var/lib/berth).
 *
 *   blobs/sha256/<hex>     manifests, configs and layer blobs, as imported
 *   layers/<chain hex>/    unpacked layers (overlayfs lower directories)
 *   images/<config hex>    an image record (text, see store_image_write)
 *   names                  "NAME<TAB>sha256:<config hex>" lines
 *   containers/<id>/       per-container upper/work directories
 *   tmp/                   imports in progress; emptied on start
 *   lock                   flock: exclusive for changes, shared for reads
 *
 * Every file is written to tmp/, fsynced, renamed into place and the
 * directory fsynced. An image exists exactly when its record does, and the
 * record is written after every blob and layer it names: an import is
 * complete or absent, whatever point it is killed at.
 */
#ifndef BERTH_RUNTIME_IMAGE_STORE_H
#define BERTH_RUNTIME_IMAGE_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"
#include "runtime/image/digest.h"
#include "runtime/image/manifest.h"

#define STORE_PATH_MAX 4096
#define STORE_NAMES_MAX 1024
#define STORE_IMAGES_MAX 1024

struct store {
	char root[STORE_PATH_MAX];
	int rootfd;
	int lockfd;
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

struct name_ent {
	char name[REF_NAME_MAX];
	char digest[DIGEST_STR_LEN + 1];
};

struct names {
	int n;
	struct name_ent e[STORE_NAMES_MAX];
};

/* Create the layout if needed and take the lock. With `exclusive`, also
 * remove leftovers of interrupted imports (tmp/). */
int store_open(struct store *s, const char *root, int exclusive, struct berr *e);
void store_close(struct store *s);

/* Write data to dir/name (relative to the root) atomically and durably. */
int store_write_atomic(struct store *s, const char *dir, const char *name, const void *data,
		       size_t len, struct berr *e);
int store_fsync_dir(struct store *s, const char *dir, struct berr *e);
/* Remove a tree (relative to dirfd) without following symlinks. */
int store_rm_tree(int dirfd, const char *name, struct berr *e);
/* A fresh directory tmp/<prefix>.<pid>.<n>; its path relative to the root. */
int store_mktemp(struct store *s, const char *prefix, char *out, size_t size, struct berr *e);

int store_image_write(struct store *s, const struct image_rec *im, struct berr *e);
int store_image_read(struct store *s, const char *hex, struct image_rec *im, struct berr *e);
/* Config hex digests of every image record, into hex[max][65]; returns count. */
int store_image_list(struct store *s, char (*hex)[DIGEST_HEX_LEN + 1], int max, struct berr *e);

int store_names_read(struct store *s, struct names *n, struct berr *e);
int store_names_write(struct store *s, const struct names *n, struct berr *e);
/* Name syntax: 1..255 printable non-space bytes. */
int store_name_check(const char *name, struct berr *e);
/* Point name at digest (replacing what it pointed at). */
int names_set(struct names *n, const char *name, const char *digest, struct berr *e);

/* REF is a name, name without ":tag" (":latest" is tried), a Docker Hub
 * short name ("busybox" for "docker.io/library/busybox:latest"),
 * "sha256:<hex>" or a unique hex prefix of at least 4 digits. Fills hex and,
 * when name is not NULL, name[REF_NAME_MAX] with the name that matched ("" for
 * a digest). */
int store_resolve(struct store *s, const char *ref, char *hex, char *name, struct berr *e);

/* Remove REF: a name is untagged (the image goes with its last name); a
 * digest removes the image and all its names. Then collects garbage. */
int store_rm(struct store *s, const char *ref, struct berr *e);
/* Drop blobs and layers no image refers to; reports counts. */
int store_gc(struct store *s, int *blobs, int *layers, struct berr *e);
/* Verify the whole store; problems are printed to out, one per line.
 * Returns the number of problems (0: consistent) or <0 on error. */
int store_check(struct store *s, FILE *out, struct berr *e);

/* chain[0] = diff[0]; chain[i] = sha256(chain[i-1] + " " + diff[i]). */
void chain_id(const char *parent, const char *diff, char *out);

#endif
