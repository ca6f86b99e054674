/* test_metrics.c — berthd's host families on a fixture /proc: every value
 * equals its source converted to base units, files that are missing leave
 * their families without samples, /proc/net/dev's parser refuses what it
 * does not understand. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/initctl.h"
#include "lib/prom.h"
#include "runtime/engine/metrics.h"
#include "tests/unit/unit.h"

static const char netdev[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	"    lo: 9584618   15779    0    0    0     0          0         0  9584618   15779    0    0    0     0       0          0\n"
	"  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n";

static void put(const char *dir, const char *name, const char *v)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, v, strlen(v)) == (ssize_t)strlen(v));
	close(fd);
}

static void parses_netdev(void)
{
	struct metrics_netdev d[4];

	CHECK_INT(metrics_netdev_parse(netdev, d, 4), 2);
	CHECK_STR(d[0].name, "lo");
	CHECK_INT(d[0].rx_bytes, 9584618);
	CHECK_STR(d[1].name, "eth0");
	CHECK_INT(d[1].rx_bytes, 1000);
	CHECK_INT(d[1].rx_packets, 10);
	CHECK_INT(d[1].rx_errs, 1);
	CHECK_INT(d[1].rx_drop, 2);
	CHECK_INT(d[1].tx_bytes, 2000);
	CHECK_INT(d[1].tx_packets, 20);
	CHECK_INT(d[1].tx_errs, 3);
	CHECK_INT(d[1].tx_drop, 4);
	/* more interfaces than room: the first max */
	CHECK_INT(metrics_netdev_parse(netdev, d, 1), 1);
	CHECK_STR(d[0].name, "lo");
	CHECK_INT(metrics_netdev_parse("h\nh\n", d, 4), 0);
	CHECK_INT(metrics_netdev_parse("h\nh\n eth0 1 2 3\n", d, 4), -1);
	CHECK_INT(metrics_netdev_parse("h\nh\n eth0: 1 2 3\n", d, 4), -1);
	CHECK_INT(metrics_netdev_parse("h\nh\n averyveryverylongname: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", d, 4), -1);
}

static char out[65536];

static const char *scrape(const char *proc, const char *root)
{
	struct prom_w w;
	struct berr e;

	prom_w_init(&w, out, sizeof(out) - 1, NULL, NULL);
	metrics_host(&w, proc, root);
	if (prom_w_finish(&w, &e) < 0)
		UNIT_FAIL_("scrape: %s", e.msg);
	out[w.len] = '\0';
	return out;
}

static void has(const char *text, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		UNIT_FAIL_("missing line: %s", line);
}

static void host_values_equal_their_sources(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", p[300];
	const char *t;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/net", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/pressure", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sys/fs", dir);
	mkdir(p, 0755);
	put(dir, "stat", "cpu  300 0 200 1000 0 0 0 0 0 0\ncpu0 100 1 200 1000 4 5 6 7 0 0\n"
			 "cpu1 200 0 0 0 0 0 0 0 0 0\nintr 1 2 3\nctxt 99\nbtime 1700000000\nprocesses 5\n");
	put(dir, "loadavg", "0.50 1.25 2.00 1/100 4242\n");
	put(dir, "meminfo", "MemTotal:       16384 kB\nMemFree:         1024 kB\nMemAvailable:    8192 kB\n"
			    "Buffers:           4 kB\nCached:          512 kB\nSwapTotal:          0 kB\n");
	put(dir, "pressure/memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\n"
				    "full avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n");
	put(dir, "net/dev", netdev);
	put(dir, "sys/fs/file-nr", "1024\t0\t9223372036854775807\n");
	t = scrape(dir, dir);
	if (sysconf(_SC_CLK_TCK) == 100) {
		has(t, "berth_host_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 1");
		has(t, "berth_host_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 0.01");
		has(t, "berth_host_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0.07");
		has(t, "berth_host_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 2");
	}
	CHECK(!strstr(t, "cpu=\"\""));		/* the summary line is not a CPU */
	has(t, "berth_host_boot_time_seconds 1700000000");
	has(t, "berth_host_load1 0.5");
	has(t, "berth_host_load5 1.25");
	has(t, "berth_host_load15 2");
	has(t, "berth_host_memory_total_bytes 16777216");
	has(t, "berth_host_memory_available_bytes 8388608");
	has(t, "berth_host_memory_swap_total_bytes 0");
	has(t, "# TYPE berth_host_memory_swap_free_bytes gauge");	/* absent key: family, no sample */
	CHECK(!strstr(t, "\nberth_host_memory_swap_free_bytes "));
	has(t, "berth_host_pressure_memory_waiting_seconds_total 2.5");
	has(t, "berth_host_pressure_memory_stalled_seconds_total 0.001");
	CHECK(!strstr(t, "\nberth_host_pressure_cpu_waiting_seconds_total "));	/* no pressure/cpu */
	has(t, "berth_host_network_receive_bytes_total{device=\"eth0\"} 1000");
	has(t, "berth_host_network_transmit_drop_total{device=\"eth0\"} 4");
	has(t, "berth_host_network_receive_bytes_total{device=\"lo\"} 9584618");
	has(t, "berth_host_filefd_allocated 1024");
	has(t, "berth_host_filefd_maximum 9223372036854775807");
	CHECK(strstr(t, "berth_host_filesystem_size_bytes{mountpoint=\"/tmp/test_metrics."));
	CHECK(!strstr(t, "\nberth_host_entropy_available_bytes "));
	/* nothing readable: every family, no samples */
	t = scrape("/nonexistent", "/nonexistent");
	CHECK(strstr(t, "# TYPE berth_host_cpu_seconds_total counter\n# HELP"));
	CHECK(!strstr(t, "\nberth_"));
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	CHECK(system(p) == 0);
}

