/* test_modules.c — modules.dep resolution: order, dedup, names, limits. */
#include <errno.h>
#include <string.h>

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
	"kernel/drivers/virtio/virtio.ko\n";

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

UNIT_MAIN(UNIT(dependencies_come_first_last_listed_first), UNIT(shared_dependencies_load_once),
	  UNIT(dash_and_underscore_are_the_same), UNIT(name_must_match_whole_file_name),
	  UNIT(unknown_module_is_enoent_with_its_name), UNIT(plan_limit_is_an_error))
