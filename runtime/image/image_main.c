/* berth-image — the image store for operators and tests: load archives,
 * list, inspect, remove, collect garbage, verify, and mount an image's root
 * filesystem as an overlay. The engine uses the same library.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/kconfig.h"
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/image/import.h"
#include "runtime/image/overlay.h"
#include "runtime/image/store.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 100
#define EXIT_SYSCALL 111
#define DEFAULT_ROOT "/var/lib/berth"

static const char usage_text[] =
	"usage: berth-image [options] COMMAND\n"
	"options: --data-root DIR   the store (default " DEFAULT_ROOT ")\n"
	"         --unpack PATH     berth-unpack (default: next to berth-image)\n"
	"         --no-setid        refuse layers with setuid/setgid files\n"
	"         --layer-max-bytes N, --layer-max-entries N, --gzip-ratio-max N\n"
	"                           tar/gzip bomb limits (defaults from the build config)\n"
	"commands:\n"
	"  load FILE|-              import a docker-save or OCI archive (tar or tar.gz)\n"
	"  ls                       list images and their names\n"
	"  inspect REF              show an image's record\n"
	"  rm REF                   remove a name (the image goes with its last name),\n"
	"                           or, by digest, the image; then collect garbage\n"
	"  gc                       remove blobs and layers no image refers to\n"
	"  check                    verify every digest, layer and name in the store\n"
	"  mount [--rw ID] REF DIR  mount REF's root filesystem on DIR (overlay; read-only\n"
	"                           unless --rw gives a container id for upper/work dirs)\n"
	"  umount DIR               unmount it\n"
	"REF: a name (\":latest\" is implied), sha256:<hex>, or a hex prefix.\n"
	"exit codes: 0 ok, 1 refused / not found / check found problems,\n"
	"            100 usage, 111 system call failed\n";

struct opts {
	const char *root, *unpack;
	int no_setid;
	uint64_t max_bytes, max_entries;
	unsigned long long ratio_max;
	char unpack_buf[PATH_MAX];
};

/* A positive decimal number, or 0 (which every limit option refuses). */
static unsigned long long num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' || v > UINT32_MAX * 1024ull * 1024 ? 0 : v;
}

static int usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* berth-unpack lives next to berth-image unless --unpack says otherwise. */
static const char *find_unpack(struct opts *o)
{
	ssize_t n;
	char *slash;

	if (o->unpack)
		return o->unpack;
	n = readlink("/proc/self/exe", o->unpack_buf, sizeof(o->unpack_buf) - 16);
	if (n <= 0)
		return "/usr/bin/berth-unpack";
	o->unpack_buf[n] = '\0';
	slash = strrchr(o->unpack_buf, '/');
	strcpy(slash ? slash + 1 : o->unpack_buf, "berth-unpack");
	return o->unpack_buf;
}

static int cmd_load(struct opts *o, struct store *s, const char *file, struct berr *e)
{
	struct import_opts io = { .unpack = find_unpack(o), .progress = isatty(2),
				  .no_setid = o->no_setid || !IS_ENABLED(CONFIG_IMAGE_ALLOW_SETID),
				  .max_bytes = o->max_bytes, .max_entries = o->max_entries,
				  .ratio_max = (unsigned)o->ratio_max };
	int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return berr_sys(e, "open %s", file);
	rc = image_import(s, fd, &io, stdout, e);
	if (fd != 0)
		close(fd);
	return rc < 0 ? berr_prefix(e, "load %s", file) : 0;
}

static int cmd_ls(struct store *s, struct berr *e)
{
	char (*list)[DIGEST_HEX_LEN + 1] = malloc(STORE_IMAGES_MAX * sizeof(*list));
	struct names *nm = malloc(sizeof(*nm));
	struct image_rec *im = malloc(sizeof(*im));
	int n, rc = -1;

	if (!list || !nm || !im) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if ((n = store_image_list(s, list, STORE_IMAGES_MAX, e)) < 0 || store_names_read(s, nm, e) < 0)
		goto out;
	printf("%-40s %-12s %6s %s\n", "NAME", "IMAGE ID", "LAYERS", "PLATFORM");
	for (int i = 0; i < n; i++) {
		int named = 0;
		if (store_image_read(s, list[i], im, e) < 0)
			goto out;
		for (int k = 0; k < nm->n; k++)
			if (strcmp(nm->e[k].digest + 7, list[i]) == 0) {
				printf("%-40s %.12s %6d %s/%s\n", nm->e[k].name, list[i], im->nlayers, im->os,
				       im->arch);
				named = 1;
			}
		if (!named)
			printf("%-40s %.12s %6d %s/%s\n", "<none>", list[i], im->nlayers, im->os, im->arch);
	}
	rc = 0;
out:
	free(list);
	free(nm);
	free(im);
	return rc;
}

