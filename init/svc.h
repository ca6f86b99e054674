/* svc.h — supervised services: load services.d, start in order, restart
 * with back-off, stop in reverse order. Every table is fixed-size (Kconfig
 * INIT_SERVICES_MAX); nothing here allocates after svc_load().
 *
 * Each service runs in /sys/fs/cgroup/system/NAME with its memory and pids
 * limits, with privileges dropped as configured (see svc_exec.h), its
 * stdout/stderr going to /run/berth/log/NAME.log (see svc_log.h).
 * Restarts wait CONFIG_INIT_SVC_BACKOFF_MIN_MS, doubling per failed run to
 * CONFIG_INIT_SVC_BACKOFF_MAX_MS; a run that lasted
 * CONFIG_INIT_SVC_BACKOFF_RESET_S starts over at the minimum.
 */
#ifndef BERTH_INIT_SVC_H
#define BERTH_INIT_SVC_H

#include "init/state.h"

/* Add a service that no file describes (init's own helpers, such as the
 * DHCP client); svc_load() or svc_setup_added() then orders and sets it
 * up. Returns -1 when the name is taken or the table is full (logged). */
int svc_add(struct init *in, const struct svc_conf *c);

/* The services' parent cgroup (/sys/fs/cgroup/system) with the controllers
 * their limits need, made once. Making it turns on the kernel's cgroup
 * static keys (memcg, cpuset: code patched while every CPU runs; no later
 * group does), so PID 1 makes it at boot before anything runs beside it:
 * done while a module loader ran, that patching hung qemu TCG guests for
 * good now and then (docs/init.md "Boot time"). svc_load() makes it when
 * this was not called. */
void svc_cgroup_parent(struct init *in);

/* Order the services from index `from` on after those before it (`after =`
 * among them) and make their cgroups: svc_load()'s last step, for services
 * svc_add() added after it. */
void svc_setup_added(struct init *in, int from);

/* Read every DIR/NAME.conf (sorted by name) whose service is not known
 * yet, report bad files as file:line and skip them, compute the start
 * order from `after =` for the services from index `from` on (those
 * svc_add() added too; a cycle or an unknown name is reported and the
 * file order then decides), set up their log pipes and cgroups. Returns
 * `from`: the index in in->order of the first service added. Never allocates: called at boot
 * and again on SIGHUP (new files only; known services keep their config). */
int svc_load(struct init *in, const char *dir, int from);

/* Start the services in in->order from index `from` on, in order. */
void svc_start_all(struct init *in, int from);

/* A child exited: if it is a service's main process, log it and schedule
 * the restart. Returns 1 if pid was a service. */
int svc_exited(struct init *in, pid_t pid, int status);

/* Run what is due at `now` (restarts, SIGKILLs after a stop timeout). */
void svc_tick(struct init *in, long long now);

/* The earliest due time of any service, or 0 when nothing is pending. */
long long svc_next_due(const struct init *in);

/* Send the stop signal; SIGKILL follows after the stop timeout. */
void svc_stop(struct init *in, struct svc *s);

/* Stop (if running) and start again at once; cancels a pending back-off. */
void svc_restart(struct init *in, struct svc *s);

/* Remove the services' cgroups (shutdown, once every process is gone). */
void svc_cgroups_remove(struct init *in);

/* The service called name, or NULL. */
struct svc *svc_find(struct init *in, const char *name);

#endif
