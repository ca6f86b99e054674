/* import.c — layouts, digest verification and the atomic commit; see
 * import.h. The layers themselves run in import_layers.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/import-internal.h"

/* A failure of this host, not of the archive. */
static int sysfail(struct imp *im)
{
	im->cls = IMPORT_SYSTEM;
	return -1;
}

static ssize_t read_json(struct imp *im, const struct arch_file *f, struct berr *e)
{
	char name[32];
	ssize_t len;

	if (f->size > CONFIG_IMAGE_JSON_MAX)
		return berr_set(e, EFBIG, "%s is larger than %d bytes", f->path, CONFIG_IMAGE_JSON_MAX);
	archive_spool_name(im->a, f, name, sizeof(name));
	len = fs_read_at(im->spoolfd, name, im->js, sizeof(im->js), e);
	if (len < 0)
		return berr_prefix(e, "spooled %s", f->path), sysfail(im);
	return len;
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
		sysfail(im);
		goto out;
	}
	if (len < 0 || manifest_config_read(im->js, (size_t)len, cfg, e) < 0) {
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
		store_chain_id(i ? p->rec.layers[i - 1].chain : NULL, l->diff, l->chain);
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
		return berr_set(e, ENOMEM, "out of memory"), sysfail(im);
	if (!(mf = blob_for(im, md, "manifest", e)))
		goto out;
	len = read_json(im, mf, e);
	if (len < 0 || manifest_read(im->js, (size_t)len, m, e) < 0) {
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
			p->comp[i] = manifest_layer_comp(m->layers[i].media, e);
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

/* The linux/amd64 manifest of a nested index (multi-platform image). */
static const struct desc *pick_platform(struct imp *im, const struct desc *d, struct oci_index *sub,
					struct berr *e)
{
	const struct arch_file *f = blob_for(im, d, "index", e);
	ssize_t len;

	if (!f || (len = read_json(im, f, e)) < 0 || manifest_index_read(im->js, (size_t)len, sub, e) < 0)
		return NULL;
	for (int k = 0; k < sub->n; k++)
		if (strcmp(sub->m[k].os, "linux") == 0 && strcmp(sub->m[k].arch, "amd64") == 0)
			return &sub->m[k];
	if (sub->n == 1 && !sub->m[0].arch[0])
		return &sub->m[0];
	berr_set(e, ENOENT, "index %s has no linux/amd64 image", d->digest);
	return NULL;
}

static int plan_oci(struct imp *im, const struct arch_file *ixf, struct berr *e)
{
	struct oci_index *ix = malloc(sizeof(*ix)), *sub = malloc(sizeof(*sub));
	ssize_t len;
	int rc = -1;

	if (!ix || !sub) {
		berr_set(e, ENOMEM, "out of memory");
		sysfail(im);
		goto out;
	}
	len = read_json(im, ixf, e);
	if (len < 0 || manifest_index_read(im->js, (size_t)len, ix, e) < 0)
		goto out;
	if (ix->n == 0) {
		berr_set(e, ENOENT, "index.json lists no images");
		goto out;
	}
	for (int i = 0; i < ix->n; i++) {
		const struct desc *d = &ix->m[i], *pick = d;
		if (strcmp(d->media, MT_OCI_INDEX) == 0 || strcmp(d->media, MT_DOCKER_LIST) == 0) {
			if (!(pick = pick_platform(im, d, sub, e)))
				goto out;
		} else if (d->media[0] && strcmp(d->media, MT_OCI_MANIFEST) != 0 &&
			   strcmp(d->media, MT_DOCKER_MANIFEST) != 0) {
			berr_set(e, EPROTO, "index.json: %s has media type \"%s\", not a manifest", d->digest,
				 d->media);
			goto out;
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

/* The archive file a docker-save path names, checked against the digest
 * its name claims. */
static const struct arch_file *docker_file(struct imp *im, const char *path, const char *what,
					   struct berr *e)
{
	const struct arch_file *f = archive_find(im->a, path);
	char want[DIGEST_STR_LEN + 1];

	if (!f) {
		berr_set(e, ENOENT, "manifest.json: %s %s missing from the archive", what, path);
		return NULL;
	}
	if (claimed(path, want) && strcmp(want, f->digest) != 0) {
		berr_set(e, EBADMSG, "%s %s: digest mismatch: content hashes to %s", what, want, f->digest);
		return NULL;
	}
	return f;
}

/* One image of manifest.json; names_only: the OCI index already planned
 * it, only its RepoTags are added. */
static int plan_docker_image(struct imp *im, const struct docker_image *d, int names_only,
			     struct berr *e)
{
	const struct arch_file *cf = docker_file(im, d->config, "config", e);
	struct plan *p;
	int fresh;

	if (!cf)
		return -1;
	if (names_only) {
		for (int k = 0; k < im->n; k++)
			if (strcmp(im->img[k].rec.config, cf->digest) == 0)
				for (int t = 0; t < d->ntags; t++)
					if (add_name(&im->img[k], d->tags[t], e) < 0)
						return -1;
		return 0;
	}
	if (!(p = plan_for(im, cf->digest, &fresh, e)))
		return -1;
	if (fresh) {
		snprintf(p->rec.config, sizeof(p->rec.config), "%s", cf->digest);
		if (config_into(im, cf, p, d->nlayers, e) < 0)
			return -1;
		p->blob[LAYERS_MAX] = cf;
		for (int k = 0; k < d->nlayers; k++) {
			if (!(p->blob[k] = docker_file(im, d->layers[k], "layer", e)))
				return -1;
			p->comp[k] = 0;
			snprintf(p->rec.layers[k].blob, sizeof(p->rec.layers[k].blob), "%s", p->blob[k]->digest);
		}
	}
	for (int t = 0; t < d->ntags; t++)
		if (add_name(p, d->tags[t], e) < 0)
			return -1;
	return 0;
}

static int plan_docker(struct imp *im, const struct arch_file *mj, int names_only, struct berr *e)
{
	struct docker_manifest *dm = malloc(sizeof(*dm));
	ssize_t len = read_json(im, mj, e);
	int rc = -1;

	if (!dm) {
		berr_set(e, ENOMEM, "out of memory");
		sysfail(im);
		goto out;
	}
	if (len < 0 || manifest_docker_read(im->js, (size_t)len, dm, e) < 0)
		goto out;
	for (int i = 0; i < dm->n; i++)
		if (plan_docker_image(im, &dm->img[i], names_only, e) < 0)
			goto out;
	rc = 0;
out:
	free(dm);
	return rc < 0 ? berr_prefix(e, "manifest.json") : 0;
}

static int move_blob(struct imp *im, const struct arch_file *f, struct berr *e)
{
	char from[STORE_PATH_MAX], to[STORE_PATH_MAX], name[32];

	if (!f || store_has(im->s, "blobs/sha256", f->digest))
		return 0;
	archive_spool_name(im->a, f, name, sizeof(name));
	snprintf(from, sizeof(from), "%s/spool/%s", im->tmp, name);
	snprintf(to, sizeof(to), "blobs/sha256/%s", f->digest + 7);
	if (renameat(im->s->rootfd, from, im->s->rootfd, to) < 0)
		return berr_sys(e, "rename %s to %s", from, to);
	return 0;
}

static int move_layers(struct imp *im, struct berr *e)
{
	for (int v = 0; v < im->njobs; v++) {
		char from[STORE_PATH_MAX], to[STORE_PATH_MAX];
		if (im->jobs[v].dir < 0 || store_has(im->s, "layers", im->jobs[v].chain))
			continue;
		snprintf(from, sizeof(from), "%s/L%d", im->tmp, im->jobs[v].dir);
		snprintf(to, sizeof(to), "layers/%s", im->jobs[v].chain + 7);
		if (renameat(im->s->rootfd, from, im->s->rootfd, to) < 0)
			return berr_sys(e, "rename %s to %s", from, to);
	}
	return fs_fsync_dir_at(im->s->rootfd, "layers", e);
}

/* Image records, then names (an image already in the store keeps its
 * record: only names change). */
static int write_images(struct imp *im, struct berr *e)
{
	for (int i = 0; i < im->n; i++)
		if (!store_has(im->s, "images", im->img[i].rec.config) &&
		    store_image_write(im->s, &im->img[i].rec, e) < 0)
			return -1;
	memcpy(&im->names, &im->s->ix->names, sizeof(im->names));
	for (int i = 0; i < im->n; i++)
		for (int k = 0; k < im->img[i].nnames; k++)
			if (store_names_set(&im->names, im->img[i].names[k], im->img[i].rec.config, e) < 0)
				return -1;
	return store_names_write(im->s, &im->names, e);
}

/* Blobs, then layers, then image records, then names: an image appears
 * only when everything it names is in place. */
static int commit(struct imp *im, struct berr *e)
{
	if (syncfs(im->s->rootfd) < 0)
		return berr_sys(e, "syncfs %s", im->s->root), sysfail(im);
	for (int i = 0; i < im->n; i++)
		for (int k = 0; k < LAYERS_MAX + 2; k++)
			if (move_blob(im, im->img[i].blob[k], e) < 0)
				return sysfail(im);
	if (fs_fsync_dir_at(im->s->rootfd, "blobs/sha256", e) < 0 || move_layers(im, e) < 0)
		return sysfail(im);
	if (write_images(im, e) < 0)
		return e->errnum == E2BIG || e->errnum == EINVAL ? -1 : sysfail(im);
	for (int i = 0; i < im->n; i++) {
		struct import_event ev = { .kind = IMPORT_LOADED, .digest = im->img[i].rec.config, .name = "" };
		if (!im->img[i].nnames)
			import_event(im, &ev);
		for (int k = 0; k < im->img[i].nnames; k++) {
			ev.name = im->img[i].names[k];
			import_event(im, &ev);
		}
	}
	return 0;
}

/* Spool the archive into tmp/import.PID.N/spool and plan its images. */
static int spool_and_plan(struct imp *im, const struct import_reader *in, struct berr *e)
{
	const struct arch_file *ix, *mj;
	char spool[80];

	if (store_mktemp(im->s, "import", im->tmp, sizeof(im->tmp), e) < 0)
		return sysfail(im);
	snprintf(spool, sizeof(spool), "%s/spool", im->tmp);
	if (mkdirat(im->s->rootfd, spool, 0700) < 0)
		return berr_sys(e, "mkdir %s", spool), sysfail(im);
	im->spoolfd = openat(im->s->rootfd, spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (im->spoolfd < 0)
		return berr_sys(e, "open %s", spool), sysfail(im);
	if (archive_spool(im->a, im->spoolfd, in->read, in->ctx, e) < 0) {
		im->cls = im->a->failed == ARCHIVE_SOURCE ? IMPORT_SOURCE :
			  im->a->failed == ARCHIVE_SYSTEM ? IMPORT_SYSTEM : IMPORT_REFUSED;
		return -1;
	}
	ix = archive_find(im->a, "index.json");
	mj = archive_find(im->a, "manifest.json");
	if (ix) {
		if (!archive_find(im->a, "oci-layout"))
			return berr_set(e, EPROTO, "index.json without oci-layout: not an OCI image layout");
		return plan_oci(im, ix, e) < 0 || (mj && plan_docker(im, mj, 1, e) < 0) ? -1 : 0;
	}
	if (mj)
		return plan_docker(im, mj, 0, e);
	return berr_set(e, EPROTO, "neither index.json nor manifest.json: not an image archive");
}

ssize_t import_fd_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	return tar_fd_read(ctx, buf, n, e);
}

int import_archive(struct store *s, const struct import_reader *in, const struct import_opts *o,
		   struct import_result *res, struct berr *e)
{
	struct imp *im = calloc(1, sizeof(*im));
	int rc = -1;

	res->cls = IMPORT_SYSTEM;
	res->nimages = 0;
	if (!im)
		return berr_set(e, ENOMEM, "out of memory");
	if (s->locked != STORE_EXCLUSIVE) {
		free(im);
		return berr_set(e, EPERM, "import: the store is not locked exclusively");
	}
	im->s = s;
	im->o = o;
	im->cls = IMPORT_REFUSED;
	im->spoolfd = -1;
	im->a = malloc(sizeof(*im->a));
	if (!im->a)
		berr_set(e, ENOMEM, "out of memory"), sysfail(im);
	else if (spool_and_plan(im, in, e) == 0 && import_layers(im, e) == 0 && commit(im, e) == 0)
		rc = 0;
	fd_close(&im->spoolfd);
	if (im->tmp[0]) {
		struct berr e2 = {0};
		fs_rm_tree_at(s->rootfd, im->tmp, &e2);
	}
	res->cls = rc == 0 ? IMPORT_OK : im->cls;
	res->nimages = rc == 0 ? im->n : 0;
	free(im->a);
	free(im);
	return rc;
}
