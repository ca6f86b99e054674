/* fuzz_conf.c — libFuzzer target: berth.conf as PID 1 reads it
 * (init/conf.c: [system] and [network]). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	static char path[64];
	struct init_conf c;
	struct berr e;
	int fd;

	if (devnull < 0) {
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		snprintf(path, sizeof path, "/tmp/berth-fuzz-conf.%d", (int)getpid());
	}
	struct logger lg = { .prog = "fuzz", .fd = devnull, .level = LOG_DEBUG };
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	init_conf_load(&c, path, &lg, &e);
	if (c.nifaces > INIT_CONF_IFACES_MAX || c.nsysctls > INIT_CONF_SYSCTLS_MAX ||
	    strlen(c.hostname) > INIT_CONF_HOSTNAME_MAX)
		abort();
	for (int i = 0; i < c.nifaces; i++)
		if (c.ifaces[i].ndns > INIT_CONF_DNS_MAX ||
		    (!c.ifaces[i].dhcp && (c.ifaces[i].prefix < 1 || c.ifaces[i].prefix > 32)))
			abort();
	return 0;
}
