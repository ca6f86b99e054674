/* volumes.c — see volumes.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/volumes.h"

#define META_MAX 65536
#define META_TOKENS 1024

static int open_dir(struct engine *eng, struct berr *e)
{
	char path[ENGINE_PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/volumes", eng->conf.data_root);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? berr_sys(e, "open %s", path) : fd;
}

int volumes_init(struct engine *eng, struct berr *e)
{
	int fd = open_dir(eng, e);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr_sys(e, "volumes");
	}
	while ((de = readdir(d)))
		if (strncmp(de->d_name, ".new-", 5) == 0 || strncmp(de->d_name, ".rm-", 4) == 0)
			if (fs_rm_tree_at(dirfd(d), de->d_name, e) < 0)
				rc = -1;
	closedir(d);
	return rc;
}

int volume_name_check(const char *name, struct berr *e)
{
	size_t n = strlen(name);

	if (n < 2 || n > VOLUME_NAME_MAX || !((name[0] >= 'a' && name[0] <= 'z') ||
					      (name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= '0' && name[0] <= '9')) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		return berr_set(e, EINVAL, "create %s: \"%s\" includes invalid characters for a local volume "
				"name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a "
				"host directory, use absolute path", name, name);
	return 0;
}

static int meta_write(int dfd, const struct volume *v, struct berr *e)
{
	struct json_w w;
	const char *out;
	size_t n;
	int rc;

	json_w_init_grow(&w, META_MAX);
	json_w_obj(&w);
	json_w_kstr(&w, "CreatedAt", v->created);
	json_w_key(&w, "Labels");
	json_w_obj(&w);
	for (int i = 0; i < v->nlabels; i++)
		json_w_kstr(&w, v->labels[i].key, v->labels[i].value);
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	rc = json_w_finish(&w, &out, &n, e);
	if (rc == 0)
		rc = fs_write_atomic_at(dfd, "volume.json", out, n, 0600, e);
	json_w_free(&w);
	return rc;
}

static int meta_parse(const char *buf, size_t len, struct volume *v, struct berr *e)
{
	jsmntok_t *tok = malloc(META_TOKENS * sizeof(*tok));
	struct json j;
	struct json_iter it;
	int t, k, val, rc = -1;

	v->nlabels = 0;
	v->created[0] = '\0';
	if (!tok)
		return berr_set(e, ENOMEM, "out of memory");
	if (json_parse(&j, buf, len, tok, META_TOKENS, e) < 0)
		goto out;
	if ((t = json_get(&j, 0, "CreatedAt")) >= 0 && json_str(&j, t, v->created, sizeof(v->created), e) < 0)
		goto out;
	json_iter_init(&j, json_get(&j, 0, "Labels"), &it);
	while (json_iter_next(&j, &it, &k, &val) && v->nlabels < VOLUME_LABELS_MAX) {
		if (json_str(&j, k, v->labels[v->nlabels].key, sizeof(v->labels[0].key), e) < 0 ||
		    json_str(&j, val, v->labels[v->nlabels].value, sizeof(v->labels[0].value), e) < 0)
			goto out;
		v->nlabels++;
	}
	rc = 0;
out:
	free(tok);
	return rc;
}

/* Read volumes/<name>/volume.json (dirfd: volumes/). */
static int meta_read(int vfd, const char *name, struct volume *v, struct berr *e)
{
	char path[VOLUME_NAME_MAX + 16];
	char *buf = malloc(META_MAX);
	ssize_t n;
	int rc;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	if (v->name != name)
		snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(path, sizeof(path), "%s/volume.json", name);
	n = fs_read_at(vfd, path, buf, META_MAX, e);
	if (n < 0 && e->errnum == ENOENT) {
		struct stat st;
		if (fstatat(vfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			rc = berr_set(e, ENOENT, "get %s: no such volume", name);
		else
			rc = berr_set(e, EIO, "volume %s: volume.json is missing", name);
	} else {
		rc = n < 0 ? -1 : meta_parse(buf, (size_t)n, v, e);
	}
	free(buf);
	return rc < 0 ? -1 : 0;
}

static int random_name(char *out, struct berr *e)
{
	unsigned char rnd[32];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
		fd_close(&fd);
		return berr_sys(e, "/dev/urandom");
	}
	close(fd);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
	return 0;
}

/* Make volumes/<name> whole: .new-<name>.<pid> with _data and
 * volume.json, then renamed. EEXIST when it is there already. */
static int make(int vfd, const struct volume *v, struct berr *e)
{
	char tmp[VOLUME_NAME_MAX + 32];
	int dfd, rc = -1;

	snprintf(tmp, sizeof(tmp), ".new-%s.%ld", v->name, (long)gettid());
	(void)fs_rm_tree_at(vfd, tmp, e);
	if (mkdirat(vfd, tmp, 0701) < 0)
		return berr_sys(e, "mkdir volumes/%s", tmp);
	dfd = openat(vfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		berr_sys(e, "open volumes/%s", tmp);
		goto out;
	}
	if (mkdirat(dfd, "_data", 0755) < 0) {
		berr_sys(e, "mkdir volumes/%s/_data", tmp);
		goto out;
	}
	if (meta_write(dfd, v, e) < 0 || fs_fsync_dir_at(dfd, ".", e) < 0)
		goto out;
	/* a volume there already is a non-empty directory: never replaced */
	if (renameat(vfd, tmp, vfd, v->name) < 0) {
		if (errno == ENOTEMPTY)
			errno = EEXIST;
		berr_sys(e, "create %s", v->name);
		goto out;
	}
	rc = fs_fsync_dir_at(vfd, ".", e);
out:
	fd_close(&dfd);
	if (rc < 0) {
		struct berr ign;
		fs_rm_tree_at(vfd, tmp, &ign);
	}
	return rc;
}

/* Entries of volumes/ (bounded by CONFIG_ENGINE_VOLUMES_MAX at create). */
static int count(int vfd)
{
	int fd = openat(vfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		fd_close(&fd);
		return 0;
	}
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int volume_create(struct engine *eng, struct volume *v, int *created, struct berr *e)
{
	int vfd, rc;

	*created = 0;
	if (!v->name[0] && random_name(v->name, e) < 0)
		return -1;
	if (volume_name_check(v->name, e) < 0)
		return -1;
	api_rfc3339(engine_now_ns(), v->created, sizeof(v->created));
	pthread_mutex_lock(&eng->vol_mu);
	vfd = open_dir(eng, e);
	rc = vfd < 0 ? -1 : 0;
	if (rc == 0 && faccessat(vfd, v->name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
	    count(vfd) >= CONFIG_ENGINE_VOLUMES_MAX)
		rc = berr_set(e, ENOSPC, "create %s: there are %d volumes already (the most this "
			      "engine keeps)", v->name, CONFIG_ENGINE_VOLUMES_MAX);
	else if (rc == 0)
		rc = make(vfd, v, e);
	if (rc < 0 && e->errnum == EEXIST)
		rc = meta_read(vfd, v->name, v, e);
	else if (rc == 0)
		*created = 1;
	fd_close(&vfd);
	pthread_mutex_unlock(&eng->vol_mu);
	if (*created)
		engine_event(eng, "volume", "create", v->name, "driver", "local", NULL);
	return rc;
}

int volume_get(struct engine *eng, const char *name, struct volume *v, struct berr *e)
{
	int vfd, rc;

	if (volume_name_check(name, e) < 0)
		return berr_set(e, ENOENT, "get %s: no such volume", name);
	pthread_mutex_lock(&eng->vol_mu);
	vfd = open_dir(eng, e);
	rc = vfd < 0 ? -1 : meta_read(vfd, name, v, e);
	fd_close(&vfd);
	pthread_mutex_unlock(&eng->vol_mu);
	return rc;
}

int volume_path(struct engine *eng, const char *name, int create, char *out, size_t n,
		struct berr *e)
{
	struct volume *v = calloc(1, sizeof(*v));
	int rc, created;

	if (!v)
		return berr_set(e, ENOMEM, "out of memory");
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (create)
		rc = volume_create(eng, v, &created, e);
	else
		rc = volume_get(eng, name, v, e);
	free(v);
	if (rc < 0)
		return -1;
	if ((size_t)snprintf(out, n, "%s/volumes/%s/_data", eng->conf.data_root, name) >= n)
		return berr_set(e, ENAMETOOLONG, "volume %s: path too long", name);
	return 0;
}

int volume_remove(struct engine *eng, const char *name, struct berr *e)
{
	char tmp[VOLUME_NAME_MAX + 32];
	struct stat st;
	int vfd, rc = -1;

	if (volume_name_check(name, e) < 0)
		return berr_set(e, ENOENT, "get %s: no such volume", name);
	pthread_mutex_lock(&eng->vol_mu);
	vfd = open_dir(eng, e);
	if (vfd < 0)
		goto out;
	if (fstatat(vfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		berr_set(e, ENOENT, "get %s: no such volume", name);
		goto out;
	}
	if (ctr_volume_in_use(eng, name)) {
		berr_set(e, EBUSY, "remove %s: volume is in use", name);
		goto out;
	}
	snprintf(tmp, sizeof(tmp), ".rm-%s.%ld", name, (long)gettid());
	if (renameat(vfd, name, vfd, tmp) < 0) {
		berr_sys(e, "remove %s", name);
		goto out;
	}
	rc = fs_fsync_dir_at(vfd, ".", e);
	if (fs_rm_tree_at(vfd, tmp, e) < 0)
		rc = berr_prefix(e, "remove %s", name);
out:
	fd_close(&vfd);
	pthread_mutex_unlock(&eng->vol_mu);
	if (rc == 0)
		engine_event(eng, "volume", "destroy", name, "driver", "local", NULL);
	return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int volume_each(struct engine *eng, int (*fn)(void *ctx, const struct volume *v), void *ctx,
		struct berr *e)
{
	char path[ENGINE_PATH_MAX + 16];
	struct dirent **list = NULL;
	struct volume *v = malloc(sizeof(*v));
	int n, vfd = -1, rc = 0;

	if (!v)
		return berr_set(e, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/volumes", eng->conf.data_root);
	pthread_mutex_lock(&eng->vol_mu);
	n = scandir(path, &list, visible, by_name);
	vfd = n < 0 ? -1 : open_dir(eng, e);
	if (n < 0)
		rc = berr_sys(e, "%s", path);
	for (int i = 0; i < n; i++) {
		if (rc == 0 && vfd >= 0 && meta_read(vfd, list[i]->d_name, v, e) == 0)
			rc = fn(ctx, v) < 0 ? -1 : 0;
		free(list[i]);
	}
	free(list);
	fd_close(&vfd);
	pthread_mutex_unlock(&eng->vol_mu);
	free(v);
	return rc;
}