static const char *scrape_ctr(const struct metrics_ctr *cs, int n)
{
	struct prom_w w;
	struct berr e;

	prom_w_init(&w, out, sizeof(out) - 1, NULL, NULL);
	metrics_ctr_write(&w, cs, n);
	if (prom_w_finish(&w, &e) < 0)
		UNIT_FAIL_("scrape: %s", e.msg);
	out[w.len] = '\0';
	return out;
}

#define L "{id=\"abc\",name=\"web\",image=\"nginx:1\"}"

static void container_values_equal_their_cgroup_files(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", p[300];
	struct metrics_ctr c[2];
	const char *t;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/abc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/42", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/42/net", dir);
	mkdir(p, 0755);
	put(dir, "abc/memory.current", "52428800\n");
	put(dir, "abc/memory.peak", "60000000\n");
	put(dir, "abc/memory.max", "max\n");
	put(dir, "abc/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n");
	put(dir, "abc/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
				 "nr_periods 10\nnr_throttled 4\nthrottled_usec 1500\n");
	put(dir, "abc/pids.current", "3\n");
	put(dir, "abc/pids.max", "64\n");
	put(dir, "abc/io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n"
				"8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n");
	put(dir, "42/net/dev", netdev);
	memset(c, 0, sizeof(c));
	strcpy(c[0].id, "abc");
	strcpy(c[0].name, "web");
	strcpy(c[0].image, "nginx:1");
	strcpy(c[0].state, "running");
	c[0].running = 1;
	c[0].pid = 42;
	c[0].restarts = 2;
	c[0].started_ns = 1700000000500000000LL;
	metrics_ctr_read(&c[0], dir, dir);
	/* a created container: state and restarts only */
	strcpy(c[1].id, "def");
	strcpy(c[1].name, "idle");
	strcpy(c[1].image, "a \"b\"");
	strcpy(c[1].state, "created");
	t = scrape_ctr(c, 2);
	has(t, "berth_container_state{id=\"abc\",name=\"web\",image=\"nginx:1\",state=\"running\"} 1");
	has(t, "berth_container_state{id=\"def\",name=\"idle\",image=\"a \\\"b\\\"\",state=\"created\"} 1");
	has(t, "berth_container_restarts_total" L " 2");
	has(t, "berth_container_start_time_seconds" L " 1700000000.5");
	has(t, "berth_container_cpu_seconds_total" L " 2.5");
	has(t, "berth_container_cpu_user_seconds_total" L " 2");
	has(t, "berth_container_cpu_system_seconds_total" L " 0.5");
	has(t, "berth_container_cpu_periods_total" L " 10");
	has(t, "berth_container_cpu_throttled_periods_total" L " 4");
	has(t, "berth_container_cpu_throttled_seconds_total" L " 0.0015");
	has(t, "berth_container_memory_bytes" L " 52428800");
	has(t, "berth_container_memory_max_bytes" L " +Inf");
	has(t, "berth_container_memory_peak_bytes" L " 60000000");
	has(t, "berth_container_oom_events_total" L " 1");
	has(t, "berth_container_pids" L " 3");
	has(t, "berth_container_pids_max" L " 64");
	has(t, "berth_container_io_read_bytes_total" L " 101");
	has(t, "berth_container_io_written_bytes_total" L " 202");
	has(t, "berth_container_network_receive_bytes_total{id=\"abc\",name=\"web\",image=\"nginx:1\",interface=\"eth0\"} 1000");
	has(t, "berth_container_network_transmit_bytes_total{id=\"abc\",name=\"web\",image=\"nginx:1\",interface=\"eth0\"} 2000");
	has(t, "berth_container_restarts_total{id=\"def\",name=\"idle\",image=\"a \\\"b\\\"\"} 0");
	CHECK(!strstr(t, "berth_container_memory_bytes{id=\"def\""));
	CHECK(!strstr(t, "berth_container_start_time_seconds{id=\"def\""));
	/* a limit, and a cgroup without memory.peak (before 5.19) */
	put(dir, "abc/memory.max", "67108864\n");
	snprintf(p, sizeof(p), "%s/abc/memory.peak", dir);
	unlink(p);
	memset(&c[0].mem, 0, sizeof(c[0].mem));
	metrics_ctr_read(&c[0], dir, dir);
	t = scrape_ctr(c, 1);
	has(t, "berth_container_memory_max_bytes" L " 67108864");
	CHECK(!strstr(t, "\nberth_container_memory_peak_bytes{"));
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	CHECK(system(p) == 0);
}

