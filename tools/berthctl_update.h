/* berthctl_update.h — berthctl's slot commands (docs/disk.md):
 *
 *   slots                       GET /berth/v1/slots; its JSON printed
 *   update [--sha256 HEX] FILE  POST /berth/v1/system/update?sha256=… with
 *                               FILE as the body (its sha256 computed here
 *                               unless given), and FILE.sig, when there is
 *                               one, as the site's signature; berthd's
 *                               answer printed
 *
 * on berthd's socket (BERTH_ENGINE_SOCK, else BERTHCTL_ENGINE_SOCK), or,
 * with -H HOST:PORT, through berth-apid (tools/berthctl_remote.c, which
 * uses berthctl_update_args() and berthctl_update_open()).
 */
#ifndef BERTH_TOOLS_BERTHCTL_UPDATE_H
#define BERTH_TOOLS_BERTHCTL_UPDATE_H

#include "lib/err.h"

#define BERTHCTL_ENGINE_SOCK "/run/berth/engine.sock"
#define BERTHCTL_UPDATE_USAGE \
	"  slots           the A/B system slots of a disk-image host (docs/disk.md)\n" \
	"  update FILE     write FILE (a unified kernel image) into the slot not\n" \
	"                  running, tried at the next boot\n"

/* Run the command in argv[0..argc) and return berthctl's exit code (0
 * done, 1 refused: berthd's message printed, 111 no answer), or -1 when
 * argv[0] is none of these commands. */
int berthctl_update_cmd(int argc, char **argv);

#define BERTHCTL_SIG_MAX 80 /* a DER ECDSA P-256 signature is at most 72 bytes */

/* An update ready to send: the file open at offset 0, its size, and the
 * query "sha256=HEX[&signature=HEX]" (the signature from FILE.sig). */
struct berthctl_update_req {
	int fd;
	long long size;
	char query[96 + 2 * BERTHCTL_SIG_MAX];
};

/* Open and hash FILE (its sha256 unless sha, 64 hex digits, is given) and
 * read FILE.sig when there is one. e->errnum is EINVAL for a bad argument
 * (a usage error), another errno when a file cannot be read. The caller
 * closes rq->fd. */
int berthctl_update_open(struct berthctl_update_req *rq, const char *file, const char *sha, struct berr *e);

/* 0 when argv is "update FILE" or "update --sha256 HEX FILE" (*file, *sha
 * set; *sha NULL when not given), else -1. */
int berthctl_update_args(int argc, char **argv, const char **file, const char **sha);

#endif
