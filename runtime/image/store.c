/* store.c — data-root layout, atomic writes, records, names; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/store.h"

#define RECORD_MAX (1024 + LAYERS_MAX * 3 * (DIGEST_STR_LEN + 8))
#define NAMES_FILE_MAX (STORE_NAMES_MAX * (REF_NAME_MAX + DIGEST_STR_LEN + 2))

/* empty/ is the bottom lower directory of single-layer read-only mounts
 * (overlayfs wants two lower directories when there is no upper one) */
static const char *const dirs[] = { "blobs", "blobs/sha256", "layers", "images", "containers", "tmp",
				    "empty" };

void chain_id(const char *parent, const char *diff, char *out)
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

int store_fsync_dir(struct store *s, const char *dir, struct berr *e)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(e, "open %s/%s", s->root, dir);
	if (fsync(fd) < 0) {
		berr_sys(e, "fsync %s/%s", s->root, dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int store_rm_tree(int dirfd, const char *name, struct berr *e)
{
	struct stat st;
	int fd;
	DIR *d;
	struct dirent *de;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(e, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return berr_sys(e, "unlink %s", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr_sys(e, "fdopendir %s", name);
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (store_rm_tree(fd, de->d_name, e) < 0) {
			closedir(d);
			return berr_prefix(e, "%s", name);
		}
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(e, "rmdir %s", name);
	return 0;
}

int store_open(struct store *s, const char *root, int exclusive, struct berr *e)
{
	s->rootfd = s->lockfd = -1;
	if (strlen(root) > STORE_PATH_MAX - 256)
		return berr_set(e, ENAMETOOLONG, "data root longer than %d bytes", STORE_PATH_MAX - 256);
	if (snprintf(s->root, sizeof(s->root), "%s", root) >= (int)sizeof(s->root))
		return berr_set(e, ENAMETOOLONG, "data root too long");
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
	while (flock(s->lockfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return berr_sys(e, "flock %s/lock", root);
	if (exclusive) {
		/* leftovers of interrupted imports and removals */
		int fd = openat(s->rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		if (!d) {
			if (fd >= 0)
				close(fd);
			return berr_sys(e, "open %s/tmp", root);
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    store_rm_tree(dirfd(d), de->d_name, e) < 0) {
				closedir(d);
				return berr_prefix(e, "cleaning %s/tmp", root);
			}
		closedir(d);
	}
	return 0;
}

void store_close(struct store *s)
{
	fd_close(&s->lockfd);
	fd_close(&s->rootfd);
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

int store_write_atomic(struct store *s, const char *dir, const char *name, const void *data,
		       size_t len, struct berr *e)
{
	char tmp[STORE_PATH_MAX], dst[STORE_PATH_MAX];
	int fd;

	snprintf(tmp, sizeof(tmp), "tmp/.w.%d.%s", (int)getpid(), name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	fd = openat(s->rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(e, "create %s/%s", s->root, tmp);
	if (util_write_all(fd, data, len, e) < 0 || fsync(fd) < 0) {
		if (!e->msg[0] || errno)
			berr_sys(e, "write %s/%s", s->root, tmp);
		close(fd);
		unlinkat(s->rootfd, tmp, 0);
		return -1;
	}
	close(fd);
	if (renameat(s->rootfd, tmp, s->rootfd, dst) < 0) {
		berr_sys(e, "rename to %s/%s", s->root, dst);
		unlinkat(s->rootfd, tmp, 0);
		return -1;
	}
	return store_fsync_dir(s, dir, e);
}

int store_image_write(struct store *s, const struct image_rec *im, struct berr *e)
{
	char *buf = malloc(RECORD_MAX);
	size_t o = 0;
	int rc;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	o += (size_t)snprintf(buf + o, RECORD_MAX - o, "config %s\nmanifest %s\nplatform %s/%s\n",
			      im->config, im->manifest[0] ? im->manifest : "-",
			      im->os[0] ? im->os : "-", im->arch[0] ? im->arch : "-");
	for (int i = 0; i < im->nlayers; i++)
		o += (size_t)snprintf(buf + o, RECORD_MAX - o, "layer %s %s %s\n", im->layers[i].blob,
				      im->layers[i].diff, im->layers[i].chain);
	rc = store_write_atomic(s, "images", im->config + 7, buf, o, e);
	free(buf);
	return rc;
}

int store_image_read(struct store *s, const char *hex, struct image_rec *im, struct berr *e)
{
	char path[STORE_PATH_MAX], *buf = malloc(RECORD_MAX), *line, *save = NULL, hx[DIGEST_HEX_LEN + 1];
	int rc = -1;

	memset(im, 0, sizeof(*im));
	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/images/%s", s->root, hex);
	if (fs_read(path, buf, RECORD_MAX, e) < 0)
		goto out;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[80], b[80], c[80];
		if (sscanf(line, "config %79s", a) == 1) {
			snprintf(im->config, sizeof(im->config), "%s", a);
		} else if (sscanf(line, "manifest %79s", a) == 1) {
			snprintf(im->manifest, sizeof(im->manifest), "%s", strcmp(a, "-") ? a : "");
		} else if (sscanf(line, "platform %31[^/]/%31s", im->os, im->arch) == 2) {
			;
		} else if (sscanf(line, "layer %79s %79s %79s", a, b, c) == 3 && im->nlayers < LAYERS_MAX) {
			struct image_layer *l = &im->layers[im->nlayers++];
			snprintf(l->blob, sizeof(l->blob), "%s", a);
			snprintf(l->diff, sizeof(l->diff), "%s", b);
			snprintf(l->chain, sizeof(l->chain), "%s", c);
			if (digest_parse(a, strlen(a), hx, e) < 0 || digest_parse(b, strlen(b), hx, e) < 0 ||
			    digest_parse(c, strlen(c), hx, e) < 0)
				goto bad;
		} else {
			berr_set(e, EPROTO, "bad line \"%.60s\"", line);
			goto bad;
		}
	}
	if (digest_parse(im->config, strlen(im->config), hx, e) < 0 || strcmp(hx, hex) != 0) {
		berr_set(e, EPROTO, "config digest does not match the record's name");
		goto bad;
	}
	rc = 0;
	goto out;
bad:
	berr_prefix(e, "image record %s", path);
out:
	free(buf);
	return rc;
}

int store_image_list(struct store *s, char (*hex)[DIGEST_HEX_LEN + 1], int max, struct berr *e)
{
	int fd = openat(s->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char tmp[DIGEST_HEX_LEN + 1], full[DIGEST_STR_LEN + 1];

	if (!d) {
		if (fd >= 0)
			close(fd);
		return berr_sys(e, "open %s/images", s->root);
	}
	while ((de = readdir(d))) {
		snprintf(full, sizeof(full), "sha256:%s", de->d_name);
		if (strlen(de->d_name) != DIGEST_HEX_LEN || digest_parse(full, strlen(full), tmp, e) < 0)
			continue;
		if (n >= max) {
			closedir(d);
			return berr_set(e, E2BIG, "more than %d images", max);
		}
		memcpy(hex[n++], de->d_name, DIGEST_HEX_LEN + 1);
	}
	closedir(d);
	berr_clear(e);
	return n;
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

int names_set(struct names *n, const char *name, const char *digest, struct berr *e)
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

int store_names_read(struct store *s, struct names *n, struct berr *e)
{
	char path[STORE_PATH_MAX], *buf = malloc(NAMES_FILE_MAX), *line, *save = NULL;
	ssize_t len;

	n->n = 0;
	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/names", s->root);
	len = fs_read(path, buf, NAMES_FILE_MAX, e);
	if (len < 0) {
		free(buf);
		if (e->errnum == ENOENT) {
			berr_clear(e);
			return 0;
		}
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (!tab || n->n >= STORE_NAMES_MAX)
			continue;
		*tab = '\0';
		if (store_name_check(line, e) < 0 || strlen(tab + 1) != DIGEST_STR_LEN)
			continue;
		snprintf(n->e[n->n].name, sizeof(n->e[n->n].name), "%s", line);
		snprintf(n->e[n->n].digest, sizeof(n->e[n->n].digest), "%s", tab + 1);
		n->n++;
	}
	free(buf);
	berr_clear(e);
	return 0;
}

int store_names_write(struct store *s, const struct names *n, struct berr *e)
{
	char *buf = malloc(NAMES_FILE_MAX);
	size_t o = 0;
	int rc;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < n->n; i++)
		o += (size_t)snprintf(buf + o, NAMES_FILE_MAX - o, "%s\t%s\n", n->e[i].name, n->e[i].digest);
	rc = store_write_atomic(s, ".", "names", buf, o, e);
	free(buf);
	return rc;
}

int store_resolve(struct store *s, const char *ref, char *hex, char *name, struct berr *e)
{
	struct names *n = malloc(sizeof(*n));
	char (*list)[DIGEST_HEX_LEN + 1] = malloc(STORE_IMAGES_MAX * sizeof(*list));
	char withtag[REF_NAME_MAX + 32];
	const char *want = NULL, *pfx = ref;
	int rc = -1, cnt, found = -1;

	if (!n || !list) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (store_names_read(s, n, e) < 0)
		goto out;
	/* as given, with ":latest", then as Docker Hub names ("busybox" is
	 * "docker.io/library/busybox:latest") */
	const char *last = strrchr(ref, '/');
	int tagged = strchr(last ? last : ref, ':') != NULL;
	const char *hub = strchr(ref, '/') ? "docker.io/" : "docker.io/library/";
	for (int c = 0; c < 4 && !want; c++) {
		if ((c & 1) && tagged)
			continue;
		snprintf(withtag, sizeof(withtag), "%s%s%s", c >= 2 ? hub : "", ref, (c & 1) ? ":latest" : "");
		for (int i = 0; i < n->n && !want; i++)
			if (strcmp(n->e[i].name, withtag) == 0) {
				want = n->e[i].digest;
				if (name)
					snprintf(name, REF_NAME_MAX, "%s", n->e[i].name);
			}
	}
	if (want) {
		memcpy(hex, want + 7, DIGEST_HEX_LEN + 1);
		rc = 0;
		goto out;
	}
	if (name)
		name[0] = '\0';
	if (strncmp(ref, "sha256:", 7) == 0)
		pfx = ref + 7;
	if (strlen(pfx) < 4 || strspn(pfx, "0123456789abcdef") != strlen(pfx)) {
		berr_set(e, ENOENT, "no image named \"%s\"", ref);
		goto out;
	}
	cnt = store_image_list(s, list, STORE_IMAGES_MAX, e);
	if (cnt < 0)
		goto out;
	for (int i = 0; i < cnt; i++)
		if (strncmp(list[i], pfx, strlen(pfx)) == 0) {
			if (found >= 0) {
				berr_set(e, EINVAL, "\"%s\" matches more than one image", ref);
				goto out;
			}
			found = i;
		}
	if (found < 0) {
		berr_set(e, ENOENT, "no image named \"%s\"", ref);
		goto out;
	}
	memcpy(hex, list[found], DIGEST_HEX_LEN + 1);
	rc = 0;
out:
	free(n);
	free(list);
	return rc;
}