/* A stand-in for PID 1's control socket: one client, INITCTL_SERVICES
 * answered with 11 services in two replies. */
static void *fake_init(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	struct initctl_req q;
	static struct initctl_rep r[2];

	if (fd < 0 || recv(fd, &q, sizeof(q), 0) != sizeof(q) || q.cmd != INITCTL_SERVICES)
		return NULL;
	for (int k = 0; k < 2; k++) {
		r[k].version = INITCTL_VERSION;
		r[k].more = k == 0;
		r[k].count = k == 0 ? 8 : 3;
		for (uint32_t i = 0; i < r[k].count; i++) {
			struct initctl_svc *v = &r[k].svc[i];

			snprintf(v->name, sizeof(v->name), "svc%u", k * 8 + i);
			snprintf(v->state, sizeof(v->state), "%s", i % 2 ? "backoff" : "running");
			v->restarts = k * 8 + i;
			v->last_status = i == 0 ? -1 : i == 1 ? 3 << 8 : 9;	/* none, exit 3, SIGKILL */
		}
		if (send(fd, &r[k], sizeof(r[k]), 0) != sizeof(r[k]))
			break;
	}
	close(fd);
	return NULL;
}

static void services_from_the_control_socket(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", p[300];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	pthread_t th;
	const char *t;
	struct prom_w w;
	struct berr e;
	int lfd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/init.sock", dir);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(lfd, 1) == 0);
	snprintf(p, sizeof(p), "%s/svc9", dir);
	mkdir(p, 0755);
	put(dir, "svc9/memory.current", "1258291\n");
	CHECK(pthread_create(&th, NULL, fake_init, &lfd) == 0);
	prom_w_init(&w, out, sizeof(out) - 1, NULL, NULL);
	metrics_svc(&w, a.sun_path, dir);
	pthread_join(th, NULL);
	CHECK_INT(prom_w_finish(&w, &e), 0);
	out[w.len] = '\0';
	t = out;
	has(t, "berth_service_up{name=\"svc0\"} 1");
	has(t, "berth_service_up{name=\"svc1\"} 0");
	has(t, "berth_service_up{name=\"svc10\"} 1");		/* from the second reply */
	has(t, "berth_service_restarts_total{name=\"svc10\"} 10");
	has(t, "berth_service_last_exit_code{name=\"svc1\"} 3");
	has(t, "berth_service_last_exit_code{name=\"svc2\"} 137");
	CHECK(!strstr(t, "berth_service_last_exit_code{name=\"svc0\"}"));	/* never exited */
	has(t, "berth_service_memory_bytes{name=\"svc9\"} 1258291");
	CHECK(!strstr(t, "berth_service_memory_bytes{name=\"svc0\"}"));	/* no cgroup */
	close(lfd);
	/* no socket: the families, no samples */
	prom_w_init(&w, out, sizeof(out) - 1, NULL, NULL);
	metrics_svc(&w, a.sun_path, dir);
	CHECK_INT(prom_w_finish(&w, &e), 0);
	out[w.len] = '\0';
	CHECK(strstr(out, "# TYPE berth_service_up gauge\n"));
	CHECK(!strstr(out, "\nberth_service"));
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	CHECK(system(p) == 0);
}

UNIT_MAIN(UNIT(parses_netdev), UNIT(host_values_equal_their_sources), UNIT(container_values_equal_their_cgroup_files),
	  UNIT(services_from_the_control_socket))
