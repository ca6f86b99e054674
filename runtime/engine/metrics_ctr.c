/* metrics_ctr.c — the containers' families (labels id, name, image): state,
 * restarts and start time from berthd's table; CPU, memory, pids and io
 * from the container's cgroup v2 files through lib/cgroup's readers (as
 * docker stats reads them); network counters from /proc/<pid>/net/dev of
 * the container's init process, which the kernel shows from inside the
 * container's network namespace (so receive is what the container got).
 *
 * The table is copied under eng->mu first; the files are read without it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/engine/metrics.h"

#define CGROUP_ROOT "/sys/fs/cgroup/" CONFIG_LAUNCH_CGROUP_PARENT
#define CTR_IF_MAX 8
#define NETDEV_BYTES 8192

struct cinfo {
	char id[CTR_ID_LEN + 1], name[CTR_NAME_MAX], image[CTR_REF_MAX];
	enum ctr_status status;
	pid_t pid;
	int restarts;
	int64_t started_ns;
	int has_mem, has_cpu, has_io, has_pids;
	struct cgroup_memory mem;
	struct cgroup_cpu cpu;
	long long mem_max, pids, pids_max, io_r, io_w;
	int nif;
	struct metrics_netdev ifs[CTR_IF_MAX];
};

/* Copy what the families need out of the table (mu held inside). */
static int snapshot(struct engine *eng, struct cinfo *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&eng->mu);
	for (int i = 0; eng->ctrs && i < eng->ctrs->n && n < max; i++) {
		const struct ctr *c = eng->ctrs->c[i];
		struct cinfo *ci = &out[n];

		if (c->gone)
			continue;
		memset(ci, 0, sizeof(*ci));
		snprintf(ci->id, sizeof(ci->id), "%s", c->rec.id);
		snprintf(ci->name, sizeof(ci->name), "%s", c->rec.name);
		snprintf(ci->image, sizeof(ci->image), "%s", c->rec.image_ref);
		ci->status = c->rec.status;
		ci->pid = c->rec.pid;
		ci->restarts = c->rec.restart_count;
		ci->started_ns = c->rec.started_ns;
		n++;
	}
	pthread_mutex_unlock(&eng->mu);
	return n;
}

static void read_cgroup(struct cinfo *ci)
{
	char path[sizeof(CGROUP_ROOT) + CTR_ID_LEN + 2];
	struct cgroup_io io;
	struct berr e;
	int fd;

	snprintf(path, sizeof(path), CGROUP_ROOT "/%s", ci->id);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	ci->has_mem = cgroup_read_memory(fd, &ci->mem, &e) == 0;
	if (ci->has_mem && cgroup_read_value(fd, "memory.max", &ci->mem_max, &e) < 0)
		ci->mem_max = -2;
	ci->has_cpu = cgroup_read_cpu(fd, &ci->cpu, &e) == 0;
	ci->has_pids = cgroup_read_pids(fd, &ci->pids, &e) == 0;
	if (ci->has_pids && cgroup_read_value(fd, "pids.max", &ci->pids_max, &e) < 0)
		ci->pids_max = -2;
	if (cgroup_read_io(fd, &io, &e) == 0) {
		ci->has_io = 1;
		for (int i = 0; i < io.n; i++) {
			ci->io_r += io.dev[i].rbytes;
			ci->io_w += io.dev[i].wbytes;
		}
	}
	close(fd);
}

static void read_net(struct cinfo *ci, char *buf)
{
	char path[64];
	struct berr e;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)ci->pid);
	if (ci->pid <= 0 || fs_read(path, buf, NETDEV_BYTES, &e) < 0)
		return;
	n = metrics_netdev_parse(buf, ci->ifs, CTR_IF_MAX);
	ci->nif = n > 0 ? n : 0;
}

/* One family over every container: v() gives the value, or returns 0 for none. */
typedef int value_fn(const struct cinfo *ci, double *v);

static void family(struct prom_w *w, const struct cinfo *cs, int n, const char *name, const char *type,
		   const char *help, value_fn *get)
{
	prom_family(w, name, type, help);
	for (int i = 0; i < n; i++) {
		const char *const l[] = { "id", cs[i].id, "name", cs[i].name, "image", cs[i].image, NULL };
		double v;

		if (get(&cs[i], &v))
			prom_sample(w, name, l, v);
	}
}

#define RUNNING(ci) ((ci)->status == CTR_RUNNING)
#define GETTER(fn, cond, expr) \
	static int fn(const struct cinfo *ci, double *v) { if (!(cond)) return 0; *v = (double)(expr); return 1; }
