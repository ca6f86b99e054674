/* overlay.c — overlayfs root filesystems from stored layers; see overlay.h. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/image/overlay.h"

/* mount(2) takes one page of options */
#define OPTS_MAX 4096
/* what ",upperdir=containers/ID/upper,workdir=containers/ID/work" can take */
#define OPTS_UPPER_MAX (48 + 2 * CONTAINER_ID_MAX)

static int id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > CONTAINER_ID_MAX || id[0] == '.')
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* lowerdir=<top>:...:<bottom> into opts. Paths relative to the data root
 * keep the option string short and readable in /proc/mounts; when they
 * still do not fit in one page (about 55 layers), each layer is opened and
 * named by its fd, which fits about 200 (Docker's own limit is 127). */
static int lowerdirs(struct store *s, const struct image_rec *im, char *opts, size_t *len, int *fds,
		     struct berr *e)
{
	size_t o = (size_t)snprintf(opts, OPTS_MAX, "lowerdir=");
	char dir[STORE_PATH_MAX];

	for (int i = im->nlayers - 1; i >= 0 && o < OPTS_MAX; i--)
		o += (size_t)snprintf(opts + o, OPTS_MAX - o, "layers/%s%s", im->layers[i].chain + 7,
				      i ? ":" : "");
	if (o >= OPTS_MAX - OPTS_UPPER_MAX) {
		o = (size_t)snprintf(opts, OPTS_MAX, "lowerdir=");
		for (int i = im->nlayers - 1; i >= 0 && o < OPTS_MAX; i--) {
			snprintf(dir, sizeof(dir), "layers/%s", im->layers[i].chain + 7);
			fds[i] = openat(s->rootfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fds[i] < 0)
				return berr_sys(e, "open %s/%s", s->root, dir);
			o += (size_t)snprintf(opts + o, OPTS_MAX - o, "/proc/self/fd/%d%s", fds[i], i ? ":" : "");
		}
	}
	*len = o;
	return 0;
}

/* containers/<id>/{upper,work} */
static int container_dirs(struct store *s, const char *id, struct berr *e)
{
	static const char *const sub[] = { "", "/upper", "/work" };
	char dir[STORE_PATH_MAX];

	if (!id_ok(id))
		return berr_set(e, EINVAL, "container id \"%.80s\" is not [A-Za-z0-9_.-]{1,%d}", id,
				CONTAINER_ID_MAX);
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		snprintf(dir, sizeof(dir), "containers/%s%s", id, sub[i]);
		if (mkdirat(s->rootfd, dir, i == 1 ? 0755 : 0700) < 0 && errno != EEXIST)
			return berr_sys(e, "mkdir %s/%s", s->root, dir);
	}
	return fs_fsync_dir_at(s->rootfd, "containers", e);
}

/* mount(2) from the data root, where the options' relative paths start. */
static int mount_at_root(struct store *s, const char *target, int rdonly, const char *opts,
			 struct berr *e)
{
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (cwd < 0 || fchdir(s->rootfd) < 0) {
		fd_close(&cwd);
		return berr_sys(e, "chdir %s", s->root);
	}
	if (mount("overlay", target, "overlay", MS_NODEV | (rdonly ? MS_RDONLY : 0), opts) < 0)
		rc = berr_sys(e, "mount overlay on %s", target);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = berr_sys(e, "chdir back");
	close(cwd);
	return rc;
}

int overlay_mount(struct store *s, const char *hex, const char *container_id, const char *target,
		  struct berr *e)
{
	struct image_rec *im = malloc(sizeof(*im));
	char *opts = malloc(OPTS_MAX), abs[PATH_MAX];
	int fds[LAYERS_MAX], rc = -1;
	size_t o = 0;

	for (int i = 0; i < LAYERS_MAX; i++)
		fds[i] = -1;
	if (!im || !opts) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	/* options are relative to the data root: so is the target, after chdir */
	if (!realpath(target, abs)) {
		berr_sys(e, "mount target %s", target);
		goto out;
	}
	if (store_image_read(s, hex, im, e) < 0)
		goto out;
	if (im->nlayers == 0) {
		berr_set(e, EINVAL, "image %s has no layers", hex);
		goto out;
	}
	if (lowerdirs(s, im, opts, &o, fds, e) < 0)
		goto out;
	if (!container_id && im->nlayers == 1 && o < OPTS_MAX)
		o += (size_t)snprintf(opts + o, OPTS_MAX - o, ":empty");
	if (container_id) {
		if (container_dirs(s, container_id, e) < 0)
			goto out;
		if (o < OPTS_MAX)
			o += (size_t)snprintf(opts + o, OPTS_MAX - o,
					      ",upperdir=containers/%s/upper,workdir=containers/%s/work",
					      container_id, container_id);
	}
	if (o >= OPTS_MAX) {
		berr_set(e, E2BIG, "image %s: %d layers do not fit in one page of overlay mount options",
			 hex, im->nlayers);
		goto out;
	}
	rc = mount_at_root(s, abs, !container_id, opts, e);
out:
	for (int i = 0; i < LAYERS_MAX; i++)
		fd_close(&fds[i]);
	free(im);
	free(opts);
	return rc;
}

int overlay_umount(const char *target, struct berr *e)
{
	if (umount2(target, UMOUNT_NOFOLLOW) < 0)
		return berr_sys(e, "umount %s", target);
	return 0;
}
