/* main.c — berth-run: one container in the foreground (runtime/launch). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "runtime/launch/launch.h"

static const char usage[] =
	"usage: berth-run [options] ROOTFS CMD [ARG...]\n"
	"\n"
	"Runs CMD in a new container on the root filesystem ROOTFS with berth's\n"
	"default security profile (SECURITY.md) and exits with its status.\n"
	"\n"
	"  --hostname NAME        hostname (default: 12 random hex digits)\n"
	"  --env KEY=VALUE        environment variable (repeatable)\n"
	"  --workdir DIR          working directory inside (default /)\n"
	"  --user UID[:GID]       exec user; names are looked up in the image\n"
	"  --group-add GROUP      supplementary group (repeatable)\n"
	"  --cap-add CAP          add a capability (repeatable; ALL)\n"
	"  --cap-drop CAP         drop a capability (repeatable; ALL)\n"
	"  --read-only            mount the root read-only\n"
	"  --tmpfs DST[:SIZE]     a tmpfs at DST (repeatable)\n"
	"  --bind SRC:DST[:ro]    bind a host path (repeatable)\n"
	"  --network MODE         none (default: own namespace, loopback), host, netns:PATH\n"
	"  --memory SIZE          memory.max (and no swap), e.g. 256m\n"
	"  --cpus N               cpu.max in CPUs, e.g. 0.5\n"
	"  --pids-limit N         pids.max (default " "from Kconfig, never unlimited)\n"
	"  --cgroup-parent PATH   cgroup v2 parent, relative to /sys/fs/cgroup\n"
	"  --require-cgroups      fail when the host has no usable cgroup v2\n"
	"  --seccomp PROFILE      default, unconfined, or a file of BPF records\n"
	"  --no-new-privs BOOL    true (default) or false\n"
	"  --sysctl KEY=VALUE     a namespaced sysctl (repeatable)\n"
	"  --rlimit NAME=S[:H]    a resource limit (repeatable)\n"
	"  --userns-remap U:G:N   a user namespace: container ids 0..N-1 are host\n"
	"                         U.. and G..; ROOTFS must be searchable by U\n"
	"  --tty                  a terminal for the command, relayed to stdin/stdout\n"
	"\n"
	"Exit codes:\n"
	"  0-255  the container's exit status\n"
	"  100    usage: a bad option or value, or an image that cannot run as asked\n"
	"         (nothing was left behind)\n"
	"  111    the container could not be set up (a system call failed)\n"
	"  126    CMD could not be executed\n"
	"  127    CMD was not found\n"
	"  128+n  the container's PID 1 was killed by signal n\n";

enum {
	O_HOSTNAME = 256, O_ENV, O_WORKDIR, O_USER, O_GROUP_ADD, O_CAP_ADD, O_CAP_DROP,
	O_READ_ONLY, O_TMPFS, O_BIND, O_NETWORK, O_MEMORY, O_CPUS, O_PIDS, O_CGPARENT,
	O_REQCG, O_SECCOMP, O_NNP, O_SYSCTL, O_RLIMIT, O_USERNS, O_TTY, O_HELP,
};

static const struct option options[] = {
	{ "hostname", required_argument, 0, O_HOSTNAME }, { "env", required_argument, 0, O_ENV },
	{ "workdir", required_argument, 0, O_WORKDIR }, { "user", required_argument, 0, O_USER },
	{ "group-add", required_argument, 0, O_GROUP_ADD },
	{ "cap-add", required_argument, 0, O_CAP_ADD }, { "cap-drop", required_argument, 0, O_CAP_DROP },
	{ "read-only", no_argument, 0, O_READ_ONLY }, { "tmpfs", required_argument, 0, O_TMPFS },
	{ "bind", required_argument, 0, O_BIND }, { "network", required_argument, 0, O_NETWORK },
	{ "memory", required_argument, 0, O_MEMORY }, { "cpus", required_argument, 0, O_CPUS },
	{ "pids-limit", required_argument, 0, O_PIDS },
	{ "cgroup-parent", required_argument, 0, O_CGPARENT },
	{ "require-cgroups", no_argument, 0, O_REQCG },
	{ "seccomp", required_argument, 0, O_SECCOMP },
	{ "no-new-privs", required_argument, 0, O_NNP }, { "sysctl", required_argument, 0, O_SYSCTL },
	{ "rlimit", required_argument, 0, O_RLIMIT }, { "userns-remap", required_argument, 0, O_USERNS },
	{ "tty", no_argument, 0, O_TTY }, { "help", no_argument, 0, O_HELP }, { 0, 0, 0, 0 },
};

struct cli {
	struct launch_spec spec;
	const char *cap_add[64], *cap_drop[64];
	int n_add, n_drop;
};

#define PUSH(arr, n, v, what)                                                          \
	do {                                                                           \
		if ((size_t)(n) >= sizeof(arr) / sizeof((arr)[0]))                     \
			return berr_set(e, E2BIG, "too many %s (at most %zu)", what,   \
					sizeof(arr) / sizeof((arr)[0]));               \
		(arr)[(n)++] = (v);                                                    \
	} while (0)

static int parse_network(struct launch_spec *s, char *arg, struct berr *e)
{
	if (strcmp(arg, "none") == 0)
		s->net = LAUNCH_NET_NONE;
	else if (strcmp(arg, "host") == 0)
		s->net = LAUNCH_NET_HOST;
	else if (strncmp(arg, "netns:", 6) == 0 && arg[6] == '/') {
		s->net = LAUNCH_NET_NS;
		s->netns = arg + 6;
	} else
		return berr_set(e, EINVAL, "network '%s': want none, host or netns:/PATH", arg);
	return 0;
}

static int parse_pids(struct launch_spec *s, const char *arg, struct berr *e)
{
	char *end;

	errno = 0;
	s->pids_limit = strtoll(arg, &end, 10);
	if (errno || *end || s->pids_limit < 1 || s->pids_limit > 4194304)
		return berr_set(e, EINVAL, "--pids-limit '%s': want 1..4194304 (never unlimited)", arg);
	return 0;
}

static int parse_seccomp(struct launch_spec *s, char *arg, struct berr *e)
{
	if (strcmp(arg, "default") == 0)
		s->seccomp = LAUNCH_SECCOMP_DEFAULT;
	else if (strcmp(arg, "unconfined") == 0)
		s->seccomp = LAUNCH_SECCOMP_UNCONFINED;
	else if (arg[0] == '/') {
		s->seccomp = LAUNCH_SECCOMP_FILE;
		s->seccomp_file = arg;
	} else
		return berr_set(e, EINVAL, "seccomp '%s': want default, unconfined or /PATH", arg);
	return 0;
}

static int parse_nnp(struct launch_spec *s, const char *arg, struct berr *e)
{
	if (strcmp(arg, "true") == 0)
		s->no_new_privs = 1;
	else if (strcmp(arg, "false") == 0)
		s->no_new_privs = 0;
	else
		return berr_set(e, EINVAL, "no-new-privs '%s': want true or false", arg);
	return 0;
}

static int parse_option(struct cli *cl, int opt, char *arg, struct berr *e)
{
	struct launch_spec *s = &cl->spec;

	switch (opt) {
	case O_HOSTNAME: s->hostname = arg; return 0;
	case O_ENV: PUSH(s->env, s->n_env, arg, "--env values"); return 0;
	case O_WORKDIR: s->workdir = arg; return 0;
	case O_USER: s->user = arg; return 0;
	case O_GROUP_ADD: PUSH(s->groups_add, s->n_groups_add, arg, "--group-add values"); return 0;
	case O_CAP_ADD: PUSH(cl->cap_add, cl->n_add, arg, "--cap-add values"); return 0;
	case O_CAP_DROP: PUSH(cl->cap_drop, cl->n_drop, arg, "--cap-drop values"); return 0;
	case O_READ_ONLY: s->read_only = 1; return 0;
	case O_TMPFS:
	case O_BIND:
		if (s->n_mounts >= CONFIG_LAUNCH_MOUNTS_MAX)
			return berr_set(e, E2BIG, "more than %d mounts", CONFIG_LAUNCH_MOUNTS_MAX);
		if ((opt == O_TMPFS ? launch_parse_tmpfs : launch_parse_mount)(arg, &s->mounts[s->n_mounts], e) < 0)
			return -1;
		s->n_mounts++;
		return 0;
	case O_NETWORK: return parse_network(s, arg, e);
	case O_MEMORY:
		if (launch_parse_size(arg, &s->memory, e) < 0)
			return berr_prefix(e, "--memory");
		if (s->memory < 6 * 1024 * 1024)
			return berr_set(e, EINVAL, "--memory %s: below the minimum of 6m", arg);
		return 0;
	case O_CPUS: return launch_parse_cpus(arg, &s->cpus_milli, e);
	case O_PIDS: return parse_pids(s, arg, e);
	case O_CGPARENT: s->cgroup_parent = arg; return 0;
	case O_REQCG: s->require_cgroups = 1; return 0;
	case O_SECCOMP: return parse_seccomp(s, arg, e);
	case O_NNP: return parse_nnp(s, arg, e);
	case O_SYSCTL:
		if (s->n_sysctls >= CONFIG_LAUNCH_SETTINGS_MAX)
			return berr_set(e, E2BIG, "more than %d sysctls", CONFIG_LAUNCH_SETTINGS_MAX);
		if (launch_parse_sysctl(arg, &s->sysctls[s->n_sysctls], e) < 0)
			return -1;
		s->n_sysctls++;
		return 0;
	case O_RLIMIT:
		if (s->n_rlimits >= CONFIG_LAUNCH_SETTINGS_MAX)
			return berr_set(e, E2BIG, "more than %d rlimits", CONFIG_LAUNCH_SETTINGS_MAX);
		if (launch_parse_rlimit(arg, &s->rlimits[s->n_rlimits], e) < 0)
			return -1;
		s->n_rlimits++;
		return 0;
	case O_USERNS:
		return launch_parse_remap(arg, s, e);
	case O_TTY: s->tty = 1; return 0;
	}
	return berr_set(e, EINVAL, "unknown option (see --help)");
}

/* The exit code of a launch that did not run its command to the end. */
static int exit_code(const struct launch_result *r)
{
	switch (r->class) {
	case LAUNCH_ERR_SPEC:
	case LAUNCH_ERR_IMAGE:
		return 100;
	case LAUNCH_ERR_EXEC:
		return r->status == 127 ? 127 : 126;
	case LAUNCH_EXITED:
	case LAUNCH_SIGNALED:
		return r->status;
	case LAUNCH_ERR_SYS:
		break;
	}
	return 111;
}

