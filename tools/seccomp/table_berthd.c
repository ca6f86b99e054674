/* table_berthd.c — berthd's own filter: a deny-list (default_allow).
 *
 * A filter is inherited across fork and exec, and berthd starts
 * berth-unpack, berth-shim (which runs the launcher and the containers) and
 * berth-proxy, whose own, tighter filters are stacked on this one. So the
 * list names only what none of them ever needs, and what gives a root
 * process the host: loading code into the kernel, replacing the kernel,
 * the kernel keyring, the host's clock, swap, accounting and logs, raw
 * port I/O, file handles that walk around a chroot (berthd keeps
 * CAP_DAC_READ_SEARCH), io_uring (a second system call interface no filter
 * sees), perf events and userfaultfd (exploit primitives). Every one of
 * them is also refused by the container default profile, so no container
 * loses anything it had. Not here, on purpose: bpf (the launcher attaches
 * the device cgroup program), ptrace and process_vm_* (Docker's default
 * profile allows them in containers; this filter would take them away),
 * mount, unshare, setns, pivot_root (the launcher). */
#include "tools/seccomp/table.h"

#define R(n) { .name = #n, .nr = __NR_##n, .kind = SC_REFUSE }

static const struct sc_rule rules[] = {
	R(kexec_load), R(kexec_file_load), R(init_module), R(finit_module), R(delete_module),
	R(reboot), R(keyctl), R(add_key), R(request_key), R(settimeofday), R(clock_settime),
	R(swapon), R(swapoff), R(acct), R(syslog), R(iopl), R(ioperm),
	R(open_by_handle_at), R(io_uring_setup), R(io_uring_enter), R(io_uring_register),
	R(perf_event_open), R(userfaultfd), R(quotactl), R(lookup_dcookie), R(uselib),
	R(nfsservctl), R(_sysctl), R(vhangup), R(create_module), R(get_kernel_syms),
	R(query_module),
};
const struct sc_prog sc_prog_berthd = { .name = "berthd", .rules = rules,
					.n = sizeof rules / sizeof rules[0], .default_allow = 1 };