GETTER(g_restarts, 1, ci->restarts)
GETTER(g_start, RUNNING(ci) && ci->started_ns > 0, (double)ci->started_ns / 1e9)
GETTER(g_cpu, ci->has_cpu, ci->cpu.usage_usec / 1e6)
GETTER(g_cpu_user, ci->has_cpu, ci->cpu.user_usec / 1e6)
GETTER(g_cpu_sys, ci->has_cpu, ci->cpu.system_usec / 1e6)
GETTER(g_periods, ci->has_cpu, ci->cpu.nr_periods)
GETTER(g_throttled, ci->has_cpu, ci->cpu.nr_throttled)
GETTER(g_throttled_s, ci->has_cpu, ci->cpu.throttled_usec / 1e6)
GETTER(g_mem, ci->has_mem, ci->mem.current)
GETTER(g_mem_max, ci->has_mem && ci->mem_max >= -1, ci->mem_max < 0 ? __builtin_inf() : (double)ci->mem_max)
GETTER(g_mem_peak, ci->has_mem && ci->mem.peak >= 0, ci->mem.peak)
GETTER(g_oom, ci->has_mem, ci->mem.oom_kill)
GETTER(g_pids, ci->has_pids, ci->pids)
GETTER(g_pids_max, ci->has_pids && ci->pids_max >= -1, ci->pids_max < 0 ? __builtin_inf() : (double)ci->pids_max)
GETTER(g_io_r, ci->has_io, ci->io_r)
GETTER(g_io_w, ci->has_io, ci->io_w)
#undef GETTER

static void state_family(struct prom_w *w, const struct cinfo *cs, int n)
{
	prom_family(w, "berth_container_state", "gauge",
		    "1 for the container's current state (created, running, restarting, exited, removing, dead).");
	for (int i = 0; i < n; i++) {
		const char *const l[] = { "id", cs[i].id, "name", cs[i].name, "image", cs[i].image,
					  "state", ctr_status_name(cs[i].status), NULL };

		prom_sample(w, "berth_container_state", l, 1);
	}
}

static void net_family(struct prom_w *w, const struct cinfo *cs, int n, const char *name, const char *help,
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

static void write_families(struct prom_w *w, const struct cinfo *cs, int n)
{
	state_family(w, cs, n);
	family(w, cs, n, "berth_container_restarts_total", "counter",
	       "Times the restart policy started the container again.", g_restarts);
	family(w, cs, n, "berth_container_start_time_seconds", "gauge",
	       "When the running container started, unix seconds.", g_start);
	family(w, cs, n, "berth_container_cpu_seconds_total", "counter", "CPU time of the container (cpu.stat usage_usec).", g_cpu);
	family(w, cs, n, "berth_container_cpu_user_seconds_total", "counter", "User CPU time (cpu.stat user_usec).", g_cpu_user);
	family(w, cs, n, "berth_container_cpu_system_seconds_total", "counter", "System CPU time (cpu.stat system_usec).", g_cpu_sys);
	family(w, cs, n, "berth_container_cpu_periods_total", "counter", "Enforcement periods of its CPU quota (cpu.stat nr_periods).", g_periods);
	family(w, cs, n, "berth_container_cpu_throttled_periods_total", "counter",
	       "Periods in which it was throttled (cpu.stat nr_throttled).", g_throttled);
	family(w, cs, n, "berth_container_cpu_throttled_seconds_total", "counter",
	       "Time it was throttled (cpu.stat throttled_usec).", g_throttled_s);
	family(w, cs, n, "berth_container_memory_bytes", "gauge", "Memory charged to the container (memory.current).", g_mem);
	family(w, cs, n, "berth_container_memory_max_bytes", "gauge", "Its memory limit (memory.max; +Inf: none).", g_mem_max);
	family(w, cs, n, "berth_container_memory_peak_bytes", "gauge", "Most memory it held (memory.peak, Linux 5.19+).", g_mem_peak);
	family(w, cs, n, "berth_container_oom_events_total", "counter",
	       "Processes of it the OOM killer ended (memory.events oom_kill).", g_oom);
	family(w, cs, n, "berth_container_pids", "gauge", "Tasks in the container (pids.current).", g_pids);
	family(w, cs, n, "berth_container_pids_max", "gauge", "Its task limit (pids.max; +Inf: none).", g_pids_max);
	family(w, cs, n, "berth_container_io_read_bytes_total", "counter", "Bytes read from block devices (io.stat rbytes).", g_io_r);
	family(w, cs, n, "berth_container_io_written_bytes_total", "counter", "Bytes written to block devices (io.stat wbytes).", g_io_w);
	net_family(w, cs, n, "berth_container_network_receive_bytes_total",
		   "Bytes the container received on each interface of its network namespace.", 0);
	net_family(w, cs, n, "berth_container_network_transmit_bytes_total",
		   "Bytes the container sent on each interface of its network namespace.", 1);
}

void metrics_ctr(struct engine *eng, struct prom_w *w)
{
	struct cinfo *cs = calloc(CONFIG_ENGINE_CONTAINERS_MAX, sizeof(*cs));
	char *buf = malloc(NETDEV_BYTES);
	int n = 0;

	if (cs && buf) {
		n = snapshot(eng, cs, CONFIG_ENGINE_CONTAINERS_MAX);
		for (int i = 0; i < n; i++) {
			if (!RUNNING(&cs[i]))
				continue;
			read_cgroup(&cs[i]);
			read_net(&cs[i], buf);
		}
	}
	write_families(w, cs, n);
	free(buf);
	free(cs);
}
