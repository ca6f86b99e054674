/* fs.h — safe file operations shared by every program.
 *
 * Reads are bounded and refuse anything but a regular file: the last path
 * component is never followed when it is a symlink (O_NOFOLLOW), and a FIFO,
 * socket or device is an error found before the first read (opened
 * O_NONBLOCK, so even a FIFO's open never waits for a writer).
 * Writes are atomic and durable: a temporary file beside the target,
 * fsync, rename over the target, fsync of the directory. Tree removal never
 * follows a symlink out of the tree.
 */
#ifndef BERTH_LIB_FS_H
#define BERTH_LIB_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"

/* Read the regular file dirfd/path (AT_FDCWD for a plain path) into buf and
 * NUL-terminate it. A file that does not fit in size-1 bytes is EFBIG, never
 * silently cut; a symlink as last component is ELOOP; a FIFO, socket,
 * directory or device is EINVAL naming the type. Returns the length. */
ssize_t fs_read_at(int dirfd, const char *path, char *buf, size_t size, struct berr *e);
ssize_t fs_read(const char *path, char *buf, size_t size, struct berr *e);

/* fs_read for a system file that is a symlink by design (the appliance's
 * /etc/resolv.conf points into /run, where the DHCP client writes it): a
 * symlink is followed; what it names must still be a regular file. */
ssize_t fs_read_follow(const char *path, char *buf, size_t size, struct berr *e);

/* Read an already opened descriptor the same way (checked to be a regular
 * file; read from its current offset). `what` names it in errors. */
ssize_t fs_read_fd(int fd, const char *what, char *buf, size_t size, struct berr *e);

/* Replace dirfd/path with data, atomically and durably: write
 * "DIR/.NAME.tmp.PID" (O_EXCL, mode), fsync, rename onto DIR/NAME, fsync
 * DIR. On failure the old file is untouched and the temporary removed. */
int fs_write_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		       struct berr *e);
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct berr *e);

/* fsync the directory dirfd/path ("." for dirfd itself). */
int fs_fsync_dir_at(int dirfd, const char *path, struct berr *e);

/* Remove dirfd/name and, when it is a directory, everything below it,
 * without following symlinks (a symlink is removed, not its target). A
 * missing name is not an error. Depth is bounded by FS_TREE_DEPTH_MAX. */
#define FS_TREE_DEPTH_MAX 256
int fs_rm_tree_at(int dirfd, const char *name, struct berr *e);

#endif
