/* seccomp_default.h — the default profile's filter, generated at build time
 * (build/gen/seccomp_default.c, by seccomp_gen from seccomp_table.c). */
#ifndef BERTH_LAUNCH_SECCOMP_DEFAULT_H
#define BERTH_LAUNCH_SECCOMP_DEFAULT_H

#include <linux/filter.h>

extern const struct sock_filter seccomp_default_filter[];
extern const unsigned short seccomp_default_len;

#endif
