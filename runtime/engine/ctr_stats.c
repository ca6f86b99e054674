/* ctr_stats.c — GET /containers/{id}/top and /stats.
 *
 * top lists the container's processes: its cgroup's cgroup.procs, or
 * without cgroups every process in its pid namespace, in ps's columns.
 * stats samples the container's cgroup v2 files (CPU, memory, pids, io)
 * and its network bytes (/proc/<pid>/net/dev, seen from its namespace):
 * one sample for stream=0 (answered at once: the CLI gives up after 2 s),
 * one a second for a stream, until the container stops or the client goes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/engine/metrics.h"

#define CGROUP_ROOT "/sys/fs/cgroup/" CONFIG_LAUNCH_CGROUP_PARENT
#define TOP_MAX 1024           /* processes listed */

int api_ctr_top(struct req *r);
int api_ctr_stats(struct req *r);

/* -------------------------------------------------------------------- top */

static int pidns_of(pid_t pid, ino_t *ino)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)pid);
	if (stat(p, &st) < 0)
		return -1;
	*ino = st.st_ino;
	return 0;
}

/* The pids of the container into out[max]: the count. */
static int ctr_pids(const struct ctr *c, pid_t pid, pid_t *out, int max)
{
	char path[256], buf[16384];
	struct berr e;
	int n = 0;
	ino_t want, ino;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), CGROUP_ROOT "/%s/cgroup.procs", c->rec.id);
	if (fs_read(path, buf, sizeof(buf), &e) >= 0) {
		for (char *p = buf; *p && n < max;) {
			long v = strtol(p, &p, 10);

			if (v > 0)
				out[n++] = (pid_t)v;
			while (*p == '\n')
				p++;
		}
		return n;
	}
	if (pid <= 0 || pidns_of(pid, &want) < 0)
		return 0;
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max) {
		pid_t p = (pid_t)atoi(d->d_name);

		if (p > 0 && pidns_of(p, &ino) == 0 && ino == want)
			out[n++] = p;
	}
	closedir(dir);
	return n;
}

struct pinfo {
	unsigned uid;
	int ppid;
	unsigned long long utime, stime, start;
	int tty;
	char cmd[512];
};

static int pinfo_read(pid_t pid, struct pinfo *pi)
{
	char path[64], buf[4096], *p;
	struct berr e;
	ssize_t n;

	memset(pi, 0, sizeof(*pi));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fs_read(path, buf, sizeof(buf), &e) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
			 &pi->ppid, &pi->tty, &pi->utime, &pi->stime, &pi->start) != 5)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fs_read(path, buf, sizeof(buf), &e) >= 0 && (p = strstr(buf, "\nUid:")))
		pi->uid = (unsigned)strtoul(p + 5, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = fs_read(path, pi->cmd, sizeof(pi->cmd), &e);
	for (ssize_t i = 0; i + 1 < n; i++)
		if (pi->cmd[i] == '\0')
			pi->cmd[i] = ' ';
	return 0;
}

