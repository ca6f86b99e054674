/* dns.c — a stub resolver for berth-fetch; see dns.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/fetch/dns.h"

int dns_resolv_conf(const char *text, uint32_t ns[DNS_NS_MAX])
{
	int n = 0;

	for (const char *p = text; p && *p && n < DNS_NS_MAX;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128], *a;
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			if (strncmp(line, "nameserver", 10) == 0 && (line[10] == ' ' || line[10] == '\t')) {
				a = line + 11;
				a += strspn(a, " \t");
				a[strcspn(a, " \t\r#;")] = '\0';
				struct in_addr in;
				if (inet_pton(AF_INET, a, &in) == 1)
					ns[n++] = in.s_addr;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

int dns_query(const char *name, uint16_t id, unsigned char *buf, size_t size, struct berr *e)
{
	size_t o = 12, n = strlen(name);

	if (n == 0 || n > 253 || size < 12 + n + 2 + 4)
		return berr_set(e, EINVAL, "bad name for DNS \"%.64s\"", name);
	memset(buf, 0, 12);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	buf[2] = 0x01;          /* RD */
	buf[5] = 1;             /* QDCOUNT */
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, ".");
		if (l == 0 || l > 63)
			return berr_set(e, EINVAL, "bad name for DNS \"%.64s\"", name);
		buf[o++] = (unsigned char)l;
		memcpy(buf + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	buf[o++] = 0;
	buf[o++] = 0, buf[o++] = 1;     /* A */
	buf[o++] = 0, buf[o++] = 1;     /* IN */
	return (int)o;
}

/* Skip a (possibly compressed) name at *o. */
static int skip_name(const unsigned char *m, size_t len, size_t *o)
{
	for (int hops = 0; hops < 128; hops++) {
		if (*o >= len)
			return -1;
		unsigned l = m[*o];
		if (l == 0) {
			(*o)++;
			return 0;
		}
		if ((l & 0xc0) == 0xc0) {
			if (*o + 2 > len)
				return -1;
			*o += 2;
			return 0;
		}
		if (l & 0xc0)
			return -1;
		*o += 1 + l;
	}
	return -1;
}

int dns_answer(const unsigned char *m, size_t len, uint16_t id, uint32_t addrs[DNS_ADDRS_MAX],
	       struct berr *e)
{
	size_t o = 12;
	int n = 0;

	if (len < 12 || ((m[0] << 8) | m[1]) != id || !(m[2] & 0x80))
		return berr_set(e, EPROTO, "DNS: not the answer to the query");
	if (m[2] & 0x02)
		return berr_set(e, EPROTO, "DNS: truncated answer");
	unsigned rcode = m[3] & 0x0f, qd = (unsigned)(m[4] << 8 | m[5]), an = (unsigned)(m[6] << 8 | m[7]);
	if (rcode == 3)
		return 0;       /* NXDOMAIN */
	if (rcode != 0)
		return berr_set(e, EPROTO, "DNS: server failure (rcode %u)", rcode);
	for (unsigned i = 0; i < qd; i++) {
		if (skip_name(m, len, &o) < 0 || o + 4 > len)
			return berr_set(e, EPROTO, "DNS: malformed question");
		o += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		if (skip_name(m, len, &o) < 0 || o + 10 > len)
			return berr_set(e, EPROTO, "DNS: malformed answer");
		unsigned type = (unsigned)(m[o] << 8 | m[o + 1]), cls = (unsigned)(m[o + 2] << 8 | m[o + 3]);
		size_t rdlen = (size_t)(m[o + 8] << 8 | m[o + 9]);
		o += 10;
		if (o + rdlen > len)
			return berr_set(e, EPROTO, "DNS: malformed answer");
		if (type == 1 && cls == 1 && rdlen == 4 && n < DNS_ADDRS_MAX)
			memcpy(&addrs[n++], m + o, 4);
		o += rdlen;
	}
	return n;
}

static int ask(uint32_t ns, const unsigned char *q, size_t qlen, uint16_t id, int timeout_ms, uint32_t *addr,
	       struct berr *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53), .sin_addr.s_addr = ns };
	unsigned char a[DNS_MSG_MAX];
	uint32_t addrs[DNS_ADDRS_MAX];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return berr_sys(e, "DNS socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(fd, q, qlen, 0) != (ssize_t)qlen) {
		berr_sys(e, "DNS query");
		goto out;
	}
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int k = poll(&p, 1, timeout_ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			berr_set(e, ETIMEDOUT, "DNS: no answer in %d ms", timeout_ms);
			goto out;
		}
		ssize_t r = recv(fd, a, sizeof(a), 0);
		if (r < 0) {
			berr_sys(e, "DNS answer");
			goto out;
		}
		k = dns_answer(a, (size_t)r, id, addrs, e);
		if (k < 0 && strstr(e->msg, "not the answer"))
			continue;       /* a stray datagram: keep waiting */
		if (k > 0)
			*addr = addrs[0], rc = 0;
		else if (k == 0)
			berr_set(e, ENOENT, "no such host");
		goto out;
	}
out:
	close(fd);
	return rc;
}

int dns_lookup(const uint32_t *ns, int nns, const char *name, int timeout_ms, uint32_t *addr,
	       struct berr *e)
{
	unsigned char q[300];
	uint16_t id;
	int qlen;

	if (nns == 0)
		return berr_set(e, ENOENT, "no nameserver in /etc/resolv.conf");
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		return berr_sys(e, "getrandom");
	qlen = dns_query(name, id, q, sizeof(q), e);
	if (qlen < 0)
		return -1;
	for (int i = 0; i < nns; i++)
		if (ask(ns[i], q, (size_t)qlen, id, timeout_ms, addr, e) == 0)
			return 0;
	return -1;
}
