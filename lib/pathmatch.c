/* pathmatch.c — see pathmatch.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pathmatch.h"

/* Does path (from a segment start, after its '/') match pat (likewise)? */
static int match_from(const char *pat, const char *path, struct pathmatch *m)
{
	for (;;) {
		size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");

		if (pl == 3 && memcmp(pat, "{*}", 3) == 0) {
			/* one or more segments, as few as possible */
			const char *end = path + sl;
			int k = m ? m->n : 0;

			if (sl == 0 || k >= PATHMATCH_PARAMS)
				return 0;
			for (;;) {
				if (m) {
					m->param[k] = path;
					m->plen[k] = (size_t)(end - path);
					m->n = k + 1;
				}
				if (pat[3] == '\0' ? *end == '\0' : (*end == '/' && match_from(pat + 4, end + 1, m)))
					return 1;
				if (*end == '\0')
					return 0;
				end += 1 + strcspn(end + 1, "/");
				if (end[-1] == '/')
					return 0;	/* an empty segment */
			}
		}
		if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
			if (sl == 0)
				return 0;
			if (m) {
				if (m->n >= PATHMATCH_PARAMS)
					return 0;
				m->param[m->n] = path;
				m->plen[m->n++] = sl;
			}
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return 0;
		}
		if (pat[pl] == '\0' || path[sl] == '\0')
			return pat[pl] == path[sl];
		pat += pl + 1;
		path += sl + 1;
	}
}

int pathmatch(const char *pattern, const char *path, struct pathmatch *m)
{
	if (m)
		m->n = 0;
	if (pattern[0] != '/' || path[0] != '/')
		return 0;
	return match_from(pattern + 1, path + 1, m);
}

const char *pathmatch_unversion(const char *path, int *minor)
{
	const char *p = path;
	long v;
	char *end;

	*minor = -1;
	if (p[0] != '/' || p[1] != 'v' || p[2] != '1' || p[3] != '.' || !isdigit((unsigned char)p[4]))
		return path;
	v = strtol(p + 4, &end, 10);
	if (end - (p + 4) > 4 || (*end != '/' && *end != '\0'))
		return NULL;
	*minor = (int)v;
	return *end ? end : "/";
}
