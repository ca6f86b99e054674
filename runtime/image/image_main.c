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
#ifdef CONFIG_IMAGE_UNPACK_USERNS
#define USERNS_BASE CONFIG_IMAGE_UNPACK_USERNS_BASE
#define USERNS_SIZE CONFIG_IMAGE_UNPACK_USERNS_SIZE
#else
#define USERNS_BASE 0
#define USERNS_SIZE 0
#endif

static const char usage_text[] =
	"usage: berth-image [options] COMMAND\n"
	"options: --data-root DIR   the store (default " DEFAULT_ROOT ")\n"
	"         --unpack PATH     berth-unpack (default: next to berth-image)\n"
	"         --no-setid        refuse layers with setuid/setgid files\n"
	"         --userns BASE:SIZE  unpack as root of a user namespace mapping 0..SIZE-1\n"
	"                           to BASE.. (layer owners shifted); --no-userns: not\n"
	"         --jobs N          layers unpacked at once (default: one per CPU)\n"
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
	"            100 usage, 111 system call failed (store, load)\n";

struct opts {
	const char *root, *unpack;
	int no_setid;
	uint64_t max_bytes, max_entries;
	unsigned long long ratio_max;
	unsigned long long userns_base, userns_size;
	unsigned long long jobs;
	int progress;
	enum import_class exit_class;
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

/* Import events: "loaded" lines on stdout, per-layer progress on a
 * terminal's stderr. */
static void on_event(void *ctx, const struct import_event *ev)
{
	const struct opts *o = ctx;
	double mb = (double)ev->bytes / 1e6;

	switch (ev->kind) {
	case IMPORT_LOADED:
		if (ev->name[0])
			printf("loaded %s (%s)\n", ev->name, ev->digest);
		else
			printf("loaded %s\n", ev->digest);
		break;
	case IMPORT_LAYER_PROGRESS:
	case IMPORT_LAYER_DONE:
		if (o->progress)
			fprintf(stderr, "%s: %.1f MB, %.1f MB/s%s", ev->label, mb,
				ev->secs > 0 ? mb / ev->secs : 0.0,
				ev->kind == IMPORT_LAYER_DONE ? "\n" : "\r");
		break;
	case IMPORT_LAYER_START:
		break;
	}
}

static int cmd_load(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	const char *file = argv[0];

	(void)argc;
	struct import_opts io = { .unpack = find_unpack(o),
				  .no_setid = o->no_setid || !IS_ENABLED(CONFIG_IMAGE_ALLOW_SETID),
				  .max_bytes = o->max_bytes, .max_entries = o->max_entries,
				  .ratio_max = (unsigned)o->ratio_max,
				  .userns_base = (uint32_t)o->userns_base,
				  .userns_size = (uint32_t)o->userns_size,
				  .jobs = (int)o->jobs, .event = on_event, .event_ctx = o };
	int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY | O_CLOEXEC), rc;
	struct import_reader in = { import_fd_read, &fd };
	struct import_result res;

	if (fd < 0)
		return berr_sys(e, "open %s", file);
	o->progress = isatty(2);
	rc = import_archive(s, &in, &io, &res, e);
	if (fd != 0)
		close(fd);
	o->exit_class = res.cls;
	return rc < 0 ? berr_prefix(e, "load %s", file) : 0;
}

static void print_image(const char *name, const char *hex, const struct image_rec *im)
{
	printf("%-40s %.12s %6d %s/%s\n", name, hex, im->nlayers, im->os, im->arch);
}

static int cmd_ls(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	const struct store_index *ix = s->ix;
	struct image_rec *im = malloc(sizeof(*im));
	int rc = -1;

	(void)o;
	(void)argc;
	(void)argv;
	if (!im)
		return berr_set(e, ENOMEM, "out of memory");
	printf("%-40s %-12s %6s %s\n", "NAME", "IMAGE ID", "LAYERS", "PLATFORM");
	for (int i = 0; i < ix->nimages; i++) {
		const char *hex = ix->images[i];
		int named = 0;
		if (store_image_read(s, hex, im, e) < 0)
			goto out;
		for (int k = 0; k < ix->names.n; k++)
			if (strcmp(ix->names.e[k].digest + 7, hex) == 0) {
				print_image(ix->names.e[k].name, hex, im);
				named = 1;
			}
		if (!named)
			print_image("<none>", hex, im);
	}
	rc = 0;
out:
	free(im);
	return rc;
}

static int cmd_inspect(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	const struct store_names *nm = &s->ix->names;
	struct image_rec *im = malloc(sizeof(*im));
	char hex[DIGEST_HEX_LEN + 1];
	int rc = -1;

	(void)o;
	(void)argc;
	if (!im)
		return berr_set(e, ENOMEM, "out of memory");
	if (store_resolve(s, argv[0], hex, NULL, e) < 0 || store_image_read(s, hex, im, e) < 0)
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
	return rc;
}

static int cmd_rm(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	(void)o;
	(void)argc;
	return store_rm(s, argv[0], e);
}

