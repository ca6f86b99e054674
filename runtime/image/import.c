/* import.c — layouts, digest verification and the atomic commit; see import.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/image/archive.h"
#include "runtime/image/import.h"
#include "runtime/image/layer.h"

#define IMPORT_LAYERS_MAX (INDEX_MAX * 8) /* distinct layers unpacked by one import */

struct plan {
	struct image_rec rec;
	int nnames;
	char names[IMAGE_TAGS_MAX + 2][REF_NAME_MAX];
	const struct arch_file *blob[LAYERS_MAX + 2]; /* layers, then config, manifest */
	int comp[LAYERS_MAX];
};

struct verified {
	char blob[DIGEST_STR_LEN + 1];
	char diff[DIGEST_STR_LEN + 1];
	char chain[DIGEST_STR_LEN + 1];
	int dir;                 /* tmp/.../L<dir> when unpacked here, else -1 */
};

struct imp {
	struct store *s;
	const struct import_opts *o;
	struct archive *a;
	char tmp[64];             /* tmp/import.<pid>.<n> */
	int tmpfd, spoolfd;
	int n;
	struct plan img[INDEX_MAX];
	int nver;
	struct verified ver[IMPORT_LAYERS_MAX];
	char js[CONFIG_IMAGE_JSON_MAX + 1];
};

