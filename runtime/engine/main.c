/* berthd — the container engine: the Docker Engine API subset of
 * DOCKER_API.md on a Unix socket (docs/engine.md). main parses the command
 * line and the configuration, opens the store and the socket, drops what it
 * never needs and serves until SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/util.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/volumes.h"

#define EXIT_USAGE 100
#define EXIT_SYSCALL 111
#define DEFAULT_CONFIG "/etc/berth/berth.conf"
/* sizeof(struct sockaddr_un.sun_path) */
#define RUN_DIR_SUN_PATH ((size_t)108)

static const char usage_text[] =
	"usage: berthd [--data-root DIR] [--run-dir DIR] [--socket PATH] [--group NAME]\n"
	"              [--config FILE] [--libexec DIR] [--no-sandbox]\n"
	"  --data-root DIR  images, containers, volumes (default /var/lib/berth)\n"
	"  --run-dir DIR    runtime state: shims' sockets, netns (default /run/berth)\n"
	"  --socket PATH    the API socket (default RUN_DIR/engine.sock)\n"
	"  --group NAME     the socket's group: 0660 root:NAME (default berth; when\n"
	"                   the group does not exist: 0600, root only)\n"
	"  --config FILE    berth.conf (default " DEFAULT_CONFIG ", optional)\n"
	"  --libexec DIR    berth-unpack, berth-shim, berth-proxy (default: beside berthd)\n"
	"  --no-sandbox     keep every capability and load no seccomp filter\n"
	"SIGTERM or SIGINT stops berthd; containers keep running (their shims live on).\n"
	"exit codes: 0 stopped by a signal, 100 usage or configuration error,\n"
	"            111 system call failed (store, socket, sandbox) or another berthd\n"
	"            runs on the data root\n";

struct args {
	const char *data_root, *run_dir, *socket, *group, *config, *libexec;
	int no_sandbox;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		const char *o = argv[i];

		if (strcmp(o, "--data-root") == 0)
			slot = &a->data_root;
		else if (strcmp(o, "--run-dir") == 0)
			slot = &a->run_dir;
		else if (strcmp(o, "--socket") == 0)
			slot = &a->socket;
		else if (strcmp(o, "--group") == 0)
			slot = &a->group;
		else if (strcmp(o, "--config") == 0)
			slot = &a->config;
		else if (strcmp(o, "--libexec") == 0)
			slot = &a->libexec;
		else if (strcmp(o, "--no-sandbox") == 0) {
			a->no_sandbox = 1;
			continue;
		} else
			return -1;
		if (i + 1 >= argc || !argv[i + 1][0])
			return -1;
		*slot = argv[++i];
	}
	return 0;
}

static int set_path(char *dst, size_t n, const char *what, const char *v, struct berr *e)
{
	if (v[0] != '/')
		return berr_set(e, EINVAL, "%s: want an absolute path: '%s'", what, v);
	if ((size_t)snprintf(dst, n, "%s", v) >= n)
		return berr_set(e, ENAMETOOLONG, "%s: longer than %zu bytes", what, n - 1);
	return 0;
}

/* The command line over the file over the defaults. */
static int configure(struct engine *eng, const struct args *a, struct berr *e)
{
	struct engine_conf *c = &eng->conf;
	char self[ENGINE_PATH_MAX];
	ssize_t n;

	engine_conf_init(c);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && slash != self) {
			*slash = '\0';
			snprintf(c->libexec, sizeof(c->libexec), "%s", self);
		}
	}
	if (engine_conf_file(eng, a->config ? a->config : DEFAULT_CONFIG, a->config != NULL, e) < 0)
		return -1;
	if ((a->data_root && set_path(c->data_root, sizeof(c->data_root), "--data-root", a->data_root, e) < 0) ||
	    (a->run_dir && set_path(c->run_dir, sizeof(c->run_dir), "--run-dir", a->run_dir, e) < 0) ||
	    (a->socket && set_path(c->socket, sizeof(c->socket), "--socket", a->socket, e) < 0) ||
	    (a->libexec && set_path(c->libexec, sizeof(c->libexec), "--libexec", a->libexec, e) < 0))
		return -1;
	if (a->group && (size_t)snprintf(c->group, sizeof(c->group), "%s", a->group) >= sizeof(c->group))
		return berr_set(e, ENAMETOOLONG, "--group: too long");
	if (a->no_sandbox)
		c->sandbox = 0;
	if (!c->socket[0] &&
	    (size_t)snprintf(c->socket, sizeof(c->socket), "%s/engine.sock", c->run_dir) >= sizeof(c->socket))
		return berr_set(e, ENAMETOOLONG, "socket path: too long");
	/* Each shim's control socket is RUN_DIR/shims/<64 hex>/ctl, and a
	 * socket path must fit in sun_path: say so now, not at the first run. */
	if (strlen(c->run_dir) + sizeof("/shims/") - 1 + 64 + sizeof("/ctl") > RUN_DIR_SUN_PATH)
		return berr_set(e, ENAMETOOLONG,
				"--run-dir %s: too long for the shims' sockets (at most %zu bytes)", c->run_dir,
				RUN_DIR_SUN_PATH - (sizeof("/shims/") - 1 + 64 + sizeof("/ctl")));
	return 0;
}

