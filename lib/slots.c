/* slots.c — the A/B system slots on the ESP (slots.h). */
#include "lib/slots.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"

#define PE_SECTIONS_MAX 96
#define OSREL_MAX 4096
#define LOADER_ENTRY_SELECTED "LoaderEntrySelected-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

/* Digits at *p into *v (at most 9 of them); advances *p. */
static int digits(const char **p, unsigned long *v)
{
	const char *s = *p;

	*v = 0;
	while (*s >= '0' && *s <= '9' && s - *p < 9)
		*v = *v * 10 + (unsigned long)(*s++ - '0');
	if (s == *p || (*s >= '0' && *s <= '9'))
		return -1;
	*p = s;
	return 0;
}

int slots_parse_name(const char *name, int *slot, struct slot *s)
{
	const char *p = name;
	unsigned long gen, left = 0, done = 0;
	int counted = 0;

	if (strncmp(p, "berth-", 6) != 0)
		return -1;
	p += 6;
	if (digits(&p, &gen) < 0 || *p++ != '-' || (*p != 'a' && *p != 'b'))
		return -1;
	*slot = *p++ == 'b';
	if (*p == '+') {
		p++;
		counted = 1;
		if (digits(&p, &left) < 0)
			return -1;
		if (*p == '-') {
			p++;
			if (digits(&p, &done) < 0)
				return -1;
		}
	}
	if (strcmp(p, ".efi") != 0 || strlen(name) >= SLOTS_NAME_MAX)
		return -1;
	memset(s, 0, sizeof *s);
	s->gen = gen;
	s->left = (unsigned)left;
	s->done = (unsigned)done;
	s->state = !counted ? SLOT_GOOD : left ? SLOT_TRYING : SLOT_BAD;
	memcpy(s->file, name, strlen(name) + 1);
	return 0;
}

