/* test_modules.c — modules.dep resolution: order, dedup, names, limits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/modules.h"
#include "tests/unit/unit.h"

/* Lines as depmod wrote them for the qemu board's cloud kernel. */
static const char dep[] =
	"kernel/drivers/virtio/virtio.ko:\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio_ring.ko "
	"kernel/drivers/virtio/virtio.ko\n"
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
	"kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko "
	"kernel/drivers/virtio/virtio.ko\n"
	"kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko\n"
	"kernel/net/802/stp.ko: kernel/net/llc/llc.ko\n"
	"kernel/net/llc/llc.ko:\n"
	"kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio_ring.ko "
	"kernel/drivers/virtio/virtio.ko\n"
	"kernel/net/core/failover.ko:\n"
	"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
	"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko "
	"kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko\n";

static const char *path(const struct mod_ref *r, char *buf)
{
	memcpy(buf, dep + r->off, r->len);
	buf[r->len] = '\0';
	return buf;
}

static void dependencies_come_first_last_listed_first(void)
{
	struct mod_ref plan[16];
	size_t n = 0;
	struct berr e;
	char b[128];

	CHECK_INT(modules_plan(dep, "virtio_pci", 10, plan, 16, &n, &e), 0);
	CHECK_INT(n, 5);
	CHECK_STR(path(&plan[0], b), "kernel/drivers/virtio/virtio.ko");
	CHECK_STR(path(&plan[1], b), "kernel/drivers/virtio/virtio_ring.ko");
	CHECK_STR(path(&plan[2], b), "kernel/drivers/virtio/virtio_pci_modern_dev.ko");
	CHECK_STR(path(&plan[3], b), "kernel/drivers/virtio/virtio_pci_legacy_dev.ko");
	CHECK_STR(path(&plan[4], b), "kernel/drivers/virtio/virtio_pci.ko");
}

static void shared_dependencies_load_once(void)
{
	struct mod_ref plan[16];
	size_t n = 0;
	struct berr e;
	char b[128];

	CHECK_INT(modules_plan(dep, "virtio_pci", 10, plan, 16, &n, &e), 0);
	CHECK_INT(modules_plan(dep, "virtio_blk", 10, plan, 16, &n, &e), 0);
	CHECK_INT(n, 6);
	CHECK_STR(path(&plan[5], b), "kernel/drivers/block/virtio_blk.ko");
}

static void dash_and_underscore_are_the_same(void)
{
	struct mod_ref plan[16];
	size_t n = 0;
	struct berr e;
	char b[128];

	CHECK_INT(modules_plan(dep, "virtio_rng", 10, plan, 16, &n, &e), 0);
	CHECK_STR(path(&plan[n - 1], b), "kernel/drivers/char/hw_random/virtio-rng.ko");
}

static void name_must_match_whole_file_name(void)
{
	struct mod_ref plan[16];
	size_t n = 0;
	struct berr e;

	/* "virtio" must not pick virtio_ring.ko or virtio_pci.ko */
	CHECK_INT(modules_plan(dep, "virtio", 6, plan, 16, &n, &e), 0);
	CHECK_INT(n, 1);
	CHECK_INT(plan[0].len, strlen("kernel/drivers/virtio/virtio.ko"));
}

static void unknown_module_is_enoent_with_its_name(void)
{
	struct mod_ref plan[16];
	size_t n = 0;
	struct berr e;

	CHECK_INT(modules_plan(dep, "nosuchmod", 9, plan, 16, &n, &e), -1);
	CHECK_INT(e.errnum, ENOENT);
	CHECK_STR(e.msg, "module nosuchmod: not in modules.dep");
	CHECK_INT(n, 0);
}

static void plan_limit_is_an_error(void)
{
	struct mod_ref plan[2];
	size_t n = 0;
	struct berr e;

	CHECK_INT(modules_plan(dep, "bridge", 6, plan, 2, &n, &e), -1);
	CHECK_INT(e.errnum, E2BIG);
}

static int find(const struct mod_graph *g, const char *file)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->mod[i].len == strlen(file) && memcmp(dep + g->mod[i].off, file, g->mod[i].len) == 0)
			return (int)i;
	return -1;
}

