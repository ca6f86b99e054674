/* test_dns.c — berth-fetch's stub resolver (runtime/fetch/dns.h): resolv.conf,
 * the query's bytes, answers with CNAME chains and compression, NXDOMAIN,
 * and what is refused (another id, truncation, lengths past the end). */
#include <arpa/inet.h>
#include <string.h>

#include "runtime/fetch/dns.h"
#include "tests/unit/unit.h"

static void test_resolv_conf(void)
{
	uint32_t ns[DNS_NS_MAX];
	const char *t = "# comment\nsearch example\nnameserver 10.0.2.3\nnameserver\t192.0.2.1 # x\n"
			"nameserver ::1\nnameserver bad\nnameserver 192.0.2.2\nnameserver 192.0.2.9\n";

	CHECK_INT(dns_resolv_conf(t, ns), 3);
	CHECK(ns[0] == inet_addr("10.0.2.3"));
	CHECK(ns[1] == inet_addr("192.0.2.1"));
	CHECK(ns[2] == inet_addr("192.0.2.2"));
	CHECK_INT(dns_resolv_conf("", ns), 0);
	CHECK_INT(dns_resolv_conf("nameservers 1.2.3.4\n", ns), 0);
}

static void test_query(void)
{
	unsigned char q[300];
	struct berr e;
	static const unsigned char want[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'r', 'e', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };

	CHECK_INT(dns_query("reg.example", 0x1234, q, sizeof(q), &e), sizeof(want));
	CHECK(memcmp(q, want, sizeof(want)) == 0);
	CHECK_INT(dns_query("reg.example.", 0x1234, q, sizeof(q), &e), sizeof(want));
	CHECK(dns_query("a..b", 1, q, sizeof(q), &e) < 0);
	CHECK(dns_query("", 1, q, sizeof(q), &e) < 0);
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	CHECK(dns_query(label, 1, q, sizeof(q), &e) < 0);
	CHECK(dns_query("reg.example", 1, q, 20, &e) < 0);
}

/* An answer to "reg.example" A, id 0x1234: a CNAME to cdn.example, then
 * two A records owned by it (names compressed). */
static const unsigned char answer[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
	3, 'r', 'e', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'c', 'd', 'n', 0xc0, 16,
	0xc0, 41, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7,
	0xc0, 41, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 8,
};

static void test_answer(void)
{
	uint32_t a[DNS_ADDRS_MAX];
	unsigned char m[sizeof(answer)];
	struct berr e;

	CHECK_INT(dns_answer(answer, sizeof(answer), 0x1234, a, &e), 2);
	CHECK(a[0] == inet_addr("192.0.2.7"));
	CHECK(a[1] == inet_addr("192.0.2.8"));
	CHECK(dns_answer(answer, sizeof(answer), 0x1235, a, &e) < 0);        /* another id */
	for (size_t cut = 0; cut < sizeof(answer); cut++)                     /* every truncation */
		CHECK(dns_answer(answer, cut, 0x1234, a, &e) < 0 || cut >= sizeof(answer) - 16);
	memcpy(m, answer, sizeof(m));
	m[3] = 0x83;                                                          /* NXDOMAIN */
	CHECK_INT(dns_answer(m, sizeof(m), 0x1234, a, &e), 0);
	m[3] = 0x82;                                                          /* SERVFAIL */
	CHECK(dns_answer(m, sizeof(m), 0x1234, a, &e) < 0);
	memcpy(m, answer, sizeof(m));
	m[2] |= 0x02;                                                         /* TC */
	CHECK(dns_answer(m, sizeof(m), 0x1234, a, &e) < 0);
	memcpy(m, answer, sizeof(m));
	m[2] &= 0x7f;                                                         /* a query, not an answer */
	CHECK(dns_answer(m, sizeof(m), 0x1234, a, &e) < 0);
	memcpy(m, answer, sizeof(m));
	m[sizeof(m) - 5] = 200;                                               /* rdlength past the end */
	CHECK(dns_answer(m, sizeof(m), 0x1234, a, &e) < 0);
	memcpy(m, answer, sizeof(m));
	m[12] = 0x80;                                                         /* a reserved label type */
	CHECK(dns_answer(m, sizeof(m), 0x1234, a, &e) < 0);
}

UNIT_MAIN(UNIT(test_resolv_conf), UNIT(test_query), UNIT(test_answer))
