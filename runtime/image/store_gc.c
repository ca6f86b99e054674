/* store_gc.c — rm, garbage collection and the store check; see store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/store-internal.h"

/* Sorted hex digests. gc and check are whole-store operations: their sets
 * grow with the store, and are freed before they return. */
struct hexset {
	char (*v)[DIGEST_HEX_LEN + 1];
	size_t n, cap;
};

static int set_add(struct hexset *s, const char *digest, struct berr *e)
{
	if (!digest[0])
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		void *p = realloc(s->v, cap * sizeof(*s->v));
		if (!p)
			return berr_set(e, ENOMEM, "out of memory");
		s->v = p;
		s->cap = cap;
	}
	snprintf(s->v[s->n++], DIGEST_HEX_LEN + 1, "%s", digest + 7);
	return 0;
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int set_has(const struct hexset *s, const char *hex)
{
	return s->n && bsearch(hex, s->v, s->n, sizeof(*s->v), cmp_hex) != NULL;
}

/* Every blob and layer some image record refers to. */
static int referenced(struct store *s, struct hexset *blobs, struct hexset *layers, struct berr *e)
{
	struct image_rec *im = malloc(sizeof(*im));
	int rc = -1;

	if (!im)
		return berr_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < s->ix->nimages; i++) {
		if (store_image_read(s, s->ix->images[i], im, e) < 0)
			goto out;
		if (set_add(blobs, im->config, e) < 0 || set_add(blobs, im->manifest, e) < 0)
			goto out;
		for (int k = 0; k < im->nlayers; k++)
			if (set_add(blobs, im->layers[k].blob, e) < 0 ||
			    set_add(layers, im->layers[k].chain, e) < 0)
				goto out;
	}
	if (blobs->n)
		qsort(blobs->v, blobs->n, sizeof(*blobs->v), cmp_hex);
	if (layers->n)
		qsort(layers->v, layers->n, sizeof(*layers->v), cmp_hex);
	rc = 0;
out:
	free(im);
	return rc;
}

struct sweep {
	struct store *s;
	const char *dir;
	const struct hexset *keep;
	int is_layer, count;
};

/* Remove one entry of dir that is not kept; a layer is first renamed into
 * tmp/ so that a half-removed layer is never visible under layers/. */
static int sweep_one(void *ctx, const char *name, struct berr *e)
{
	struct sweep *w = ctx;
	char from[STORE_PATH_MAX], to[STORE_PATH_MAX];

	if (name[0] == '.' || set_has(w->keep, name))
		return 0;
	snprintf(from, sizeof(from), "%s/%s", w->dir, name);
	if (w->is_layer) {
		snprintf(to, sizeof(to), "tmp/gc.%d.%.64s", (int)getpid(), name);
		if (renameat(w->s->rootfd, from, w->s->rootfd, to) < 0)
			return berr_sys(e, "rename %s/%s", w->s->root, from);
		if (fs_rm_tree_at(w->s->rootfd, to, e) < 0)
			return berr_prefix(e, "remove %s/%s", w->s->root, from);
	} else if (unlinkat(w->s->rootfd, from, 0) < 0) {
		return berr_sys(e, "remove %s/%s", w->s->root, from);
	}
	w->count++;
	return 0;
}

static int sweep(struct store *s, const char *dir, const struct hexset *keep, int is_layer, int *count,
		 struct berr *e)
{
	struct sweep w = { s, dir, keep, is_layer, 0 };
	int rc = store_each_entry(s, dir, sweep_one, &w, e);

	*count = w.count;
	if (rc == 0)
		rc = fs_fsync_dir_at(s->rootfd, dir, e);
	return rc;
}

int store_gc(struct store *s, int *nblobs, int *nlayers, struct berr *e)
{
	struct hexset blobs = {0}, layers = {0};
	int rc;

	*nblobs = *nlayers = 0;
	rc = referenced(s, &blobs, &layers, e);
	if (rc == 0)
		rc = sweep(s, "layers", &layers, 1, nlayers, e);
	if (rc == 0)
		rc = sweep(s, "blobs/sha256", &blobs, 0, nblobs, e);
	free(blobs.v);
	free(layers.v);
	return rc;
}

int store_rm(struct store *s, const char *ref, struct berr *e)
{
	struct store_names *n = malloc(sizeof(*n));
	char hex[DIGEST_HEX_LEN + 1], name[REF_NAME_MAX];
	int left = 0, rc = -1, nb, nl;

	if (!n)
		return berr_set(e, ENOMEM, "out of memory");
	if (store_resolve(s, ref, hex, name, e) < 0)
		goto out;
	memcpy(n, &s->ix->names, sizeof(*n));
	/* by name: drop that name; by digest: drop every name of the image */
	for (int i = 0; i < n->n;) {
		const struct store_name *x = &n->e[i];
		int mine = strcmp(x->digest + 7, hex) == 0;
		if (mine && (!name[0] || strcmp(x->name, name) == 0)) {
			n->e[i] = n->e[--n->n];
			continue;
		}
		left += mine;
		i++;
	}
	if (store_names_write(s, n, e) < 0)
		goto out;
	if (!left && (store_image_remove(s, hex, e) < 0 || store_gc(s, &nb, &nl, e) < 0))
		goto out;
	rc = 0;
out:
	free(n);
	return rc;
}

