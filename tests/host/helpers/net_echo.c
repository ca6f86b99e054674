/* net_echo.c — the network tests' server and client.
 *
 *   net_echo tcp ADDR PORT          serve: read a connection to its end, answer
 *                                   "from=PEER_IP " and what came, close
 *   net_echo udp ADDR PORT          serve: answer each datagram the same way
 *   net_echo tcp-client ADDR PORT DATA|-   send DATA (or stdin), shut the write
 *                                   side, print the answer to its end (5 s limit)
 *   net_echo udp-client ADDR PORT DATA     send one datagram, print the answer
 *
 * Exit 0; 1 when a client gets no answer or a call fails.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX (4 << 20)

static struct sockaddr_in addr(const char *ip, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		exit(1);
	return sa;
}

static char *buf;

static void serve_tcp(struct sockaddr_in sa)
{
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 16) < 0) {
		perror("net_echo: bind");
		exit(1);
	}
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int c = accept(l, (struct sockaddr *)&peer, &len);
		size_t n;
		ssize_t r;

		if (c < 0)
			continue;
		n = (size_t)snprintf(buf, 64, "from=%s ", inet_ntoa(peer.sin_addr));
		while (n < MAX && (r = read(c, buf + n, MAX - n)) > 0)
			n += (size_t)r;
		for (size_t off = 0; off < n; off += (size_t)r)
			if ((r = write(c, buf + off, n - off)) <= 0)
				break;
		close(c);
	}
}

static void serve_udp(struct sockaddr_in sa)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("net_echo: bind");
		exit(1);
	}
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int h = snprintf(buf, 64, "from=%s ", "0.0.0.0");
		ssize_t r = recvfrom(s, buf + 64, 65536, 0, (struct sockaddr *)&peer, &len);

		if (r < 0)
			continue;
		h = snprintf(buf, 64, "from=%s ", inet_ntoa(peer.sin_addr));
		memmove(buf + h, buf + 64, (size_t)r);
		sendto(s, buf, (size_t)h + (size_t)r, 0, (struct sockaddr *)&peer, len);
	}
}

static int client(int udp, struct sockaddr_in sa, const char *data)
{
	struct timeval tv = { .tv_sec = 5 };
	int s = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	size_t n = 0;
	ssize_t r;

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("net_echo: connect");
		return 1;
	}
	if (!strcmp(data, "-")) {
		while (n < MAX && (r = read(0, buf + n, MAX - n)) > 0)
			n += (size_t)r;
	} else {
		n = strlen(data);
		memcpy(buf, data, n);
	}
	for (size_t off = 0; off < n; off += (size_t)r)
		if ((r = send(s, buf + off, n - off, MSG_NOSIGNAL)) <= 0) {
			perror("net_echo: send");
			return 1;
		}
	if (udp) {
		r = recv(s, buf, MAX, 0);
		if (r <= 0) {
			perror("net_echo: recv");
			return 1;
		}
		fwrite(buf, 1, (size_t)r, stdout);
		return 0;
	}
	shutdown(s, SHUT_WR);
	n = 0;
	while (n < MAX && (r = read(s, buf + n, MAX - n)) > 0)
		n += (size_t)r;
	if (r < 0 || n == 0) {
		perror("net_echo: read");
		return 1;
	}
	fwrite(buf, 1, n, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	buf = malloc(MAX + 128);
	if (!buf || argc < 4)
		return 1;
	if (!strcmp(argv[1], "tcp"))
		serve_tcp(addr(argv[2], argv[3]));
	if (!strcmp(argv[1], "udp"))
		serve_udp(addr(argv[2], argv[3]));
	if (argc == 5 && !strcmp(argv[1], "tcp-client"))
		return client(0, addr(argv[2], argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "udp-client"))
		return client(1, addr(argv[2], argv[3]), argv[4]);
	return 1;
}
