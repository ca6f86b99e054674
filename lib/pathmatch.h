/* pathmatch.h — the Docker API's path rules, shared by berthd's router and
 * berth-apid's role table: the optional version prefix and route patterns.
 *
 * A pattern is matched segment by segment against a decoded path: a literal
 * segment exactly, {} one non-empty segment, {*} one or more segments (an
 * image name has slashes: "/images/{*}/json"), the shortest that lets the
 * rest match. Both pattern and path start with '/'.
 */
#ifndef BERTH_LIB_PATHMATCH_H
#define BERTH_LIB_PATHMATCH_H
#include <stddef.h>

#define PATHMATCH_PARAMS 4

/* What {} and {*} matched: pointers into the path and their lengths. */
struct pathmatch {
	const char *param[PATHMATCH_PARAMS];
	size_t plen[PATHMATCH_PARAMS];
	int n;
};

/* 1 when path matches pattern, else 0. m (may be NULL) receives the
 * parameters; with m, a pattern needing more than PATHMATCH_PARAMS fails. */
int pathmatch(const char *pattern, const char *path, struct pathmatch *m);

/* Strip a "/v1.NN" prefix: returns the rest ("/" for the bare prefix) and
 * sets *minor to NN; a path without the prefix is returned as it is with
 * *minor = -1; a malformed prefix ("/v1.4x/", more than 4 digits) is NULL. */
const char *pathmatch_unversion(const char *path, int *minor);
#endif
