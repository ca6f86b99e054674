/* berthctl_update.c — `berthctl update FILE` and `berthctl slots`: the A/B
 * system slots of a disk-image host through berthd's API on engine.sock
 * (docs/disk.md). berthctl's main() hands its arguments to
 * berthctl_update_cmd() first. */
#include "tools/berthctl_update.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sock.h"
#include "lib/util.h"
#include "runtime/image/digest.h"

#define REPLY_MAX 16384
#define COPY_BUF 65536

/* Send head (and the file fd, when >= 0) and read the whole reply into
 * buf (Connection: close). Returns the HTTP status, *body at the body;
 * -1 with a message printed. */
static int exchange(const char *sock, const char *head, int fd, char *buf, size_t size, char **body)
{
	static char copy[COPY_BUF];
	struct berr e;
	size_t got = 0;
	ssize_t n;
	int s = sock_connect(sock, SOCK_STREAM, &e);

	if (s < 0) {
		fprintf(stderr, "berthctl: error: %s (is berthd running?)\n", e.msg);
		return -1;
	}
	e.msg[0] = '\0';
	/* berthd may answer (a refusal) before it has read the whole body and
	 * close: a failed send is an error only when no answer follows. */
	if (util_write_all(s, head, strlen(head), &e) == 0)
		while (fd >= 0 && (n = read(fd, copy, sizeof copy)) > 0)
			if (util_write_all(s, copy, (size_t)n, &e) < 0)
				break;
	while (got < size - 1 && (n = read(s, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(s);
	*body = strstr(buf, "\r\n\r\n");
	if (strncmp(buf, "HTTP/1.", 7) != 0 || got < 12 || !*body) {
		fprintf(stderr, "berthctl: error: no HTTP answer from %s%s%s\n", sock, e.msg[0] ? ": " : "", e.msg);
		return -1;
	}
	*body += 4;
	return atoi(buf + 9);
}

/* The file's sha256 (hex) and size; the file left at offset 0. */
static int hash_file(int fd, char *hex, off_t *size)
{
	static char buf[COPY_BUF];
	char out[DIGEST_STR_LEN + 1];
	struct digest d;
	ssize_t n;

	*size = 0;
	digest_init(&d);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		digest_update(&d, buf, (size_t)n);
		*size += n;
	}
	if (n < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	digest_final(&d, out);
	memcpy(hex, out + 7, DIGEST_HEX_LEN + 1);
	return 0;
}

/* FILE.sig (a DER signature, as openssl dgst -sign writes it) as
 * "&signature=HEX" into q; "" when there is none. */
static int sig_query(const char *file, char *q, size_t size)
{
	char path[4096];
	unsigned char sig[BERTHCTL_SIG_MAX + 1];
	ssize_t n;
	int fd;

	q[0] = '\0';
	snprintf(path, sizeof path, "%s.sig", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, sig, sizeof sig);
	close(fd);
	if (n <= 0 || n > BERTHCTL_SIG_MAX || size < 12 + 2 * (size_t)n)
		return -1;
	strcpy(q, "&signature=");
	for (ssize_t i = 0; i < n; i++)
		sprintf(q + 11 + 2 * i, "%02x", sig[i]);
	return 0;
}

int berthctl_update_open(struct berthctl_update_req *rq, const char *file, const char *sha, struct berr *e)
{
	char hex[DIGEST_HEX_LEN + 1], sigq[16 + 2 * BERTHCTL_SIG_MAX];
	off_t size;

	rq->fd = open(file, O_RDONLY | O_CLOEXEC);
	if (rq->fd < 0 || hash_file(rq->fd, hex, &size) < 0) {
		berr_sys(e, "%s", file);
		fd_close(&rq->fd);
		return -1;
	}
	if (sig_query(file, sigq, sizeof sigq) < 0) {
		berr_set(e, EINVAL, "%s.sig: not a signature of at most %d bytes", file, BERTHCTL_SIG_MAX);
		fd_close(&rq->fd);
		return -1;
	}
	if (sha && (strlen(sha) != DIGEST_HEX_LEN || strspn(sha, "0123456789abcdef") != DIGEST_HEX_LEN)) {
		berr_set(e, EINVAL, "--sha256 %s: want 64 lowercase hex digits", sha);
		fd_close(&rq->fd);
		return -1;
	}
	rq->size = (long long)size;
	snprintf(rq->query, sizeof rq->query, "sha256=%s%s", sha ? sha : hex, sigq);
	return 0;
}

int berthctl_update_args(int argc, char **argv, const char **file, const char **sha)
{
	*sha = NULL;
	if (argc == 2 && strcmp(argv[0], "update") == 0) {
		*file = argv[1];
		return 0;
	}
	/* --sha256 HEX: say what the file should be (the server checks). */
	if (argc == 4 && strcmp(argv[0], "update") == 0 && strcmp(argv[1], "--sha256") == 0) {
		*file = argv[3];
		*sha = argv[2];
		return 0;
	}
	return -1;
}

static int update(const char *sock, const char *file, const char *sha)
{
	struct berthctl_update_req rq;
	char head[768], *reply = malloc(REPLY_MAX), *body;
	struct berr e = { 0 };
	int status;

	if (!reply || berthctl_update_open(&rq, file, sha, &e) < 0) {
		fprintf(stderr, "berthctl: error: %s\n", reply ? e.msg : strerror(ENOMEM));
		free(reply);
		return e.errnum == EINVAL ? 100 : 111;
	}
	snprintf(head, sizeof head, "POST /berth/v1/system/update?%s HTTP/1.1\r\nHost: berth\r\n"
		 "Content-Type: application/octet-stream\r\nContent-Length: %lld\r\nConnection: close\r\n\r\n",
		 rq.query, rq.size);
	status = exchange(sock, head, rq.fd, reply, REPLY_MAX, &body);
	fd_close(&rq.fd);
	if (status > 0)
		printf("%s\n", body);
	free(reply);
	return status < 0 ? 111 : status == 200 ? 0 : 1;
}

static int slots(const char *sock)
{
	char *reply = malloc(REPLY_MAX), *body;
	int status = reply ? exchange(sock, "GET /berth/v1/slots HTTP/1.1\r\nHost: berth\r\n"
				      "Connection: close\r\n\r\n", -1, reply, REPLY_MAX, &body) : -1;

	if (status > 0)
		printf("%s\n", body);
	free(reply);
	return status < 0 ? 111 : status == 200 ? 0 : 1;
}

int berthctl_update_cmd(int argc, char **argv)
{
	const char *sock = getenv("BERTH_ENGINE_SOCK") ? getenv("BERTH_ENGINE_SOCK") : BERTHCTL_ENGINE_SOCK;
	const char *file, *sha;

	if (argc == 1 && strcmp(argv[0], "slots") == 0)
		return slots(sock);
	if (berthctl_update_args(argc, argv, &file, &sha) == 0)
		return update(sock, file, sha);
	return -1;
}
