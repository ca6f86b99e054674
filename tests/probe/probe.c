/* probe.c — berth-probe: placed inside a test container, prints what the
 * container looks like from the inside as key=value lines, one per line.
 *
 * Usage: berth-probe                 everything below
 *        berth-probe read PATH...    read.PATH=<bytes>|<ERRNO>
 *        berth-probe write PATH...   write.PATH=ok|<ERRNO> (opens O_WRONLY)
 *        berth-probe abstract NAME   abstract.NAME=0|<ERRNO> (connect to the
 *                                    abstract Unix socket "\0NAME")
 *        berth-probe session         sid= pgid= ("self" when the probe's own
 *                                    pid), devtty=0|<ERRNO> (open /dev/tty),
 *                                    tiocsti=0|<ERRNO> (push "#" into fd 0)
 *
 * Keys: pid ppid uid gid euid egid groups cwd hostname fds pids
 *       CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp (raw, from status)
 *       uid_map gid_map (first line, spaces squeezed) nofile (soft:hard)
 *       mount=<point> <fstype> <mount options> (one line per mount)
 *       refused.<syscall>=<ERRNO or 0> for every SC_REFUSE row of the seccomp
 *       table, called with zero arguments; clone3, clone_newns, clone_newuser,
 *       socket_alg, socket_vsock, socket_inet, personality_bad, personality_query.
 * Exit codes: 0 printed, 100 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/seccomp/table.h"

static const struct {
	int e;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" },
	{ ETXTBSY, "ETXTBSY" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" },
	{ ENOSYS, "ENOSYS" }, { ELOOP, "ELOOP" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { ECONNREFUSED, "ECONNREFUSED" },
};

static void print_result(const char *key, long rc, int err)
{
	if (rc >= 0) {
		printf("%s=0\n", key);
		return;
	}
	for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (errnames[i].e == err) {
			printf("%s=%s\n", key, errnames[i].name);
			return;
		}
	printf("%s=E%d\n", key, err);
}

static void status_lines(void)
{
	static const char *const keys[] = { "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:",
					    "NoNewPrivs:", "Seccomp:" };
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof line, f))
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0) {
				char *v = line + strlen(keys[i]);
				v += strspn(v, " \t");
				v[strcspn(v, "\n")] = '\0';
				printf("%.*s=%s\n", (int)strlen(keys[i]) - 1, keys[i], v);
			}
	if (f)
		fclose(f);
}

static void first_line(const char *key, const char *path)
{
	char line[256], out[256];
	size_t o = 0;
	int sp = 1;
	FILE *f = fopen(path, "re");

	if (!f || !fgets(line, sizeof line, f)) {
		printf("%s=\n", key);
	} else {
		for (char *p = line; *p && *p != '\n' && o < sizeof out - 1; p++) {
			if (*p == ' ' || *p == '\t') {
				if (!sp)
					out[o++] = ' ';
				sp = 1;
			} else {
				out[o++] = *p;
				sp = 0;
			}
		}
		while (o > 0 && out[o - 1] == ' ')
			o--;
		out[o] = '\0';
		printf("%s=%s\n", key, out);
	}
	if (f)
		fclose(f);
}

static void mounts(void)
{
	char line[1024];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	/* id parent maj:min root point options [optional...] - fstype source superopts */
	while (f && fgets(line, sizeof line, f)) {
		char point[512], opts[256], *dash = strstr(line, " - "), fstype[64];
		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s %255s", point, opts) != 2 ||
		    sscanf(dash + 3, "%63s", fstype) != 1)
			continue;
		printf("mount=%s %s %s\n", point, fstype, opts);
	}
	if (f)
		fclose(f);
}