static int needs(const struct mod_graph *g, int i, int j)
{
	for (unsigned k = 0; k < g->nneed[i]; k++)
		if (g->need[i][k] == j)
			return 1;
	return 0;
}

/* The qemu board's boot set: nine files, each once, and each with what
 * its own modules.dep line lists. */
static void graph_has_each_file_once_with_its_needs(void)
{
	static struct mod_graph g;
	struct berr e;
	int ring, virtio, pci, blk, fo, nfo, net;

	g.n = 0;
	CHECK_INT(modules_graph_add(dep, "virtio_pci", 10, &g, &e), 0);
	CHECK_INT(modules_graph_add(dep, "virtio_blk", 10, &g, &e), 0);
	CHECK_INT(modules_graph_add(dep, "virtio_net", 10, &g, &e), 0);
	CHECK_INT(g.n, 9);
	ring = find(&g, "kernel/drivers/virtio/virtio_ring.ko");
	virtio = find(&g, "kernel/drivers/virtio/virtio.ko");
	pci = find(&g, "kernel/drivers/virtio/virtio_pci.ko");
	blk = find(&g, "kernel/drivers/block/virtio_blk.ko");
	fo = find(&g, "kernel/net/core/failover.ko");
	nfo = find(&g, "kernel/drivers/net/net_failover.ko");
	net = find(&g, "kernel/drivers/net/virtio_net.ko");
	CHECK(ring >= 0 && virtio >= 0 && pci >= 0 && blk >= 0 && fo >= 0 && nfo >= 0 && net >= 0);
	CHECK_INT(g.nneed[pci], 4);
	CHECK(needs(&g, pci, ring) && needs(&g, pci, virtio));
	CHECK_INT(g.nneed[blk], 2);
	CHECK(needs(&g, blk, ring) && needs(&g, blk, virtio) && !needs(&g, blk, pci));
	CHECK_INT(g.nneed[net], 4);
	CHECK(needs(&g, net, nfo) && needs(&g, net, fo) && !needs(&g, net, pci));
	CHECK_INT(g.nneed[nfo], 1);
	CHECK_INT(g.nneed[fo], 0);
	CHECK_INT(g.nneed[ring], 0);
}

/* A broken modules.dep where two modules list each other: each needs
 * only what comes before it in the plan, so neither waits forever. */
