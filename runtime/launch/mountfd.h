/* mountfd.h — fd-based path resolution and mounts for the launcher.
 *
 * Every path inside a root filesystem is resolved with openat2(RESOLVE_IN_ROOT
 * | RESOLVE_NO_MAGICLINKS) from the root's dirfd, so a symlink in the image
 * can never lead outside it; every mount is made with the new mount API
 * (fsopen/fsmount/open_tree/move_mount) onto such an fd, never onto a path.
 */
#ifndef BERTH_LAUNCH_MOUNTFD_H
#define BERTH_LAUNCH_MOUNTFD_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* openat2(root, path, flags|O_CLOEXEC, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS|extra).
 * A leading '/' in path is the root. */
int mfd_open(int root, const char *path, int flags, unsigned long long extra, struct berr *e);

/* Read root/path (resolved in root) into buf, NUL-ended: opened O_PATH,
 * checked to be a regular file (anything else is EINVAL naming its type,
 * and was never opened), then reopened for reading; larger than size-1 is
 * EFBIG. Returns the length; errnum ENOENT when absent. */
ssize_t mfd_read(int root, const char *path, char *buf, size_t size, struct berr *e);

/* O_PATH fd of root/path, creating what is missing: directories for every
 * component, and the last as a directory (dir=1) or empty file (dir=0). */
int mfd_mkpath(int root, const char *path, int dir, unsigned long long extra, struct berr *e);

/* A new detached mount: fsopen(type), fsconfig(key=value pairs in kv,
 * NULL-ended; a value of NULL sets a flag), fsmount with attr (MOUNT_ATTR_*). */
int mfd_fs(const char *type, const char *const *kv, unsigned attr, struct berr *e);

/* A detached copy (bind) of fd/path; recursive copies submounts too. */
int mfd_clone(int fd, const char *path, int recursive, struct berr *e);

/* mount_setattr(fd, set attributes) on a mount fd. */
int mfd_setattr(int fd, unsigned long long set, int recursive, struct berr *e);

/* Attach the detached mount mnt onto the target fd (move_mount). */
int mfd_attach(int mnt, int target, struct berr *e);

/* Move the attached mount whose root is fd over "/" (MS_MOVE). */
int mfd_move_to_root(int fd, struct berr *e);

#endif