static void pids(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	printf("pids=");
	while (d && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			printf("%s%s", n++ ? "," : "", de->d_name);
	printf("\n");
	if (d)
		closedir(d);
}

static void refused(void)
{
	const struct sc_rule *t = sc_prog_default.rules;
	long rc;

	for (size_t i = 0; i < sc_prog_default.n; i++) {
		char key[80];
		if (t[i].kind != SC_REFUSE || t[i].noprobe)
			continue;
		errno = 0;
		rc = syscall(t[i].nr, 0, 0, 0, 0, 0, 0);
		snprintf(key, sizeof key, "refused.%s", t[i].name);
		print_result(key, rc, errno);
		/* userfaultfd and friends may hand back an fd when allowed */
		if (rc > 2 && fcntl((int)rc, F_GETFD) >= 0)
			close((int)rc);
	}
	rc = syscall(SYS_clone3, NULL, 0);
	print_result("clone3", rc, errno);
	{
		static const struct {
			const char *key;
			unsigned long flags;
		} clones[] = { { "clone_newns", 0x00020000 }, { "clone_newuser", 0x10000000 },
			       { "clone_newnet", 0x40000000 } };
		for (size_t i = 0; i < 3; i++) {
			rc = syscall(SYS_clone, clones[i].flags | SIGCHLD, 0, 0, 0, 0);
			if (rc == 0)
				_exit(0);
			print_result(clones[i].key, rc, errno);
			if (rc > 0)
				waitpid((pid_t)rc, NULL, 0);
		}
	}
	rc = syscall(SYS_socket, 38, 5 /* SOCK_SEQPACKET */, 0);
	print_result("socket_alg", rc, errno);
	if (rc >= 0)
		close((int)rc);
	rc = syscall(SYS_socket, 40, 1, 0);
	print_result("socket_vsock", rc, errno);
	if (rc >= 0)
		close((int)rc);
	rc = syscall(SYS_socket, 2, 2, 0);
	print_result("socket_inet", rc, errno);
	if (rc >= 0)
		close((int)rc);
	rc = syscall(SYS_personality, 0x0040000);
	print_result("personality_bad", rc, errno);
	rc = syscall(SYS_personality, 0xffffffffUL);
	print_result("personality_query", rc, errno);
}

static int paths(int write_mode, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char key[600], buf[4096];
		int fd = open(argv[i], (write_mode ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		long total = 0, n;

		snprintf(key, sizeof key, "%s.%s", write_mode ? "write" : "read", argv[i]);
		if (fd < 0) {
			print_result(key, -1, errno);
			continue;
		}
		if (write_mode) {
			printf("%s=ok\n", key);
			close(fd);
			continue;
		}
		while ((n = read(fd, buf, sizeof buf)) > 0 && total < (1L << 20))
			total += n;
		if (n < 0)
			print_result(key, -1, errno);
		else
			printf("%s=%ld\n", key, total);
		close(fd);
	}
	return 0;
}

static int abstract(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char key[160];
	long rc;

	if (n > sizeof a.sun_path - 1)
		n = sizeof a.sun_path - 1;
	memcpy(a.sun_path + 1, name, n);
	rc = connect(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	snprintf(key, sizeof key, "abstract.%s", name);
	print_result(key, rc, errno);
	close(fd);
	return 0;
}

/* The session and terminal of the probe: a container's first process
 * leads its own session and has no controlling terminal. */
static int session(void)
{
	pid_t me = getpid();
	int fd;
	char c = '#';

	if (getsid(0) == me)
		printf("sid=self\n");
	else
		printf("sid=%ld\n", (long)getsid(0)); /* 0: a leader outside the pid namespace */
	if (getpgrp() == me)
		printf("pgid=self\n");
	else
		printf("pgid=%ld\n", (long)getpgrp());
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	print_result("devtty", fd, errno);
	if (fd >= 0)
		close(fd);
	{
		int rc = ioctl(0, TIOCSTI, &c);
		print_result("tiocsti", rc, errno);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char fds[512] = "", buf[256];
	size_t o = 0;
	struct rlimit rl;

	/* The fds first, before this program opens any. */
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0 && o < sizeof fds - 8)
			o += (size_t)snprintf(fds + o, sizeof fds - o, "%s%d", o ? "," : "", fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "read") == 0)
		return paths(0, argc - 2, argv + 2);
	if (argc > 2 && strcmp(argv[1], "write") == 0)
		return paths(1, argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "abstract") == 0)
		return abstract(argv[2]);
	if (argc == 2 && strcmp(argv[1], "session") == 0)
		return session();
	if (argc > 1) {
		fprintf(stderr, "usage: berth-probe [read|write PATH...|abstract NAME|session]\n");
		return 100;
	}
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
	printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", getuid(), getgid(), geteuid(), getegid());
	{
		gid_t g[64];
		int n = getgroups(64, g);
		printf("groups=");
		for (int i = 0; i < n; i++)
			printf("%s%u", i ? "," : "", g[i]);
		printf("\n");
	}
	printf("cwd=%s\n", getcwd(buf, sizeof buf) ? buf : "?");
	printf("hostname=%s\n", gethostname(buf, sizeof buf) == 0 ? buf : "?");
	printf("fds=%s\n", fds);
	getrlimit(RLIMIT_NOFILE, &rl);
	printf("nofile=%llu:%llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	status_lines();
	first_line("uid_map", "/proc/self/uid_map");
	first_line("gid_map", "/proc/self/gid_map");
	pids();
	mounts();
	refused();
	return 0;
}
