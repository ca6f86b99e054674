/* store.c — data-root layout, lock, index, records, names; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/store-internal.h"

#define RECORD_MAX (1024 + LAYERS_MAX * 3 * (DIGEST_STR_LEN + 8))
#define NAMES_FILE_MAX (STORE_NAMES_MAX * (REF_NAME_MAX + DIGEST_STR_LEN + 2))

/* empty/ is the bottom lower directory of single-layer read-only mounts
 * (overlayfs wants two lower directories when there is no upper one) */
static const char *const dirs[] = { "blobs", "blobs/sha256", "layers", "images", "containers", "tmp",
				    "empty" };

void store_chain_id(const char *parent, const char *diff, char *out)
{
	struct digest d;

	if (!parent || !parent[0]) {
		memcpy(out, diff, DIGEST_STR_LEN + 1);
		return;
	}
	digest_init(&d);
	digest_update(&d, parent, strlen(parent));
	digest_update(&d, " ", 1);
	digest_update(&d, diff, strlen(diff));
	digest_final(&d, out);
}

int store_has(struct store *s, const char *dir, const char *digest)
{
	char path[STORE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, digest + 7);
	return faccessat(s->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int store_each_entry(struct store *s, const char *dir, store_entry_fn fn, void *ctx, struct berr *e)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr_sys(e, "open %s/%s", s->root, dir);
	}
	while ((errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && (rc = fn(ctx, de->d_name, e)) < 0)
			break;
	if (rc == 0 && errno)
		rc = berr_sys(e, "readdir %s/%s", s->root, dir);
	closedir(d);
	return rc;
}

static int rm_tmp_entry(void *ctx, const char *name, struct berr *e)
{
	struct store *s = ctx;
	char path[STORE_PATH_MAX];

	snprintf(path, sizeof(path), "tmp/%s", name);
	return fs_rm_tree_at(s->rootfd, path, e);
}

/* ------------------------------------------------------------- the index */

static int hex_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int is_hex_name(const char *name)
{
	return strlen(name) == DIGEST_HEX_LEN && strspn(name, "0123456789abcdef") == DIGEST_HEX_LEN;
}

static int add_image_entry(void *ctx, const char *name, struct berr *e)
{
	struct store *s = ctx;

	if (!is_hex_name(name))
		return 0;
	if (s->ix->nimages >= STORE_IMAGES_MAX)
		return berr_set(e, E2BIG, "more than %d images", STORE_IMAGES_MAX);
	memcpy(s->ix->images[s->ix->nimages++], name, DIGEST_HEX_LEN + 1);
	return 0;
}

static int names_load(struct store *s, struct berr *e)
{
	struct store_names *n = &s->ix->names;
	char *buf = malloc(NAMES_FILE_MAX), *line, *save = NULL;
	ssize_t len;

	n->n = 0;
	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	len = fs_read_at(s->rootfd, "names", buf, NAMES_FILE_MAX, e);
	if (len < 0) {
		free(buf);
		if (e->errnum != ENOENT)
			return berr_prefix(e, "%s", s->root);
		berr_clear(e);
		return 0;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		struct berr skip;
		if (!tab || n->n >= STORE_NAMES_MAX)
			continue;
		*tab = '\0';
		if (store_name_check(line, &skip) < 0 || strlen(tab + 1) != DIGEST_STR_LEN)
			continue;
		snprintf(n->e[n->n].name, sizeof(n->e[n->n].name), "%s", line);
		snprintf(n->e[n->n].digest, sizeof(n->e[n->n].digest), "%s", tab + 1);
		n->n++;
	}
	free(buf);
	return 0;
}

/* The generation lives in the lock file: read and written only under the
 * lock, so no reader sees half a write. It needs no fsync: after a power
 * cut every process starts over and loads its index at open. */
static int gen_read(struct store *s, uint64_t *gen, struct berr *e)
{
	char buf[32];
	ssize_t len = pread(s->lockfd, buf, sizeof(buf) - 1, 0);

	if (len < 0)
		return berr_sys(e, "read %s/lock", s->root);
	buf[len] = '\0';
	*gen = strtoull(buf, NULL, 10);
	return 0;
}

static int index_load(struct store *s, uint64_t gen, struct berr *e)
{
	s->ix->nimages = 0;
	if (store_each_entry(s, "images", add_image_entry, s, e) < 0 || names_load(s, e) < 0)
		return -1;
	qsort(s->ix->images, (size_t)s->ix->nimages, sizeof(s->ix->images[0]), hex_cmp);
	s->ix->gen = gen;
	return 0;
}

static int index_find(const struct store *s, const char *hex)
{
	const char(*p)[DIGEST_HEX_LEN + 1] = bsearch(hex, s->ix->images, (size_t)s->ix->nimages,
						    sizeof(s->ix->images[0]), hex_cmp);
	return p ? (int)(p - s->ix->images) : -1;
}

static int index_add(struct store *s, const char *hex, struct berr *e)
{
	struct store_index *ix = s->ix;
	int i = 0;

	if (index_find(s, hex) >= 0)
		return 0;
	if (ix->nimages >= STORE_IMAGES_MAX)
		return berr_set(e, E2BIG, "more than %d images", STORE_IMAGES_MAX);
	while (i < ix->nimages && strcmp(ix->images[i], hex) < 0)
		i++;
	memmove(ix->images[i + 1], ix->images[i], (size_t)(ix->nimages - i) * sizeof(ix->images[0]));
	memcpy(ix->images[i], hex, DIGEST_HEX_LEN + 1);
	ix->nimages++;
	return 0;
}

/* The first change of images/ or names under this lock bumps the
 * generation, before the change is made. */
static int begin_change(struct store *s, struct berr *e)
{
	char buf[32];
	int n;

	if (s->locked != STORE_EXCLUSIVE)
		return berr_set(e, EPERM, "store %s: changed without the exclusive lock", s->root);
	if (s->changing)
		return 0;
	n = snprintf(buf, sizeof(buf), "%020llu\n", (unsigned long long)(s->ix->gen + 1));
	if (pwrite(s->lockfd, buf, (size_t)n, 0) != n)
		return berr_sys(e, "write %s/lock", s->root);
	s->ix->gen++;
	s->changing = 1;
	return 0;
}

int store_image_remove(struct store *s, const char *hex, struct berr *e)
{
	struct store_index *ix = s->ix;
	char path[STORE_PATH_MAX];
	int i = index_find(s, hex);

	snprintf(path, sizeof(path), "images/%s", hex);
	if (begin_change(s, e) < 0)
		return -1;
	if (unlinkat(s->rootfd, path, 0) < 0 && errno != ENOENT)
		return berr_sys(e, "remove %s/%s", s->root, path);
	if (i >= 0) {
		memmove(ix->images[i], ix->images[i + 1], (size_t)(ix->nimages - i - 1) * sizeof(ix->images[0]));
		ix->nimages--;
	}
	return fs_fsync_dir_at(s->rootfd, "images", e);
}

/* --------------------------------------------------------- open and lock */

int store_lock(struct store *s, enum store_lock_mode mode, struct berr *e)
{
	uint64_t gen = 0;

	if (s->locked == mode)
		return 0;
	while (flock(s->lockfd, mode == STORE_EXCLUSIVE ? LOCK_EX : mode == STORE_SHARED ? LOCK_SH : LOCK_UN) < 0)
		if (errno != EINTR)
			return berr_sys(e, "flock %s/lock", s->root);
	s->locked = mode;
	s->changing = 0;
	if (mode == STORE_UNLOCKED)
		return 0;
	if (gen_read(s, &gen, e) < 0)
		goto fail;
	if ((gen != s->ix->gen || s->ix->gen == UINT64_MAX) && index_load(s, gen, e) < 0)
		goto fail;
	/* leftovers of interrupted imports and removals: nobody else can be
	 * using tmp/ while this process holds the exclusive lock */
	if (mode == STORE_EXCLUSIVE && store_each_entry(s, "tmp", rm_tmp_entry, s, e) < 0) {
		berr_prefix(e, "cleaning %s/tmp", s->root);
		goto fail;
	}
	return 0;
fail:
	s->ix->gen = UINT64_MAX; /* reload at the next lock */
	store_unlock(s);
	return -1;
}

void store_unlock(struct store *s)
{
	if (s->lockfd >= 0 && s->locked != STORE_UNLOCKED)
		flock(s->lockfd, LOCK_UN);
	s->locked = STORE_UNLOCKED;
}

int store_open(struct store *s, const char *root, enum store_lock_mode mode, struct berr *e)
{
	s->rootfd = s->lockfd = -1;
	s->locked = STORE_UNLOCKED;
	s->ix = NULL;
	if (strlen(root) > STORE_PATH_MAX - 256)
		return berr_set(e, ENAMETOOLONG, "data root longer than %d bytes", STORE_PATH_MAX - 256);
	snprintf(s->root, sizeof(s->root), "%s", root);
	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir %s", root);
	s->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		return berr_sys(e, "open %s", root);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mkdirat(s->rootfd, dirs[i], 0700) < 0 && errno != EEXIST)
			return berr_sys(e, "mkdir %s/%s", root, dirs[i]);
	s->lockfd = openat(s->rootfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0)
		return berr_sys(e, "open %s/lock", root);
	s->ix = malloc(sizeof(*s->ix));
	if (!s->ix)
		return berr_set(e, ENOMEM, "out of memory for the store index");
	s->ix->gen = UINT64_MAX;
	s->ix->nimages = s->ix->names.n = 0;
	if (mode != STORE_UNLOCKED)
		return store_lock(s, mode, e);
	if (store_lock(s, STORE_SHARED, e) < 0)
		return -1;
	store_unlock(s);
	return 0;
}