static void graph_of_a_cycle_has_no_wait_for_later_entries(void)
{
	static const char cyc[] = "a.ko: b.ko\nb.ko: a.ko\n";
	static struct mod_graph g;
	struct berr e;

	g.n = 0;
	CHECK_INT(modules_graph_add(cyc, "a", 1, &g, &e), 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(g.nneed[0], 0);
	CHECK_INT(g.nneed[1], 1);
	CHECK_INT(g.need[1][0], 0);
}

/* The fake loader: appends "S i t" and "E i t" (t: ms since the epoch of
 * the run) to a file, and takes 30 ms; "virtio_blk" fails. */
struct fake {
	int fd;
	long long t0;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int fake_load(void *ctx, const char *rel, size_t len)
{
	const struct fake *f = ctx;
	char line[160];
	int n;

	n = snprintf(line, sizeof line, "S %.*s %lld\n", (int)len, rel, now_ms() - f->t0);
	if (write(f->fd, line, (size_t)n) != n)
		return -1;
	poll(NULL, 0, 30);
	n = snprintf(line, sizeof line, "E %.*s %lld\n", (int)len, rel, now_ms() - f->t0);
	if (write(f->fd, line, (size_t)n) != n)
		return -1;
	return memmem(rel, len, "virtio_blk", 10) ? -1 : 0;
}

/* Each file's start and end (ms), -1 when not seen; how often it started. */
static void times(const char *log, const char *file, long long *s, long long *t, int *starts)
{
	char pat[160];
	const char *p;

	*s = *t = -1;
	*starts = 0;
	snprintf(pat, sizeof pat, "S %s ", file);
	for (p = log; (p = strstr(p, pat)); p++) {
		*s = atoll(p + strlen(pat));
		(*starts)++;
	}
	snprintf(pat, sizeof pat, "E %s ", file);
	if ((p = strstr(log, pat)))
		*t = atoll(p + strlen(pat));
}

/* modules_run over g with fake_load; the loaders' log into log. Returns
 * modules_run's count of failures. */
static int run_fake(const char *d, const struct mod_graph *g, int jobs, char *log, size_t size)
{
	char path[] = "/tmp/berth-modrun-XXXXXX";
	struct logger lg = { .prog = "test", .fd = -1, .level = LOG_ERROR };
	struct fake f;
	ssize_t n;
	int failed;

	f.fd = mkstemp(path);
	CHECK(f.fd >= 0);
	CHECK_INT(fcntl(f.fd, F_SETFL, O_APPEND), 0);
	f.t0 = now_ms();
	failed = modules_run(d, g, jobs, fake_load, &f, &lg);
	n = pread(f.fd, log, size - 1, 0);
	CHECK(n > 0);
	log[n] = '\0';
	close(f.fd);
	unlink(path);
	return failed;
}

/* The loaders: every file loaded by exactly one loader (two loading one
 * file at once made the kernel answer EAGAIN to one of them at boot),
 * each after everything it needs, independent ones at once; a failure
 * stops only what needs it. */
static void run_loads_each_file_once_after_its_needs(void)
{
	static struct mod_graph g;
	char log[4096];
	struct berr e;
	long long s[2], t[2];
	int starts;

	g.n = 0;
	CHECK_INT(modules_graph_add(dep, "virtio_pci", 10, &g, &e), 0);
	CHECK_INT(modules_graph_add(dep, "virtio_blk", 10, &g, &e), 0);
	CHECK_INT(modules_graph_add(dep, "virtio_net", 10, &g, &e), 0);
	CHECK_INT(modules_graph_add(dep, "virtio_rng", 10, &g, &e), 0);
	CHECK_INT(g.n, 10);
	/* virtio_blk fails: nothing needs it, so only it counts */
	CHECK_INT(run_fake(dep, &g, 8, log, sizeof log), 1);
	for (size_t i = 0; i < g.n; i++) {
		char file[128];
		long long si, ti;

		memcpy(file, dep + g.mod[i].off, g.mod[i].len);
		file[g.mod[i].len] = '\0';
		times(log, file, &si, &ti, &starts);
		CHECK_INT(starts, 1);
		for (unsigned k = 0; k < g.nneed[i]; k++) {
			char need[128];
			long long sj, tj;

			memcpy(need, dep + g.mod[g.need[i][k]].off, g.mod[g.need[i][k]].len);
			need[g.mod[g.need[i][k]].len] = '\0';
			times(log, need, &sj, &tj, &starts);
			CHECK(tj >= 0 && si >= tj);
		}
	}
	/* virtio_ring and failover need nothing: they ran at once (8 jobs) */
	times(log, "kernel/drivers/virtio/virtio_ring.ko", &s[0], &t[0], &starts);
	times(log, "kernel/net/core/failover.ko", &s[1], &t[1], &starts);
	CHECK(s[1] < t[0] && s[0] < t[1]);
}

/* A file that fails makes what needs it fail without a try. */
static void run_skips_what_needs_a_failed_module(void)
{
	static const char d2[] = "kernel/drivers/block/virtio_blk.ko:\nx.ko: kernel/drivers/block/virtio_blk.ko\n";
	static struct mod_graph g;
	char log[1024];
	struct berr e;

	g.n = 0;
	CHECK_INT(modules_graph_add(d2, "x", 1, &g, &e), 0);
	CHECK_INT(g.n, 2);
	CHECK_INT(run_fake(d2, &g, 4, log, sizeof log), 2);
	CHECK(strstr(log, "S kernel/drivers/block/virtio_blk.ko"));
	CHECK(!strstr(log, "S x.ko"));
}

/* PCI lines of a modules.alias as depmod writes them (file2alias's
 * patterns: by vendor and device, and by class for ahci and nvme). */
static const char alias[] =
	"alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
	"alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
	"alias pci:v00008086d000015B8sv*sd*bc*sc*i* e1000e\n"
	"alias pci:v00008086d00001592sv*sd*bc*sc*i* ice\n"
	"alias pci:v*d*sv*sd*bc01sc06i01* ahci\n"
	"alias pci:v*d*sv*sd*bc01sc08i02* nvme\n"
	"alias fs-ext4 ext4\n"
	"alias virtio:d00000001v* virtio_net\n";

/* A q35 guest with an e1000e and a virtio disk, as sysfs gives them. */
static const char devs[] =
	"pci:v00008086d000029C0sv00001AF4sd00001100bc06sc00i00\n"
	"pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00\n"
	"pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01\n"
	"pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00\n";

static void pci_driver_without_its_device_is_absent(void)
{
	CHECK_INT(modules_pci_absent(alias, devs, "e1000e", 6), 0);     /* by device id */
	CHECK_INT(modules_pci_absent(alias, devs, "ice", 3), 1);        /* no such NIC */
	CHECK_INT(modules_pci_absent(alias, devs, "ahci", 4), 0);       /* by class */
	CHECK_INT(modules_pci_absent(alias, devs, "nvme", 4), 1);
	CHECK_INT(modules_pci_absent(alias, devs, "virtio-pci", 10), 0); /* '-' is '_' */
	CHECK_INT(modules_pci_absent(alias, devs, "virtio_p", 8), 0);    /* no prefix match: no alias */
	/* no PCI alias: a filesystem, a driver of another bus */
	CHECK_INT(modules_pci_absent(alias, devs, "ext4", 4), 0);
	CHECK_INT(modules_pci_absent(alias, devs, "virtio_net", 10), 0);
	/* no PCI device at all */
	CHECK_INT(modules_pci_absent(alias, "", "e1000e", 6), 1);
	CHECK_INT(modules_pci_absent("", devs, "e1000e", 6), 0);
}

/* A pattern too long to copy is not judged: the module loads. */
static void overlong_pattern_means_load(void)
{
	char a[600];

	snprintf(a, sizeof a, "alias pci:v%0400dd* big\n", 0);
	CHECK_INT(modules_pci_absent(a, devs, "big", 3), 0);
}

/* The devices' modaliases from a sysfs-like tree; what cannot be read in
 * full gives -1 (nothing is then absent). */
static void pci_devices_from_sysfs(void)
{
	char dir[] = "/tmp/berth-pci-XXXXXX", p[256], buf[512], small[40];
	FILE *f;

	CHECK(mkdtemp(dir));
	snprintf(p, sizeof p, "%s/0000:00:02.0", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/0000:00:02.0/modalias", dir);
	CHECK((f = fopen(p, "w")) != NULL);
	fputs("pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/0000:00:03.0", dir); /* no modalias: skipped */
	CHECK_INT(mkdir(p, 0755), 0);
	CHECK_INT(modules_pci_devices(dir, buf, sizeof buf), 0);
	CHECK_STR(buf, "pci:v00008086d000010D3sv00008086sd00000000bc02sc00i00\n");
	CHECK_INT(modules_pci_absent(alias, buf, "e1000e", 6), 0);
	CHECK_INT(modules_pci_devices(dir, small, sizeof small), -1);
	/* a modalias that cannot be read: the list is not whole */
	snprintf(p, sizeof p, "%s/0000:00:03.0/modalias", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	CHECK_INT(modules_pci_devices(dir, buf, sizeof buf), -1);
	CHECK_INT(modules_pci_devices("/nonexistent/pci", buf, sizeof buf), -1);
	snprintf(p, sizeof p, "rm -r %s", dir);
	CHECK(system(p) == 0);
}

UNIT_MAIN(UNIT(dependencies_come_first_last_listed_first), UNIT(shared_dependencies_load_once),
	  UNIT(dash_and_underscore_are_the_same), UNIT(name_must_match_whole_file_name),
	  UNIT(unknown_module_is_enoent_with_its_name), UNIT(plan_limit_is_an_error),
	  UNIT(graph_has_each_file_once_with_its_needs), UNIT(graph_of_a_cycle_has_no_wait_for_later_entries),
	  UNIT(run_loads_each_file_once_after_its_needs), UNIT(run_skips_what_needs_a_failed_module),
	  UNIT(pci_driver_without_its_device_is_absent), UNIT(overlong_pattern_means_load),
	  UNIT(pci_devices_from_sysfs))
