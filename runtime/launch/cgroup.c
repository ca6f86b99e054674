/* cgroup.c — the container's cgroup v2 group (see cgroup.h). */
#include "runtime/launch/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD_US 100000

static int has_controllers(char *list)
{
	static const char *const want[] = { "memory", "pids", "cpu" };
	int found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t n = strlen(want[i]);
		for (char *p = list; (p = strstr(p, want[i])); p += n)
			if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
				found++;
				break;
			}
	}
	return found == (int)ARRAY_SIZE(want);
}

static int check_parent(const char *p, struct berr *e)
{
	if (!*p || p[0] == '/' || strlen(p) > 200 || strstr(p, ".."))
		return berr_set(e, EINVAL, "cgroup parent '%s': want a relative path without '..'", p);
	for (const char *q = p; *q; q++)
		if (!(*q >= 'a' && *q <= 'z') && !(*q >= 'A' && *q <= 'Z') && !(*q >= '0' && *q <= '9') &&
		    *q != '-' && *q != '_' && *q != '.' && *q != '/')
			return berr_set(e, EINVAL, "cgroup parent '%s': bad character", p);
	return 0;
}

int launch_cg_prepare(const struct launch_spec *s, struct launch_cg *cg, struct launch_result *r,
		   struct berr *e)
{
	const char *parent = s->cgroup_parent ? s->cgroup_parent : CONFIG_LAUNCH_CGROUP_PARENT;
	struct statfs sf;
	char ctl[256];
	struct berr ignore;

	memset(cg, 0, sizeof *cg);
	cg->spec = s;
	if (check_parent(parent, e) < 0)
		return -1;
	if (statfs(CGROUP_ROOT, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		snprintf(r->note, sizeof r->note, "%s is not cgroup v2 (a v1 or hybrid host)", CGROUP_ROOT);
	else if (fs_read(CGROUP_ROOT "/cgroup.controllers", ctl, sizeof ctl, &ignore) < 0 ||
		 !has_controllers(ctl))
		snprintf(r->note, sizeof r->note, "cgroup v2 at %s lacks the memory, pids or cpu controller",
			 CGROUP_ROOT);
	else {
		cg->active = 1;
		snprintf(cg->parent, sizeof cg->parent, "%s/%s", CGROUP_ROOT, parent);
		if (snprintf(cg->path, sizeof cg->path, "%s/run-%d-%ld", cg->parent, (int)getpid(),
			     (long)time(NULL)) >= (int)sizeof cg->path)
			return berr_set(e, ENAMETOOLONG, "cgroup path too long");
		return 0;
	}
	if (s->require_cgroups)
		return berr_set(e, ENOTSUP, "--require-cgroups: %s", r->note);
	r->cgroups_off = 1;
	return 0;
}

/* eBPF for BPF_PROG_TYPE_CGROUP_DEVICE (ctx: access_type, major, minor).
 * Allows the default character devices only: 1:3 null, 1:5 zero, 1:7 full,
 * 1:8 random, 1:9 urandom, 5:0 tty, 5:1 console, 5:2 ptmx, 136:* pts. */
#define I(c, d, s, o, i) { (c), (d), (s), (o), (i) }
#define LDXW(d, s, o) I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ANDK(d, k) I(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define JEQ(d, k, o) I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, k)
#define JNE(d, k, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define MOVK(d, k) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
static const struct bpf_insn device_prog[] = {
	/* 0 */ LDXW(2, 1, 0),
	/* 1 */ ANDK(2, 0xffff),
	/* 2 */ LDXW(3, 1, 4),
	/* 3 */ LDXW(4, 1, 8),
	/* 4 */ JNE(2, BPF_DEVCG_DEV_CHAR, 13),  /* → 18 deny */
	/* 5 */ JEQ(3, 136, 14),                 /* → 20 allow */
	/* 6 */ JNE(3, 1, 6),                    /* → 13 */
	/* 7 */ JEQ(4, 3, 12),
	/* 8 */ JEQ(4, 5, 11),
	/* 9 */ JEQ(4, 7, 10),
	/* 10 */ JEQ(4, 8, 9),
	/* 11 */ JEQ(4, 9, 8),
	/* 12 */ I(BPF_JMP | BPF_JA, 0, 0, 5, 0), /* → 18 deny */
	/* 13 */ JNE(3, 5, 4),                   /* → 18 deny */
	/* 14 */ JEQ(4, 0, 5),
	/* 15 */ JEQ(4, 1, 4),
	/* 16 */ JEQ(4, 2, 3),
	/* 17 */ I(BPF_JMP | BPF_JA, 0, 0, 0, 0),
	/* 18 */ MOVK(0, 0),
	/* 19 */ EXIT(),
	/* 20 */ MOVK(0, 1),
	/* 21 */ EXIT(),
};

static int attach_devices(int cgfd, struct berr *e)
{
	union bpf_attr a;
	char log[4096] = "";
	int prog;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)device_prog;
	a.insn_cnt = ARRAY_SIZE(device_prog);
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	if (prog < 0)
		return berr_sys(e, "load the device program (%.200s)", log);
	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) < 0) {
		berr_sys(e, "attach the device program");
		close(prog);
		return -1;
	}
	close(prog);
	return 0;
}

int launch_cg_create(struct launch_cg *cg, int *fd, struct berr *e)
{
	const struct launch_spec *s = cg->spec;
	struct cgroup_limits l = {
		.pids_max = s->pids_limit ? s->pids_limit : (long long)CONFIG_LAUNCH_PIDS_DEFAULT,
		.memory_max = s->memory,
		.no_swap = s->memory != 0,
		.cpu_quota_us = s->cpus_milli * CPU_PERIOD_US / 1000,
		.cpu_period_us = CPU_PERIOD_US,
	};

	*fd = -1;
	if (!cg->active)
		return 0;
	if (mkdir(cg->parent, 0755) == 0)
		cg->made_parent = 1;
	else if (errno != EEXIST)
		return berr_sys(e, "cgroup %s", cg->parent);
	if (cgroup_enable(cg->parent, "memory pids cpu", e) < 0)
		return -1;
	*fd = cgroup_create(cg->path, &l, 0, e);
	if (*fd < 0) {
		cg->path[0] = '\0';
		return -1;
	}
	/* Fail closed: no device program, no container. */
	if (attach_devices(*fd, e) < 0) {
		launch_cg_destroy(cg, fd);
		return -1;
	}
	return 0;
}

void launch_cg_destroy(struct launch_cg *cg, int *fd)
{
	struct berr ignore;

	/* The pid namespace is gone with its PID 1, but its last processes
	 * may take a moment to leave the group: make sure, then remove it. */
	if (cg->active && cg->path[0] && *fd >= 0)
		cgroup_kill(*fd, 1000, &ignore);
	fd_close(fd);
	if (!cg->active || !cg->path[0])
		return;
	cgroup_remove(cg->path, 1000, &ignore);
	cg->path[0] = '\0';
}
