/* caps.c — capability sets through libcap; lib/sandbox.c puts the steps in order. */
#include "lib/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/fs.h"

#define CAPS_NAME_MAX 32
#define CAPS_BIT(c) (UINT64_C(1) << (c))

int caps_last(void)
{
	return CAP_LAST_CAP;
}

/* PR_CAPBSET_READ answers EINVAL exactly for numbers above the kernel's
 * last capability. */
static int kernel_has(int c)
{
	return prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) >= 0 || errno != EINVAL;
}

int caps_kernel_last(struct berr *e)
{
	char buf[16], *end;
	long v = -1;

	/* /proc is believed only when the kernel agrees: a chroot may hold
	 * any file at that path. */
	if (fs_read("/proc/sys/kernel/cap_last_cap", buf, sizeof buf, e) > 0) {
		v = strtol(buf, &end, 10);
		if (end == buf || (*end && *end != '\n') || v < 0 || v > 63 || !kernel_has((int)v) ||
		    (v < 63 && kernel_has((int)v + 1)))
			v = -1;
	}
	if (v < 0) {
		if (!kernel_has(0))
			return berr_set(e, ENOSYS, "PR_CAPBSET_READ: no capabilities in this kernel");
		for (v = 0; v < 63 && kernel_has((int)v + 1); v++)
			;
	}
	berr_clear(e);
	return (int)v;
}

int caps_from_name(const char *name, struct berr *e)
{
	char low[4 + CAPS_NAME_MAX + 1] = "cap_"; /* "cap_", the name, its NUL */
	size_t n = strlen(name);
	cap_value_t v;

	if (strcasecmp(name, "ALL") == 0)
		return -2;
	if (strncasecmp(name, "CAP_", 4) == 0) {
		name += 4;
		n -= 4;
	}
	if (n == 0 || n > CAPS_NAME_MAX)
		return berr_set(e, EINVAL, "capability '%s': unknown", name);
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return berr_set(e, EINVAL, "capability '%s': unknown", name);
		low[4 + i] = (char)tolower((unsigned char)name[i]);
	}
	low[4 + n] = '\0';
	if (cap_from_name(low, &v) < 0 || v < 0 || v > CAP_LAST_CAP)
		return berr_set(e, EINVAL, "capability '%s': unknown", name);
	return (int)v;
}

int caps_format(uint64_t mask, char *buf, unsigned long size, struct berr *e)
{
	size_t len = 0;

	if (size == 0)
		return berr_set(e, EINVAL, "caps_format: no buffer");
	buf[0] = '\0';
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		char *name;
		int w;

		if (!(mask & (UINT64_C(1) << c)))
			continue;
		name = cap_to_name(c);
		if (!name)
			return berr_sys(e, "cap_to_name %d", c);
		w = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			     strncmp(name, "cap_", 4) == 0 ? name + 4 : name);
		cap_free(name);
		if (w < 0 || (size_t)w >= size - len)
			return berr_set(e, ENOSPC, "capability list longer than %lu bytes", size);
		for (size_t i = len; i < len + (size_t)w; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		len += (size_t)w;
	}
	return 0;
}

int caps_permitted(uint64_t *mask, struct berr *e)
{
	cap_t c = cap_get_proc();

	if (!c)
		return berr_sys(e, "cap_get_proc");
	*mask = 0;
	for (int v = 0; v <= CAP_LAST_CAP; v++) {
		cap_flag_value_t f = CAP_CLEAR;
		if (cap_get_flag(c, v, CAP_PERMITTED, &f) == 0 && f == CAP_SET)
			*mask |= UINT64_C(1) << v;
	}
	cap_free(c);
	return 0;
}

int caps_bound(uint64_t mask, struct berr *e)
{
	int last = caps_kernel_last(e);

	if (last < 0)
		return -1;
	for (int c = 0; c <= last; c++) {
		if ((mask & CAPS_BIT(c)) || prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 0)
			continue; /* kept, or out already */
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0)
			return berr_sys(e, "drop %d from the bounding set", c);
	}
	return 0;
}

int caps_keep(int on, struct berr *e)
{
	if (prctl(PR_SET_KEEPCAPS, on ? 1 : 0, 0, 0, 0) < 0)
		return berr_sys(e, "PR_SET_KEEPCAPS");
	return 0;
}

/* Set flag for every capability of mask that this build knows. */
static int set_flag(cap_t c, cap_flag_t flag, uint64_t mask)
{
	cap_value_t list[CAP_LAST_CAP + 1];
	int n = 0;

	for (int v = 0; v <= CAP_LAST_CAP; v++)
		if (mask & CAPS_BIT(v))
			list[n++] = v;
	return n > 0 ? cap_set_flag(c, flag, n, list, CAP_SET) : 0;
}

int caps_set(uint64_t mask, uint64_t inh, struct berr *e)
{
	cap_t c = cap_init(); /* every flag clear */
	int rc = 0;

	if (!c)
		return berr_sys(e, "cap_init");
	if (set_flag(c, CAP_PERMITTED, mask) < 0 || set_flag(c, CAP_EFFECTIVE, mask) < 0 ||
	    set_flag(c, CAP_INHERITABLE, inh) < 0)
		rc = berr_sys(e, "cap_set_flag");
	else if (cap_set_proc(c) < 0)
		rc = berr_sys(e, "capset");
	cap_free(c);
	return rc;
}

int caps_ambient_clear(struct berr *e)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return berr_sys(e, "clear the ambient set");
	return 0;
}

int caps_ambient_raise(uint64_t mask, struct berr *e)
{
	for (int c = 0; c < 64; c++)
		if ((mask & CAPS_BIT(c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0)
			return berr_sys(e, "raise %d in the ambient set", c);
	return 0;
}
