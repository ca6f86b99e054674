/* berth-unpack — apply one layer (a decompressed tar on stdin) to a directory.
 *
 * Started by berth-image, once per layer. It closes every fd but stdio,
 * chroots into the target, limits its CPU, memory, file size and wall-clock
 * time, keeps only the capabilities file creation with recorded owners
 * needs (not CAP_MKNOD), sets no_new_privs and loads its build-time seccomp
 * filter (file creation only; mknodat only for whiteouts and FIFOs) before
 * reading a single byte of the layer. Opaque directories (".wh..wh..opq") are written
 * to stdout, NUL-terminated, for berth-image to mark (trusted.* xattrs need
 * CAP_SYS_ADMIN, which this process never has).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/kconfig.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/image/unpack_sandbox.h"
#include "runtime/image/unpack.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 100
#define EXIT_SYSCALL 111

static void usage(void)
{
	static const char msg[] =
		"usage: berth-unpack [options] TARGET-DIR < layer.tar\n"
		"  --max-bytes N     refuse layers whose files add up to more than N bytes\n"
		"  --max-entries N   refuse layers with more than N entries\n"
		"  --no-setid        refuse setuid/setgid files\n"
		"  --label TEXT      name of the layer in messages\n"
		"exit codes: 0 unpacked, 1 layer refused (the entry is named),\n"
		"            100 usage, 111 system call failed\n";
	util_write_all(2, msg, sizeof(msg) - 1, &(struct berr){0});
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct logger lg = { .prog = "berth-unpack", .fd = 2, .level = LOG_INFO };
	struct berr e = {0};
	struct unpack *u = calloc(1, sizeof(*u));
	struct tar_reader *r = calloc(1, sizeof(*r));
	const char *target = NULL, *label = "layer";
	unsigned char drain[4096];
	int in = 0, i;

	if (!u || !r)
		return EXIT_SYSCALL;
	u->pol.max_bytes = (uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20;
	u->pol.max_entries = CONFIG_IMAGE_LAYER_MAX_ENTRIES;
	u->pol.max_depth = CONFIG_IMAGE_PATH_DEPTH_MAX;
	u->pol.allow_setid = IS_ENABLED(CONFIG_IMAGE_ALLOW_SETID);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--max-bytes") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], &u->pol.max_bytes) < 0)
				goto bad;
		} else if (strcmp(argv[i], "--max-entries") == 0 && i + 1 < argc) {
			if (parse_u64(argv[++i], &u->pol.max_entries) < 0)
				goto bad;
		} else if (strcmp(argv[i], "--no-setid") == 0) {
			u->pol.allow_setid = 0;
		} else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc) {
			label = argv[++i];
		} else if (argv[i][0] == '-' || target) {
			goto bad;
		} else {
			target = argv[i];
		}
	}
	if (!target)
		goto bad;

	struct sandbox_limits lim = {
		.cpu_sec = CONFIG_IMAGE_UNPACK_CPU_SEC,
		.time_sec = CONFIG_IMAGE_UNPACK_TIME_SEC,
		.mem_bytes = (uint64_t)CONFIG_IMAGE_UNPACK_MEM_MB << 20,
		.fsize_bytes = u->pol.max_bytes,
	};
	u->rootfd = unpack_sandbox_enter(target, &lim, &e);
	if (u->rootfd < 0) {
		log_err(&lg, &e);
		return EXIT_SYSCALL;
	}
	tar_init(r, tar_fd_read, &in);
	if (unpack_run(u, r, &e) < 0) {
		berr_prefix(&e, "%s refused", label);
		log_err(&lg, &e);
		return EXIT_REFUSED;
	}
	/* read to the end so that the writer hashes the whole stream */
	for (uint64_t extra = 0;;) {
		ssize_t k = read(in, drain, sizeof(drain));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		extra += (uint64_t)k;
		if (extra > u->pol.max_bytes) {
			log_msg(&lg, LOG_ERROR, "%s refused: more than %llu bytes after the end of the archive",
				label, (unsigned long long)u->pol.max_bytes);
			return EXIT_REFUSED;
		}
	}
	if (u->opaque_len && util_write_all(1, u->opaque, u->opaque_len, &e) < 0) {
		log_err(&lg, &e);
		return EXIT_SYSCALL;
	}
	return 0;
bad:
	usage();
	return EXIT_USAGE;
}
