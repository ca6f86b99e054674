/* test_caps.c — lib/caps: names, formatting, and the sets a process ends
 * up with after the launcher's order (bounding, capset, ambient). */
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>

#include "lib/caps.h"
#include "tests/unit/unit.h"

static void test_names(void)
{
	struct berr e = { 0, "" };

	CHECK_INT(caps_from_name("CHOWN", &e), 0);
	CHECK_INT(caps_from_name("CAP_NET_ADMIN", &e), 12);
	CHECK_INT(caps_from_name("sys_admin", &e), 21);
	CHECK_INT(caps_from_name("ALL", &e), -2);
	CHECK_INT(caps_from_name("NOPE", &e), -1);
	CHECK(strstr(e.msg, "NOPE") != NULL);
	CHECK_INT(caps_from_name("", &e), -1);
	CHECK_INT(caps_from_name("CAP_", &e), -1);
	CHECK_INT(caps_from_name("net admin", &e), -1);
}

static void test_format_default(void)
{
	struct berr e = { 0, "" };
	char buf[512], tiny[8];

	CHECK_INT(caps_format(CAPS_DOCKER_DEFAULT, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,SETGID,SETUID,SETPCAP,"
		       "NET_BIND_SERVICE,NET_RAW,SYS_CHROOT,MKNOD,AUDIT_WRITE,SETFCAP");
	CHECK(caps_format(CAPS_DOCKER_DEFAULT, tiny, sizeof tiny, &e) < 0);
	CHECK_INT(caps_format(0, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "");
}

static unsigned long long status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static void test_sets_after_drop(void)
{
	struct berr e = { 0, "" };
	uint64_t perm = 0;
	pid_t pid;
	int st = 0;

	CHECK_INT(caps_permitted(&perm, &e), 0);
	if ((perm & CAPS_DOCKER_DEFAULT) != CAPS_DOCKER_DEFAULT || !(perm & (1ULL << 8)))
		UNIT_SKIP("needs root with CAP_SETPCAP and Docker's 14 capabilities");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		if (caps_bound(CAPS_DOCKER_DEFAULT, &e) < 0 || caps_set(CAPS_DOCKER_DEFAULT, 0, &e) < 0 ||
		    caps_ambient_clear(&e) < 0)
			_exit(10);
		bad |= status_hex("CapBnd:") != CAPS_DOCKER_DEFAULT;
		bad |= (status_hex("CapPrm:") != CAPS_DOCKER_DEFAULT) << 1;
		bad |= (status_hex("CapEff:") != CAPS_DOCKER_DEFAULT) << 2;
		bad |= (status_hex("CapInh:") != 0) << 3;
		bad |= (status_hex("CapAmb:") != 0) << 4;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		UNIT_FAIL_("child status %#x (1 Bnd, 2 Prm, 4 Eff, 8 Inh, 16 Amb, 10 drop failed)", st);
}

UNIT_MAIN(UNIT(test_names), UNIT(test_format_default), UNIT(test_sets_after_drop))
