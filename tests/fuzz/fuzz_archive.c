/* fuzz_archive.c — libFuzzer target: link resolution in image archives and
 * in layers, on arbitrary tar bytes (through gunzip when they look like
 * gzip).
 *
 * The archive half spools the input with archive_spool (docker save's
 * layer symlinks, hardlinks) and checks that every path and resolved link
 * is clean, stays in the archive and ends at a file that is not a link.
 * The layer half applies the same bytes as a layer with unpack_run in a
 * directory beside a sentinel file, and checks that nothing reached the
 * sentinel or its directory (no symlink or hardlink crossed out). Work
 * files live under $TMPDIR (default /dev/shm when it exists) and are
 * removed after every input. Run briefly by make check (tests/host/fuzz.sh).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "runtime/image/archive.h"
#include "runtime/image/gz.h"
#include "runtime/image/tar.h"
#include "runtime/image/unpack.h"
#include "tests/unit/mem_read.h"


static char work[256];
static int workfd = -1;

static void teardown(void)
{
	struct berr e;
	fs_rm_tree_at(AT_FDCWD, work, &e);
}

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	struct stat st;

	if (!t)
		t = stat("/dev/shm", &st) == 0 ? "/dev/shm" : "/tmp";
	snprintf(work, sizeof(work), "%s/fuzz_archive.XXXXXX", t);
	if (!mkdtemp(work))
		abort();
	atexit(teardown);
	workfd = open(work, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (workfd < 0 || mkdirat(workfd, "root", 0755) < 0)
		abort();
	int fd = openat(workfd, "root/sentinel", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	close(fd);
}

static void clean_path_ok(const char *p)
{
	if (p[0] == '/' || strstr(p, "//") || strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	    strstr(p, "/../") || (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		abort();
}

static void archive_half(const uint8_t *data, size_t size)
{
	static struct archive a;
	struct mem m = { data, size, 0, 389 }; /* odd chunks: short reads */
	struct berr e;
	int dirfd;

	if (mkdirat(workfd, "spool", 0700) < 0)
		abort();
	dirfd = openat(workfd, "spool", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		abort();
	if (archive_spool(&a, dirfd, mem_read, &m, &e) == 0) {
		for (int i = 0; i < a.n; i++) {
			const struct arch_file *f = &a.f[i], *g = archive_find(&a, f->path);
			clean_path_ok(f->path);
			if (!g || g->is_link || g < a.f || g >= a.f + a.n)
				abort();
			if (f->is_link) {
				clean_path_ok(f->link);
				if (f->alias < 0 || f->alias >= a.n || strcmp(a.f[f->alias].path, f->link) != 0)
					abort();
			}
		}
	}
	close(dirfd);
	if (fs_rm_tree_at(workfd, "spool", &e) < 0)
		abort();
}

/* root/ holds exactly the layer and the untouched, empty sentinel. */
static void root_intact(void)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int n = 0, fd = openat(workfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstatat(fd, "sentinel", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != 0 || st.st_nlink != 1)
		abort();
	d = fdopendir(fd);
	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	if (n != 2)
		abort();
}

static void layer_half(const uint8_t *data, size_t size)
{
	static struct unpack u;
	static struct tar_reader r;
	static struct gz g;
	struct mem m = { data, size, 0, 389 }; /* odd chunks: short reads */
	struct berr e;
	int use_gz = gz_sniff(data, size) == FMT_GZIP;

	if (mkdirat(workfd, "root/layer", 0755) < 0)
		abort();
	u.rootfd = openat(workfd, "root/layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.rootfd < 0)
		abort();
	u.pol = (struct unpack_policy){ .max_bytes = 1 << 20, .max_entries = 256, .max_depth = 32,
					.allow_setid = 0 };
	if (use_gz && gz_init(&g, mem_read, &m, 1 << 20, 1000, &e) < 0)
		abort();
	tar_init(&r, use_gz ? gz_read : mem_read, use_gz ? (void *)&g : (void *)&m);
	unpack_run(&u, &r, &e);
	if (use_gz)
		gz_end(&g);
	free(u.dirtimes);
	u.dirtimes = NULL;
	u.dirtimes_cap = 0;
	close(u.rootfd);
	root_intact();
	if (fs_rm_tree_at(workfd, "root/layer", &e) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (workfd < 0)
		setup();
	archive_half(data, size);
	layer_half(data, size);
	return 0;
}
