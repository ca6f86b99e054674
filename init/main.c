/* main.c — berth-init, PID 1: boot, reap, shut down. Never exits. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/boot_after.h"
#include "init/conf.h"
#include "init/console.h"
#include "init/ctl.h"
#include "init/data.h"
#include "init/loop.h"
#include "init/modules.h"
#include "init/mounts.h"
#include "init/net.h"
#include "init/root_switch.h"
#include "init/state.h"
#include "init/svc.h"
#include "init/sysctl.h"
#include "lib/kconfig.h"
#include "lib/log.h"

static const char usage[] =
	"usage: init [--config FILE]\n"
	"\n"
	"berth's PID 1. Mounts the early filesystems, loads the board's kernel\n"
	"modules, starts and supervises the services of /etc/berth/services.d,\n"
	"reaps every process, serves the control socket " "/run/berth/init.sock,\n"
	"and powers off on SIGUSR2 or ctrl-alt-del, reboots on SIGTERM, halts on\n"
	"SIGUSR1 (services stopped in reverse start order first). SIGHUP starts\n"
	"services whose files were added to services.d since.\n"
	"\n"
	"  --config FILE  berth.conf to read (default /etc/berth/berth.conf)\n"
	"\n"
	"Exit codes (only when not PID 1; PID 1 never exits, and goes on booting\n"
	"after --help):\n"
	"  0    --help\n"
	"  100  usage: bad option, or not running as PID 1\n";

/* Arguments come from the kernel command line too: words init does not
 * know are logged and ignored rather than refused. --help prints the usage
 * and ends the program, except as PID 1, which must never exit (the kernel
 * panics): there it prints the usage and boots all the same. */
static int parse_args(struct init *in, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			in->conf_path = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			fflush(stdout);
			if (getpid() != 1)
				return 0;
			log_msg(&in->log, LOG_WARN, "--help given to PID 1: booting all the same");
		} else {
			log_msg(&in->log, LOG_WARN, "ignoring argument '%s'", argv[i]);
		}
	}
	return 1;
}

static void print_ready(const struct init *in)
{
	char line[128];
	long long now = log_boottime_ns();
	int n = log_format_stamp(line, sizeof line, now);

	n += snprintf(line + n, sizeof line - (size_t)n, "berth: ready in %lld ms\n",
		      (now - in->t0_ns) / 1000000LL);
	log_write(&in->log, line, (size_t)n); /* dropped, and counted, when the console is stuck */
}

/* The boot set is there for the devices boot waits for: the data
 * partition (its disk and ext4) and the static interfaces. Are they all
 * usable already (their drivers built into the kernel: NVMe and ext4 in
 * Debian's cloud kernel)? */
static int boot_devices_present(const struct init *in)
{
	int i;

	if (!in->conf.data_ephemeral && !data_present("/sys/class/block", "/dev", "/proc/filesystems"))
		return 0;
	for (i = 0; i < in->conf.nifaces; i++)
		if (!in->conf.ifaces[i].dhcp && !if_nametoindex(in->conf.ifaces[i].name))
			return 0;
	return 1;
}

/* Move the boot set to the front of modules_after; 0 when both do not fit. */
static int boot_set_defer(struct init_conf *c)
{
	char both[sizeof c->modules_after];
	int n = snprintf(both, sizeof both, "%s%s%s", c->modules, c->modules_after[0] ? " " : "",
			 c->modules_after);

	if (n < 0 || (size_t)n >= sizeof both)
		return 0;
	memcpy(c->modules_after, both, (size_t)n + 1);
	c->modules[0] = '\0';
	return 1;
}

/* The boot modules (data disk, network) load in a child while PID 1 does
 * what needs no driver; 0: none, or loaded here already (no child). When
 * the devices they are for are there already, nothing before ready needs
 * them: they load right after ready with modules_after instead. */
static pid_t boot_modules_start(struct init *in)
{
	pid_t pid;

	if (!IS_ENABLED(CONFIG_INIT_MODULES) || !in->conf.modules[0])
		return 0;
	if (boot_devices_present(in) && boot_set_defer(&in->conf)) {
		log_msg(&in->log, LOG_INFO, "modules: the devices boot waits for are there: "
			"the boot set loads after ready");
		return 0;
	}
	pid = modules_load_bg(in->conf.modules, NULL, &in->log);
	if (!pid)
		modules_load(in->conf.modules, NULL, &in->log);
	return pid;
}

