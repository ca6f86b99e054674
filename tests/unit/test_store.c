/* test_store.c — the store's records, names, reference resolution and gc
 * in a temporary data root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/image/store.h"
#include "tests/unit/unit.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "1111222222222222222222222222222222222222222222222222222222222222"

static void open_store(struct store *s, char *dir)
{
	struct berr e;
	strcpy(dir, "/tmp/berth-store-test.XXXXXX");
	CHECK(mkdtemp(dir));
	CHECK_INT(store_open(s, dir, STORE_EXCLUSIVE, &e), 0);
}

static void cleanup(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void report(void *ctx, const char *line)
{
	(void)ctx;
	printf("# %s\n", line);
}

static void test_record_roundtrip(void)
{
	struct store s;
	struct image_rec *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct berr e;
	char dir[64];

	open_store(&s, dir);
	strcpy(a->config, "sha256:" H1);
	strcpy(a->os, "linux");
	strcpy(a->arch, "amd64");
	a->nlayers = 2;
	for (int i = 0; i < 2; i++) {
		strcpy(a->layers[i].blob, "sha256:" H2);
		strcpy(a->layers[i].diff, "sha256:" H1);
		store_chain_id(i ? a->layers[0].chain : NULL, a->layers[i].diff, a->layers[i].chain);
	}
	CHECK_INT(store_image_write(&s, a, &e), 0);
	CHECK_INT(store_image_read(&s, H1, b, &e), 0);
	CHECK_STR(b->config, a->config);
	CHECK_STR(b->manifest, "");
	CHECK_STR(b->arch, "amd64");
	CHECK_INT(b->nlayers, 2);
	CHECK_STR(b->layers[1].chain, a->layers[1].chain);
	CHECK_STR(b->layers[0].chain, "sha256:" H1); /* chain of the first layer is its diff_id */
	CHECK(strcmp(b->layers[1].chain, b->layers[0].chain) != 0);
	/* a record whose name does not match its config is refused */
	CHECK(rename(strcat(strcpy((char[200]){0}, dir), "/images/" H1),
		     strcat(strcpy((char[200]){0}, dir), "/images/" H2)) == 0);
	CHECK(store_image_read(&s, H2, b, &e) < 0);
	store_close(&s);
	cleanup(dir);
}

static void test_names_and_resolve(void)
{
	struct store s;
	struct store_names *n = calloc(1, sizeof(*n));
	struct image_rec *a = calloc(1, sizeof(*a));
	struct berr e;
	char dir[64], hex[DIGEST_HEX_LEN + 1], name[REF_NAME_MAX];

	open_store(&s, dir);
	CHECK(store_names_set(n, "bad name", "sha256:" H1, &e) < 0);
	CHECK(store_names_set(n, "", "sha256:" H1, &e) < 0);
	CHECK_INT(store_names_set(n, "docker.io/library/busybox:latest", "sha256:" H1, &e), 0);
	CHECK_INT(store_names_set(n, "app:1", "sha256:" H2, &e), 0);
	CHECK_INT(store_names_set(n, "app:1", "sha256:" H1, &e), 0); /* re-pointed, not added */
	CHECK_INT(n->n, 2);
	CHECK_INT(store_names_write(&s, n, &e), 0);
	CHECK_INT(s.ix->names.n, 2);
	store_close(&s);
	CHECK_INT(store_open(&s, dir, STORE_SHARED, &e), 0); /* loaded back from the file */
	CHECK_INT(s.ix->names.n, 2);
	store_unlock(&s);
	CHECK_INT(store_lock(&s, STORE_EXCLUSIVE, &e), 0);

	static const char *const hs[] = { H1, H2 };
	for (int i = 0; i < 2; i++) {
		strcpy(a->config, "sha256:");
		strcat(a->config, hs[i]);
		CHECK_INT(store_image_write(&s, a, &e), 0);
	}
	CHECK_INT(store_resolve(&s, "busybox", hex, name, &e), 0);
	CHECK_STR(hex, H1);
	CHECK_STR(name, "docker.io/library/busybox:latest");
	CHECK_INT(store_resolve(&s, "app:1", hex, name, &e), 0);
	CHECK_STR(name, "app:1");
	CHECK_INT(store_resolve(&s, "sha256:" H2, hex, name, &e), 0);
	CHECK_STR(hex, H2);
	CHECK_STR(name, "");
	CHECK(store_resolve(&s, "1111", hex, name, &e) < 0); /* both images start so */
	CHECK(strstr(e.msg, "more than one"));
	CHECK_INT(store_resolve(&s, "11112", hex, name, &e), 0);
	CHECK_STR(hex, H2);
	CHECK(store_resolve(&s, "nothere", hex, name, &e) < 0);
	CHECK_INT(e.errnum, ENOENT);
	store_close(&s);
	cleanup(dir);
}

