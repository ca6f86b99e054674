/* unpack_sandbox.h — berth-unpack's confinement: every inherited fd above stdio
 * closed, chroot into the layer directory, rlimits and a wall-clock alarm,
 * then lib/sandbox's drop to the capabilities that creating files with
 * their recorded owners needs (no CAP_MKNOD: whiteouts are 0:0 character
 * devices, which need none), securebits locked so uid 0 regains nothing,
 * no_new_privs and the build-time berth-unpack filter (lib/seccomp.h).
 * Irreversible; call once, before reading a byte of the layer.
 */
#ifndef BERTH_RUNTIME_IMAGE_UNPACK_SANDBOX_H
#define BERTH_RUNTIME_IMAGE_UNPACK_SANDBOX_H

#include <stdint.h>

#include "lib/err.h"

struct sandbox_limits {
	unsigned cpu_sec;       /* RLIMIT_CPU */
	unsigned time_sec;      /* alarm(): SIGALRM ends the process */
	uint64_t mem_bytes;     /* RLIMIT_AS */
	uint64_t fsize_bytes;   /* RLIMIT_FSIZE: largest single file */
};

/* Returns an O_PATH descriptor of the layer directory (the new root), the
 * only one open above stdio, or -1. */
int unpack_sandbox_enter(const char *root, const struct sandbox_limits *lim, struct berr *e);

#endif