static void top_row(struct json_w *w, pid_t pid, const struct pinfo *pi)
{
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long t = (pi->utime + pi->stime) / (unsigned long long)(hz > 0 ? hz : 100);
	char b[64];

	json_w_arr(w);
	snprintf(b, sizeof(b), "%u", pi->uid);
	json_w_str(w, b);
	snprintf(b, sizeof(b), "%d", (int)pid);
	json_w_str(w, b);
	snprintf(b, sizeof(b), "%d", pi->ppid);
	json_w_str(w, b);
	json_w_str(w, "0");
	json_w_str(w, "-");
	json_w_str(w, pi->tty ? "pts" : "?");
	snprintf(b, sizeof(b), "%02llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
	json_w_str(w, b);
	json_w_str(w, pi->cmd);
	json_w_arr_end(w);
}

int api_ctr_top(struct req *r)
{
	static const char *const titles[] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" };
	pid_t *pids;
	struct ctr *c;
	struct json_w w;
	struct berr e;
	pid_t pid;
	int n, running, rc;

	c = ctr_get(r->eng, r->param[0], &e);
	if (!c)
		return reply_berr(r, &e);
	pthread_mutex_lock(&r->eng->mu);
	running = c->rec.status == CTR_RUNNING;
	pid = c->rec.pid;
	pthread_mutex_unlock(&r->eng->mu);
	if (!running) {
		ctr_put(r->eng, c);
		return reply_error(r, 409, "container %s is not running", c->rec.id);
	}
	pids = malloc(sizeof(*pids) * TOP_MAX);
	n = pids ? ctr_pids(c, pid, pids, TOP_MAX) : 0;
	ctr_put(r->eng, c);
	json_w_init_grow(&w, 1024 * 1024);
	json_w_obj(&w);
	json_w_key(&w, "Titles");
	json_w_arr(&w);
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		json_w_str(&w, titles[i]);
	json_w_arr_end(&w);
	json_w_key(&w, "Processes");
	json_w_arr(&w);
	for (int i = 0; i < n; i++) {
		struct pinfo pi;

		if (pinfo_read(pids[i], &pi) == 0)
			top_row(&w, pids[i], &pi);
	}
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	free(pids);
	rc = reply_jsonw(r, 200, &w);
	json_w_free(&w);
	return rc;
}

/* ------------------------------------------------------------------ stats */

struct sample {
	int64_t read_ns;
	long long cpu_ns, system_ns, mem, mem_limit, inactive_file, pids;
	long long io_r, io_w, rx, tx;
	int cpus;
};

static long long system_cpu_ns(void)
{
	char buf[1024];
	unsigned long long v[8] = { 0 }, sum = 0;
	long hz = sysconf(_SC_CLK_TCK);
	struct berr e;

	if (fs_read("/proc/stat", buf, sizeof(buf), &e) < 0 && e.errnum != EFBIG)
		return 0;
	buf[sizeof(buf) - 1] = '\0';
	if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &v[6], &v[7]) < 4)
		return 0;
	for (int i = 0; i < 8; i++)
		sum += v[i];
	return (long long)(sum * (1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100)));
}

static long long mem_stat(int cgfd, const char *key)
{
	char buf[8192], *p;
	struct berr e;
	size_t kl = strlen(key);

	if (fs_read_at(cgfd, "memory.stat", buf, sizeof(buf), &e) < 0)
		return 0;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return atoll(p + kl + 1);
	return 0;
}

/* The cgroup and network readers are GET /metrics' (metrics_ctr_out.c). */
static void sample_take(const struct ctr *c, pid_t pid, struct sample *s)
{
	char path[256];
	struct metrics_ctr m;
	int cgfd;

	memset(s, 0, sizeof(*s));
	s->read_ns = engine_now_ns();
	s->system_ns = system_cpu_ns();
	s->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	memset(&m, 0, sizeof(m));
	snprintf(m.id, sizeof(m.id), "%s", c->rec.id);
	m.pid = pid;
	metrics_ctr_read(&m, CGROUP_ROOT, "/proc");
	for (int i = 0; i < m.nif; i++)
		if (strcmp(m.ifs[i].name, "eth0") == 0) {
			s->rx = (long long)m.ifs[i].rx_bytes;
			s->tx = (long long)m.ifs[i].tx_bytes;
		}
	if (m.has_cpu)
		s->cpu_ns = m.cpu.usage_usec * 1000;
	if (m.has_mem) {
		s->mem = m.mem.current;
		s->mem_limit = m.mem_max > 0 ? m.mem_max : 0;
	}
	s->pids = m.has_pids ? m.pids : 0;
	s->io_r = m.io_r;
	s->io_w = m.io_w;
	snprintf(path, sizeof(path), CGROUP_ROOT "/%s", c->rec.id);
	cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return;
	s->inactive_file = mem_stat(cgfd, "inactive_file");
	close(cgfd);
}

static void cpu_json(struct json_w *w, const char *key, const struct sample *s)
{
	json_w_key(w, key);
	json_w_obj(w);
	json_w_key(w, "cpu_usage");
	json_w_obj(w);
	json_w_ki64(w, "total_usage", s->cpu_ns);
	json_w_ki64(w, "usage_in_kernelmode", 0);
	json_w_ki64(w, "usage_in_usermode", 0);
	json_w_obj_end(w);
	json_w_ki64(w, "system_cpu_usage", s->system_ns);
	json_w_ki64(w, "online_cpus", s->cpus);
	json_w_key(w, "throttling_data");
	json_w_obj(w);
	json_w_obj_end(w);
	json_w_obj_end(w);
}