void store_close(struct store *s)
{
	store_unlock(s);
	fd_close(&s->lockfd);
	fd_close(&s->rootfd);
	free(s->ix);
	s->ix = NULL;
}

int store_mktemp(struct store *s, const char *prefix, char *out, size_t size, struct berr *e)
{
	for (unsigned n = 0; n < 1000; n++) {
		snprintf(out, size, "tmp/%s.%d.%u", prefix, (int)getpid(), n);
		if (mkdirat(s->rootfd, out, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return berr_sys(e, "mkdir %s/%s", s->root, out);
	}
	return berr_set(e, EEXIST, "no free temporary name for %s", prefix);
}

/* Write a whole file in tmp/ and then rename it to path (relative to the
 * root; dir is its directory): a writer killed on the way leaves its
 * half-written file only in tmp/, which every exclusive lock empties, never
 * beside the records where nothing would remove it. */
static int publish(struct store *s, const char *dir, const char *path, const char *buf, size_t len,
		   struct berr *e)
{
	char tmp[STORE_PATH_MAX];

	snprintf(tmp, sizeof(tmp), "tmp/publish.%d", (int)getpid());
	if (fs_write_atomic_at(s->rootfd, tmp, buf, len, 0600, e) < 0)
		return -1;
	if (renameat(s->rootfd, tmp, s->rootfd, path) < 0) {
		berr_sys(e, "rename %s to %s", tmp, path);
		(void)unlinkat(s->rootfd, tmp, 0);
		return -1;
	}
	return fs_fsync_dir_at(s->rootfd, dir, e);
}

int store_image_write(struct store *s, const struct image_rec *im, struct berr *e)
{
	char *buf = malloc(RECORD_MAX), path[STORE_PATH_MAX];
	size_t o = 0;
	int rc = -1;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	o += (size_t)snprintf(buf + o, RECORD_MAX - o, "config %s\nmanifest %s\nplatform %s/%s\n",
			      im->config, im->manifest[0] ? im->manifest : "-",
			      im->os[0] ? im->os : "-", im->arch[0] ? im->arch : "-");
	for (int i = 0; i < im->nlayers; i++)
		o += (size_t)snprintf(buf + o, RECORD_MAX - o, "layer %s %s %s\n", im->layers[i].blob,
				      im->layers[i].diff, im->layers[i].chain);
	snprintf(path, sizeof(path), "images/%s", im->config + 7);
	if (begin_change(s, e) == 0 && publish(s, "images", path, buf, o, e) == 0 &&
	    index_add(s, im->config + 7, e) == 0)
		rc = 0;
	free(buf);
	return rc < 0 ? berr_prefix(e, "%s", s->root) : 0;
}

/* One "layer BLOB DIFF CHAIN" line of a record. */
static int record_layer(struct image_rec *im, const char *line, struct berr *e)
{
	char a[80], b[80], c[80], hx[DIGEST_HEX_LEN + 1];
	struct image_layer *l;

	if (sscanf(line, "layer %79s %79s %79s", a, b, c) != 3 || im->nlayers >= LAYERS_MAX)
		return berr_set(e, EPROTO, "bad line \"%.60s\"", line);
	if (digest_parse(a, strlen(a), hx, e) < 0 || digest_parse(b, strlen(b), hx, e) < 0 ||
	    digest_parse(c, strlen(c), hx, e) < 0)
		return -1;
	l = &im->layers[im->nlayers++];
	snprintf(l->blob, sizeof(l->blob), "%s", a);
	snprintf(l->diff, sizeof(l->diff), "%s", b);
	snprintf(l->chain, sizeof(l->chain), "%s", c);
	return 0;
}

int store_image_read(struct store *s, const char *hex, struct image_rec *im, struct berr *e)
{
	char path[STORE_PATH_MAX], *buf = malloc(RECORD_MAX), *line, *save = NULL, hx[DIGEST_HEX_LEN + 1];
	int rc = -1;

	memset(im, 0, sizeof(*im));
	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "images/%s", hex);
	if (fs_read_at(s->rootfd, path, buf, RECORD_MAX, e) < 0)
		goto bad;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[80];
		if (sscanf(line, "config %79s", a) == 1)
			snprintf(im->config, sizeof(im->config), "%s", a);
		else if (sscanf(line, "manifest %79s", a) == 1)
			snprintf(im->manifest, sizeof(im->manifest), "%s", strcmp(a, "-") ? a : "");
		else if (sscanf(line, "platform %31[^/]/%31s", im->os, im->arch) == 2)
			;
		else if (record_layer(im, line, e) < 0)
			goto bad;
	}
	if (digest_parse(im->config, strlen(im->config), hx, e) < 0 || strcmp(hx, hex) != 0) {
		berr_set(e, EPROTO, "config digest does not match the record's name");
		goto bad;
	}
	rc = 0;
	goto out;
bad:
	berr_prefix(e, "image record %s/images/%s", s->root, hex);
out:
	free(buf);
	return rc;
}

