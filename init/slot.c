/* slot.c — mount the ESP, and mark the running slot good once ready. */
#include "init/slot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/console.h"
#include "lib/slots.h"
#include "lib/util.h"

#define FAT32_LABEL_OFF 71
#define FAT_LABEL_LEN 11

/* Is devdir/name a FAT32 filesystem labelled BERTH-ESP? */
static int is_esp(const char *name, char *dev, size_t size)
{
	unsigned char bs[512];
	char want[FAT_LABEL_LEN + 1];
	int fd;
	ssize_t n;

	if (strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 || strncmp(name, "zram", 4) == 0)
		return 0;
	if ((size_t)snprintf(dev, size, "/dev/%s", name) >= size)
		return 0;
	fd = open(dev, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	n = pread(fd, bs, sizeof bs, 0);
	close(fd);
	snprintf(want, sizeof want, "%-11s", SLOTS_ESP_LABEL);
	return n == (ssize_t)sizeof bs && bs[510] == 0x55 && bs[511] == 0xaa &&
	       memcmp(bs + FAT32_LABEL_OFF, want, FAT_LABEL_LEN) == 0;
}

static int find_esp(char *dev, size_t size)
{
	DIR *dp = opendir("/sys/class/block");
	struct dirent *d;
	int found = 0;

	if (!dp)
		return 0;
	while (!found && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			found = is_esp(d->d_name, dev, size);
	closedir(dp);
	return found;
}

void slot_setup(struct init *in)
{
	char dev[96];

	if (access("/sys/firmware/efi", F_OK) < 0)
		return; /* not booted by UEFI */
	if (mount("efivarfs", SLOTS_EFIVARS, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 &&
	    errno != EBUSY)
		log_msg(&in->log, LOG_WARN, "mount efivarfs on %s: %s (which slot runs will be unknown)",
			SLOTS_EFIVARS, strerror(errno));
	if (!find_esp(dev, sizeof dev))
		return;
	if (mount(dev, SLOTS_ESP, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME,
		  "umask=0077,shortname=mixed,errors=remount-ro") < 0) {
		log_msg(&in->log, LOG_ERROR, "mount the EFI system partition %s on %s: %s", dev, SLOTS_ESP,
			strerror(errno));
		return;
	}
	log_msg(&in->log, LOG_INFO, "EFI system partition %s mounted on %s", dev, SLOTS_ESP);
}

/* Does berthd answer GET /_ping with 200 on engine.sock? */
static int api_answers(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char req[] = "GET /_ping HTTP/1.0\r\n\r\n";
	char buf[32];
	struct pollfd p;
	ssize_t n = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok = 0;

	if (fd < 0)
		return 0;
	memcpy(a.sun_path, SLOT_ENGINE_SOCK, sizeof SLOT_ENGINE_SOCK);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) && poll(&p, 1, 5000) == 1)
		n = read(fd, buf, sizeof buf - 1);
	if (n > 12) {
		buf[n] = '\0';
		ok = strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) == 0;
	}
	close(fd);
	return ok;
}

static void mark(struct init *in)
{
	struct slots sl;
	struct berr e;
	int esp = open(SLOTS_ESP, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (esp < 0 || slots_read(esp, SLOTS_EFIVARS, &sl, &e) < 0 ||
	    (rc = slots_mark_good(esp, &sl, &e)) < 0) {
		log_msg(&in->log, LOG_ERROR, "slot: cannot mark the running slot good: %s",
			esp < 0 ? strerror(errno) : e.msg);
	} else if (rc == 1) {
		log_msg(&in->log, LOG_INFO, "berth: slot %c (%s) marked good: the API answers",
			'a' + sl.running, sl.s[sl.running].version);
	}
	fd_close(&esp);
}

void slot_mark_when_ready(struct init *in)
{
	pid_t pid;

	if (access(SLOTS_ESP "/" SLOTS_DIR, F_OK) < 0)
		return; /* no slot disk */
	pid = fork();
	if (pid < 0) {
		log_msg(&in->log, LOG_ERROR, "slot: fork: %s", strerror(errno));
		return;
	}
	if (pid > 0)
		return;
	log_child(&in->log, &in->console_drops, CONSOLE_CHILD_WAIT_MS);
	for (int s = 0; s < CONFIG_INIT_SLOT_READY_S; s++) {
		if (api_answers()) {
			mark(in);
			_exit(0);
		}
		sleep(1);
	}
	log_msg(&in->log, LOG_ERROR, "slot: berthd's API did not answer within %d s: the running slot "
		"stays on trial (systemd-boot counts it down at the next boot)", CONFIG_INIT_SLOT_READY_S);
	_exit(1);
}