static void stats_json(struct json_w *w, const struct ctr *c, const struct sample *s, const struct sample *pre)
{
	char t[48], name[CTR_NAME_MAX + 1];
	long long mem_total = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);

	snprintf(name, sizeof(name), "/%s", c->rec.name);
	json_w_obj(w);
	json_w_kstr(w, "id", c->rec.id);
	json_w_kstr(w, "name", name);
	api_rfc3339(s->read_ns, t, sizeof(t));
	json_w_kstr(w, "read", t);
	if (pre->read_ns)
		api_rfc3339(pre->read_ns, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "0001-01-01T00:00:00Z");
	json_w_kstr(w, "preread", t);
	json_w_key(w, "pids_stats");
	json_w_obj(w);
	json_w_ki64(w, "current", s->pids);
	json_w_obj_end(w);
	json_w_key(w, "blkio_stats");
	json_w_obj(w);
	json_w_key(w, "io_service_bytes_recursive");
	json_w_arr(w);
	json_w_obj(w);
	json_w_kstr(w, "op", "read");
	json_w_ki64(w, "value", s->io_r);
	json_w_obj_end(w);
	json_w_obj(w);
	json_w_kstr(w, "op", "write");
	json_w_ki64(w, "value", s->io_w);
	json_w_obj_end(w);
	json_w_arr_end(w);
	json_w_obj_end(w);
	cpu_json(w, "cpu_stats", s);
	cpu_json(w, "precpu_stats", pre);
	json_w_key(w, "memory_stats");
	json_w_obj(w);
	json_w_ki64(w, "usage", s->mem);
	json_w_ki64(w, "limit", s->mem_limit ? s->mem_limit : mem_total);
	json_w_key(w, "stats");
	json_w_obj(w);
	json_w_ki64(w, "inactive_file", s->inactive_file);
	json_w_obj_end(w);
	json_w_obj_end(w);
	json_w_key(w, "networks");
	json_w_obj(w);
	json_w_key(w, "eth0");
	json_w_obj(w);
	json_w_ki64(w, "rx_bytes", s->rx);
	json_w_ki64(w, "tx_bytes", s->tx);
	json_w_obj_end(w);
	json_w_obj_end(w);
	json_w_obj_end(w);
}

static int stats_send(struct req *r, const struct ctr *c, const struct sample *s, const struct sample *pre)
{
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;
	int rc;

	json_w_init_grow(&w, 64 * 1024);
	stats_json(&w, c, s, pre);
	rc = json_w_finish(&w, &out, &n, &e);
	if (rc == 0)
		rc = reply_chunk(r, out, n);
	if (rc == 0)
		rc = reply_chunk(r, "\n", 1);
	json_w_free(&w);
	return rc;
}

int api_ctr_stats(struct req *r)
{
	struct engine *eng = r->eng;
	struct sample s, pre;
	struct ctr *c;
	struct berr e;
	char v[16];
	int stream = 1, running, rc = 0;
	pid_t pid;

	if (ctr_query(r, "stream", v, sizeof(v)) > 0)
		stream = ctr_query_bool(r, "stream");
	if (ctr_query_bool(r, "one-shot"))
		stream = 0;
	c = ctr_get(eng, r->param[0], &e);
	if (!c)
		return reply_berr(r, &e);
	memset(&pre, 0, sizeof(pre));
	pthread_mutex_lock(&eng->mu);
	pid = c->rec.pid;
	running = c->rec.status == CTR_RUNNING;
	pthread_mutex_unlock(&eng->mu);
	if (reply_stream_start(r, 200, "application/json") < 0) {
		ctr_put(eng, c);
		return -1;
	}
	for (;;) {
		if (running)
			sample_take(c, pid, &s);
		else
			memset(&s, 0, sizeof(s)), s.read_ns = engine_now_ns();
		if (stats_send(r, c, &s, &pre) < 0) {
			rc = -1;
			break;
		}
		if (!stream)
			break;
		pre = s;
		for (int i = 0; i < 4 && !req_peer_gone(r); i++)
			nanosleep(&(struct timespec){ 0, 250000000 }, NULL);
		pthread_mutex_lock(&eng->mu);
		running = c->rec.status == CTR_RUNNING && !c->gone;
		pid = c->rec.pid;
		pthread_mutex_unlock(&eng->mu);
		if (req_peer_gone(r) || !running)
			break;
	}
	ctr_put(eng, c);
	if (rc < 0)
		return -1;
	return reply_stream_end(r);
}
