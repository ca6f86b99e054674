/* fuzz_svc_conf.c — libFuzzer target: a services.d file (init/svc_conf.c
 * through inih). Whatever the bytes, parsing must stay in bounds and a
 * service it accepts must be consistent. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/svc_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	char text[SVC_FILE_MAX];
	struct svc_conf c;
	struct berr e;

	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct logger lg = { .prog = "fuzz", .fd = devnull, .level = LOG_DEBUG };
	if (size >= sizeof text)
		return 0; /* svc_conf_load refuses bigger files before parsing */
	memcpy(text, data, size);
	text[size] = '\0';
	if (svc_conf_parse(&c, text, "fuzz.conf", "fuzz", &lg, &e) == 0) {
		if (c.argc < 1 || c.argc > SVC_ARGS_MAX || c.cmd[c.arg_off[0]] != '/')
			abort();
		for (int i = 0; i < c.argc; i++)
			if (c.arg_off[i] >= SVC_CMD_MAX || strlen(c.cmd + c.arg_off[i]) == 0)
				abort();
		for (int i = 0; i < c.envc; i++)
			if (c.env_off[i] >= SVC_ENV_MAX || !strchr(c.env + c.env_off[i], '='))
				abort();
		if (c.nafter > SVC_AFTER_MAX || c.stop_signal < 1 || c.stop_signal > 64)
			abort();
	}
	return 0;
}
