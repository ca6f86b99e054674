/* fuzz_api_cert.c — libFuzzer target: a client certificate's DER through
 * BearSSL's X.509 decoding in lib/tls (tls_cert_identity) and berth-apid's
 * role mapping (api_conf_role) under each role_attribute and with a roles
 * mapping. Checked: the role is one of the five; with the default mapping
 * a role other than none is the name of an O or OU value the mode reads,
 * and no value maps higher than the role given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tls.h"
#include "runtime/api/conf.h"

static struct api_conf conf[4];

static int has(const char (*v)[65], int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_peer_id id;
	struct berr e;
	int ok;

	if (!conf[0].conns_max) {
		for (int i = 0; i < 4; i++)
			api_conf_init(&conf[i]);
		api_conf_set(&conf[1], "role_attribute", "o", &e);
		api_conf_set(&conf[2], "role_attribute", "ou", &e);
		api_conf_set(&conf[3], "roles", "ops=operator admin=viewer", &e);
	}
	memset(&id, 0, sizeof(id));
	if (tls_cert_identity(data, size, &id, &ok, &e) < 0)
		return 0;
	if (id.n_o < 0 || id.n_o > TLS_ATTR_MAX || id.n_ou < 0 || id.n_ou > TLS_ATTR_MAX)
		abort();
	for (int i = 0; i < 4; i++) {
		enum api_role r = api_conf_role(&conf[i], id.o, id.n_o, id.ou, id.n_ou);
		int o = i != 2, ou = i != 1;

		if (r < API_ROLE_NONE || r > API_ROLE_ADMIN)
			abort();
		if (i < 3 && r != API_ROLE_NONE &&
		    !((o && has(id.o, id.n_o, api_role_name(r))) || (ou && has(id.ou, id.n_ou, api_role_name(r)))))
			abort();
		if (i == 3 && (has(id.o, id.n_o, "ops") || has(id.ou, id.n_ou, "ops")) && r < API_ROLE_OPERATOR)
			abort();
		if (i == 3 && r == API_ROLE_ADMIN)
			abort();	/* nothing maps to admin in this mapping */
	}
	return 0;
}
