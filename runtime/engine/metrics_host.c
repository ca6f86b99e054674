/* metrics_host.c — the host's families: CPU seconds by mode, load, memory,
 * PSI, the data file system, network interfaces, boot time, entropy, open
 * files. Named as node_exporter names them where they mean the same, with
 * berth_host_ for node_ (docs/metrics.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "runtime/engine/metrics.h"

#define STAT_BYTES (64 * 1024)   /* /proc/stat: its intr line grows with the IRQs */
#define NETDEV_MAX 64            /* interfaces listed */

/* Up to size-1 bytes of proc/rel, NUL-terminated: the length, -1 when it
 * cannot be read. A longer file is cut (the callers want its head). */
static ssize_t read_proc(const char *proc, const char *rel, char *buf, size_t size)
{
	char path[512];
	size_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", proc, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* The value after "key" at the start of a line of buf, or NULL. */
static const char *line_value(const char *buf, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0)
			return p + kl;
	return NULL;
}

static void cpu_family(struct prom_w *w, const char *stat)
{
	static const char *const modes[] = { "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal" };
	long hz = sysconf(_SC_CLK_TCK);

	prom_family(w, "berth_host_cpu_seconds_total", "counter",
		    "Seconds each CPU spent in each mode (/proc/stat; guest time is inside user and nice).");
	for (const char *p = stat; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long v[8] = { 0 };
		char cpu[16];
		int n;

		if (strncmp(p, "cpu", 3) != 0 || p[3] < '0' || p[3] > '9')
			continue;
		n = sscanf(p + 3, "%15s %llu %llu %llu %llu %llu %llu %llu %llu", cpu, &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7]);
		for (int i = 0; i + 1 < n; i++) {
			const char *const l[] = { "cpu", cpu, "mode", modes[i], NULL };

			prom_sample(w, "berth_host_cpu_seconds_total", l, (double)v[i] / (double)(hz > 0 ? hz : 100));
		}
	}
}

static void stat_families(struct prom_w *w, const char *proc)
{
	char *stat = malloc(STAT_BYTES);
	const char *bt;

	if (stat && read_proc(proc, "stat", stat, STAT_BYTES) < 0)
		stat[0] = '\0';
	cpu_family(w, stat ? stat : "");
	prom_family(w, "berth_host_boot_time_seconds", "gauge", "When the host booted, unix seconds (/proc/stat btime).");
	if (stat && (bt = line_value(stat, "btime ")))
		prom_sample_u64(w, "berth_host_boot_time_seconds", NULL, strtoull(bt, NULL, 10));
	free(stat);
}

static void load_families(struct prom_w *w, const char *proc)
{
	static const char *const names[] = { "berth_host_load1", "berth_host_load5", "berth_host_load15" };
	static const char *const helps[] = { "1-minute load average (/proc/loadavg).",
					     "5-minute load average (/proc/loadavg).",
					     "15-minute load average (/proc/loadavg)." };
	char buf[256];
	double v[3];
	int ok = read_proc(proc, "loadavg", buf, sizeof(buf)) > 0 &&
		 sscanf(buf, "%lf %lf %lf", &v[0], &v[1], &v[2]) == 3;

	for (int i = 0; i < 3; i++) {
		prom_family(w, names[i], "gauge", helps[i]);
		if (ok)
			prom_sample(w, names[i], NULL, v[i]);
	}
}

static void memory_families(struct prom_w *w, const char *proc)
{
	static const struct { const char *key, *name; } f[] = {
		{ "MemTotal:", "total" }, { "MemFree:", "free" }, { "MemAvailable:", "available" },
		{ "Buffers:", "buffers" }, { "Cached:", "cached" }, { "Shmem:", "shmem" },
		{ "SwapTotal:", "swap_total" }, { "SwapFree:", "swap_free" },
	};
	char buf[8192], name[64], help[96];

	if (read_proc(proc, "meminfo", buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v;

		snprintf(name, sizeof(name), "berth_host_memory_%s_bytes", f[i].name);
		snprintf(help, sizeof(help), "%.*s of /proc/meminfo, in bytes.", (int)strlen(f[i].key) - 1, f[i].key);
		prom_family(w, name, "gauge", help);
		if ((v = line_value(buf, f[i].key)))
			prom_sample_u64(w, name, NULL, strtoull(v, NULL, 10) * 1024);
	}
}

/* PSI: "some avg10=… total=USEC" and "full …" lines; absent without CONFIG_PSI. */
static void pressure_families(struct prom_w *w, const char *proc)
{
	static const struct { const char *res, *line, *name, *help; } f[] = {
		{ "cpu", "some ", "berth_host_pressure_cpu_waiting_seconds_total",
		  "Seconds some task waited for a CPU (/proc/pressure/cpu)." },
		{ "memory", "some ", "berth_host_pressure_memory_waiting_seconds_total",
		  "Seconds some task waited for memory (/proc/pressure/memory)." },
		{ "memory", "full ", "berth_host_pressure_memory_stalled_seconds_total",
		  "Seconds every non-idle task stalled on memory (/proc/pressure/memory)." },
		{ "io", "some ", "berth_host_pressure_io_waiting_seconds_total",
		  "Seconds some task waited for I/O (/proc/pressure/io)." },
		{ "io", "full ", "berth_host_pressure_io_stalled_seconds_total",
		  "Seconds every non-idle task stalled on I/O (/proc/pressure/io)." },
	};
	char buf[512], rel[32];

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *l, *t;

		prom_family(w, f[i].name, "counter", f[i].help);
		snprintf(rel, sizeof(rel), "pressure/%s", f[i].res);
		if (read_proc(proc, rel, buf, sizeof(buf)) <= 0 || !(l = line_value(buf, f[i].line)) ||
		    !(t = strstr(l, "total=")))
			continue;
		prom_sample(w, f[i].name, NULL, (double)strtoull(t + 6, NULL, 10) / 1e6);
	}
}