static int cmd_inspect(struct store *s, const char *ref, struct berr *e)
{
	struct image_rec *im = malloc(sizeof(*im));
	struct names *nm = malloc(sizeof(*nm));
	char hex[DIGEST_HEX_LEN + 1];
	int rc = -1;

	if (!im || !nm) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (store_resolve(s, ref, hex, NULL, e) < 0 || store_image_read(s, hex, im, e) < 0 ||
	    store_names_read(s, nm, e) < 0)
		goto out;
	printf("id %s\nmanifest %s\nplatform %s/%s\n", im->config, im->manifest[0] ? im->manifest : "-",
	       im->os, im->arch);
	for (int k = 0; k < nm->n; k++)
		if (strcmp(nm->e[k].digest + 7, hex) == 0)
			printf("name %s\n", nm->e[k].name);
	for (int i = 0; i < im->nlayers; i++)
		printf("layer %d blob %s diff_id %s chain %s\n", i + 1, im->layers[i].blob,
		       im->layers[i].diff, im->layers[i].chain);
	rc = 0;
out:
	free(im);
	free(nm);
	return rc;
}

int main(int argc, char **argv)
{
	struct logger lg = { "berth-image", 2, 0, LOG_INFO };
	struct opts o = { .root = DEFAULT_ROOT,
			  .max_bytes = (uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20,
			  .max_entries = CONFIG_IMAGE_LAYER_MAX_ENTRIES,
			  .ratio_max = CONFIG_IMAGE_GZIP_RATIO_MAX };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct berr e = {0};
	const char *cmd;
	int i = 1, rc, exclusive, nb, nl;

	signal(SIGPIPE, SIG_IGN); /* berth-unpack closing its pipe is an error, not death */
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--data-root") == 0 && i + 1 < argc)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--unpack") == 0 && i + 1 < argc)
			o.unpack = argv[++i];
		else if (strcmp(argv[i], "--no-setid") == 0)
			o.no_setid = 1;
		else if (strcmp(argv[i], "--layer-max-bytes") == 0 && i + 1 < argc)
			o.max_bytes = num(argv[++i]);
		else if (strcmp(argv[i], "--layer-max-entries") == 0 && i + 1 < argc)
			o.max_entries = num(argv[++i]);
		else if (strcmp(argv[i], "--gzip-ratio-max") == 0 && i + 1 < argc)
			o.ratio_max = num(argv[++i]);
		else
			return usage();
	}
	if (i >= argc || !o.max_bytes || !o.max_entries || !o.ratio_max || o.ratio_max > UINT32_MAX)
		return usage();
	cmd = argv[i++];
	argc -= i;
	argv += i;
#define NARGS(n) do { if (argc != (n)) return usage(); } while (0)
	if (strcmp(cmd, "load") == 0 || strcmp(cmd, "inspect") == 0 || strcmp(cmd, "rm") == 0 ||
	    strcmp(cmd, "umount") == 0)
		NARGS(1);
	else if (strcmp(cmd, "ls") == 0 || strcmp(cmd, "gc") == 0 || strcmp(cmd, "check") == 0)
		NARGS(0);
	else if (strcmp(cmd, "mount") == 0) {
		if (argc != 2 && !(argc == 4 && strcmp(argv[0], "--rw") == 0))
			return usage();
	} else
		return usage();

	if (strcmp(cmd, "umount") == 0) {
		if (overlay_umount(argv[0], &e) < 0) {
			log_err(&lg, &e);
			return EXIT_SYSCALL;
		}
		return 0;
	}
	/* changes take the lock exclusively and clean up after crashed imports */
	exclusive = !strcmp(cmd, "load") || !strcmp(cmd, "rm") || !strcmp(cmd, "gc") ||
		    !strcmp(cmd, "check") || !strcmp(cmd, "mount");
	if (store_open(&s, o.root, exclusive, &e) < 0) {
		log_err(&lg, &e);
		return EXIT_SYSCALL;
	}
	rc = 0;
	if (strcmp(cmd, "load") == 0) {
		rc = cmd_load(&o, &s, argv[0], &e);
	} else if (strcmp(cmd, "ls") == 0) {
		rc = cmd_ls(&s, &e);
	} else if (strcmp(cmd, "inspect") == 0) {
		rc = cmd_inspect(&s, argv[0], &e);
	} else if (strcmp(cmd, "rm") == 0) {
		rc = store_rm(&s, argv[0], &e);
	} else if (strcmp(cmd, "gc") == 0) {
		rc = store_gc(&s, &nb, &nl, &e);
		if (rc == 0)
			printf("removed %d blobs, %d layers\n", nb, nl);
	} else if (strcmp(cmd, "check") == 0) {
		rc = store_check(&s, stdout, &e);
		if (rc > 0) {
			fprintf(stderr, "berth-image: error: check: %d problems\n", rc);
			store_close(&s);
			return EXIT_FAIL;
		}
		if (rc == 0)
			printf("store %s: consistent\n", o.root);
	} else {
		char hex[DIGEST_HEX_LEN + 1];
		const char *id = argc == 4 ? argv[1] : NULL, *ref = argv[argc - 2], *dir = argv[argc - 1];
		rc = store_resolve(&s, ref, hex, NULL, &e);
		if (rc == 0)
			rc = overlay_mount(&s, hex, id, dir, &e);
	}
	store_close(&s);
	fflush(stdout);
	if (rc < 0) {
		log_err(&lg, &e);
		return EXIT_FAIL;
	}
	return 0;
}
