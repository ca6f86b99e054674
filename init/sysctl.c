/* sysctl.c — /proc/sys writes from a const table and from berth.conf. */
#include "init/sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/util.h"

static const struct { const char *name, *value; } hardening[] = {
	{ "kernel.kptr_restrict", "2" },
	{ "kernel.dmesg_restrict", "1" },
	{ "kernel.unprivileged_bpf_disabled", "1" },
	{ "fs.protected_hardlinks", "1" },
	{ "fs.protected_symlinks", "1" },
	{ "fs.protected_fifos", "2" },
	{ "fs.protected_regular", "2" },
	{ "net.ipv4.ip_forward", "1" },
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

static int initial_pid_namespace(void)
{
	char comm[32];
	struct berr e;

	return fs_read("/proc/2/comm", comm, sizeof comm, &e) > 0 &&
	       strcmp(comm, "kthreadd\n") == 0;
}

int sysctl_apply(const struct init_conf *c, const struct logger *lg)
{
	struct berr e;
	int failed = 0, done = 0;

	if (initial_pid_namespace()) {
		for (size_t i = 0; i < ARRAY_SIZE(hardening); i++) {
			if (sysctl_write(hardening[i].name, hardening[i].value, &e) < 0) {
				log_err(lg, &e);
				failed++;
			} else {
				done++;
			}
		}
		log_msg(lg, LOG_INFO, "host hardening: %d of %zu sysctls set", done,
			ARRAY_SIZE(hardening));
	} else {
		log_msg(lg, LOG_INFO, "host hardening skipped: not the machine's PID 1 (a pid namespace)");
	}
	for (int i = 0; i < c->nsysctls; i++) {
		if (sysctl_write(c->sysctls[i].name, c->sysctls[i].value, &e) < 0) {
			log_err(lg, &e);
			failed++;
		}
	}
	return failed;
}
