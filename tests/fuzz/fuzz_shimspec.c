/* fuzz_shimspec.c — libFuzzer target: spec.json and state.json readers
 * (runtime/shim) must not crash on anything, and whatever they accept must
 * survive being written and read back unchanged. Any difference aborts. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/shim/client.h"
#include "runtime/shim/spec.h"

static struct shimspec a, b;

static char dir[] = "/tmp/fuzz_shimspec.XXXXXX";

static void cleanup(void)
{
	char p[64];

	snprintf(p, sizeof p, "%s/s.json", dir);
	unlink(p);
	rmdir(dir);
}

static int same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static void spec_round_trip(void)
{
	static int dirfd = -1;
	struct berr e;

	if (dirfd < 0) {
		if (!mkdtemp(dir) || (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
			abort();
		atexit(cleanup);
	}
	if (shimspec_write(dirfd, "s.json", &a.spec, &a.opts, &e) < 0)
		return; /* (a value the writer refuses: not UTF-8 after unescaping) */
	if (shimspec_read(dirfd, "s.json", &b, &e) < 0)
		abort();
	if (a.spec.argc != b.spec.argc || a.spec.n_env != b.spec.n_env || a.spec.caps != b.spec.caps ||
	    a.spec.n_mounts != b.spec.n_mounts || a.spec.tty != b.spec.tty || a.spec.net != b.spec.net ||
	    a.opts.log_max != b.opts.log_max || !same(a.spec.rootfs, b.spec.rootfs) ||
	    !same(a.spec.user, b.spec.user) || !same(a.spec.cgroup_name, b.spec.cgroup_name))
		abort();
	for (int i = 0; i < a.spec.argc; i++)
		if (strcmp(a.spec.argv[i], b.spec.argv[i]))
			abort();
	for (int i = 0; i < a.spec.n_env; i++)
		if (strcmp(a.spec.env[i], b.spec.env[i]))
			abort();
	for (int i = 0; i < a.spec.n_mounts; i++)
		if (!same(a.spec.mounts[i].src, b.spec.mounts[i].src) || !same(a.spec.mounts[i].dst, b.spec.mounts[i].dst))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shim_state s1, s2;
	struct berr e;
	char buf[2048];
	int n;

	if (shimspec_parse((const char *)data, size, &a, &e) == 0)
		spec_round_trip();
	if (shim_state_parse((const char *)data, size, &s1, &e) == 0) {
		if ((n = shim_state_format(&s1, buf, sizeof buf, &e)) < 0)
			return 0; /* (an error text that is not UTF-8 after unescaping) */
		if (shim_state_parse(buf, (size_t)n, &s2, &e) < 0 || memcmp(&s1, &s2, sizeof s1) != 0)
			abort();
	}
	return 0;
}
