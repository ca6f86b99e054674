/* layer.c — feed one layer blob through gunzip and sha256 into berth-unpack. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/image/gz.h"
#include "runtime/image/layer.h"

#define CHUNK (1 << 18)
#define CHILD_ERR_MAX 1024

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* uid_map and gid_map of a child that has just unshared its user namespace */
static int write_maps(pid_t pid, const struct layer_job *j, struct berr *e)
{
	char path[64], map[64];
	const char *files[] = { "uid_map", "gid_map" };

	snprintf(map, sizeof(map), "0 %u %u\n", (unsigned)j->userns_base, (unsigned)j->userns_size);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		if (util_write_file(path, map, e) < 0)
			return -1;
	}
	return 0;
}

/* berth-unpack with the layer directory as its working directory (so that
 * a user-namespaced child needs no search permission on the data root). */
static pid_t spawn(const struct layer_job *j, int in, int out, int err, struct berr *e)
{
	char maxb[32], maxe[32];
	const char *argv[14];
	int n = 0, dirfd, s1[2] = { -1, -1 }, s2[2] = { -1, -1 };
	pid_t pid;
	char c = 0;

	snprintf(maxb, sizeof(maxb), "%llu", (unsigned long long)j->max_bytes);
	snprintf(maxe, sizeof(maxe), "%llu", (unsigned long long)j->max_entries);
	argv[n++] = "berth-unpack";
	argv[n++] = "--max-bytes";
	argv[n++] = maxb;
	argv[n++] = "--max-entries";
	argv[n++] = maxe;
	argv[n++] = "--label";
	argv[n++] = j->label;
	if (j->no_setid)
		argv[n++] = "--no-setid";
	argv[n++] = ".";
	argv[n] = NULL;
	dirfd = open(j->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return berr_sys(e, "open %s", j->target);
	if (j->userns_size &&
	    (fchown(dirfd, j->userns_base, j->userns_base) < 0 || pipe2(s1, O_CLOEXEC) < 0 ||
	     pipe2(s2, O_CLOEXEC) < 0)) {
		berr_sys(e, "prepare user namespace for %s", j->target);
		pid = -1;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		berr_sys(e, "fork");
		goto out;
	}
	if (pid == 0) {
		if (j->userns_size) {
			/* unshare, let the parent write the maps, become its root */
			if (unshare(CLONE_NEWUSER) < 0 || write(s1[1], "u", 1) != 1 || read(s2[0], &c, 1) != 1 ||
			    setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)
				_exit(111);
		}
		if (fchdir(dirfd) < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(111);
		signal(SIGPIPE, SIG_DFL);
		execv(j->unpack, (char *const *)argv);
		_exit(127);
	}
	if (j->userns_size) {
		close(s1[1]);
		s1[1] = -1;
		if (read(s1[0], &c, 1) != 1 || write_maps(pid, j, e) < 0 || write(s2[1], "m", 1) != 1) {
			if (!e->msg[0])
				berr_set(e, EPROTO, "berth-unpack could not enter its user namespace");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
		}
	}
out:
	close(dirfd);
	fd_close(&s1[0]);
	fd_close(&s1[1]);
	fd_close(&s2[0]);
	fd_close(&s2[1]);
	return pid;
}

/* Read all of fd (bounded) into buf; returns the length. */
static size_t slurp(int fd, char *buf, size_t size)
{
	size_t o = 0;
	char junk[4096];

	for (;;) {
		ssize_t k = o + 1 < size ? read(fd, buf + o, size - 1 - o) : read(fd, junk, sizeof(junk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (o + 1 < size)
			o += (size_t)k;
	}
	buf[o] = '\0';
	return o;
}

/* Mark opaque directories (a NUL-separated list from berth-unpack) with
 * trusted.overlay.opaque, opening each beneath the layer without following
 * any symlink. */
static int mark_opaque(const char *target, const char *list, size_t len, struct berr *e)
{
	int root = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return berr_sys(e, "open %s", target);
	for (size_t o = 0; o < len;) {
		const char *p = list + o;
		size_t n = strnlen(p, len - o);
		struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
					.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
						   RESOLVE_NO_MAGICLINKS };
		int fd = (int)syscall(SYS_openat2, root, p[0] ? p : ".", &how, sizeof(how));
		if (fd < 0) {
			berr_sys(e, "opaque directory \"%s\"", p);
			close(root);
			return -1;
		}
		if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0) {
			berr_sys(e, "set trusted.overlay.opaque on \"%s\"", p);
			close(fd);
			close(root);
			return -1;
		}
		close(fd);
		o += n + 1;
	}
	close(root);
	return 0;
}

static void progress(const struct layer_job *j, uint64_t bytes, double t0, int done)
{
	char line[256];
	double dt = now() - t0;
	int n = snprintf(line, sizeof(line), "\r%s: %.1f MB, %.1f MB/s%s", j->label, (double)bytes / 1e6,
			 dt > 0 ? (double)bytes / 1e6 / dt : 0.0, done ? "\n" : "");
	if (n > 0)
		util_write_all(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
			       &(struct berr){0});
}

int layer_run(const struct layer_job *j, char *diff_out, struct berr *e)
{
	int src = -1, pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, rc = -1;
	unsigned char *buf = malloc(CHUNK), head[TAR_BLOCK];
	char *opq = malloc(65536), cerr[CHILD_ERR_MAX];
	struct gz *g = NULL;
	struct digest d;
	/* berth-unpack enforces max_bytes on the files and names the entry;
	 * this backstop also counts every header and padding block */
	uint64_t total = 0, max = j->max_bytes + j->max_entries * 2 * TAR_BLOCK + (1u << 20);
	int gave_up = 0;
	ssize_t hl = 0, k;
	pid_t pid = -1;
	double t0 = now(), last = t0;

	if (!buf || !opq) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	src = openat(j->dirfd, j->spool, O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		berr_sys(e, "open spooled layer");
		goto out;
	}
	while (hl < (ssize_t)sizeof(head) && (k = read(src, head + hl, sizeof(head) - (size_t)hl)) > 0)
		hl += k;
	lseek(src, 0, SEEK_SET);
	enum gz_format fmt = gz_sniff(head, (size_t)hl);
	if (fmt == FMT_ZSTD) {
		berr_set(e, ENOTSUP, "zstd-compressed layers are unsupported");
		goto out;
	}
	if (j->comp == LAYER_GZIP && fmt != FMT_GZIP) {
		berr_set(e, EPROTO, "media type says tar+gzip but the blob is not gzip");
		goto out;
	}
	if (j->comp == LAYER_TAR && fmt == FMT_GZIP) {
		berr_set(e, EPROTO, "media type says tar but the blob is gzip-compressed");
		goto out;
	}
	if (fmt == FMT_GZIP) {
		g = malloc(sizeof(*g));
		if (!g) {
			berr_set(e, ENOMEM, "out of memory");
			goto out;
		}
		if (gz_init(g, tar_fd_read, &src, max, j->ratio_max, e) < 0) {
			free(g);
			g = NULL;
			goto out;
		}
	}
	if (j->target) {
		if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
			berr_sys(e, "pipe");
			goto out;
		}
		fcntl(pin[1], F_SETPIPE_SZ, 1 << 20);
		pid = spawn(j, pin[0], pout[1], perr[1], e);
		if (pid < 0)
			goto out;
		fd_close(&pin[0]);
		fd_close(&pout[1]);
		fd_close(&perr[1]);
	}
	digest_init(&d);
	for (;;) {
		k = g ? gz_read(g, buf, CHUNK, e) : tar_fd_read(&src, buf, CHUNK, e);
		if (k < 0)
			break;
		if (k == 0)
			break;
		total += (uint64_t)k;
		if (total > max) {
			k = berr_set(e, EFBIG, "larger than %llu bytes uncompressed (tar bomb)",
				     (unsigned long long)max);
			break;
		}
		digest_update(&d, buf, (size_t)k);
		if (pin[1] >= 0 && util_write_all(pin[1], buf, (size_t)k, e) < 0) {
			/* berth-unpack gave up (EPIPE): its message says why */
			gave_up = e->errnum == EPIPE;
			k = -1;
			break;
		}
		if (j->progress && now() - last > 0.2) {
			last = now();
			progress(j, total, t0, 0);
		}
	}
	if (k < 0 && !gave_up && pid > 0) {
		/* this side's own refusal (gzip bomb, corrupt stream): stop
		 * berth-unpack before it sees a cut stream and says so instead */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
		goto out;
	}
	fd_close(&pin[1]);
	if (pid > 0) {
		/* when berth-unpack refused the layer, its message (naming the
		 * entry) is the one to report, whatever stopped this side */
		int st;
		size_t olen = slurp(pout[0], opq, 65536);
		slurp(perr[0], cerr, sizeof(cerr));
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				berr_sys(e, "waitpid berth-unpack");
				goto out;
			}
		pid = -1;
		char *nl = strchr(cerr, '\n');
		if (nl)
			*nl = '\0';
		if (WIFSIGNALED(st)) {
			berr_set(e, EPROTO, "berth-unpack killed by signal %d%s%s", WTERMSIG(st),
				 cerr[0] ? ": " : "", cerr);
			goto out;
		}
		if (WEXITSTATUS(st) != 0) {
			berr_set(e, EPROTO, "%s", cerr[0] ? cerr : "berth-unpack failed");
			goto out;
		}
		if (k < 0)
			goto out;
		if (olen && mark_opaque(j->target, opq, olen, e) < 0)
			goto out;
	}
	if (k < 0)
		goto out;
	digest_final(&d, diff_out);
	if (j->progress)
		progress(j, total, t0, 1);
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (g)
		gz_end(g);
	free(g);
	free(buf);
	free(opq);
	fd_close(&src);
	fd_close(&pin[0]);
	fd_close(&pin[1]);
	fd_close(&pout[0]);
	fd_close(&pout[1]);
	fd_close(&perr[0]);
	fd_close(&perr[1]);
	return rc;
}