/* Are the service files on the data partition (read once it is mounted)? */
static int services_on_data(const struct init_conf *c)
{
	size_t n = strlen(c->data_dir);

	return strncmp(c->services_dir, c->data_dir, n) == 0 &&
	       (c->services_dir[n] == '/' || c->services_dir[n] == '\0');
}

/* Wait for that child only: orphans wait for the loop. */
static void boot_modules_wait(pid_t pid)
{
	int status;

	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct init in = {
		.log = { .prog = "berth-init", .fd = 2, .stamp = 1, .level = LOG_INFO },
		.t0_ns = log_boottime_ns(),
		.conf_path = "/etc/berth/berth.conf",
		.sigfd = -1,
		.ctl_fd = -1,
		.ctl_client = -1,
		.ctl_id = -1,
		.client_id = -1,
		.t_wd = -1,
		.power = { .timer = -1 },
	};
	struct berr e;
	pid_t mods;
	int nfile, expedited;

	if (!parse_args(&in, argc, argv))
		return 0;
	if (getpid() != 1) {
		fprintf(stderr, "berth-init: error: must run as PID 1 (it signals every process)\n%s", usage);
		return 100;
	}
	umask(022);
	if (chdir("/") < 0) {
		/* the kernel starts PID 1 in /, nothing to fix */
	}
	console_setup(&in);
	root_switch(&in.log); /* / becomes a mount pivot_root can move */
	log_msg(&in.log, LOG_INFO, "started %lld ms after the kernel", in.t0_ns / 1000000LL);

	if (loop_init(&in, &e) < 0)
		log_err(&in.log, &e); /* PID 1 goes on with what it has */

	mounts_early(&in.log);
	expedited = sysctl_boot_expedite(1, &in.log);
	console_log_open(&in); /* when it needed /proc */
	svc_cgroup_parent(&in); /* the kernel's cgroup static keys, before any child of PID 1 runs */
	log_msg(&in.log, LOG_INFO, "early filesystems mounted");

	if (init_conf_load(&in.conf, in.conf_path, &in.log, &e) < 0)
		log_err(&in.log, &e);
	if (in.conf.hostname[0] && sethostname(in.conf.hostname, strlen(in.conf.hostname)) < 0)
		log_msg(&in.log, LOG_ERROR, "sethostname %s: %m", in.conf.hostname);

	mods = boot_modules_start(&in);
	if (!mods) /* no loader: the data partition, if it is there, mounts beside what follows */
		data_mount_start(&in);
	/* While the loaders run: what needs no driver. */
	sysctl_apply(&in.conf, &in.log);
	if (IS_ENABLED(CONFIG_INIT_CTL_SOCKET) && ctl_open(&in, &e) < 0)
		log_err(&in.log, &e);
	net_loopback(&in);
	boot_modules_wait(mods);
	/* The services' cgroups after the loaders still (the static keys are
	 * on already), and beside the data partition's mount. */
	if (!services_on_data(&in.conf))
		svc_load(&in, in.conf.services_dir, 0);

	data_setup(&in);
	if (services_on_data(&in.conf))
		svc_load(&in, in.conf.services_dir, 0);
	nfile = in.nsvcs;
	net_setup(&in);
	svc_setup_added(&in, nfile); /* the DHCP clients */
	log_msg(&in.log, LOG_INFO, "network configured");
	switch (mounts_root_readonly(&e)) {
	case 0:
		log_msg(&in.log, LOG_INFO, "/ is read-only");
		break;
	case 1:
		log_msg(&in.log, LOG_INFO, "/ left writable: not the machine's PID 1 (a pid namespace)");
		break;
	default:
		log_msg(&in.log, LOG_ERROR, "%s: services can change the root filesystem", e.msg);
		break;
	}
	svc_start_all(&in, 0);
	loop_watch(&in);
	loop_console_shell(&in);

	print_ready(&in);
	if (expedited)
		sysctl_boot_expedite(0, &in.log);
	boot_after_ready(&in); /* modules_after, modules_late, and what waits for them */
	loop_run(&in);
}