static void fs_families(struct prom_w *w, const char *data_root)
{
	const char *const l[] = { "mountpoint", data_root, NULL };
	struct statvfs st;
	int ok = statvfs(data_root, &st) == 0;

	prom_family(w, "berth_host_filesystem_size_bytes", "gauge", "Size of the file system holding the data root.");
	if (ok)
		prom_sample_u64(w, "berth_host_filesystem_size_bytes", l, (uint64_t)st.f_blocks * st.f_frsize);
	prom_family(w, "berth_host_filesystem_free_bytes", "gauge", "Free bytes of that file system (root's reserve included).");
	if (ok)
		prom_sample_u64(w, "berth_host_filesystem_free_bytes", l, (uint64_t)st.f_bfree * st.f_frsize);
	prom_family(w, "berth_host_filesystem_avail_bytes", "gauge", "Bytes of that file system available to non-root users.");
	if (ok)
		prom_sample_u64(w, "berth_host_filesystem_avail_bytes", l, (uint64_t)st.f_bavail * st.f_frsize);
}

/* "  eth0: rx_bytes rx_packets errs drop fifo frame compressed multicast tx_bytes tx_packets errs drop …" */
int metrics_netdev_parse(const char *buf, struct metrics_netdev *out, int max)
{
	int n = 0, line = 0;

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *colon = strchr(p, ':'), *nl = strchr(p, '\n'), *s = p;
		unsigned long long v[16];
		size_t nl_len;

		if (++line <= 2 || *p == '\n')
			continue;	/* the two heading lines */
		if (!colon || (nl && colon > nl))
			return -1;
		while (*s == ' ')
			s++;
		nl_len = (size_t)(colon - s);
		if (nl_len == 0 || nl_len >= METRICS_IF_NAME)
			return -1;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11],
			   &v[12], &v[13], &v[14], &v[15]) != 16)
			return -1;
		if (n >= max)
			continue;
		memcpy(out[n].name, s, nl_len);
		out[n].name[nl_len] = '\0';
		out[n].rx_bytes = v[0], out[n].rx_packets = v[1], out[n].rx_errs = v[2], out[n].rx_drop = v[3];
		out[n].tx_bytes = v[8], out[n].tx_packets = v[9], out[n].tx_errs = v[10], out[n].tx_drop = v[11];
		n++;
	}
	return n;
}

static void net_families(struct prom_w *w, const char *proc)
{
	static const struct { const char *name, *help; size_t off; } f[] = {
#define F(n, h, m) { "berth_host_network_" n "_total", h " (/proc/net/dev).", offsetof(struct metrics_netdev, m) }
		F("receive_bytes", "Bytes received by the interface", rx_bytes),
		F("receive_packets", "Packets received by the interface", rx_packets),
		F("receive_errs", "Receive errors of the interface", rx_errs),
		F("receive_drop", "Received packets the interface dropped", rx_drop),
		F("transmit_bytes", "Bytes sent by the interface", tx_bytes),
		F("transmit_packets", "Packets sent by the interface", tx_packets),
		F("transmit_errs", "Transmit errors of the interface", tx_errs),
		F("transmit_drop", "Packets to send the interface dropped", tx_drop),
#undef F
	};
	struct metrics_netdev *d = calloc(NETDEV_MAX, sizeof(*d));
	char *buf = malloc(STAT_BYTES);
	int n = -1;

	if (d && buf && read_proc(proc, "net/dev", buf, STAT_BYTES) >= 0)
		n = metrics_netdev_parse(buf, d, NETDEV_MAX);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		prom_family(w, f[i].name, "counter", f[i].help);
		for (int k = 0; k < n; k++) {
			const char *const l[] = { "device", d[k].name, NULL };
			uint64_t v;

			memcpy(&v, (const char *)&d[k] + f[i].off, sizeof(v));
			prom_sample_u64(w, f[i].name, l, v);
		}
	}
	free(buf);
	free(d);
}

static void misc_families(struct prom_w *w, const char *proc)
{
	char buf[128];
	unsigned long long alloc, unused, max;
	int ok;

	prom_family(w, "berth_host_entropy_available_bytes", "gauge",
		    "Entropy the kernel estimates it has (/proc/sys/kernel/random/entropy_avail bits / 8).");
	if (read_proc(proc, "sys/kernel/random/entropy_avail", buf, sizeof(buf)) > 0)
		prom_sample(w, "berth_host_entropy_available_bytes", NULL, (double)strtoull(buf, NULL, 10) / 8);
	ok = read_proc(proc, "sys/fs/file-nr", buf, sizeof(buf)) > 0 &&
	     sscanf(buf, "%llu %llu %llu", &alloc, &unused, &max) == 3;
	prom_family(w, "berth_host_filefd_allocated", "gauge", "Open file descriptions (/proc/sys/fs/file-nr).");
	if (ok)
		prom_sample_u64(w, "berth_host_filefd_allocated", NULL, alloc);
	prom_family(w, "berth_host_filefd_maximum", "gauge", "Most file descriptions the kernel allows (/proc/sys/fs/file-nr).");
	if (ok)
		prom_sample_u64(w, "berth_host_filefd_maximum", NULL, max);
}

void metrics_host(struct prom_w *w, const char *proc, const char *data_root)
{
	stat_families(w, proc);
	load_families(w, proc);
	memory_families(w, proc);
	pressure_families(w, proc);
	fs_families(w, data_root);
	net_families(w, proc);
	misc_families(w, proc);
}
