/* api_slots.c — the A/B system slots of a disk-image host (docs/disk.md):
 *
 *   GET  /berth/v1/slots                       both slots, which runs, which boots next
 *   POST /berth/v1/system/update?sha256=HEX    body: one unified kernel image, streamed
 *
 * The ESP is the one PID 1 mounted on /boot/efi (lib/slots.h). An update
 * is written to SLOTS_DIR/.berth-update.tmp while its sha256 is computed;
 * only when it matches the client's and the file is a unified kernel image
 * is it synced and renamed into the slot not running, with SLOTS_TRIES
 * tries (the running slot is never touched). When the image carries the
 * site's update key (update_sig.h), the image's sha256 must also be signed
 * by it: signature=HEX (DER) in the query. One update at a time (flock on
 * the ESP). Without the ESP both answer 404. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/slots.h"
#include "lib/util.h"
#include "runtime/engine/api.h"
#include "runtime/engine/update_sig.h"
#include "runtime/image/digest.h"

#define UPDATE_TMP ".berth-update.tmp"
#define UPDATE_BUF 65536

/* The ESP directory, or a 404 sent (-2) when this machine has none. */
static int esp_open(struct req *r, int *fd)
{
	*fd = open(SLOTS_ESP "/" SLOTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		reply_error(r, 404, "no slot disk: this machine was not booted from the berth disk image "
			    "(no %s/%s)", SLOTS_ESP, SLOTS_DIR);
		return -2;
	}
	close(*fd);
	*fd = open(SLOTS_ESP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? reply_error(r, 500, "open %s: %s", SLOTS_ESP, strerror(errno)), -2 : 0;
}

static void slot_json(struct json_w *w, const struct slot *s, int i)
{
	char name[2] = { (char)('a' + i), 0 };

	json_w_obj(w);
	json_w_kstr(w, "Name", name);
	json_w_kstr(w, "Version", s->version);
	json_w_kstr(w, "State", slots_state_name(s->state));
	json_w_ki64(w, "TriesLeft", s->state == SLOT_TRYING ? s->left : 0);
	json_w_kstr(w, "File", s->file);
	json_w_obj_end(w);
}

static int slots_get(struct req *r)
{
	struct slots sl;
	struct berr e;
	struct json_w w;
	char buf[1024], run[2] = { 0 }, next[2] = { 0 };
	int esp, n;

	if (esp_open(r, &esp) < 0)
		return 0;
	if (slots_read(esp, SLOTS_EFIVARS, &sl, &e) < 0) {
		fd_close(&esp);
		return reply_berr(r, &e);
	}
	fd_close(&esp);
	n = slots_next(&sl);
	run[0] = sl.running >= 0 ? (char)('a' + sl.running) : 0;
	next[0] = n >= 0 ? (char)('a' + n) : 0;
	json_w_init(&w, buf, sizeof buf);
	json_w_obj(&w);
	json_w_kstr(&w, "Running", run);
	json_w_kstr(&w, "Next", next);
	json_w_key(&w, "Slots");
	json_w_arr(&w);
	for (int i = 0; i < 2; i++)
		slot_json(&w, &sl.s[i], i);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	return reply_jsonw(r, 200, &w);
}

/* The body into dirfd/UPDATE_TMP, hashed on the way. 0, or an answer sent. */
static int receive(struct req *r, int dirfd, char *digest, int *out)
{
	static char buf[UPDATE_BUF];
	struct digest d;
	struct berr e;
	ssize_t n;
	int fd;

	unlinkat(dirfd, UPDATE_TMP, 0); /* a crashed update's leftover */
	fd = openat(dirfd, UPDATE_TMP, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return reply_error(r, 500, "create %s: %s", UPDATE_TMP, strerror(errno)), -1;
	digest_init(&d);
	while ((n = req_read(r, buf, sizeof buf, &e)) > 0) {
		digest_update(&d, buf, (size_t)n);
		if (util_write_all(fd, buf, (size_t)n, &e) < 0) {
			fd_close(&fd);
			unlinkat(dirfd, UPDATE_TMP, 0);
			return reply_error(r, e.errnum == ENOSPC ? 507 : 500, "writing the image to the ESP: %s",
					   e.msg), -1;
		}
	}
	if (n < 0) {
		fd_close(&fd);
		unlinkat(dirfd, UPDATE_TMP, 0);
		return reply_error(r, 400, "reading the image: %s", e.msg), -1;
	}
	digest_final(&d, digest);
	*out = fd;
	return 0;
}

/* The site's signature, when the image has a key: what the request must
 * carry (sig, *siglen; 0 when no key), or an answer sent (-1). */
struct update_auth {
	unsigned char key[UPDATE_KEY_LEN + 1];
	unsigned char sig[UPDATE_SIG_MAX];
	size_t keylen, siglen;
};

static int auth_get(struct req *r, struct update_auth *a)
{
	char hex[2 * UPDATE_SIG_MAX + 2];
	struct berr e;
	ssize_t n = fs_read(UPDATE_KEY_PATH, (char *)a->key, sizeof a->key, &e);
	int k;

	a->keylen = a->siglen = 0;
	if (n < 0 && e.errnum == ENOENT)
		return 0;
	if (n < 0)
		return reply_error(r, 500, "update key: %s", e.msg), -1;
	a->keylen = (size_t)n;
	if (req_query(r, "signature", hex, sizeof hex) != 1)
		return reply_error(r, 403, "this host takes only signed updates: signature=<hex of the DER "
				   "ECDSA signature over the image's sha256> is required"), -1;
	k = update_sig_unhex(hex, a->sig, sizeof a->sig);
	if (k <= 0)
		return reply_error(r, 400, "signature must be hex, at most %d bytes", UPDATE_SIG_MAX), -1;
	a->siglen = (size_t)k;
	return 0;
}

/* 0 when there is no key or the signature is good, else an answer sent. */
static int auth_check(struct req *r, const struct update_auth *a, const char *digest)
{
	unsigned char hash[32];
	struct berr e;

	if (!a->keylen)
		return 0;
	if (update_sig_unhex(digest + 7, hash, sizeof hash) != 32 ||
	    update_sig_verify(a->key, a->keylen, hash, a->sig, a->siglen, &e) < 0)
		return reply_error(r, 403, "%s; nothing was written", e.msg), -1;
	return 0;
}

/* Under the lock: receive, check, install. */
static int update_locked(struct req *r, int esp, const char *want, const struct update_auth *a)
{
	struct slots sl;
	struct berr e;
	char digest[DIGEST_STR_LEN + 1], ver[SLOTS_VERSION_MAX], body[512];
	int dirfd = openat(esp, SLOTS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, slot, rc;

	if (dirfd < 0)
		return reply_error(r, 500, "open %s: %s", SLOTS_DIR, strerror(errno));
	if (slots_read(esp, SLOTS_EFIVARS, &sl, &e) < 0 || sl.running < 0) {
		fd_close(&dirfd);
		return reply_error(r, 409, "%s", sl.running < 0 ? "which slot is running is unknown (no "
				   "LoaderEntrySelected): refusing to write either" : e.msg);
	}
	if (receive(r, dirfd, digest, &fd) < 0) {
		fd_close(&dirfd);
		return 0;
	}
	if (strcmp(digest + 7, want) != 0) {
		rc = reply_error(r, 400, "sha256 mismatch: the body is sha256:%s, the request says %s; "
				 "nothing was written", digest + 7, want);
	} else if (auth_check(r, a, digest) < 0) {
		rc = 0;
	} else if (slots_uki_version(fd, ver, sizeof ver, &e) < 0) {
		rc = reply_error(r, 400, "%s; nothing was written", e.msg);
	} else if (fsync(fd) < 0) {
		rc = reply_error(r, 500, "fsync the image: %s", strerror(errno));
	} else if (slots_install(esp, &sl, UPDATE_TMP, &slot, &e) < 0) {
		rc = reply_berr(r, &e);
	} else {
		fd_close(&fd);
		fd_close(&dirfd);
		snprintf(body, sizeof body, "{\"Slot\":\"%c\",\"Version\":\"%s\",\"TriesLeft\":%d,"
			 "\"Sha256\":\"%s\",\"Message\":\"slot %c is tried at the next boot\"}",
			 'a' + slot, ver, SLOTS_TRIES, want, 'a' + slot);
		return reply_json(r, 200, body, strlen(body));
	}
	fd_close(&fd);
	unlinkat(dirfd, UPDATE_TMP, 0);
	fd_close(&dirfd);
	return rc;
}

static int update_post(struct req *r)
{
	char want[DIGEST_HEX_LEN + 2];
	struct update_auth a;
	size_t i;
	int esp, rc;

	if (req_query(r, "sha256", want, sizeof want) != 1 || strlen(want) != DIGEST_HEX_LEN)
		return reply_error(r, 400, "sha256=<64 hex digits> of the image is required");
	for (i = 0; i < DIGEST_HEX_LEN; i++)
		if (!((want[i] >= '0' && want[i] <= '9') || (want[i] >= 'a' && want[i] <= 'f')))
			return reply_error(r, 400, "sha256 must be 64 lowercase hex digits");
	if (auth_get(r, &a) < 0)
		return 0;
	if (esp_open(r, &esp) < 0)
		return 0;
	if (flock(esp, LOCK_EX | LOCK_NB) < 0) {
		fd_close(&esp);
		return reply_error(r, 409, "another update is being written");
	}
	rc = update_locked(r, esp, want, &a);
	fd_close(&esp); /* drops the lock */
	return rc;
}

const struct route api_slots_routes[] = {
	{ "GET", "/berth/v1/slots", slots_get, 0 },
	{ "POST", "/berth/v1/system/update", update_post, ROUTE_STREAM },
	{ NULL },
};
