/* test_launch_devices.c — the launcher's cgroup device program: every
 * (type, major, minor) up to 300:300 run through a small interpreter of the
 * instructions it uses must give exactly the default allow-list (never
 * 5:1, the console); and, where this host has a writable cgroup2, the
 * kernel itself refuses to open a 5:1 node made in a group holding it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "lib/cgroup.h"
#include "runtime/launch/launch-internal.h"
#include "tests/unit/unit.h"

/* Runs the program on ctx {access_type, major, minor}; -1 on an
 * instruction the interpreter does not know. */
static long run(unsigned type, unsigned major, unsigned minor)
{
	unsigned ctx[3] = { (BPF_DEVCG_ACC_READ << 16) | type, major, minor };
	unsigned long long r[11] = { 0 };
	size_t pc = 0;

	r[1] = (unsigned long long)(unsigned long)ctx;
	for (int steps = 0; pc < launch_device_prog_len && steps < 1000; steps++) {
		const struct bpf_insn *i = &launch_device_prog[pc++];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = *(const unsigned *)((const char *)(unsigned long)r[i->src_reg] + i->off);
			break;
		case BPF_ALU64 | BPF_AND | BPF_K: r[i->dst_reg] &= (unsigned long long)i->imm; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = (unsigned long long)i->imm; break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (unsigned long long)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (unsigned long long)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JA: pc += (size_t)i->off; break;
		case BPF_JMP | BPF_EXIT: return (long)r[0];
		default: return -1;
		}
	}
	return -1;
}

static int expected(unsigned type, unsigned major, unsigned minor)
{
	if (type != BPF_DEVCG_DEV_CHAR)
		return 0;
	if (major == 136)
		return 1;
	if (major == 1)
		return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;
	if (major == 5)
		return minor == 0 || minor == 2;
	return 0;
}

static void allow_list_is_exact(void)
{
	for (unsigned type = BPF_DEVCG_DEV_BLOCK; type <= BPF_DEVCG_DEV_CHAR; type++)
		for (unsigned major = 0; major <= 300; major++)
			for (unsigned minor = 0; minor <= 300; minor++)
				if (run(type, major, minor) != expected(type, major, minor))
					UNIT_FAIL_("%s %u:%u: program says %ld", type == BPF_DEVCG_DEV_CHAR ? "c" : "b",
						   major, minor, run(type, major, minor));
}

static void console_is_refused(void)
{
	CHECK_INT(run(BPF_DEVCG_DEV_CHAR, 5, 1), 0);
}

/* In a group holding the program, a 5:1 node cannot be opened; 1:3 can. */
static void kernel_refuses_the_console(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	static const struct cgroup_limits none;
	char path[128] = "", dir[] = "/tmp/berth-dev-XXXXXX", node[64];
	struct statfs sf;
	struct berr e;
	int fd, st;
	pid_t pid;

	if (geteuid() != 0)
		UNIT_SKIP("needs root");
	for (size_t i = 0; i < 2 && !path[0]; i++)
		if (statfs(mounts[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
			snprintf(path, sizeof path, "%s/berth-dev-%d", mounts[i], (int)getpid());
	if (!path[0])
		UNIT_SKIP("no cgroup2 mount");
	fd = cgroup_create(path, &none, 0, &e);
	if (fd < 0)
		UNIT_SKIP("cgroup2 not writable here");
	CHECK_INT(launch_cg_devices(fd, &e), 0);
	CHECK(mkdtemp(dir) != NULL);
	pid = fork();
	if (pid == 0) {
		int c, n;
		if (cgroup_enter(fd, 0, &e) < 0)
			_exit(10);
		snprintf(node, sizeof node, "%s/console", dir);
		if (mknod(node, S_IFCHR | 0600, makedev(5, 1)) == 0) {
			c = open(node, O_RDONLY | O_NOCTTY | O_NONBLOCK);
			if (c >= 0)
				_exit(11); /* the console opened */
			if (errno != EPERM)
				_exit(12);
		} else if (errno != EPERM)
			_exit(13);
		snprintf(node, sizeof node, "%s/null", dir);
		if (mknod(node, S_IFCHR | 0600, makedev(1, 3)) < 0)
			_exit(14);
		n = open(node, O_RDONLY);
		_exit(n >= 0 ? 0 : 15);
	}
	CHECK_INT(waitpid(pid, &st, 0), pid);
	{
		char cmd[160];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		CHECK_INT(system(cmd), 0);
	}
	CHECK_INT(cgroup_kill(fd, 1000, &e), 0);
	close(fd);
	CHECK_INT(cgroup_remove(path, 1000, &e), 0);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
}

UNIT_MAIN(UNIT(allow_list_is_exact), UNIT(console_is_refused), UNIT(kernel_refuses_the_console))
