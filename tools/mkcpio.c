/* mkcpio.c — write a newc cpio archive (an initramfs) from a spec on stdin.
 *
 * Usage: mkcpio < SPEC > ARCHIVE
 * Spec lines (fields separated by blanks; '#' starts a comment):
 *   dir   PATH MODE UID GID
 *   file  PATH SOURCE MODE UID GID
 *   slink PATH TARGET MODE UID GID
 *   nod   PATH MODE UID GID c|b MAJOR MINOR
 * MODE is octal permission bits. Every entry gets mtime $SOURCE_DATE_EPOCH
 * (default 0) and inode numbers in spec order, so the same spec and inputs
 * give the same bytes: the image does not depend on who built it, when, or
 * with what umask, and device nodes need no root.
 * Exit codes: 0 ok, 1 bad spec line (named), 100 usage, 111 I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct out {
	FILE *f;
	unsigned long long off;
	unsigned long ino;
	unsigned long mtime;
};

static void die(int code, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "mkcpio: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(code);
}

static void put(struct out *o, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, o->f) != n)
		die(111, "write: %s%s", strerror(errno), "");
	o->off += n;
}

static void pad4(struct out *o)
{
	static const char zero[4];
	put(o, zero, (size_t)((4 - o->off % 4) % 4));
}

static void header(struct out *o, const char *name, unsigned long mode, unsigned long uid,
		   unsigned long gid, unsigned long nlink, unsigned long size,
		   unsigned long rmaj, unsigned long rmin)
{
	char h[8 * 13 + 6 + 80]; /* 110 used; the slack quiets gcc's 64-bit worst case */
	size_t namesize = strlen(name) + 1;
	unsigned long fields[] = { mode, uid, gid, nlink, size, rmaj, rmin, namesize };

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (fields[i] > 0xffffffffUL)
			die(1, "%s: a field does not fit newc's 32 bits%s", name, "");
	snprintf(h, sizeof h, "070701%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX%08lX",
		 o->ino++, mode, uid, gid, nlink, o->mtime, size, 0UL, 0UL, rmaj, rmin,
		 (unsigned long)namesize, 0UL);
	put(o, h, 110);
	put(o, name, namesize);
	pad4(o);
}

static unsigned long num(const char *s, int base, const char *line)
{
	char *end;
	unsigned long v;

	if (!s)
		die(1, "missing field in: %s%s", line, "");
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end)
		die(1, "bad number '%s' in: %s", s, line);
	return v;
}

static void add_file(struct out *o, const char *path, const char *src, unsigned long mode,
		     unsigned long uid, unsigned long gid)
{
	char buf[65536];
	struct stat st;
	FILE *in = fopen(src, "rb");
	size_t n, total = 0;

	if (!in || fstat(fileno(in), &st) < 0)
		die(111, "%s: %s", src, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die(1, "%s: not a regular file%s", src, "");
	header(o, path, S_IFREG | mode, uid, gid, 1, (unsigned long)st.st_size, 0, 0);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
		put(o, buf, n);
		total += n;
	}
	if (ferror(in) || total != (size_t)st.st_size)
		die(111, "%s: changed or unreadable while archiving%s", src, "");
	fclose(in);
	pad4(o);
}

int main(int argc, char **argv)
{
	struct out o = { .f = stdout, .ino = 1 };
	char line[4096];
	const char *epoch = getenv("SOURCE_DATE_EPOCH");

	(void)argv;
	if (argc != 1) {
		fputs("usage: mkcpio < SPEC > ARCHIVE\n", stderr);
		return 100;
	}
	o.mtime = epoch ? strtoul(epoch, NULL, 10) : 0;
	while (fgets(line, sizeof line, stdin)) {
		char copy[4096], *f[10] = { 0 }, *save = NULL;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		memcpy(copy, line, sizeof copy);
		for (char *t = strtok_r(copy, " \t", &save); t && n < 10; t = strtok_r(NULL, " \t", &save))
			f[n++] = t;
		if (n == 0 || f[0][0] == '#')
			continue;
		if (n < 5 || f[1][0] != '/')
			die(1, "want TYPE /PATH ... in: %s%s", line, "");
		if (!strcmp(f[0], "dir")) {
			header(&o, f[1] + (f[1][0] == '/'), S_IFDIR | num(f[2], 8, line),
			       num(f[3], 10, line), num(f[4], 10, line), 2, 0, 0, 0);
		} else if (!strcmp(f[0], "file")) {
			add_file(&o, f[1] + (f[1][0] == '/'), f[2], num(f[3], 8, line),
				 num(f[4], 10, line), num(f[5], 10, line));
		} else if (!strcmp(f[0], "slink")) {
			size_t len = strlen(f[2]);
			header(&o, f[1] + (f[1][0] == '/'), S_IFLNK | num(f[3], 8, line),
			       num(f[4], 10, line), num(f[5], 10, line), 1, (unsigned long)len, 0, 0);
			put(&o, f[2], len);
			pad4(&o);
		} else if (!strcmp(f[0], "nod")) {
			unsigned long type = f[5] && !strcmp(f[5], "b") ? S_IFBLK : S_IFCHR;
			if (!f[5] || (strcmp(f[5], "b") && strcmp(f[5], "c")))
				die(1, "nod wants c or b in: %s%s", line, "");
			header(&o, f[1] + (f[1][0] == '/'), type | num(f[2], 8, line), num(f[3], 10, line),
			       num(f[4], 10, line), 1, 0, num(f[6], 10, line), num(f[7], 10, line));
		} else {
			die(1, "unknown entry type '%s' in: %s", f[0], line);
		}
	}
	header(&o, "TRAILER!!!", 0, 0, 0, 1, 0, 0, 0);
	pad4(&o);
	if (fflush(stdout) != 0)
		die(111, "write: %s%s", strerror(errno), "");
	return 0;
}
