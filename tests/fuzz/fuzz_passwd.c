/* fuzz_passwd.c — launch_user_parse() on arbitrary passwd and group text.
 * Input: the first line is the --user value, then the passwd text, a NUL
 * byte, and the group text (no NUL: the group file is empty). --group-add
 * always names "audio" and 10. A success must give ids that are never -1,
 * at most LAUNCH_GROUPS_MAX groups and an absolute, NUL-ended home. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/launch/launch-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const add[] = { "audio", "10" };
	struct launch_user u;
	struct berr e;
	char *text, *nl, *passwd, *group;

	text = malloc(size + 2);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	nl = strchr(text, '\n');
	passwd = nl ? nl + 1 : text + size;
	if (nl)
		*nl = '\0';
	group = passwd + strlen(passwd);
	if (group < text + size)
		group++;
	if (launch_user_parse(passwd, group, text, add, 2, &u, &e) == 0) {
		if (u.uid == (uid_t)-1 || u.gid == (gid_t)-1 || u.n_groups < 0 || u.n_groups > LAUNCH_GROUPS_MAX ||
		    u.home[0] != '/' || !memchr(u.home, '\0', sizeof u.home))
			abort();
		for (int i = 0; i < u.n_groups; i++)
			if (u.groups[i] == (gid_t)-1)
				abort();
	} else if (!memchr(e.msg, '\0', sizeof e.msg) || !e.msg[0])
		abort();
	free(text);
	return 0;
}
