/* layer.c — feed one layer blob through gunzip and sha256 into berth-unpack
 * (an uncompressed blob, already hashed while spooling, is spliced). */
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
#include <unistd.h>

#include "lib/util.h"
#include "runtime/image/gz.h"
#include "runtime/image/layer.h"
#include "runtime/image/unpack.h"
#include "runtime/image/zs.h"

#define CHUNK (1 << 18)
#define CHILD_ERR_MAX 1024
#define OPAQUE_MAX UNPACK_OPAQUE_BUF

/* One layer being run: what layer_run owns and releases. */
struct run {
	struct layer_job *j;
	int src, pin[2], pout[2], perr[2];
	pid_t pid;
	struct gz *g;           /* gunzip in front, or */
	struct zs *z;           /* zstd in front, or neither */
	unsigned char *buf;
	char *opq;
	struct digest d;
	uint64_t max;           /* backstop on the uncompressed stream */
	int known;              /* the diff_id is j->hashed: not hashed again */
};

/* A failure of this host (not of the layer): the caller's error class. */
static int sysfail(struct layer_job *j)
{
	j->sys_failed = 1;
	return -1;
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
static pid_t spawn(struct layer_job *j, int in, int out, int err, struct berr *e)
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
		return berr_sys(e, "open %s", j->target), sysfail(j);
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

/* zstd in front of the spooled blob. */
static int open_zstd(struct run *r, struct berr *e)
{
	r->z = malloc(sizeof(*r->z));
	if (!r->z)
		return berr_set(e, ENOMEM, "out of memory"), sysfail(r->j);
	if (zs_init(r->z, tar_fd_read, &r->src, r->max, r->j->ratio_max, e) < 0) {
		free(r->z);
		r->z = NULL;
		return sysfail(r->j);
	}
	return 0;
}

/* Open the spooled blob, check its format against the media type, and
 * put gunzip or zstd in front when it is compressed. */
static int open_blob(struct run *r, struct berr *e)
{
	struct layer_job *j = r->j;
	unsigned char head[TAR_BLOCK];
	ssize_t hl = 0, k;
	enum gz_format fmt;

	r->src = openat(j->dirfd, j->spool, O_RDONLY | O_CLOEXEC);
	if (r->src < 0)
		return berr_sys(e, "open spooled layer"), sysfail(j);
	while (hl < (ssize_t)sizeof(head) && (k = pread(r->src, head + hl, sizeof(head) - (size_t)hl, hl)) > 0)
		hl += k;
	fmt = gz_sniff(head, (size_t)hl);
	if (j->comp == LAYER_ZSTD && fmt != FMT_ZSTD)
		return berr_set(e, EPROTO, "media type says tar+zstd but the blob is not zstd");
	if (j->comp == LAYER_TAR && fmt == FMT_ZSTD)
		return berr_set(e, EPROTO, "media type says tar but the blob is zstd-compressed");
	if (j->comp == LAYER_GZIP && fmt == FMT_ZSTD)
		return berr_set(e, EPROTO, "media type says tar+gzip but the blob is zstd");
	if (fmt == FMT_ZSTD)
		return open_zstd(r, e);
	if (j->comp == LAYER_GZIP && fmt != FMT_GZIP)
		return berr_set(e, EPROTO, "media type says tar+gzip but the blob is not gzip");
	if (j->comp == LAYER_TAR && fmt == FMT_GZIP)
		return berr_set(e, EPROTO, "media type says tar but the blob is gzip-compressed");
	if (fmt != FMT_GZIP)
		return 0;
	r->g = malloc(sizeof(*r->g));
	if (!r->g)
		return berr_set(e, ENOMEM, "out of memory"), sysfail(j);
	if (gz_init(r->g, tar_fd_read, &r->src, r->max, j->ratio_max, e) < 0) {
		free(r->g);
		r->g = NULL;
		return sysfail(j);
	}
	return 0;
}

static int start_unpack(struct run *r, struct berr *e)
{
	if (pipe2(r->pin, O_CLOEXEC) < 0 || pipe2(r->pout, O_CLOEXEC) < 0 || pipe2(r->perr, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe"), sysfail(r->j);
	fcntl(r->pin[1], F_SETPIPE_SZ, 1 << 20);
	r->pid = spawn(r->j, r->pin[0], r->pout[1], r->perr[1], e);
	if (r->pid < 0)
		return sysfail(r->j);
	fd_close(&r->pin[0]);
	fd_close(&r->pout[1]);
	fd_close(&r->perr[1]);
	return 0;
}

/* An uncompressed layer whose sha256 is already known (the spool hashed
 * it): the kernel moves it from the spool file into berth-unpack's pipe,
 * never copied through this process. */
static int pump_spliced(struct run *r, int *gave_up, struct berr *e)
{
	uint64_t total = 0;

	for (;;) {
		ssize_t k = splice(r->src, NULL, r->pin[1], NULL, CHUNK, SPLICE_F_MOVE);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			*gave_up = errno == EPIPE;
			berr_sys(e, "splice into berth-unpack");
			return *gave_up ? -1 : sysfail(r->j);
		}
		if (k == 0)
			return 0;
		total += (uint64_t)k;
		if (total > r->max)
			return berr_set(e, EFBIG, "larger than %llu bytes uncompressed (tar bomb)",
					(unsigned long long)r->max);
		__atomic_store_n(&r->j->bytes, total, __ATOMIC_RELAXED);
	}
}

/* Inflate, hash and hand the stream to berth-unpack. Returns 0 at the end
 * of the stream, <0 on failure; *gave_up when berth-unpack closed its end
 * (its own message then says why). */
static int pump(struct run *r, int *gave_up, struct berr *e)
{
	uint64_t total = 0;
	ssize_t k;

	*gave_up = 0;
	if (!r->g && !r->z && r->j->hashed) {
		r->known = 1;
		return r->pin[1] >= 0 ? pump_spliced(r, gave_up, e) : 0;
	}
	digest_init(&r->d);
	for (;;) {
		k = r->g ? gz_read(r->g, r->buf, CHUNK, e) :
		    r->z ? zs_read(r->z, r->buf, CHUNK, e) : tar_fd_read(&r->src, r->buf, CHUNK, e);
		if (k <= 0)
			return (int)k;
		total += (uint64_t)k;
		if (total > r->max)
			return berr_set(e, EFBIG, "larger than %llu bytes uncompressed (tar bomb)",
					(unsigned long long)r->max);
		digest_update(&r->d, r->buf, (size_t)k);
		if (r->pin[1] >= 0 && util_write_all(r->pin[1], r->buf, (size_t)k, e) < 0) {
			*gave_up = e->errnum == EPIPE;
			return *gave_up ? -1 : sysfail(r->j);
		}
		__atomic_store_n(&r->j->bytes, total, __ATOMIC_RELAXED);
	}
}

/* Wait for berth-unpack. When it refused the layer, its message (naming
 * the entry) is the one to report, whatever stopped this side. */
static int finish_unpack(struct run *r, int pumped, struct berr *e)
{
	char cerr[CHILD_ERR_MAX], *nl;
	size_t olen;
	int st;

	fd_close(&r->pin[1]);
	olen = slurp(r->pout[0], r->opq, OPAQUE_MAX);
	slurp(r->perr[0], cerr, sizeof(cerr));
	while (waitpid(r->pid, &st, 0) < 0)
		if (errno != EINTR)
			return berr_sys(e, "waitpid berth-unpack"), sysfail(r->j);
	r->pid = -1;
	nl = strchr(cerr, '\n');
	if (nl)
		*nl = '\0';
	if (WIFSIGNALED(st))
		return berr_set(e, EPROTO, "berth-unpack killed by signal %d%s%s", WTERMSIG(st),
				cerr[0] ? ": " : "", cerr), sysfail(r->j);
	if (WEXITSTATUS(st) != 0) {
		berr_set(e, EPROTO, "%s", cerr[0] ? cerr : "berth-unpack failed");
		return WEXITSTATUS(st) == 1 ? -1 : sysfail(r->j); /* 1: the layer was refused */
	}
	if (pumped < 0)
		return -1;
	if (olen && mark_opaque(r->j->target, r->opq, olen, e) < 0)
		return sysfail(r->j);
	return 0;
}

static void run_release(struct run *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	if (r->g)
		gz_end(r->g);
	free(r->g);
	if (r->z)
		zs_end(r->z);
	free(r->z);
	free(r->buf);
	free(r->opq);
	fd_close(&r->src);
	for (int i = 0; i < 2; i++) {
		fd_close(&r->pin[i]);
		fd_close(&r->pout[i]);
		fd_close(&r->perr[i]);
	}
}

int layer_run(struct layer_job *j, char *diff_out, struct berr *e)
{
	/* berth-unpack enforces max_bytes on the files and names the entry;
	 * this backstop also counts every header and padding block */
	struct run r = { .j = j, .src = -1, .pin = { -1, -1 }, .pout = { -1, -1 }, .perr = { -1, -1 },
			 .pid = -1, .max = j->max_bytes + j->max_entries * 2 * TAR_BLOCK + (1u << 20) };
	int rc = -1, gave_up, pumped;

	j->bytes = 0;
	j->sys_failed = 0;
	r.buf = malloc(CHUNK);
	r.opq = malloc(OPAQUE_MAX);
	if (!r.buf || !r.opq) {
		berr_set(e, ENOMEM, "out of memory");
		sysfail(j);
		goto out;
	}
	if (open_blob(&r, e) < 0 || (j->target && start_unpack(&r, e) < 0))
		goto out;
	pumped = pump(&r, &gave_up, e);
	if (pumped < 0 && !gave_up)
		goto out; /* this side's own refusal: berth-unpack is killed below */
	if (r.pid > 0 && finish_unpack(&r, pumped, e) < 0)
		goto out;
	if (pumped < 0)
		goto out;
	if (r.known)
		memcpy(diff_out, j->hashed, DIGEST_STR_LEN + 1);
	else
		digest_final(&r.d, diff_out);
	rc = 0;
out:
	run_release(&r);
	return rc;
}
