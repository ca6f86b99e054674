/* boot_after.c — the modules after ready, and what waits for them. */
#include "init/boot_after.h"

#include "autoconf.h"
#include "init/modules.h"
#include "init/power.h"
#include "init/slot.h"
#include "init/watchdog.h"
#include "lib/kconfig.h"

/* The after set is in (or failed: said by its loader): start what needs it. */
static void after_set_done(struct init *in)
{
	if (in->stopping)
		return; /* shutting down: no new mount, no new child */
	slot_setup(in);
	slot_mark_when_ready(in);
	if (IS_ENABLED(CONFIG_INIT_WATCHDOG))
		watchdog_start(in);
	if (IS_ENABLED(CONFIG_INIT_POWER_BUTTON))
		power_scan_now(in);
}

static void lock_when_done(struct init *in)
{
	if (IS_ENABLED(CONFIG_INIT_MODULES_LOCK) && !in->mod_after_pid && !in->mod_late_pid)
		modules_lock(&in->log);
}

void boot_after_ready(struct init *in)
{
	if (IS_ENABLED(CONFIG_INIT_MODULES)) {
		in->mod_after_pid = modules_load_bg(in->conf.modules_after, "after ready", &in->log);
		in->mod_late_pid = modules_load_bg(in->conf.modules_late, "late", &in->log);
	}
	if (!in->mod_after_pid)
		after_set_done(in);
	lock_when_done(in);
}

int boot_after_reaped(struct init *in, pid_t pid)
{
	if (pid <= 0 || (pid != in->mod_after_pid && pid != in->mod_late_pid))
		return 0;
	if (pid == in->mod_after_pid) {
		in->mod_after_pid = 0;
		after_set_done(in);
	} else {
		in->mod_late_pid = 0;
		/* an input driver may be among the late ones too */
		if (IS_ENABLED(CONFIG_INIT_POWER_BUTTON) && !in->stopping)
			power_scan_now(in);
	}
	lock_when_done(in);
	return 1;
}
