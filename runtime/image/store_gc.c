/* store_gc.c — rm, garbage collection and the store check; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/store.h"

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
	char (*list)[DIGEST_HEX_LEN + 1] = malloc(STORE_IMAGES_MAX * sizeof(*list));
	struct image_rec *im = malloc(sizeof(*im));
	int n, rc = -1;

	if (!list || !im) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	n = store_image_list(s, list, STORE_IMAGES_MAX, e);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (store_image_read(s, list[i], im, e) < 0)
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
	free(list);
	free(im);
	return rc;
}

/* Remove entries of dir that are not in keep; layers are first renamed into
 * tmp/ so that a half-removed layer is never visible under layers/. */
static int sweep(struct store *s, const char *dir, const struct hexset *keep, int is_layer,
		 int *count, struct berr *e)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr_sys(e, "open %s/%s", s->root, dir);
	}
	while ((de = readdir(d))) {
		char from[STORE_PATH_MAX], to[STORE_PATH_MAX];
		if (de->d_name[0] == '.' || set_has(keep, de->d_name))
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		if (is_layer) {
			snprintf(to, sizeof(to), "tmp/gc.%d.%.64s", (int)getpid(), de->d_name);
			if (renameat(s->rootfd, from, s->rootfd, to) < 0 ||
			    store_rm_tree(s->rootfd, to, e) < 0) {
				rc = e->msg[0] ? -1 : berr_sys(e, "remove %s/%s", s->root, from);
				break;
			}
		} else if (unlinkat(s->rootfd, from, 0) < 0) {
			rc = berr_sys(e, "remove %s/%s", s->root, from);
			break;
		}
		(*count)++;
	}
	closedir(d);
	if (rc == 0)
		rc = store_fsync_dir(s, dir, e);
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
	struct names *n = malloc(sizeof(*n));
	char hex[DIGEST_HEX_LEN + 1], path[STORE_PATH_MAX], name[REF_NAME_MAX];
	int left = 0, rc = -1, nb, nl;

	if (!n)
		return berr_set(e, ENOMEM, "out of memory");
	if (store_resolve(s, ref, hex, name, e) < 0 || store_names_read(s, n, e) < 0)
		goto out;
	/* by name: drop that name; by digest: drop every name of the image */
	for (int i = 0; i < n->n;) {
		const struct name_ent *x = &n->e[i];
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
	if (!left) {
		snprintf(path, sizeof(path), "images/%s", hex);
		if (unlinkat(s->rootfd, path, 0) < 0 && errno != ENOENT) {
			berr_sys(e, "remove %s/%s", s->root, path);
			goto out;
		}
		if (store_fsync_dir(s, "images", e) < 0 || store_gc(s, &nb, &nl, e) < 0)
			goto out;
	}
	rc = 0;
out:
	free(n);
	return rc;
}

/* sha256 of a blob file equals its name. */
static int blob_ok(struct store *s, const char *digest, FILE *out, const char *what)
{
	char path[STORE_PATH_MAX], got[DIGEST_STR_LEN + 1];
	unsigned char buf[65536];
	struct digest d;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	fd = openat(s->rootfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(out, "%s blob %s: missing\n", what, digest);
		return 1;
	}
	digest_init(&d);
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		digest_update(&d, buf, (size_t)k);
	close(fd);
	digest_final(&d, got);
	if (k < 0 || strcmp(got, digest) != 0) {
		fprintf(out, "%s blob %s: content hashes to %s\n", what, digest, got);
		return 1;
	}
	return 0;
}

/* Blobs and layers no image refers to (left by an interrupted import):
 * not a problem, gc removes them; listed for the operator. */
static int report_orphans(struct store *s, FILE *out, struct berr *e)
{
	struct hexset blobs = {0}, layers = {0};
	const char *dirs[] = { "blobs/sha256", "layers" };
	int rc = referenced(s, &blobs, &layers, e);

	for (int k = 0; k < 2 && rc == 0; k++) {
		int fd = openat(s->rootfd, dirs[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		if (!d) {
			if (fd >= 0)
				close(fd);
			rc = berr_sys(e, "open %s/%s", s->root, dirs[k]);
			break;
		}
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && !set_has(k ? &layers : &blobs, de->d_name))
				fprintf(out, "unreferenced %s/%s (gc removes it)\n", dirs[k], de->d_name);
		closedir(d);
	}
	free(blobs.v);
	free(layers.v);
	return rc;
}

int store_check(struct store *s, FILE *out, struct berr *e)
{
	char (*list)[DIGEST_HEX_LEN + 1] = malloc(STORE_IMAGES_MAX * sizeof(*list));
	struct image_rec *im = malloc(sizeof(*im));
	struct image_config *cfg = malloc(sizeof(*cfg));
	struct names *nm = malloc(sizeof(*nm));
	char *js = malloc(CONFIG_IMAGE_JSON_MAX + 1);
	int n, bad = 0, rc = -1;

	if (!list || !im || !cfg || !nm || !js) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	n = store_image_list(s, list, STORE_IMAGES_MAX, e);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		char path[STORE_PATH_MAX], chain[DIGEST_STR_LEN + 1] = "";
		struct berr e2 = {0};
		struct stat st;
		ssize_t len;

		if (store_image_read(s, list[i], im, &e2) < 0) {
			fprintf(out, "image %s: %s\n", list[i], e2.msg);
			bad++;
			continue;
		}
		bad += blob_ok(s, im->config, out, "config");
		if (im->manifest[0])
			bad += blob_ok(s, im->manifest, out, "manifest");
		snprintf(path, sizeof(path), "%s/blobs/sha256/%s", s->root, im->config + 7);
		len = fs_read(path, js, CONFIG_IMAGE_JSON_MAX + 1, &e2);
		if (len < 0 || image_config_read(js, (size_t)len, cfg, &e2) < 0) {
			fprintf(out, "image %s: %s\n", list[i], e2.msg);
			bad++;
			continue;
		}
		if (cfg->ndiff != im->nlayers) {
			fprintf(out, "image %s: config has %d diff_ids, record %d layers\n", list[i],
				cfg->ndiff, im->nlayers);
			bad++;
			continue;
		}
		for (int k = 0; k < im->nlayers; k++) {
			const struct image_layer *l = &im->layers[k];
			char c[DIGEST_STR_LEN + 1];
			chain_id(k ? chain : NULL, cfg->diff_ids[k], c);
			memcpy(chain, c, sizeof(c));
			if (strcmp(cfg->diff_ids[k], l->diff) || strcmp(c, l->chain)) {
				fprintf(out, "image %s: layer %d: diff_id/chain id differ from the config\n",
					list[i], k);
				bad++;
			}
			bad += blob_ok(s, l->blob, out, "layer");
			snprintf(path, sizeof(path), "layers/%s", l->chain + 7);
			if (fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
				fprintf(out, "image %s: layer %s is missing\n", list[i], l->chain);
				bad++;
			}
		}
	}
	if (report_orphans(s, out, e) < 0 || store_names_read(s, nm, e) < 0)
		goto out;
	for (int i = 0; i < nm->n; i++) {
		char path[STORE_PATH_MAX];
		snprintf(path, sizeof(path), "images/%s", nm->e[i].digest + 7);
		if (faccessat(s->rootfd, path, F_OK, 0) < 0) {
			fprintf(out, "name %s: image %s is missing\n", nm->e[i].name, nm->e[i].digest);
			bad++;
		}
	}
	rc = bad;
out:
	free(list);
	free(im);
	free(cfg);
	free(nm);
	free(js);
	return rc;
}