const char *slots_state_name(enum slot_state st)
{
	switch (st) {
	case SLOT_GOOD: return "good";
	case SLOT_TRYING: return "trying";
	case SLOT_BAD: return "bad";
	default: return "empty";
	}
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The value of key in os-release text (quotes dropped) into out. */
static int osrel_get(const char *text, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *v = l + kl + 1, *end;
		size_t n;
		if (strncmp(l, key, kl) != 0 || l[kl] != '=')
			continue;
		end = strchr(v, '\n');
		n = end ? (size_t)(end - v) : strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		if (n == 0 || n >= size)
			return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

int slots_uki_version(int fd, char *ver, size_t size, struct berr *e)
{
	unsigned char h[24], sec[40];
	char osrel[OSREL_MAX];
	uint32_t pe, nsec, opt, osrel_off = 0, osrel_len = 0;
	int has_linux = 0;

	if (pread_full(fd, h, 4, 0x3c) < 0)
		return berr_set(e, EINVAL, "not a PE image (too short)");
	pe = le32(h);
	if (pe > (1u << 20) || pread_full(fd, h, sizeof h, pe) < 0 || memcmp(h, "PE\0\0", 4) != 0)
		return berr_set(e, EINVAL, "not a PE image (no PE signature)");
	nsec = (uint32_t)h[6] | (uint32_t)h[7] << 8;
	opt = (uint32_t)h[20] | (uint32_t)h[21] << 8;
	if (nsec > PE_SECTIONS_MAX)
		return berr_set(e, EINVAL, "PE image with %u sections", nsec);
	for (uint32_t i = 0; i < nsec; i++) {
		if (pread_full(fd, sec, sizeof sec, (off_t)pe + 24 + opt + (off_t)i * 40) < 0)
			return berr_set(e, EINVAL, "PE section table cut short");
		if (memcmp(sec, ".linux\0", 7) == 0)
			has_linux = 1;
		if (memcmp(sec, ".osrel\0", 7) == 0) {
			osrel_len = le32(sec + 8) < le32(sec + 16) ? le32(sec + 8) : le32(sec + 16);
			osrel_off = le32(sec + 20);
		}
	}
	if (!has_linux || !osrel_off)
		return berr_set(e, EINVAL, "not a unified kernel image (no .linux or no .osrel section)");
	if (osrel_len >= sizeof osrel)
		osrel_len = sizeof osrel - 1;
	if (pread_full(fd, osrel, osrel_len, osrel_off) < 0)
		return berr_set(e, EINVAL, "the .osrel section lies past the end of the image");
	osrel[osrel_len] = '\0';
	if (osrel_get(osrel, "VERSION", ver, size) < 0 && osrel_get(osrel, "VERSION_ID", ver, size) < 0 &&
	    osrel_get(osrel, "PRETTY_NAME", ver, size) < 0)
		ver[0] = '\0';
	return 0;
}

/* Which slot systemd-boot started, from LoaderEntrySelected (UTF-16LE
 * after 4 bytes of attributes): -1 when unknown. */
static int running_slot(const char *efivars)
{
	char path[512], raw[4 + 2 * SLOTS_NAME_MAX], name[SLOTS_NAME_MAX + 8];
	struct slot s;
	ssize_t n;
	size_t k = 0;
	int fd, slot;

	if (!efivars)
		return -1;
	snprintf(path, sizeof path, "%s/%s", efivars, LOADER_ENTRY_SELECTED);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, raw, sizeof raw);
	close(fd);
	for (ssize_t i = 4; i + 1 < n && raw[i] && k < sizeof name - 5; i += 2)
		name[k++] = raw[i + 1] ? '?' : raw[i];
	name[k] = '\0';
	/* An entry id may or may not keep the counter and the .efi suffix. */
	if (k < 4 || strcmp(name + k - 4, ".efi") != 0)
		memcpy(name + k, ".efi", 5);
	return slots_parse_name(name, &slot, &s) == 0 ? slot : -1;
}

static void read_version(int dirfd, struct slot *s)
{
	struct berr ignored;
	int fd = openat(dirfd, s->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || slots_uki_version(fd, s->version, sizeof s->version, &ignored) < 0)
		s->version[0] = '\0';
	fd_close(&fd);
}

int slots_read(int espfd, const char *efivars, struct slots *out, struct berr *e)
{
	int dfd = openat(espfd, SLOTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC), slot;
	DIR *d;
	struct dirent *de;
	struct slot s;

	memset(out, 0, sizeof *out);
	if (dfd < 0)
		return berr_sys(e, "open %s", SLOTS_DIR);
	d = fdopendir(dfd);
	if (!d) {
		fd_close(&dfd);
		return berr_sys(e, "read %s", SLOTS_DIR);
	}
	while ((de = readdir(d)))
		if (slots_parse_name(de->d_name, &slot, &s) == 0 &&
		    (out->s[slot].state == SLOT_EMPTY || s.gen > out->s[slot].gen))
			out->s[slot] = s;
	for (int i = 0; i < 2; i++)
		if (out->s[i].state != SLOT_EMPTY)
			read_version(dirfd(d), &out->s[i]);
	closedir(d);
	out->running = running_slot(efivars);
	return 0;
}

int slots_next(const struct slots *sl)
{
	int best = -1;

	/* systemd-boot: entries with tries first, then by name, highest first. */
	for (int i = 0; i < 2; i++) {
		const struct slot *s = &sl->s[i];
		if (s->state == SLOT_EMPTY)
			continue;
		if (best < 0 || (sl->s[best].state == SLOT_BAD && s->state != SLOT_BAD) ||
		    ((sl->s[best].state == SLOT_BAD) == (s->state == SLOT_BAD) && s->gen > sl->s[best].gen))
			best = i;
	}
	return best;
}

int slots_mark_good(int espfd, struct slots *sl, struct berr *e)
{
	struct slot *s;
	char good[SLOTS_NAME_MAX];
	int dfd;

	if (sl->running < 0)
		return berr_set(e, ENOENT, "which slot is running is unknown (no LoaderEntrySelected)");
	s = &sl->s[sl->running];
	if (s->state == SLOT_GOOD)
		return 0;
	if (s->state == SLOT_EMPTY)
		return berr_set(e, ENOENT, "the running slot %c has no image", 'a' + sl->running);
	snprintf(good, sizeof good, "berth-%lu-%c.efi", s->gen, 'a' + sl->running);
	dfd = openat(espfd, SLOTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(e, "open %s", SLOTS_DIR);
	if (renameat(dfd, s->file, dfd, good) < 0) {
		berr_sys(e, "rename %s to %s", s->file, good);
		fd_close(&dfd);
		return -1;
	}
	if (fs_fsync_dir_at(dfd, ".", e) < 0) {
		fd_close(&dfd);
		return -1;
	}
	fd_close(&dfd);
	memcpy(s->file, good, strlen(good) + 1);
	s->state = SLOT_GOOD;
	return 1;
}

/* Remove slot's files other than keep. */
static void remove_others(int dfd, int slot, const char *keep)
{
	DIR *d;
	struct dirent *de;
	struct slot s;
	int fd = dup(dfd), sl;

	if (fd < 0 || !(d = fdopendir(fd))) {
		fd_close(&fd);
		return;
	}
	while ((de = readdir(d)))
		if (slots_parse_name(de->d_name, &sl, &s) == 0 && sl == slot && strcmp(de->d_name, keep) != 0)
			unlinkat(dfd, de->d_name, 0);
	closedir(d);
}

int slots_install(int espfd, struct slots *sl, const char *tmpname, int *slot, struct berr *e)
{
	char name[SLOTS_NAME_MAX];
	unsigned long gen;
	int dfd, target;

	if (sl->running < 0)
		return berr_set(e, EBUSY, "which slot is running is unknown: no slot is safe to overwrite");
	target = !sl->running;
	gen = (sl->s[0].gen > sl->s[1].gen ? sl->s[0].gen : sl->s[1].gen) + 1;
	snprintf(name, sizeof name, "berth-%lu-%c+%d.efi", gen, 'a' + target, SLOTS_TRIES);
	dfd = openat(espfd, SLOTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berr_sys(e, "open %s", SLOTS_DIR);
	if (renameat(dfd, tmpname, dfd, name) < 0) {
		berr_sys(e, "rename %s to %s", tmpname, name);
		fd_close(&dfd);
		return -1;
	}
	remove_others(dfd, target, name);
	if (fs_fsync_dir_at(dfd, ".", e) < 0) {
		fd_close(&dfd);
		return -1;
	}
	fd_close(&dfd);
	*slot = target;
	return 0;
}
