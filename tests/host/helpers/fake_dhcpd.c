/* fake_dhcpd.c — a minimal DHCP server for init_dhcpc.sh: answers every
 * DISCOVER with an OFFER and every REQUEST with an ACK for ADDR, with a
 * short lease so that renewal (T1) happens within the test. Prints one line
 * per message received: "DISCOVER", "REQUEST select" (options 50/54) or
 * "REQUEST renew CIADDR" (ciaddr set, unicast). Test helper, host gcc.
 *
 * Usage: fake_dhcpd IFNAME SERVER ADDR ROUTER DNS LEASE_S T1_S [RENEW_DNS RENEW_ADDR]
 * With RENEW_DNS and RENEW_ADDR, the ACK to a renewal hands those instead
 * (a lease that changes under a running client). */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint8_t *opt(uint8_t *o, int code, const void *v, int len)
{
	*o++ = (uint8_t)code, *o++ = (uint8_t)len;
	memcpy(o, v, (size_t)len);
	return o + len;
}

int main(int argc, char **argv)
{
	struct in_addr server, addr, router, dns, mask = { htonl(0xffffff00) };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(67) };
	uint8_t in[1500], out[600];
	int fd, one = 1;

	struct in_addr renew_dns, renew_addr;

	if ((argc != 8 && argc != 10) || !inet_aton(argv[2], &server) || !inet_aton(argv[3], &addr) ||
	    !inet_aton(argv[4], &router) || !inet_aton(argv[5], &dns) ||
	    (argc == 10 && (!inet_aton(argv[8], &renew_dns) || !inet_aton(argv[9], &renew_addr)))) {
		fprintf(stderr, "usage: fake_dhcpd IFNAME SERVER ADDR ROUTER DNS LEASE_S T1_S [RENEW_DNS RENEW_ADDR]\n");
		return 100;
	}
	uint32_t lease = htonl((uint32_t)atoi(argv[6])), t1 = htonl((uint32_t)atoi(argv[7]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], (socklen_t)strlen(argv[1])) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("fake_dhcpd: socket");
		return 111;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = recv(fd, in, sizeof in, 0);
		int type = 0, has_req = 0;
		struct in_addr ciaddr;
		uint8_t *o;

		if (n < 244 || in[0] != 1)
			continue;
		for (ssize_t i = 240; i + 1 < n && in[i] != 255;) {
			if (in[i] == 0) { i++; continue; }
			if (in[i] == 53)
				type = in[i + 2];
			if (in[i] == 50)
				has_req = 1;
			i += 2 + in[i + 1];
		}
		memcpy(&ciaddr, in + 12, 4);
		if (type == 1)
			printf("DISCOVER\n");
		else if (type == 3 && has_req)
			printf("REQUEST select\n");
		else if (type == 3)
			printf("REQUEST renew %s\n", inet_ntoa(ciaddr));
		else
			continue;
		if (type == 3 && !has_req && argc == 10)
			dns = renew_dns, addr = renew_addr;
		memset(out, 0, sizeof out);
		out[0] = 2, out[1] = 1, out[2] = 6;
		memcpy(out + 4, in + 4, 4);     /* xid */
		memcpy(out + 10, in + 10, 2);   /* flags */
		memcpy(out + 12, in + 12, 4);   /* ciaddr */
		memcpy(out + 16, &addr, 4);     /* yiaddr */
		memcpy(out + 28, in + 28, 16);  /* chaddr */
		memcpy(out + 236, "\x63\x82\x53\x63", 4);
		o = out + 240;
		o = opt(o, 53, type == 1 ? "\x02" : "\x05", 1);
		o = opt(o, 54, &server, 4);
		o = opt(o, 1, &mask, 4);
		o = opt(o, 3, &router, 4);
		o = opt(o, 6, &dns, 4);
		o = opt(o, 51, &lease, 4);
		o = opt(o, 58, &t1, 4);
		*o++ = 255;
		struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(68),
					  .sin_addr = { type == 3 && !has_req ? ciaddr.s_addr : INADDR_BROADCAST } };
		if (sendto(fd, out, 300, 0, (struct sockaddr *)&to, sizeof to) != 300)
			perror("fake_dhcpd: send");
	}
}