static int cmd_gc(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	int nb, nl;

	(void)o;
	(void)argc;
	(void)argv;
	if (store_gc(s, &nb, &nl, e) < 0)
		return -1;
	printf("removed %d blobs, %d layers\n", nb, nl);
	return 0;
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static int cmd_check(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	int bad;

	(void)argc;
	(void)argv;
	bad = store_check(s, print_line, NULL, e);
	if (bad < 0)
		return -1;
	if (bad > 0)
		return berr_set(e, 0, "check: %d problems", bad);
	printf("store %s: consistent\n", o->root);
	return 0;
}

static int cmd_mount(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	char hex[DIGEST_HEX_LEN + 1];
	const char *id = NULL;

	(void)o;
	if (argc == 4) {
		if (strcmp(argv[0], "--rw") != 0)
			return berr_set(e, EINVAL, "mount: expected --rw ID REF DIR");
		id = argv[1];
	} else if (argc != 2) {
		return berr_set(e, EINVAL, "mount: expected [--rw ID] REF DIR");
	}
	if (store_resolve(s, argv[argc - 2], hex, NULL, e) < 0)
		return -1;
	return overlay_mount(s, hex, id, argv[argc - 1], e);
}

static int cmd_umount(struct opts *o, struct store *s, int argc, char **argv, struct berr *e)
{
	(void)o;
	(void)s;
	(void)argc;
	return overlay_umount(argv[0], e);
}

/* lock: 'x' exclusive (changes; also removes leftovers of crashed imports),
 * 's' shared, 0 no store at all */
static const struct command {
	const char *name;
	int min_args, max_args;
	char lock;
	int (*run)(struct opts *o, struct store *s, int argc, char **argv, struct berr *e);
} commands[] = {
	{ "load", 1, 1, 'x', cmd_load },
	{ "ls", 0, 0, 's', cmd_ls },
	{ "inspect", 1, 1, 's', cmd_inspect },
	{ "rm", 1, 1, 'x', cmd_rm },
	{ "gc", 0, 0, 'x', cmd_gc },
	{ "check", 0, 0, 'x', cmd_check },
	{ "mount", 2, 4, 'x', cmd_mount },
	{ "umount", 1, 1, 0, cmd_umount },
};

/* Options before the command; returns the index of the command or -1. */
static int parse_opts(struct opts *o, int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--data-root") == 0 && i + 1 < argc)
			o->root = argv[++i];
		else if (strcmp(argv[i], "--unpack") == 0 && i + 1 < argc)
			o->unpack = argv[++i];
		else if (strcmp(argv[i], "--no-setid") == 0)
			o->no_setid = 1;
		else if (strcmp(argv[i], "--layer-max-bytes") == 0 && i + 1 < argc)
			o->max_bytes = num(argv[++i]);
		else if (strcmp(argv[i], "--layer-max-entries") == 0 && i + 1 < argc)
			o->max_entries = num(argv[++i]);
		else if (strcmp(argv[i], "--gzip-ratio-max") == 0 && i + 1 < argc)
			o->ratio_max = num(argv[++i]);
		else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
			o->jobs = num(argv[++i]);
			if (!o->jobs || o->jobs > IMPORT_JOBS_MAX)
				return -1;
		}
		else if (strcmp(argv[i], "--userns") == 0 && i + 1 < argc) {
			char *colon = strchr(argv[++i], ':');
			if (!colon)
				return -1;
			*colon = '\0';
			o->userns_base = num(argv[i]);
			o->userns_size = num(colon + 1);
			if (!o->userns_base || !o->userns_size ||
			    o->userns_base + o->userns_size > UINT32_MAX)
				return -1;
		} else if (strcmp(argv[i], "--no-userns") == 0)
			o->userns_base = o->userns_size = 0;
		else
			return -1;
	}
	if (i >= argc || !o->max_bytes || !o->max_entries || !o->ratio_max || o->ratio_max > UINT32_MAX)
		return -1;
	return i;
}

int main(int argc, char **argv)
{
	struct logger lg = { .prog = "berth-image", .fd = 2, .level = LOG_INFO };
	struct opts o = { .root = DEFAULT_ROOT,
			  .max_bytes = (uint64_t)CONFIG_IMAGE_LAYER_MAX_MB << 20,
			  .max_entries = CONFIG_IMAGE_LAYER_MAX_ENTRIES,
			  .ratio_max = CONFIG_IMAGE_GZIP_RATIO_MAX,
			  .userns_base = USERNS_BASE,
			  .userns_size = USERNS_SIZE };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct berr e = {0};
	const struct command *c = NULL;
	int i, rc;

	signal(SIGPIPE, SIG_IGN); /* berth-unpack closing its pipe is an error, not death */
	i = parse_opts(&o, argc, argv);
	if (i < 0)
		return usage();
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			c = &commands[k];
	argc -= i + 1;
	argv += i + 1;
	if (!c || argc < c->min_args || argc > c->max_args)
		return usage();
	if (c->lock && store_open(&s, o.root, c->lock == 'x' ? STORE_EXCLUSIVE : STORE_SHARED, &e) < 0) {
		log_err(&lg, &e);
		return EXIT_SYSCALL;
	}
	rc = c->run(&o, &s, argc, argv, &e);
	store_close(&s);
	fflush(stdout);
	if (rc < 0) {
		log_err(&lg, &e);
		return o.exit_class == IMPORT_SYSTEM ? EXIT_SYSCALL : EXIT_FAIL;
	}
	return 0;
}
