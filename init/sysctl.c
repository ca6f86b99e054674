/* sysctl.c — /proc/sys writes from a const table and from berth.conf. */
#include "init/sysctl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/mounts.h"
#include "lib/fs.h"
#include "lib/util.h"

struct sysctl_kv {
	const char *name, *value;
};

static const struct sysctl_kv hardening[] = {
	{ "kernel.kptr_restrict", "2" },
	{ "kernel.dmesg_restrict", "1" },
	{ "kernel.unprivileged_bpf_disabled", "1" },
	{ "kernel.yama.ptrace_scope", "2" },
	{ "kernel.kexec_load_disabled", "1" },
	/* Debian's kernel: user namespaces only with CAP_SYS_ADMIN (berthd
	 * and the launcher have it; a service or container does not) */
	{ "kernel.unprivileged_userns_clone", "0" },
	{ "kernel.perf_event_paranoid", "3" },
	{ "kernel.sysrq", "0" },
	{ "net.core.bpf_jit_harden", "2" },
	{ "fs.suid_dumpable", "0" },
	{ "fs.protected_hardlinks", "1" },
	{ "fs.protected_symlinks", "1" },
	{ "fs.protected_fifos", "2" },
	{ "fs.protected_regular", "2" },
	{ "dev.tty.ldisc_autoload", "0" },
};

/* Per interface, for "all", "default" (interfaces made later) and every
 * interface there is now: send_redirects is or-ed over all and the
 * interface, accept_ra is read per interface only, so "all" is not
 * enough. */
static const struct sysctl_kv ipv4_conf[] = {
	{ "accept_redirects", "0" },
	{ "secure_redirects", "0" },
	{ "send_redirects", "0" },
	{ "accept_source_route", "0" },
	{ "rp_filter", "1" },
};

static const struct sysctl_kv ipv6_conf[] = {
	{ "accept_redirects", "0" },
	{ "accept_source_route", "0" },
	{ "accept_ra", NULL }, /* [system] ipv6_accept_ra */
};

int sysctl_write(const char *name, const char *value, struct berr *e)
{
	char path[128];
	size_t n = strlen("/proc/sys/");

	if (snprintf(path, sizeof path, "/proc/sys/%s", name) >= (int)sizeof path)
		return berr_set(e, ENAMETOOLONG, "sysctl %s: name too long", name);
	for (char *p = path + n; *p; p++)
		if (*p == '.')
			*p = '/';
	if (util_write_file(path, value, e) < 0)
		return berr_prefix(e, "sysctl %s=%s", name, value);
	return 0;
}

/* Write one table of dotted names, or with dir ("/proc/sys/net/ipv4/conf/eth0.10/")
 * of file names under it (an interface name may hold a dot); count the
 * failures (each logged) into *failed. */
static int write_table(const struct sysctl_kv *t, size_t n, const char *dir, const char *null_value,
		       const struct logger *lg, int *failed)
{
	char path[320];
	struct berr e;
	int done = 0, rc;

	for (size_t i = 0; i < n; i++) {
		const char *v = t[i].value ? t[i].value : null_value;

		if (!dir) {
			rc = sysctl_write(t[i].name, v, &e);
		} else {
			snprintf(path, sizeof path, "%s%s", dir, t[i].name);
			rc = util_write_file(path, v, &e) < 0 ? berr_prefix(&e, "sysctl %s=%s", path, v) : 0;
		}
		if (rc < 0) {
			log_err(lg, &e);
			(*failed)++;
		} else {
			done++;
		}
	}
	return done;
}

/* net.ipv4.conf.IF.* and net.ipv6.conf.IF.* for one interface (or all,
 * or default). */
static int write_iface(const char *name, int accept_ra, const struct logger *lg, int *failed)
{
	char dir[300];
	int done;

	snprintf(dir, sizeof dir, "/proc/sys/net/ipv4/conf/%s/", name);
	done = write_table(ipv4_conf, ARRAY_SIZE(ipv4_conf), dir, "", lg, failed);
	snprintf(dir, sizeof dir, "/proc/sys/net/ipv6/conf/%s/", name);
	if (access(dir, F_OK) == 0) /* IPv6 off for it, or not built */
		done += write_table(ipv6_conf, ARRAY_SIZE(ipv6_conf), dir, accept_ra ? "1" : "0", lg,
				    failed);
	return done;
}

/* default first, then all and each interface in /proc/sys/net/ipv4/conf:
 * PID 1 runs this while the module loaders make interfaces, and an
 * interface is either made after default was written (and starts with its
 * values) or is in the listing, read after that. */
static int write_net(int accept_ra, const struct logger *lg, int *failed)
{
	int done = write_iface("default", accept_ra, lg, failed);
	DIR *dp = opendir("/proc/sys/net/ipv4/conf");
	struct dirent *d;

	if (!dp) {
		log_msg(lg, LOG_ERROR, "sysctl: open /proc/sys/net/ipv4/conf: %s", strerror(errno));
		(*failed)++;
		return done;
	}
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.' && strcmp(d->d_name, "default") != 0)
			done += write_iface(d->d_name, accept_ra, lg, failed);
	closedir(dp);
	return done;
}

int sysctl_harden_net(const struct init_conf *c, const struct logger *lg, int *failed)
{
	const struct sysctl_kv fwd[] = {
		{ "net.ipv4.ip_forward", c->ip_forward ? "1" : "0" },
		{ "net.ipv6.conf.all.forwarding", "0" },
	};
	int done;

	/* forwarding first: writing ip_forward resets the per-interface
	 * redirect settings to their defaults for a host or a router */
	done = write_table(fwd, ARRAY_SIZE(fwd), NULL, "", lg, failed);
	done += write_net(c->ipv6_accept_ra, lg, failed);
	return done;
}

int sysctl_harden(const struct init_conf *c, const struct logger *lg)
{
	int failed = 0, done;

	done = write_table(hardening, ARRAY_SIZE(hardening), NULL, "", lg, &failed);
	done += sysctl_harden_net(c, lg, &failed);
	log_msg(lg, failed ? LOG_ERROR : LOG_INFO, "host hardening: %d sysctls set, %d failed; "
		"ip_forward %s, IPv6 router advertisements %s", done, failed,
		c->ip_forward ? "on" : "off", c->ipv6_accept_ra ? "accepted" : "ignored");
	return failed;
}

int sysctl_apply(const struct init_conf *c, const struct logger *lg)
{
	struct berr e;
	int failed = 0;

	if (mounts_machine_pid1())
		failed = sysctl_harden(c, lg);
	else
		log_msg(lg, LOG_INFO, "host hardening skipped: not the machine's PID 1 (a pid namespace)");
	for (int i = 0; i < c->nsysctls; i++) {
		if (sysctl_write(c->sysctls[i].name, c->sysctls[i].value, &e) < 0) {
			log_err(lg, &e);
			failed++;
		}
	}
	return failed;
}

#define RCU_EXPEDITED "/sys/kernel/rcu_expedited"

int sysctl_boot_expedite(int on, const struct logger *lg)
{
	char v[8];
	struct berr e;

	if (on) {
		if (!mounts_machine_pid1() || fs_read(RCU_EXPEDITED, v, sizeof v, &e) < 0 || v[0] != '0')
			return 0; /* not ours to change, not there, or set already (rcupdate.rcu_expedited=1) */
		return util_write_file(RCU_EXPEDITED, "1\n", &e) == 0;
	}
	if (util_write_file(RCU_EXPEDITED, "0\n", &e) < 0) {
		log_err(lg, &e);
		return -1;
	}
	return 0;
}
