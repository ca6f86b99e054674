/* fuzz_modules_dep.c — modules_plan() and modules_graph_add() on arbitrary
 * modules.dep text. Input: the first line is the module name to resolve,
 * the rest is the modules.dep text. Every planned entry must lie inside
 * the text, and every entry may need only earlier ones (the loaders can
 * never wait for each other). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/modules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mod_ref plan[32];
	struct berr e;
	size_t n = 0, name_len;
	const char *nl;
	char *text;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	nl = memchr(text, '\n', size);
	name_len = nl ? (size_t)(nl - text) : size;
	if (modules_plan(nl ? nl + 1 : text + size, text, name_len, plan, 32, &n, &e) == 0) {
		size_t dep_len = strlen(nl ? nl + 1 : "");
		const char *dep = nl ? nl + 1 : text + size;
		for (size_t i = 0; i < n; i++)
			if ((size_t)(dep + plan[i].off - text) > size || plan[i].off + plan[i].len > dep_len)
				abort();
	}
	{
		static struct mod_graph g;
		const char *dep = nl ? nl + 1 : text + size;

		g.n = 0;
		if (modules_graph_add(dep, text, name_len, &g, &e) == 0)
			for (size_t i = 0; i < g.n; i++)
				for (unsigned k = 0; k < g.nneed[i]; k++)
					if (g.need[i][k] >= i)
						abort();
	}
	free(text);
	return 0;
}
