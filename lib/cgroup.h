/* cgroup.h — cgroup v2 groups: made with their limits before any process
 * enters, entered, killed and waited empty, removed, and read back.
 *
 * Every function works on a directory of the cgroup2 filesystem given by
 * path or by an O_DIRECTORY fd; nothing here knows where cgroup2 is
 * mounted or which groups a program uses. The readers parse a bounded
 * buffer (CGROUP_FILE_MAX) and refuse what they do not understand, so they
 * can be tested on fixture files in an ordinary directory.
 */
#ifndef BERTH_LIB_CGROUP_H
#define BERTH_LIB_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

#define CGROUP_FILE_MAX 4096   /* largest interface file read */
#define CGROUP_IO_DEVS_MAX 16  /* devices kept from io.stat */

/* Limits written at creation; a zero field is left at the kernel default. */
struct cgroup_limits {
	long long memory_max;   /* bytes */
	int no_swap;            /* memory.swap.max 0 (absent on a kernel without swap: fine) */
	int oom_group;          /* memory.oom.group 1: an OOM kill ends the whole group */
	long long cpu_quota_us; /* cpu.max "QUOTA PERIOD" */
	long long cpu_period_us;
	unsigned cpu_weight;    /* cpu.weight 1..10000 */
	long long pids_max;
	const char *io_max;     /* io.max lines, "MAJ:MIN rbps=N wbps=N ..." */
};

/* Write "+c1 +c2" to dir/cgroup.subtree_control (controllers is a space
 * separated list without '+'). */
int cgroup_enable(const char *dir, const char *controllers, struct berr *e);

/* mkdir path (an existing group is an error unless exist_ok), write l's
 * limits, and return an O_DIRECTORY fd of the group for
 * clone3(CLONE_INTO_CGROUP) or cgroup_enter(). On failure a group made
 * here is removed again. */
int cgroup_create(const char *path, const struct cgroup_limits *l, int exist_ok, struct berr *e);

/* Move pid (0: the caller) into the group. */
int cgroup_enter(int cgfd, pid_t pid, struct berr *e);

/* SIGKILL every process of the group (cgroup.kill, or a loop over
 * cgroup.procs on kernels before 5.14) and, when timeout_ms > 0, wait
 * until cgroup.events says "populated 0". ETIMEDOUT when it does not
 * empty in time. */
int cgroup_kill(int cgfd, int timeout_ms, struct berr *e);

/* rmdir path, retrying while its last processes leave (EBUSY) for up to
 * timeout_ms. A missing group is not an error. */
int cgroup_remove(const char *path, int timeout_ms, struct berr *e);

struct cgroup_memory {
	long long current, peak;  /* bytes; peak -1 where the kernel has no memory.peak */
	long long low, high, max, oom, oom_kill; /* memory.events counters */
};
struct cgroup_cpu {
	long long usage_usec, user_usec, system_usec;
	long long nr_periods, nr_throttled, throttled_usec;
};
struct cgroup_io_dev {
	unsigned major, minor;
	long long rbytes, wbytes, rios, wios;
};
struct cgroup_io {
	struct cgroup_io_dev dev[CGROUP_IO_DEVS_MAX];
	int n;                    /* devices beyond CGROUP_IO_DEVS_MAX: EOVERFLOW */
};

int cgroup_read_memory(int cgfd, struct cgroup_memory *m, struct berr *e);
int cgroup_read_cpu(int cgfd, struct cgroup_cpu *c, struct berr *e);
int cgroup_read_io(int cgfd, struct cgroup_io *io, struct berr *e);
int cgroup_read_pids(int cgfd, long long *current, struct berr *e);
/* One number in an interface file (memory.max, pids.max, memory.current…):
 * "max" reads as -1. */
int cgroup_read_value(int cgfd, const char *file, long long *v, struct berr *e);

/* The parsers under the readers, on a NUL-terminated buffer. */
int cgroup_parse_memory_events(const char *buf, struct cgroup_memory *m, struct berr *e);
int cgroup_parse_cpu_stat(const char *buf, struct cgroup_cpu *c, struct berr *e);
int cgroup_parse_io_stat(const char *buf, struct cgroup_io *io, struct berr *e);

#endif
