/* alloc.c — the persistent address allocator (alloc.h). */
#include "runtime/net/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/util.h"
#include "runtime/net/net.h"

#define LEASE_LINE_MAX (64 + 1 + 15 + 1)
#define LEASES_BYTES (CONFIG_NET_LEASES_MAX * LEASE_LINE_MAX + 1)

struct lease {
	char id[65];
	uint32_t addr; /* host order */
};

/* The open table: dir, its lock, the leases read from it. */
struct table {
	int dirfd, lockfd;
	struct lease *l;
	int n;
	char *buf;
};

int net_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64 || id[0] == '.')
		return 0;
	for (; *id; id++)
		if (!((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'z') ||
		      (*id >= 'A' && *id <= 'Z') || *id == '_' || *id == '.' || *id == '-'))
			return 0;
	return 1;
}

static int parse(struct table *t, struct berr *e)
{
	char *line = t->buf, *nl;
	int lineno = 0;

	for (; *line; line = nl + 1) {
		char *sp;
		uint32_t a;

		lineno++;
		nl = strchr(line, '\n');
		if (!nl)
			return berr_set(e, EINVAL, "leases:%d: no newline at the end", lineno);
		*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		sp = strchr(line, ' ');
		if (!sp)
			return berr_set(e, EINVAL, "leases:%d: want 'ID ADDRESS'", lineno);
		*sp = '\0';
		if (!net_id_ok(line) || net_parse_ip4(sp + 1, &a, e) < 0)
			return berr_set(e, EINVAL, "leases:%d: want 'ID ADDRESS'", lineno);
		if (t->n == CONFIG_NET_LEASES_MAX)
			return berr_set(e, EINVAL, "leases:%d: more than %d leases", lineno,
					CONFIG_NET_LEASES_MAX);
		strcpy(t->l[t->n].id, line);
		t->l[t->n].addr = ntohl(a);
		t->n++;
	}
	return 0;
}

static void table_close(struct table *t)
{
	fd_close(&t->lockfd); /* unlocks */
	fd_close(&t->dirfd);
	free(t->l);
	free(t->buf);
}

static int table_open(struct table *t, const char *dir, struct berr *e)
{
	ssize_t n;

	memset(t, 0, sizeof *t);
	t->dirfd = t->lockfd = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "%s", dir);
	t->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return berr_sys(e, "%s", dir);
	t->lockfd = openat(t->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (t->lockfd < 0 || flock(t->lockfd, LOCK_EX) < 0) {
		berr_sys(e, "%s/lock", dir);
		goto fail;
	}
	t->l = calloc(CONFIG_NET_LEASES_MAX, sizeof *t->l);
	t->buf = malloc(LEASES_BYTES);
	if (!t->l || !t->buf) {
		berr_set(e, ENOMEM, "%s: the lease table", dir);
		goto fail;
	}
	n = fs_read_at(t->dirfd, "leases", t->buf, LEASES_BYTES, e);
	if (n < 0 && e->errnum != ENOENT) {
		berr_prefix(e, "%s", dir);
		goto fail;
	}
	if (n < 0)
		t->buf[0] = '\0';
	if (parse(t, e) < 0) {
		berr_prefix(e, "%s", dir);
		goto fail;
	}
	return 0;
fail:
	table_close(t);
	return -1;
}

static int table_write(struct table *t, struct berr *e)
{
	size_t len = 0;

	len += (size_t)snprintf(t->buf, LEASES_BYTES, "# berth bridge addresses: container, address\n");
	for (int i = 0; i < t->n; i++) {
		uint32_t a = t->l[i].addr;

		len += (size_t)snprintf(t->buf + len, LEASES_BYTES - len, "%s %u.%u.%u.%u\n", t->l[i].id,
					a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	}
	return fs_write_atomic_at(t->dirfd, "leases", t->buf, len, 0600, e);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The lowest address of [first, last] no lease in t holds; 0 when none. */
static uint32_t lowest_free(const struct table *t, uint32_t first, uint32_t last)
{
	uint32_t *used = (uint32_t *)t->buf; /* the text is parsed: reuse its space */
	uint32_t want = first;
	int n = 0;

	for (int i = 0; i < t->n; i++)
		if (t->l[i].addr >= first && t->l[i].addr <= last)
			used[n++] = t->l[i].addr;
	qsort(used, (size_t)n, sizeof *used, cmp_u32);
	for (int i = 0; i < n && want <= last; i++)
		if (used[i] == want)
			want++;
	return want <= last ? want : 0;
}

static int find(const struct table *t, const char *id)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->l[i].id, id))
			return i;
	return -1;
}

int net_alloc_get(const char *dir, uint32_t subnet, int prefix, const char *id, uint32_t *addr,
		  struct berr *e)
{
	uint32_t net = ntohl(subnet), size = prefix ? 1u << (32 - prefix) : 0;
	uint32_t first = net + 2, last = net + size - 2, a;
	struct table t;
	int i, rc = -1;

	if (!net_id_ok(id))
		return berr_set(e, EINVAL, "address lease: bad container id '%.80s'", id);
	if (prefix < 8 || prefix > 30)
		return berr_set(e, EINVAL, "address lease: subnet prefix /%d out of 8-30", prefix);
	if (table_open(&t, dir, e) < 0)
		return -1;
	i = find(&t, id);
	if (i >= 0 && t.l[i].addr >= first && t.l[i].addr <= last) {
		*addr = htonl(t.l[i].addr);
		rc = 0;
		goto out;
	}
	if (i >= 0) /* from another subnet: bridge_subnet changed since */
		t.l[i] = t.l[--t.n];
	a = lowest_free(&t, first, last);
	if (a == 0 || t.n == CONFIG_NET_LEASES_MAX) {
		berr_set(e, ENOSPC, "address lease: no free address in the bridge subnet "
			 "(%d leases, CONFIG_NET_LEASES_MAX %d)", t.n, CONFIG_NET_LEASES_MAX);
		goto out;
	}
	strcpy(t.l[t.n].id, id);
	t.l[t.n].addr = a;
	t.n++;
	if (table_write(&t, e) < 0) {
		berr_prefix(e, "address lease: %s", dir);
		goto out;
	}
	*addr = htonl(a);
	rc = 0;
out:
	table_close(&t);
	return rc;
}

int net_alloc_release(const char *dir, const char *id, struct berr *e)
{
	struct table t;
	int i, rc = 0;

	if (!net_id_ok(id))
		return berr_set(e, EINVAL, "address lease: bad container id '%.80s'", id);
	if (table_open(&t, dir, e) < 0)
		return -1;
	i = find(&t, id);
	if (i >= 0) {
		memmove(&t.l[i], &t.l[i + 1], (size_t)(t.n - i - 1) * sizeof *t.l);
		t.n--;
		rc = table_write(&t, e);
		if (rc < 0)
			berr_prefix(e, "address lease: %s", dir);
	}
	table_close(&t);
	return rc;
}
