/* test_sandbox_oldcaps.c — test_sandbox again, as an older build runs on a
 * newer kernel: lib/caps is compiled into this file believing that the last
 * capability is 35, so the kernel has capabilities (36 up to its
 * cap_last_cap) this build has no name for. The drop must still take them
 * out of the bounding set (test_bounding_against_kernel, bit 2). */
#include <linux/capability.h>
#undef CAP_LAST_CAP
#define CAP_LAST_CAP 35

#include "lib/caps.c"
#include "tests/unit/test_sandbox.c"