/* ------------------------------------------------------------------ check */

struct check {
	struct store *s;
	store_report_fn report;
	void *ctx;
	int bad;
	struct image_rec im;
	struct image_config cfg;
	struct hexset blobs, layers;
	const char *dir;
	char js[CONFIG_IMAGE_JSON_MAX + 1];
};

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct check *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->report(c->ctx, line);
	c->bad++;
}

/* sha256 of a blob file equals its name. */
static void blob_ok(struct check *c, const char *digest, const char *what)
{
	char path[STORE_PATH_MAX], got[DIGEST_STR_LEN + 1];
	unsigned char buf[65536];
	struct digest d;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	fd = openat(c->s->rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		problem(c, "%s blob %s: missing", what, digest);
		return;
	}
	digest_init(&d);
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		digest_update(&d, buf, (size_t)k);
	close(fd);
	digest_final(&d, got);
	if (k < 0 || strcmp(got, digest) != 0)
		problem(c, "%s blob %s: content hashes to %s", what, digest, got);
}

/* One image: its record, blobs, config and layers agree. */
static void check_image(struct check *c, const char *hex)
{
	char path[STORE_PATH_MAX], chain[DIGEST_STR_LEN + 1] = "";
	struct berr e2 = {0};
	struct stat st;
	ssize_t len;

	if (store_image_read(c->s, hex, &c->im, &e2) < 0) {
		problem(c, "image %s: %s", hex, e2.msg);
		return;
	}
	blob_ok(c, c->im.config, "config");
	if (c->im.manifest[0])
		blob_ok(c, c->im.manifest, "manifest");
	snprintf(path, sizeof(path), "blobs/sha256/%s", c->im.config + 7);
	len = fs_read_at(c->s->rootfd, path, c->js, sizeof(c->js), &e2);
	if (len < 0 || manifest_config_read(c->js, (size_t)len, &c->cfg, &e2) < 0) {
		problem(c, "image %s: %s", hex, e2.msg);
		return;
	}
	if (c->cfg.ndiff != c->im.nlayers) {
		problem(c, "image %s: config has %d diff_ids, record %d layers", hex, c->cfg.ndiff,
			c->im.nlayers);
		return;
	}
	for (int k = 0; k < c->im.nlayers; k++) {
		const struct image_layer *l = &c->im.layers[k];
		char id[DIGEST_STR_LEN + 1];
		store_chain_id(k ? chain : NULL, c->cfg.diff_ids[k], id);
		memcpy(chain, id, sizeof(id));
		if (strcmp(c->cfg.diff_ids[k], l->diff) || strcmp(id, l->chain))
			problem(c, "image %s: layer %d: diff_id/chain id differ from the config", hex, k);
		blob_ok(c, l->blob, "layer");
		snprintf(path, sizeof(path), "layers/%s", l->chain + 7);
		if (fstatat(c->s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			problem(c, "image %s: layer %s is missing", hex, l->chain);
	}
}

/* Blobs and layers no image refers to (left by an interrupted import):
 * not a problem, gc removes them; reported for the operator. */
static int orphan(void *ctx, const char *name, struct berr *e)
{
	struct check *c = ctx;
	char line[STORE_PATH_MAX];

	(void)e;
	if (name[0] != '.' && !set_has(strcmp(c->dir, "layers") ? &c->blobs : &c->layers, name)) {
		snprintf(line, sizeof(line), "unreferenced %s/%s (gc removes it)", c->dir, name);
		c->report(c->ctx, line);
	}
	return 0;
}

int store_check(struct store *s, store_report_fn report, void *ctx, struct berr *e)
{
	struct check *c = calloc(1, sizeof(*c));
	static const char *const dirs[] = { "blobs/sha256", "layers" };
	int rc = -1;

	if (!c)
		return berr_set(e, ENOMEM, "out of memory");
	c->s = s;
	c->report = report;
	c->ctx = ctx;
	for (int i = 0; i < s->ix->nimages; i++)
		check_image(c, s->ix->images[i]);
	if (referenced(s, &c->blobs, &c->layers, e) < 0)
		goto out;
	for (size_t k = 0; k < ARRAY_SIZE(dirs); k++) {
		c->dir = dirs[k];
		if (store_each_entry(s, dirs[k], orphan, c, e) < 0)
			goto out;
	}
	for (int i = 0; i < s->ix->names.n; i++) {
		const struct store_name *n = &s->ix->names.e[i];
		char path[STORE_PATH_MAX];
		snprintf(path, sizeof(path), "images/%s", n->digest + 7);
		if (faccessat(s->rootfd, path, F_OK, 0) < 0)
			problem(c, "name %s: image %s is missing", n->name, n->digest);
	}
	rc = c->bad;
out:
	free(c->blobs.v);
	free(c->layers.v);
	free(c);
	return rc;
}