int store_name_check(const char *name, struct berr *e)
{
	size_t n = strlen(name);

	if (n == 0 || n >= REF_NAME_MAX)
		return berr_set(e, EINVAL, "image name \"%.60s\" is empty or too long", name);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' || name[i] == 0x7f)
			return berr_set(e, EINVAL, "image name \"%.60s\" contains a space or control character",
					name);
	return 0;
}

int store_names_set(struct store_names *n, const char *name, const char *digest, struct berr *e)
{
	if (store_name_check(name, e) < 0)
		return -1;
	for (int i = 0; i < n->n; i++)
		if (strcmp(n->e[i].name, name) == 0) {
			snprintf(n->e[i].digest, sizeof(n->e[i].digest), "%s", digest);
			return 0;
		}
	if (n->n >= STORE_NAMES_MAX)
		return berr_set(e, E2BIG, "more than %d image names", STORE_NAMES_MAX);
	snprintf(n->e[n->n].name, sizeof(n->e[n->n].name), "%s", name);
	snprintf(n->e[n->n].digest, sizeof(n->e[n->n].digest), "%s", digest);
	n->n++;
	return 0;
}

int store_names_write(struct store *s, const struct store_names *n, struct berr *e)
{
	char *buf = malloc(NAMES_FILE_MAX);
	size_t o = 0;
	int rc = -1;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < n->n; i++)
		o += (size_t)snprintf(buf + o, NAMES_FILE_MAX - o, "%s\t%s\n", n->e[i].name, n->e[i].digest);
	if (begin_change(s, e) == 0 && publish(s, ".", "names", buf, o, e) == 0) {
		if (n != &s->ix->names)
			memcpy(&s->ix->names, n, sizeof(*n));
		rc = 0;
	}
	free(buf);
	return rc < 0 ? berr_prefix(e, "%s", s->root) : 0;
}