static ssize_t read_json(struct imp *im, const struct arch_file *f, struct berr *e)
{
	char name[32];
	size_t o = 0;
	int fd;

	if (f->size > CONFIG_IMAGE_JSON_MAX)
		return berr_set(e, EFBIG, "%s is larger than %d bytes", f->path, CONFIG_IMAGE_JSON_MAX);
	archive_spool_name(im->a, f, name, sizeof(name));
	fd = openat(im->spoolfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open spooled %s", f->path);
	while (o < f->size) {
		ssize_t k = read(fd, im->js + o, (size_t)f->size - o);
		if (k <= 0) {
			close(fd);
			return berr_sys(e, "read spooled %s", f->path);
		}
		o += (size_t)k;
	}
	close(fd);
	im->js[o] = '\0';
	return (ssize_t)o;
}

/* The archive's blob for a descriptor, checked against digest and size. */
static const struct arch_file *blob_for(struct imp *im, const struct desc *d, const char *what,
					struct berr *e)
{
	char path[ARCHIVE_PATH_MAX];
	const struct arch_file *f;

	snprintf(path, sizeof(path), "blobs/sha256/%s", d->hex);
	f = archive_find(im->a, path);
	if (!f) {
		berr_set(e, ENOENT, "%s %s: blob missing from the archive", what, d->digest);
		return NULL;
	}
	if (strcmp(f->digest, d->digest) != 0) {
		berr_set(e, EBADMSG, "%s %s: digest mismatch: content hashes to %s", what, d->digest,
			 f->digest);
		return NULL;
	}
	if (f->size != d->size) {
		berr_set(e, EBADMSG, "%s %s: size mismatch: descriptor says %llu bytes, blob has %llu",
			 what, d->digest, (unsigned long long)d->size, (unsigned long long)f->size);
		return NULL;
	}
	return f;
}

static int add_name(struct plan *p, const char *name, struct berr *e)
{
	if (!name[0])
		return 0;
	if (store_name_check(name, e) < 0)
		return -1;
	for (int i = 0; i < p->nnames; i++)
		if (strcmp(p->names[i], name) == 0)
			return 0;
	if (p->nnames >= IMAGE_TAGS_MAX + 2)
		return berr_set(e, E2BIG, "more than %d names for one image", IMAGE_TAGS_MAX + 2);
	snprintf(p->names[p->nnames++], REF_NAME_MAX, "%s", name);
	return 0;
}

/* A new plan, or the existing one for the same config (same image twice). */
static struct plan *plan_for(struct imp *im, const char *config, int *fresh, struct berr *e)
{
	for (int i = 0; i < im->n; i++)
		if (strcmp(im->img[i].rec.config, config) == 0) {
			*fresh = 0;
			return &im->img[i];
		}
	if (im->n >= INDEX_MAX) {
		berr_set(e, E2BIG, "more than %d images in one archive", INDEX_MAX);
		return NULL;
	}
	*fresh = 1;
	memset(&im->img[im->n], 0, sizeof(im->img[0]));
	return &im->img[im->n++];
}

static int config_into(struct imp *im, const struct arch_file *cf, struct plan *p, int nlayers,
		       struct berr *e)
{
	struct image_config *cfg = malloc(sizeof(*cfg));
	ssize_t len = read_json(im, cf, e);
	int rc = -1;

	if (!cfg) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (len < 0 || image_config_read(im->js, (size_t)len, cfg, e) < 0) {
		berr_prefix(e, "config %s", cf->digest);
		goto out;
	}
	if (cfg->ndiff != nlayers) {
		berr_set(e, EBADMSG, "config %s has %d diff_ids for %d layers", cf->digest, cfg->ndiff, nlayers);
		goto out;
	}
	snprintf(p->rec.os, sizeof(p->rec.os), "%s", cfg->os);
	snprintf(p->rec.arch, sizeof(p->rec.arch), "%s", cfg->arch);
	p->rec.nlayers = nlayers;
	for (int i = 0; i < nlayers; i++) {
		struct image_layer *l = &p->rec.layers[i];
		memcpy(l->diff, cfg->diff_ids[i], sizeof(l->diff));
		chain_id(i ? p->rec.layers[i - 1].chain : NULL, l->diff, l->chain);
	}
	rc = 0;
out:
	free(cfg);
	return rc;
}

static int plan_manifest(struct imp *im, const struct desc *md, const struct desc *named,
			 struct berr *e)
{
	struct oci_manifest *m = malloc(sizeof(*m));
	const struct arch_file *mf, *cf;
	struct plan *p;
	ssize_t len;
	int fresh, rc = -1;

	if (!m)
		return berr_set(e, ENOMEM, "out of memory");
	if (!(mf = blob_for(im, md, "manifest", e)))
		goto out;
	len = read_json(im, mf, e);
	if (len < 0 || oci_manifest_read(im->js, (size_t)len, m, e) < 0) {
		berr_prefix(e, "manifest %s", md->digest);
		goto out;
	}
	if (!(cf = blob_for(im, &m->config, "config", e)))
		goto out;
	if (!(p = plan_for(im, m->config.digest, &fresh, e)))
		goto out;
	if (fresh) {
		snprintf(p->rec.config, sizeof(p->rec.config), "%s", m->config.digest);
		snprintf(p->rec.manifest, sizeof(p->rec.manifest), "%s", md->digest);
		if (config_into(im, cf, p, m->nlayers, e) < 0)
			goto out;
		p->blob[LAYERS_MAX] = cf;
		p->blob[LAYERS_MAX + 1] = mf;
		for (int i = 0; i < m->nlayers; i++) {
			if (!(p->blob[i] = blob_for(im, &m->layers[i], "layer", e)))
				goto out;
			p->comp[i] = layer_media_type(m->layers[i].media, e);
			snprintf(p->rec.layers[i].blob, sizeof(p->rec.layers[i].blob), "%s", m->layers[i].digest);
		}
	}
	if (add_name(p, named->image_name[0] ? named->image_name : named->ref, e) < 0)
		goto out;
	rc = 0;
out:
	free(m);
	return rc;
}

static int plan_oci(struct imp *im, const struct arch_file *ixf, struct berr *e)
{
	struct oci_index *ix = malloc(sizeof(*ix)), *sub = malloc(sizeof(*sub));
	ssize_t len;
	int rc = -1;

	if (!ix || !sub) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	len = read_json(im, ixf, e);
	if (len < 0 || oci_index_read(im->js, (size_t)len, ix, e) < 0)
		goto out;
	if (ix->n == 0) {
		berr_set(e, ENOENT, "index.json lists no images");
		goto out;
	}
	for (int i = 0; i < ix->n; i++) {
		const struct desc *d = &ix->m[i], *pick = NULL;
		if (strcmp(d->media, MT_OCI_INDEX) == 0 || strcmp(d->media, MT_DOCKER_LIST) == 0) {
			/* a nested index (multi-platform): take linux/amd64 */
			const struct arch_file *f = blob_for(im, d, "index", e);
			if (!f || (len = read_json(im, f, e)) < 0 ||
			    oci_index_read(im->js, (size_t)len, sub, e) < 0)
				goto out;
			for (int k = 0; k < sub->n && !pick; k++)
				if (strcmp(sub->m[k].os, "linux") == 0 && strcmp(sub->m[k].arch, "amd64") == 0)
					pick = &sub->m[k];
			if (!pick && sub->n == 1 && !sub->m[0].arch[0])
				pick = &sub->m[0];
			if (!pick) {
				berr_set(e, ENOENT, "index %s has no linux/amd64 image", d->digest);
				goto out;
			}
		} else if (d->media[0] && strcmp(d->media, MT_OCI_MANIFEST) != 0 &&
			   strcmp(d->media, MT_DOCKER_MANIFEST) != 0) {
			berr_set(e, EPROTO, "index.json: %s has media type \"%s\", not a manifest", d->digest,
				 d->media);
			goto out;
		} else {
			pick = d;
		}
		if (plan_manifest(im, pick, d, e) < 0)
			goto out;
	}
	rc = 0;
out:
	free(ix);
	free(sub);
	return rc;
}

/* "blobs/sha256/<hex>", "<hex>.json" or "<hex>.tar" (skopeo): the digest a
 * file's name claims. */
static int claimed(const char *path, char *out)
{
	const char *b = strncmp(path, "blobs/sha256/", 13) == 0 ? path + 13 : path;
	size_t n = strspn(b, "0123456789abcdef");

	if (n != DIGEST_HEX_LEN || (b[n] && strcmp(b + n, ".json") != 0 && strcmp(b + n, ".tar") != 0) ||
	    (b == path && !b[n]))
		return 0;
	snprintf(out, DIGEST_STR_LEN + 1, "sha256:%.64s", b);
	return 1;
}

static int plan_docker(struct imp *im, const struct arch_file *mj, int names_only, struct berr *e)
{
	struct docker_manifest *dm = malloc(sizeof(*dm));
	char want[DIGEST_STR_LEN + 1];
	ssize_t len = read_json(im, mj, e);
	int rc = -1;

	if (!dm) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (len < 0 || docker_manifest_read(im->js, (size_t)len, dm, e) < 0)
		goto out;
	for (int i = 0; i < dm->n; i++) {
		const struct docker_image *d = &dm->img[i];
		const struct arch_file *cf = archive_find(im->a, d->config);
		struct plan *p;
		int fresh;

		if (!cf) {
			berr_set(e, ENOENT, "manifest.json: config %s missing from the archive", d->config);
			goto out;
		}
		if (claimed(d->config, want) && strcmp(want, cf->digest) != 0) {
			berr_set(e, EBADMSG, "config %s: digest mismatch: content hashes to %s", want, cf->digest);
			goto out;
		}
		if (names_only) {
			/* the OCI index already planned the image: add RepoTags */
			for (int k = 0; k < im->n; k++)
				if (strcmp(im->img[k].rec.config, cf->digest) == 0)
					for (int t = 0; t < d->ntags; t++)
						if (add_name(&im->img[k], d->tags[t], e) < 0)
							goto out;
			continue;
		}
		if (!(p = plan_for(im, cf->digest, &fresh, e)))
			goto out;
		if (fresh) {
			snprintf(p->rec.config, sizeof(p->rec.config), "%s", cf->digest);
			if (config_into(im, cf, p, d->nlayers, e) < 0)
				goto out;
			p->blob[LAYERS_MAX] = cf;
			for (int k = 0; k < d->nlayers; k++) {
				const struct arch_file *lf = archive_find(im->a, d->layers[k]);
				if (!lf) {
					berr_set(e, ENOENT, "manifest.json: layer %s missing from the archive",
						 d->layers[k]);
					goto out;
				}
				if (claimed(d->layers[k], want) && strcmp(want, lf->digest) != 0) {
					berr_set(e, EBADMSG, "layer %s: digest mismatch: content hashes to %s",
						 want, lf->digest);
					goto out;
				}
				p->blob[k] = lf;
				p->comp[k] = 0;
				snprintf(p->rec.layers[k].blob, sizeof(p->rec.layers[k].blob), "%s", lf->digest);
			}
		}
		for (int t = 0; t < d->ntags; t++)
			if (add_name(p, d->tags[t], e) < 0)
				goto out;
	}
	rc = 0;
out:
	free(dm);
	return rc < 0 ? berr_prefix(e, "manifest.json") : 0;
}

static int exists(struct store *s, const char *dir, const char *digest)
{
	char path[STORE_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, digest + 7);
	return faccessat(s->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Unpack (or, when the layer is already there, only verify) every layer. */
static int run_layers(struct imp *im, struct berr *e)
{
	for (int i = 0; i < im->n; i++) {
		struct plan *p = &im->img[i];
		for (int k = 0; k < p->rec.nlayers; k++) {
			struct image_layer *l = &p->rec.layers[k];
			char spool[32], target[STORE_PATH_MAX + 80], label[160], diff[DIGEST_STR_LEN + 1];
			struct layer_job j = { .dirfd = im->spoolfd, .spool = spool, .comp = p->comp[k],
					       .unpack = im->o->unpack, .label = label,
					       .no_setid = im->o->no_setid, .progress = im->o->progress,
					       .max_bytes = im->o->max_bytes, .max_entries = im->o->max_entries,
					       .ratio_max = im->o->ratio_max,
					       .userns_base = im->o->userns_base,
					       .userns_size = im->o->userns_size };
			int seen = 0, unpack;

			for (int v = 0; v < im->nver && !seen; v++)
				seen = strcmp(im->ver[v].blob, l->blob) == 0 &&
				       strcmp(im->ver[v].chain, l->chain) == 0;
			if (seen)
				continue;
			if (im->nver >= IMPORT_LAYERS_MAX)
				return berr_set(e, E2BIG, "more than %d distinct layers in one import",
						IMPORT_LAYERS_MAX);
			unpack = !exists(im->s, "layers", l->chain);
			for (int v = 0; v < im->nver && unpack; v++)
				unpack = strcmp(im->ver[v].chain, l->chain) != 0;
			archive_spool_name(im->a, p->blob[k], spool, sizeof(spool));
			snprintf(label, sizeof(label), "layer %d/%d %.19s", k + 1, p->rec.nlayers, l->blob);
			if (unpack) {
				snprintf(target, sizeof(target), "%s/%s/L%d", im->s->root, im->tmp, im->nver);
				if (mkdir(target, 0755) < 0)
					return berr_sys(e, "mkdir %s", target);
				j.target = target;
			}
			if (layer_run(&j, diff, e) < 0)
				return berr_prefix(e, "layer %s", l->blob);
			if (strcmp(diff, l->diff) != 0)
				return berr_set(e, EBADMSG, "layer %s: diff_id mismatch: config %s says %s, "
						"the uncompressed layer hashes to %s", l->blob, p->rec.config,
						l->diff, diff);
			struct verified *v = &im->ver[im->nver];
			snprintf(v->blob, sizeof(v->blob), "%s", l->blob);
			snprintf(v->diff, sizeof(v->diff), "%s", diff);
			snprintf(v->chain, sizeof(v->chain), "%s", l->chain);
			v->dir = unpack ? im->nver : -1;
			im->nver++;
		}
	}
	return 0;
}

static int move_blob(struct imp *im, const struct arch_file *f, struct berr *e)
{
	char from[STORE_PATH_MAX], to[STORE_PATH_MAX], name[32];

	if (!f || exists(im->s, "blobs/sha256", f->digest))
		return 0;
	archive_spool_name(im->a, f, name, sizeof(name));
	snprintf(from, sizeof(from), "%s/spool/%s", im->tmp, name);
	snprintf(to, sizeof(to), "blobs/sha256/%s", f->digest + 7);
	if (renameat(im->s->rootfd, from, im->s->rootfd, to) < 0)
		return berr_sys(e, "rename %s to %s", from, to);
	return 0;
}

/* Blobs, then layers, then image records, then names: an image appears
 * only when everything it names is in place. */
static int commit(struct imp *im, FILE *out, struct berr *e)
{
	struct names *nm = malloc(sizeof(*nm));
	int rc = -1;

	if (!nm)
		return berr_set(e, ENOMEM, "out of memory");
	if (syncfs(im->s->rootfd) < 0) {
		berr_sys(e, "syncfs %s", im->s->root);
		goto out;
	}
	for (int i = 0; i < im->n; i++)
		for (int k = 0; k < LAYERS_MAX + 2; k++)
			if (move_blob(im, im->img[i].blob[k], e) < 0)
				goto out;
	if (store_fsync_dir(im->s, "blobs/sha256", e) < 0)
		goto out;
	for (int v = 0; v < im->nver; v++) {
		char from[STORE_PATH_MAX], to[STORE_PATH_MAX];
		if (im->ver[v].dir < 0 || exists(im->s, "layers", im->ver[v].chain))
			continue;
		snprintf(from, sizeof(from), "%s/L%d", im->tmp, im->ver[v].dir);
		snprintf(to, sizeof(to), "layers/%s", im->ver[v].chain + 7);
		if (renameat(im->s->rootfd, from, im->s->rootfd, to) < 0) {
			berr_sys(e, "rename %s to %s", from, to);
			goto out;
		}
	}
	if (store_fsync_dir(im->s, "layers", e) < 0)
		goto out;
	/* an image already in the store keeps its record (only names change) */
	for (int i = 0; i < im->n; i++)
		if (!exists(im->s, "images", im->img[i].rec.config) &&
		    store_image_write(im->s, &im->img[i].rec, e) < 0)
			goto out;
	if (store_names_read(im->s, nm, e) < 0)
		goto out;
	for (int i = 0; i < im->n; i++)
		for (int k = 0; k < im->img[i].nnames; k++)
			if (names_set(nm, im->img[i].names[k], im->img[i].rec.config, e) < 0)
				goto out;
	if (store_names_write(im->s, nm, e) < 0)
		goto out;
	for (int i = 0; i < im->n; i++) {
		if (!im->img[i].nnames)
			fprintf(out, "loaded %s\n", im->img[i].rec.config);
		for (int k = 0; k < im->img[i].nnames; k++)
			fprintf(out, "loaded %s (%s)\n", im->img[i].names[k], im->img[i].rec.config);
	}
	rc = 0;
out:
	free(nm);
	return rc;
}

int image_import(struct store *s, int fd, const struct import_opts *o, FILE *out, struct berr *e)
{
	struct imp *im = calloc(1, sizeof(*im));
	const struct arch_file *ix, *mj;
	char spool[80];
	int rc = -1;

	if (!im)
		return berr_set(e, ENOMEM, "out of memory");
	im->s = s;
	im->o = o;
	im->tmpfd = im->spoolfd = -1;
	im->a = malloc(sizeof(*im->a));
	if (!im->a) {
		free(im);
		return berr_set(e, ENOMEM, "out of memory");
	}
	if (store_mktemp(s, "import", im->tmp, sizeof(im->tmp), e) < 0)
		goto out;
	snprintf(spool, sizeof(spool), "%s/spool", im->tmp);
	if (mkdirat(s->rootfd, spool, 0700) < 0) {
		berr_sys(e, "mkdir %s", spool);
		goto out;
	}
	im->spoolfd = openat(s->rootfd, spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (im->spoolfd < 0) {
		berr_sys(e, "open %s", spool);
		goto out;
	}
	if (archive_spool(im->a, im->spoolfd, fd, e) < 0)
		goto out;
	ix = archive_find(im->a, "index.json");
	mj = archive_find(im->a, "manifest.json");
	if (ix) {
		if (!archive_find(im->a, "oci-layout")) {
			berr_set(e, EPROTO, "index.json without oci-layout: not an OCI image layout");
			goto out;
		}
		if (plan_oci(im, ix, e) < 0 || (mj && plan_docker(im, mj, 1, e) < 0))
			goto out;
	} else if (mj) {
		if (plan_docker(im, mj, 0, e) < 0)
			goto out;
	} else {
		berr_set(e, EPROTO, "neither index.json nor manifest.json: not an image archive");
		goto out;
	}
	if (run_layers(im, e) < 0 || commit(im, out, e) < 0)
		goto out;
	rc = 0;
out:
	fd_close(&im->spoolfd);
	if (im->tmp[0]) {
		struct berr e2 = {0};
		store_rm_tree(s->rootfd, im->tmp, &e2);
	}
	free(im->a);
	free(im);
	return rc;
}