static int parse_args(struct cli *cl, int argc, char **argv, const struct logger *lg)
{
	struct berr e = { 0, "" };
	int opt;

	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (opt == O_HELP || opt == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (opt == '?' || parse_option(cl, opt, optarg, &e) < 0) {
			if (opt != '?')
				log_err(lg, &e);
			fputs("berth-run: see --help\n", stderr);
			return 100;
		}
	}
	if (argc - optind < 2) {
		fputs(usage, stderr);
		return 100;
	}
	if (launch_caps(cl->cap_add, cl->n_add, cl->cap_drop, cl->n_drop, &cl->spec.caps, &e) < 0) {
		log_err(lg, &e);
		return 100;
	}
	cl->spec.rootfs = argv[optind];
	cl->spec.argv = argv + optind + 1;
	cl->spec.argc = argc - optind - 1;
	return -1;
}

int main(int argc, char **argv)
{
	struct logger lg = { .prog = "berth-run", .fd = 2, .level = LOG_INFO };
	struct launch_result r;
	struct berr e = { 0, "" };
	struct cli *cl;
	int rc;

	/* berth-run writes to sockets and pipes whose reader may be gone (the
	 * child, the terminal relay's stdout): errors, not a silent death.
	 * The child resets every disposition before exec. */
	signal(SIGPIPE, SIG_IGN);
	/* On the heap: a spec holds Kconfig-sized arrays (tens of kB at the
	 * top of their ranges). */
	cl = calloc(1, sizeof *cl);
	if (!cl) {
		perror("berth-run: error");
		return 111;
	}
	launch_spec_init(&cl->spec);
	rc = parse_args(cl, argc, argv, &lg);
	if (rc < 0) {
		rc = launch_run(&cl->spec, &r, &e);
		for (int i = 0; i < r.n_warn; i++)
			log_msg(&lg, LOG_WARN, "%s", r.warn[i]);
		if (rc < 0)
			log_err(&lg, &e);
		rc = exit_code(&r);
	}
	free(cl);
	return rc;
}
