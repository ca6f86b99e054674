/* table_default.c — the container default profile: the semantics of Docker's
 * profiles/seccomp/default.json for x86_64 (allow list, default EPERM), with
 * the stricter choices of SECURITY.md: no capability-dependent rules, the
 * namespace/mount API, io_uring, kcmp and pidfd_getfd refused, socket
 * refuses AF_ALG as well as AF_VSOCK, clone3 answers ENOSYS. */
#include "tools/seccomp/table.h"

/* Numbers newer than the 6.1 UAPI headers (x86_64 syscall_64.tbl). */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif

#define A(n) { .name = #n, .nr = __NR_##n, .kind = SC_ALLOW }
#define R(n) { .name = #n, .nr = __NR_##n, .kind = SC_REFUSE }
#define R_NOPROBE(n) { .name = #n, .nr = __NR_##n, .kind = SC_REFUSE, .noprobe = 1 }

static const struct sc_rule rules[] = {
	/* special cases: clone without namespace flags; clone3 ENOSYS (libcs
	 * fall back to clone, whose flags a filter can see); socket without
	 * AF_ALG (38) or AF_VSOCK (40); personality limited to PER_LINUX,
	 * PER_LINUX32, UNAME26, UNAME26|PER_LINUX32 and the query 0xffffffff */
	{ .name = "clone", .nr = __NR_clone, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 1, .mask = SC_CLONE_NS_MASK, .vals = { 0 } } } },
	{ .name = "clone3", .nr = __NR_clone3, .kind = SC_ENOSYS },
	{ .name = "socket", .nr = __NR_socket, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_NOT_IN, .n = 2, .mask = ~0u, .vals = { 38, 40 } } } },
	{ .name = "personality", .nr = __NR_personality, .kind = SC_ARGS, .nchecks = 1,
	  .checks = { { .arg = 0, .op = SC_IN, .n = 5, .mask = ~0u,
			.vals = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffffu } } } },

	/* refused: namespaces and mounts */
	R(mount), R(umount2), R(open_tree), R(move_mount), R(fsopen), R(fsconfig),
	R(fsmount), R(fspick), R(mount_setattr), R(pivot_root), R(unshare), R(setns),
	/* refused: kernel surface */
	R(bpf), R(perf_event_open), R(kexec_load), R(kexec_file_load),
	R(init_module), R(finit_module), R(delete_module),
	R(keyctl), R(add_key), R(request_key), R(userfaultfd),
	R(io_uring_setup), R(io_uring_enter), R(io_uring_register),
	R(open_by_handle_at), R(kcmp), R(pidfd_getfd), R(iopl), R(ioperm),
	R(settimeofday), R(clock_settime), R(swapon), R(swapoff), R(acct),
	R(quotactl), R(quotactl_fd), R(reboot), R(syslog), R(lookup_dcookie),
	R(fanotify_init), R(sethostname), R(setdomainname), R(process_madvise),
	R(mbind), R(set_mempolicy), R(get_mempolicy), R(move_pages), R(migrate_pages),
	R(set_mempolicy_home_node), R_NOPROBE(vhangup),
	/* refused: obsolete */
	R(uselib), R(ustat), R(sysfs), R(_sysctl), R(create_module),
	R(get_kernel_syms), R(query_module), R(nfsservctl), R(getpmsg), R(putpmsg),
	R(afs_syscall), R(tuxcall), R(security), R(vserver),

	/* allowed (Docker's unconditional list for amd64, plus the rules it
	 * grants to the default capabilities and kernels >= 4.8) */
	A(accept), A(accept4), A(access), A(adjtimex), A(alarm), A(bind), A(brk),
	A(cachestat), A(capget), A(capset), A(chdir), A(chmod), A(chown),
	A(chroot), A(clock_adjtime), A(clock_getres), A(clock_gettime),
	A(clock_nanosleep), A(close), A(close_range), A(connect),
	A(copy_file_range), A(creat), A(dup), A(dup2), A(dup3), A(epoll_create),
	A(epoll_create1), A(epoll_ctl), A(epoll_ctl_old), A(epoll_pwait),
	A(epoll_pwait2), A(epoll_wait), A(epoll_wait_old), A(eventfd), A(eventfd2),
	A(execve), A(execveat), A(exit), A(exit_group), A(faccessat),
	A(faccessat2), A(fadvise64), A(fallocate), A(fanotify_mark), A(fchdir),
	A(fchmod), A(fchmodat), A(fchmodat2), A(fchown), A(fchownat), A(fcntl),
	A(fdatasync), A(fgetxattr), A(flistxattr), A(flock), A(fork),
	A(fremovexattr), A(fsetxattr), A(fstat), A(fstatfs), A(fsync),
	A(ftruncate), A(futex), A(futex_requeue), A(futex_wait), A(futex_waitv),
	A(futex_wake), A(futimesat), A(getcpu), A(getcwd), A(getdents),
	A(getdents64), A(getegid), A(geteuid), A(getgid), A(getgroups),
	A(getitimer), A(getpeername), A(getpgid), A(getpgrp), A(getpid),
	A(getppid), A(getpriority), A(getrandom), A(getresgid), A(getresuid),
	A(getrlimit), A(get_robust_list), A(getrusage), A(getsid),
	A(getsockname), A(getsockopt), A(get_thread_area), A(gettid),
	A(gettimeofday), A(getuid), A(getxattr), A(inotify_add_watch),
	A(inotify_init), A(inotify_init1), A(inotify_rm_watch), A(io_cancel),
	A(ioctl), A(io_destroy), A(io_getevents), A(io_pgetevents), A(ioprio_get),
	A(ioprio_set), A(io_setup), A(io_submit), A(kill), A(landlock_add_rule),
	A(landlock_create_ruleset), A(landlock_restrict_self), A(lchown),
	A(lgetxattr), A(link), A(linkat), A(listen), A(listmount), A(listxattr),
	A(llistxattr), A(lremovexattr), A(lseek), A(lsetxattr), A(lstat),
	A(madvise), A(map_shadow_stack), A(membarrier), A(memfd_create),
	A(memfd_secret), A(mincore), A(mkdir), A(mkdirat), A(mknod), A(mknodat),
	A(mlock), A(mlock2), A(mlockall), A(mmap), A(mprotect), A(mq_getsetattr),
	A(mq_notify), A(mq_open), A(mq_timedreceive), A(mq_timedsend),
	A(mq_unlink), A(mremap), A(mseal), A(msgctl), A(msgget), A(msgrcv),
	A(msgsnd), A(msync), A(munlock), A(munlockall), A(munmap),
	A(name_to_handle_at), A(nanosleep), A(newfstatat), A(open), A(openat),
	A(openat2), A(pause), A(pidfd_open), A(pidfd_send_signal), A(pipe),
	A(pipe2), A(pkey_alloc), A(pkey_free), A(pkey_mprotect), A(poll),
	A(ppoll), A(prctl), A(pread64), A(preadv), A(preadv2), A(prlimit64),
	A(process_mrelease), A(process_vm_readv), A(process_vm_writev),
	A(pselect6), A(ptrace), A(pwrite64), A(pwritev), A(pwritev2), A(read),
	A(readahead), A(readlink), A(readlinkat), A(readv), A(recvfrom),
	A(recvmmsg), A(recvmsg), A(remap_file_pages), A(removexattr), A(rename),
	A(renameat), A(renameat2), A(restart_syscall), A(rmdir), A(rseq),
	A(rt_sigaction), A(rt_sigpending), A(rt_sigprocmask), A(rt_sigqueueinfo),
	A(rt_sigreturn), A(rt_sigsuspend), A(rt_sigtimedwait),
	A(rt_tgsigqueueinfo), A(sched_getaffinity), A(sched_getattr),
	A(sched_getparam), A(sched_get_priority_max), A(sched_get_priority_min),
	A(sched_getscheduler), A(sched_rr_get_interval), A(sched_setaffinity),
	A(sched_setattr), A(sched_setparam), A(sched_setscheduler),
	A(sched_yield), A(seccomp), A(select), A(semctl), A(semget), A(semop),
	A(semtimedop), A(sendfile), A(sendmmsg), A(sendmsg), A(sendto),
	A(setfsgid), A(setfsuid), A(setgid), A(setgroups), A(setitimer),
	A(setpgid), A(setpriority), A(setregid), A(setresgid), A(setresuid),
	A(setreuid), A(setrlimit), A(set_robust_list), A(setsid), A(setsockopt),
	A(set_thread_area), A(set_tid_address), A(setuid), A(setxattr), A(shmat),
	A(shmctl), A(shmdt), A(shmget), A(shutdown), A(sigaltstack), A(signalfd),
	A(signalfd4), A(socketpair), A(splice), A(stat), A(statfs), A(statmount),
	A(statx), A(symlink), A(symlinkat), A(sync), A(sync_file_range),
	A(syncfs), A(sysinfo), A(tee), A(tgkill), A(time), A(timer_create),
	A(timer_delete), A(timer_getoverrun), A(timer_gettime), A(timer_settime),
	A(timerfd_create), A(timerfd_gettime), A(timerfd_settime), A(times),
	A(tkill), A(truncate), A(umask), A(uname), A(unlink), A(unlinkat),
	A(utime), A(utimensat), A(utimes), A(vfork), A(vmsplice), A(wait4),
	A(waitid), A(write), A(writev),
	/* amd64 only */
	A(arch_prctl), A(modify_ldt),
};
const struct sc_prog sc_prog_default = { .name = "default", .rules = rules, .n = sizeof rules / sizeof rules[0] };