static int mkdir_p(const char *path, mode_t mode, struct berr *e)
{
	char buf[ENGINE_PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return berr_sys(e, "mkdir %s", buf);
			*p = c;
			if (!c)
				return 0;
		}
	}
}

/* The /info ID: random once per data root, kept in DATA_ROOT/engine-id. */
static int engine_id(struct engine *eng, struct berr *e)
{
	char path[ENGINE_PATH_MAX + 16];
	unsigned char rnd[32];
	int fd;

	snprintf(path, sizeof(path), "%s/engine-id", eng->conf.data_root);
	if (fs_read(path, eng->id, sizeof(eng->id), e) == 64 &&
	    strspn(eng->id, "0123456789abcdef") == 64)
		return 0;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, rnd, sizeof(rnd)) != (ssize_t)sizeof(rnd)) {
		fd_close(&fd);
		return berr_sys(e, "/dev/urandom");
	}
	fd_close(&fd);
	for (int i = 0; i < 32; i++)
		snprintf(eng->id + 2 * i, 3, "%02x", rnd[i]);
	return fs_write_atomic(path, eng->id, 64, 0644, e);
}

/* The socket: 0660 root:group, or 0600 root when the group is missing. */
static int open_socket(struct engine *eng, struct berr *e)
{
	struct sock_perm perm = { .mode = 0600, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	struct group *g = getgrnam(eng->conf.group);

	eng->sock_gid = (gid_t)-1;
	if (g) {
		perm.mode = 0660;
		perm.gid = g->gr_gid;
		eng->sock_gid = g->gr_gid;
	} else {
		log_msg(&eng->log, LOG_WARN, "group %s does not exist: %s is 0600, root only",
			eng->conf.group, eng->conf.socket);
	}
	return sock_listen(eng->conf.socket, SOCK_STREAM, &perm, 128, e);
}

/* One berthd per data root: DATA_ROOT/engine.lock, held (flock) for
 * berthd's life. A second one would take over the socket and share the
 * containers' records. */
static int lock_instance(struct engine *eng, struct berr *e)
{
	char path[ENGINE_PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/engine.lock", eng->conf.data_root);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(e, "open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		close(fd);
		if (err == EWOULDBLOCK)
			return berr_set(e, EBUSY, "%s: another berthd runs on %s", path, eng->conf.data_root);
		errno = err;
		return berr_sys(e, "lock %s", path);
	}
	return fd;	/* kept open: the lock lives as long as berthd */
}

static int setup(struct engine *eng, struct berr *e)
{
	char vol[ENGINE_PATH_MAX + 16];

	if (mkdir_p(eng->conf.data_root, 0711, e) < 0 || mkdir_p(eng->conf.run_dir, 0711, e) < 0 ||
	    lock_instance(eng, e) < 0)
		return -1;
	snprintf(vol, sizeof(vol), "%s/volumes", eng->conf.data_root);
	if (mkdir(vol, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir %s", vol);
	if (store_open(&eng->store, eng->conf.data_root, STORE_UNLOCKED, e) < 0)
		return berr_prefix(e, "image store %s", eng->conf.data_root);
	if (engine_id(eng, e) < 0 || volumes_init(eng, e) < 0)
		return -1;
	eng->events = calloc(1, sizeof(*eng->events));
	if (!eng->events)
		return berr_set(e, ENOMEM, "event ring: out of memory");
	eng->events->next = 1;
	if (gethostname(eng->hostname, sizeof(eng->hostname) - 1) < 0)
		snprintf(eng->hostname, sizeof(eng->hostname), "berth");
	eng->start_ns = engine_now_ns();
	return 0;
}

int main(int argc, char **argv)
{
	static struct engine eng;	/* main's, handed down; static only for its size */
	struct args a = { 0 };
	sigset_t set;
	struct berr e;
	int lfd, sigfd, rc;

	eng.log = (struct logger){ .prog = "berthd", .fd = 2, .level = LOG_INFO };
	if (parse_args(argc, argv, &a) < 0) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (configure(&eng, &a, &e) < 0) {
		log_err(&eng.log, &e);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* blocked before any thread exists, so every thread inherits it */
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	pthread_mutex_init(&eng.mu, NULL);
	pthread_mutex_init(&eng.store_mu, NULL);
	pthread_mutex_init(&eng.vol_mu, NULL);
	pthread_cond_init(&eng.ev_cond, NULL);
	if (sigfd < 0 || setup(&eng, &e) < 0 || (lfd = open_socket(&eng, &e)) < 0) {
		if (sigfd < 0)
			berr_sys(&e, "signalfd");
		log_err(&eng.log, &e);
		return EXIT_SYSCALL;
	}
	if (eng.conf.sandbox && engine_sandbox(&eng, &e) < 0) {
		log_err(&eng.log, &e);
		return EXIT_SYSCALL;
	}
	if (ctr_table_open(&eng, &e) < 0) {
		log_err(&eng.log, &e);
		return EXIT_SYSCALL;
	}
	log_msg(&eng.log, LOG_INFO, "serving API 1.%d on %s (data root %s)", ENGINE_API_MINOR_MAX,
		eng.conf.socket, eng.conf.data_root);
	rc = engine_serve(&eng, lfd, sigfd, &e);
	close(lfd);
	if (rc < 0) {
		log_err(&eng.log, &e);
		return EXIT_SYSCALL;
	}
	ctr_table_close(&eng);
	return 0;
}
