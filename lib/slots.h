/* slots.h — the two system slots on the EFI system partition (docs/disk.md).
 *
 * A slot is one unified kernel image in ESP/EFI/Linux named
 * berth-GEN-S[+LEFT[-DONE]].efi: S is the slot, a or b; GEN a generation
 * number; +LEFT-DONE systemd-boot's boot counter (Boot Loader
 * Specification). The images' os-release has no ID, so systemd-boot orders
 * the entries by file name, highest first: it boots the slot with the
 * highest GEN that still has tries. No counter: a good slot. LEFT > 0: a
 * slot being tried (systemd-boot counts one try down at each boot). LEFT 0:
 * a bad slot, booted only when nothing else is left.
 * PID 1 marks the running slot good (the counter dropped from its name)
 * once the system is ready; berthd writes an update into the slot not
 * running, as GEN one higher than any, with SLOTS_TRIES tries.
 */
#ifndef BERTH_LIB_SLOTS_H
#define BERTH_LIB_SLOTS_H

#include <stddef.h>

#include "lib/err.h"

#define SLOTS_ESP "/boot/efi"          /* where PID 1 mounts the ESP */
#define SLOTS_ESP_LABEL "BERTH-ESP"    /* its FAT volume label */
#define SLOTS_DIR "EFI/Linux"          /* the slots, under the ESP */
#define SLOTS_EFIVARS "/sys/firmware/efi/efivars"
#define SLOTS_TRIES 3
#define SLOTS_NAME_MAX 64
#define SLOTS_VERSION_MAX 64

enum slot_state { SLOT_EMPTY, SLOT_GOOD, SLOT_TRYING, SLOT_BAD };

struct slot {
	enum slot_state state;
	unsigned long gen;
	unsigned left, done;             /* the boot counter (when not good) */
	char file[SLOTS_NAME_MAX];       /* its name in SLOTS_DIR; "" when empty */
	char version[SLOTS_VERSION_MAX]; /* VERSION of its os-release; "" unknown */
};

struct slots {
	struct slot s[2];                /* a, b */
	int running;                     /* 0 a, 1 b, -1 unknown */
};

/* Parse a file name of SLOTS_DIR: 0 and *slot (0 a, 1 b) and s filled
 * (state, gen, counter, file; not version), or -1 when it is no slot's. */
int slots_parse_name(const char *name, int *slot, struct slot *s);

/* Read the slots under the ESP directory fd espfd (the highest GEN of each
 * slot; versions from the images' os-release), and which one runs (from
 * systemd-boot's LoaderEntrySelected in efivars, e.g. SLOTS_EFIVARS; NULL:
 * unknown). */
int slots_read(int espfd, const char *efivars, struct slots *out, struct berr *e);

/* The slot systemd-boot boots next: 0 a, 1 b, -1 none. */
int slots_next(const struct slots *sl);

/* "good", "trying", "bad", "empty". */
const char *slots_state_name(enum slot_state st);

/* Mark the running slot good: rename its file without the counter and
 * sync the directory. 0 when it was good already, 1 when marked, -1 error
 * (ENOENT: the running slot is unknown). */
int slots_mark_good(int espfd, struct slots *sl, struct berr *e);

/* The VERSION (else VERSION_ID, else PRETTY_NAME) of the .osrel section of
 * the PE image open on fd into ver; -1 when it is no PE image with both an
 * .osrel and a .linux section (not a unified kernel image). */
int slots_uki_version(int fd, char *ver, size_t size, struct berr *e);

/* Install the image in SLOTS_DIR/tmpname (written and synced by the
 * caller) as the slot not running, GEN one above every slot's, with
 * SLOTS_TRIES tries; the slot's older files are removed. Fills *slot with
 * the slot written (0 a, 1 b). Refused (EBUSY) when the running slot is
 * unknown. */
int slots_install(int espfd, struct slots *sl, const char *tmpname, int *slot, struct berr *e);

#endif
