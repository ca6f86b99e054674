/* devices.c — the container's device allow-list: a cgroup BPF program
 * (BPF_PROG_TYPE_CGROUP_DEVICE) attached to its group before any process
 * enters. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/launch/launch-internal.h"

/* eBPF for BPF_PROG_TYPE_CGROUP_DEVICE (ctx: access_type, major, minor).
 * Allows the default character devices only: 1:3 null, 1:5 zero, 1:7 full,
 * 1:8 random, 1:9 urandom, 5:0 tty, 5:2 ptmx, 136:* pts. Never 5:1, the
 * host's console: with CAP_MKNOD a container could read what is typed there.
 * Jump offsets count from the next instruction. */
#define I(c, d, s, o, i) { (c), (d), (s), (o), (i) }
#define LDXW(d, s, o) I(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ANDK(d, k) I(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, k)
#define JEQ(d, k, o) I(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, k)
#define JNE(d, k, o) I(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, k)
#define JA(o) I(BPF_JMP | BPF_JA, 0, 0, o, 0)
#define MOVK(d, k) I(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, k)
#define EXIT() I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
const struct bpf_insn launch_device_prog[] = {
	/* 0 */ LDXW(2, 1, 0),
	/* 1 */ ANDK(2, 0xffff),
	/* 2 */ LDXW(3, 1, 4),
	/* 3 */ LDXW(4, 1, 8),
	/* 4 */ JNE(2, BPF_DEVCG_DEV_CHAR, 11),  /* → 16 deny */
	/* 5 */ JEQ(3, 136, 12),                 /* → 18 allow */
	/* 6 */ JNE(3, 1, 6),                    /* → 13 */
	/* 7 */ JEQ(4, 3, 10),
	/* 8 */ JEQ(4, 5, 9),
	/* 9 */ JEQ(4, 7, 8),
	/* 10 */ JEQ(4, 8, 7),
	/* 11 */ JEQ(4, 9, 6),
	/* 12 */ JA(3),                          /* → 16 deny */
	/* 13 */ JNE(3, 5, 2),                   /* → 16 deny */
	/* 14 */ JEQ(4, 0, 3),                   /* 5:0 tty → 18 */
	/* 15 */ JEQ(4, 2, 2),                   /* 5:2 ptmx → 18 */
	/* 16 */ MOVK(0, 0),
	/* 17 */ EXIT(),
	/* 18 */ MOVK(0, 1),
	/* 19 */ EXIT(),
};
const size_t launch_device_prog_len = ARRAY_SIZE(launch_device_prog);

int launch_cg_devices(int cgfd, struct berr *e)
{
	union bpf_attr a;
	char log[4096] = "";
	int prog;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)launch_device_prog;
	a.insn_cnt = (uint32_t)launch_device_prog_len;
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

