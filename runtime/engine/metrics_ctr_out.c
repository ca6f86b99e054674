/* metrics_ctr_out.c — one container's cgroup v2 files through lib/cgroup's
 * readers (the ones docker stats uses) and its network counters from
 * /proc/<pid>/net/dev of its init process, which the kernel shows from
 * inside the container's network namespace (so receive is what the
 * container got); and the container families (labels id, name, image).
 * Knows nothing of the engine, so that it is tested on fixture files.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "runtime/engine/metrics.h"

#define NETDEV_BYTES 8192

static void read_cgroup(struct metrics_ctr *c, const char *cgroot)
{
	char path[512];
	struct cgroup_io io;
	struct berr e;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cgroot, c->id);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	c->has_mem = cgroup_read_memory(fd, &c->mem, &e) == 0;
	if (c->has_mem && cgroup_read_value(fd, "memory.max", &c->mem_max, &e) < 0)
		c->mem_max = -2;
	c->has_cpu = cgroup_read_cpu(fd, &c->cpu, &e) == 0;
	c->has_pids = cgroup_read_pids(fd, &c->pids, &e) == 0;
	if (c->has_pids && cgroup_read_value(fd, "pids.max", &c->pids_max, &e) < 0)
		c->pids_max = -2;
	c->io_r = c->io_w = 0;
	if (cgroup_read_io(fd, &io, &e) == 0) {
		c->has_io = 1;
		for (int i = 0; i < io.n; i++) {
			c->io_r += io.dev[i].rbytes;
			c->io_w += io.dev[i].wbytes;
		}
	}
	close(fd);
}

void metrics_ctr_read(struct metrics_ctr *c, const char *cgroot, const char *proc)
{
	char path[512], *buf;
	struct berr e;
	int n;

	read_cgroup(c, cgroot);
	c->nif = 0;
	if (c->pid <= 0 || !(buf = malloc(NETDEV_BYTES)))
		return;
	snprintf(path, sizeof(path), "%s/%d/net/dev", proc, (int)c->pid);
	if (fs_read(path, buf, NETDEV_BYTES, &e) >= 0) {
		n = metrics_netdev_parse(buf, c->ifs, METRICS_CTR_IF_MAX);
		c->nif = n > 0 ? n : 0;
	}
	free(buf);
}

/* The value of one family for one container; 0: no sample. */
typedef int value_fn(const struct metrics_ctr *c, double *v);

#define GETTER(fn, cond, expr)                                   \
	static int fn(const struct metrics_ctr *c, double *v)    \
	{                                                        \
		if (!(cond))                                     \
			return 0;                                \
		*v = (double)(expr);                             \
		return 1;                                        \
	}
GETTER(g_restarts, 1, c->restarts)
GETTER(g_start, c->running && c->started_ns > 0, (double)c->started_ns / 1e9)
GETTER(g_cpu, c->has_cpu, c->cpu.usage_usec / 1e6)
GETTER(g_cpu_user, c->has_cpu, c->cpu.user_usec / 1e6)
GETTER(g_cpu_sys, c->has_cpu, c->cpu.system_usec / 1e6)
GETTER(g_periods, c->has_cpu, c->cpu.nr_periods)
GETTER(g_throttled, c->has_cpu, c->cpu.nr_throttled)
GETTER(g_throttled_s, c->has_cpu, c->cpu.throttled_usec / 1e6)
GETTER(g_mem, c->has_mem, c->mem.current)
GETTER(g_mem_max, c->has_mem && c->mem_max >= -1, c->mem_max < 0 ? INFINITY : (double)c->mem_max)
GETTER(g_mem_peak, c->has_mem && c->mem.peak >= 0, c->mem.peak)
GETTER(g_oom, c->has_mem, c->mem.oom_kill)
GETTER(g_pids, c->has_pids, c->pids)
GETTER(g_pids_max, c->has_pids && c->pids_max >= -1, c->pids_max < 0 ? INFINITY : (double)c->pids_max)
GETTER(g_io_r, c->has_io, c->io_r)
GETTER(g_io_w, c->has_io, c->io_w)
#undef GETTER

