/* caps.c — capability sets through libcap; see caps.h for the order. */
#include "lib/caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#define CAPS_NAME_MAX 32

int caps_last(void)
{
	return CAP_LAST_CAP;
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
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		if (mask & (UINT64_C(1) << c))
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
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

int caps_set(uint64_t mask, struct berr *e)
{
	cap_t c = cap_init(); /* every flag clear */
	cap_value_t list[CAP_LAST_CAP + 1];
	int n = 0, rc = 0;

	if (!c)
		return berr_sys(e, "cap_init");
	for (int v = 0; v <= CAP_LAST_CAP; v++)
		if (mask & (UINT64_C(1) << v))
			list[n++] = v;
	if (n > 0 && (cap_set_flag(c, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
		      cap_set_flag(c, CAP_EFFECTIVE, n, list, CAP_SET) < 0))
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