/* The name REF stands for: as given, with ":latest", then as a Docker Hub
 * name ("busybox" is "docker.io/library/busybox:latest"). */
static const struct store_name *resolve_name(const struct store *s, const char *ref)
{
	const char *last = strrchr(ref, '/');
	int tagged = strchr(last ? last : ref, ':') != NULL;
	const char *hub = strchr(ref, '/') ? "docker.io/" : "docker.io/library/";
	char want[REF_NAME_MAX + 32];

	for (int c = 0; c < 4; c++) {
		if ((c & 1) && tagged)
			continue;
		snprintf(want, sizeof(want), "%s%s%s", c >= 2 ? hub : "", ref, (c & 1) ? ":latest" : "");
		for (int i = 0; i < s->ix->names.n; i++)
			if (strcmp(s->ix->names.e[i].name, want) == 0)
				return &s->ix->names.e[i];
	}
	return NULL;
}

int store_resolve(struct store *s, const char *ref, char *hex, char *name, struct berr *e)
{
	const struct store_name *nm = resolve_name(s, ref);
	const char *pfx = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t plen = strlen(pfx);
	int found = -1;

	if (nm) {
		memcpy(hex, nm->digest + 7, DIGEST_HEX_LEN + 1);
		if (name)
			snprintf(name, REF_NAME_MAX, "%s", nm->name);
		return 0;
	}
	if (name)
		name[0] = '\0';
	if (plen < 4 || strspn(pfx, "0123456789abcdef") != plen)
		return berr_set(e, ENOENT, "no image named \"%s\"", ref);
	for (int i = 0; i < s->ix->nimages; i++)
		if (strncmp(s->ix->images[i], pfx, plen) == 0) {
			if (found >= 0)
				return berr_set(e, EINVAL, "\"%s\" matches more than one image", ref);
			found = i;
		}
	if (found < 0)
		return berr_set(e, ENOENT, "no image named \"%s\"", ref);
	memcpy(hex, s->ix->images[found], DIGEST_HEX_LEN + 1);
	return 0;
}