static const struct {
	const char *name, *type, *help;
	value_fn *get;
} families[] = {
	{ "berth_container_restarts_total", "counter", "Times the restart policy started the container again.", g_restarts },
	{ "berth_container_start_time_seconds", "gauge", "When the running container started, unix seconds.", g_start },
	{ "berth_container_cpu_seconds_total", "counter", "CPU time of the container (cpu.stat usage_usec).", g_cpu },
	{ "berth_container_cpu_user_seconds_total", "counter", "User CPU time (cpu.stat user_usec).", g_cpu_user },
	{ "berth_container_cpu_system_seconds_total", "counter", "System CPU time (cpu.stat system_usec).", g_cpu_sys },
	{ "berth_container_cpu_periods_total", "counter", "Enforcement periods of its CPU quota (cpu.stat nr_periods).", g_periods },
	{ "berth_container_cpu_throttled_periods_total", "counter", "Periods in which it was throttled (cpu.stat nr_throttled).", g_throttled },
	{ "berth_container_cpu_throttled_seconds_total", "counter", "Time it was throttled (cpu.stat throttled_usec).", g_throttled_s },
	{ "berth_container_memory_bytes", "gauge", "Memory charged to the container (memory.current).", g_mem },
	{ "berth_container_memory_max_bytes", "gauge", "Its memory limit (memory.max; +Inf: none).", g_mem_max },
	{ "berth_container_memory_peak_bytes", "gauge", "Most memory it held (memory.peak, Linux 5.19+).", g_mem_peak },
	{ "berth_container_oom_events_total", "counter", "Processes of it the OOM killer ended (memory.events oom_kill).", g_oom },
	{ "berth_container_pids", "gauge", "Tasks in the container (pids.current).", g_pids },
	{ "berth_container_pids_max", "gauge", "Its task limit (pids.max; +Inf: none).", g_pids_max },
	{ "berth_container_io_read_bytes_total", "counter", "Bytes read from block devices (io.stat rbytes).", g_io_r },
	{ "berth_container_io_written_bytes_total", "counter", "Bytes written to block devices (io.stat wbytes).", g_io_w },
};

static void net_family(struct prom_w *w, const struct metrics_ctr *cs, int n, const char *name, const char *help,
		       int tx)
{
	prom_family(w, name, "counter", help);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < cs[i].nif; k++) {
			const char *const l[] = { "id", cs[i].id, "name", cs[i].name, "image", cs[i].image,
						  "interface", cs[i].ifs[k].name, NULL };

			prom_sample_u64(w, name, l, tx ? cs[i].ifs[k].tx_bytes : cs[i].ifs[k].rx_bytes);
		}
}

void metrics_ctr_write(struct prom_w *w, const struct metrics_ctr *cs, int n)
{
	prom_family(w, "berth_container_state", "gauge",
		    "1 for the container's current state (created, running, restarting, exited, removing, dead).");
	for (int i = 0; i < n; i++) {
		const char *const l[] = { "id", cs[i].id, "name", cs[i].name, "image", cs[i].image,
					  "state", cs[i].state, NULL };

		prom_sample(w, "berth_container_state", l, 1);
	}
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		prom_family(w, families[f].name, families[f].type, families[f].help);
		for (int i = 0; i < n; i++) {
			const char *const l[] = { "id", cs[i].id, "name", cs[i].name, "image", cs[i].image, NULL };
			double v;

			if (families[f].get(&cs[i], &v))
				prom_sample(w, families[f].name, l, v);
		}
	}
	net_family(w, cs, n, "berth_container_network_receive_bytes_total",
		   "Bytes the container received on each interface of its network namespace.", 0);
	net_family(w, cs, n, "berth_container_network_transmit_bytes_total",
		   "Bytes the container sent on each interface of its network namespace.", 1);
}
