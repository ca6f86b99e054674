/* test_berthctl_top.c — top_format on a scrape captured from berthd
 * (host part as berthd wrote it; the container and service lines as a
 * machine with cgroup v2 and PID 1 writes them): the exact summary, label
 * escapes, malformed lines, a too-small output buffer. */
#include <errno.h>
#include <string.h>

#include "tools/berthctl_top.h"
#include "tests/unit/unit.h"

#define ID1 "0a86e117eb4fce2645ba1669e1ffe88d0be47e66bcc9a967fb5de7be86dd2da7"
#define ID2 "6f38bf391117d78b84c5828386326dd643cf05db890aa23608203087a232d614"
#define L1 "{id=\"" ID1 "\",name=\"web\",image=\"nginx:1.27\"}"
#define L2 "{id=\"" ID2 "\",name=\"batch\",image=\"reg.example/a \\\"b\\\"\"}"

static const char scrape[] =
	"# HELP berth_build_info berth's version and git revision at build time; always 1.\n"
	"# TYPE berth_build_info gauge\n"
	"berth_build_info{version=\"28.2.2-berth\",revision=\"a7b289c-dirty\"} 1\n"
	"# TYPE berth_engine_containers gauge\n"
	"berth_engine_containers{state=\"created\"} 0\n"
	"berth_engine_containers{state=\"running\"} 1\n"
	"berth_engine_containers{state=\"restarting\"} 0\n"
	"berth_engine_containers{state=\"exited\"} 1\n"
	"berth_engine_containers{state=\"removing\"} 0\n"
	"berth_engine_containers{state=\"dead\"} 0\n"
	"berth_engine_images 2\n"
	"# TYPE berth_host_cpu_seconds_total counter\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 4005.86\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"nice\"} 4629.22\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"system\"} 6862.38\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 8539.02\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"iowait\"} 40.5\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"irq\"} 0\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"softirq\"} 52.03\n"
	"berth_host_cpu_seconds_total{cpu=\"0\",mode=\"steal\"} 0\n"
	"berth_host_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 10\n"
	"berth_host_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 10\n"
	"berth_host_load1 7.19\n"
	"berth_host_load5 8.44\n"
	"berth_host_load15 7.86\n"
	"berth_host_memory_total_bytes 25276026880\n"
	"berth_host_memory_available_bytes 24779255808\n"
	"berth_host_memory_swap_total_bytes 0\n"
	"berth_host_memory_swap_free_bytes 0\n"
	"berth_host_filesystem_size_bytes{mountpoint=\"/var/lib/berth\"} 270553174016\n"
	"berth_host_filesystem_avail_bytes{mountpoint=\"/var/lib/berth\"} 80510681088\n"
	"berth_container_state" "{id=\"" ID1 "\",name=\"web\",image=\"nginx:1.27\",state=\"running\"} 1\n"
	"berth_container_state" "{id=\"" ID2 "\",name=\"batch\",image=\"reg.example/a \\\"b\\\"\",state=\"exited\"} 1\n"
	"berth_container_cpu_seconds_total" L1 " 12.345\n"
	"berth_container_memory_bytes" L1 " 54631628.8\n"
	"berth_container_memory_max_bytes" L1 " 67108864\n"
	"berth_container_pids" L1 " 3\n"
	"berth_container_network_receive_bytes_total{id=\"" ID1 "\",name=\"web\",image=\"nginx:1.27\",interface=\"eth0\"} 2688\n"
	"berth_service_up{name=\"dropbear\"} 1\n"
	"berth_service_restarts_total{name=\"dropbear\"} 2\n"
	"berth_service_memory_bytes{name=\"dropbear\"} 1258291\n"
	"berth_service_up{name=\"agent\"} 0\n"
	"berth_service_restarts_total{name=\"agent\"} 5\n";

static void formats_a_scrape(void)
{
	static char out[8192];
	struct berr e;
	int n = top_format(scrape, strlen(scrape), out, sizeof(out), &e);

	if (n < 0)
		UNIT_FAIL_("%s", e.msg);
	CHECK_INT(n, strlen(out));
	CHECK_STR(out,
		  "CPU       2 cpus, load 7.19 8.44 7.86, 64% busy since boot\n"
		  "MEMORY    473.8 MiB used of 23.5 GiB, 23.1 GiB available\n"
		  "DISK      /var/lib/berth: 177.0 GiB used of 252.0 GiB, 75.0 GiB available (70% used)\n"
		  "ENGINE    1 running, 0 created, 1 exited, 0 restarting; 2 images\n"
		  "\n"
		  "CONTAINER            IMAGE                    STATE         CPU(s)     MEMORY      LIMIT  PIDS\n"
		  "web                  nginx:1.27               running        12.35   52.1 MiB   64.0 MiB     3\n"
		  "batch                reg.example/a \"b\"        exited             -          -          -     -\n"
		  "\n"
		  "SERVICE              UP   RESTARTS     MEMORY\n"
		  "dropbear             yes         2    1.2 MiB\n"
		  "agent                no          5          -\n");
}

static void refuses_malformed_lines(void)
{
	static const char *const bad[] = {
		"x{a=\"1\" 1\n", "x{a=1} 1\n", "x 1x\n", "x\n", "x{a=\"1\"}\n", "{a=\"1\"} 1\n", "x{a=\"1\\",
	};
	char out[256];
	struct berr e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (top_format(bad[i], strlen(bad[i]), out, sizeof(out), &e) >= 0)
			UNIT_FAIL_("accepted: %s", bad[i]);
		CHECK_INT(e.errnum, EINVAL);
		CHECK(strstr(e.msg, "line 1"));
	}
	/* comments, blank lines, unknown families, NaN/Inf values and timestamps are fine */
	const char *ok = "# anything\n\nother_metric{a=\"b\"} NaN\nx +Inf 1700000000000\n";
	CHECK_INT(top_format(ok, strlen(ok), out, sizeof(out), &e), 0);
	CHECK_STR(out, "");
}

static void reports_a_small_buffer(void)
{
	char out[64];
	struct berr e;

	CHECK(top_format(scrape, strlen(scrape), out, sizeof(out), &e) < 0);
	CHECK_INT(e.errnum, ENOBUFS);
	CHECK(strlen(out) < sizeof(out));
}

UNIT_MAIN(UNIT(formats_a_scrape), UNIT(refuses_malformed_lines), UNIT(reports_a_small_buffer))