static void test_open_cleans_tmp_and_gc(void)
{
	struct store s;
	struct berr e;
	char dir[64], p[200];
	int nb, nl;

	open_store(&s, dir);
	snprintf(p, sizeof(p), "%s/tmp/import.1.0/L0/deep", dir);
	CHECK_INT(system(strcat(strcpy((char[256]){0}, "mkdir -p "), p)), 0);
	snprintf(p, sizeof(p), "%s/blobs/sha256/" H1, dir);
	CHECK(close(open(p, O_CREAT | O_WRONLY, 0600)) == 0);
	snprintf(p, sizeof(p), "%s/layers/" H2, dir);
	CHECK_INT(mkdir(p, 0755), 0);
	store_close(&s);
	CHECK_INT(store_open(&s, dir, STORE_EXCLUSIVE, &e), 0);
	snprintf(p, sizeof(p), "%s/tmp/import.1.0", dir);
	CHECK(access(p, F_OK) < 0); /* leftovers of an interrupted import are gone */
	CHECK_INT(store_gc(&s, &nb, &nl, &e), 0);
	CHECK_INT(nb, 1);
	CHECK_INT(nl, 1);
	CHECK_INT(store_check(&s, report, NULL, &e), 0);
	store_close(&s);
	cleanup(dir);
}

/* Two handles on one store, as berthd and berth-image: a change made
 * through one is seen by the other at its next lock, through the gen file,
 * and the index follows rm. */
static void test_index_follows_other_process(void)
{
	struct store a, b;
	struct image_rec *im = calloc(1, sizeof(*im));
	struct store_names *n = calloc(1, sizeof(*n));
	struct berr e;
	char dir[64], hex[DIGEST_HEX_LEN + 1];

	open_store(&a, dir);
	store_unlock(&a);
	CHECK_INT(store_open(&b, dir, STORE_UNLOCKED, &e), 0);
	CHECK_INT(b.ix->nimages, 0);
	CHECK_INT(store_lock(&a, STORE_EXCLUSIVE, &e), 0);
	strcpy(im->config, "sha256:" H1);
	CHECK_INT(store_image_write(&a, im, &e), 0);
	CHECK_INT(store_names_set(n, "x:1", "sha256:" H1, &e), 0);
	CHECK_INT(store_names_write(&a, n, &e), 0);
	CHECK_INT(a.ix->nimages, 1);
	store_unlock(&a);
	CHECK_INT(b.ix->nimages, 0); /* not looked at before its lock */
	CHECK_INT(store_lock(&b, STORE_SHARED, &e), 0);
	CHECK_INT(b.ix->nimages, 1);
	CHECK_INT(store_resolve(&b, "x:1", hex, NULL, &e), 0);
	CHECK_STR(hex, H1);
	store_unlock(&b);
	CHECK_INT(store_lock(&a, STORE_EXCLUSIVE, &e), 0);
	CHECK_INT(store_rm(&a, "x:1", &e), 0);
	CHECK_INT(a.ix->nimages, 0);
	store_unlock(&a);
	CHECK_INT(store_lock(&b, STORE_SHARED, &e), 0);
	CHECK_INT(b.ix->nimages, 0);
	CHECK(store_resolve(&b, "x:1", hex, NULL, &e) < 0);
	CHECK_INT(e.errnum, ENOENT);
	/* changes need the exclusive lock */
	CHECK(store_image_write(&b, im, &e) < 0);
	store_close(&b);
	store_close(&a);
	cleanup(dir);
}

UNIT_MAIN(UNIT(test_record_roundtrip), UNIT(test_names_and_resolve), UNIT(test_open_cleans_tmp_and_gc),
	  UNIT(test_index_follows_other_process))
