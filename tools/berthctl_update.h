/* berthctl_update.h — berthctl's slot commands (docs/disk.md):
 *
 *   slots                       GET /berth/v1/slots; its JSON printed
 *   update [--sha256 HEX] FILE  POST /berth/v1/system/update?sha256=… with
 *                               FILE as the body (its sha256 computed here
 *                               unless given), and FILE.sig, when there is
 *                               one, as the site's signature; berthd's
 *                               answer printed
 *
 * on berthd's socket (BERTH_ENGINE_SOCK, else BERTHCTL_ENGINE_SOCK).
 */
#ifndef BERTH_TOOLS_BERTHCTL_UPDATE_H
#define BERTH_TOOLS_BERTHCTL_UPDATE_H

#define BERTHCTL_ENGINE_SOCK "/run/berth/engine.sock"
#define BERTHCTL_UPDATE_USAGE \
	"  slots           the A/B system slots of a disk-image host (docs/disk.md)\n" \
	"  update FILE     write FILE (a unified kernel image) into the slot not\n" \
	"                  running, tried at the next boot\n"

/* Run the command in argv[0..argc) and return berthctl's exit code (0
 * done, 1 refused: berthd's message printed, 111 no answer), or -1 when
 * argv[0] is none of these commands. */
int berthctl_update_cmd(int argc, char **argv);

#endif
