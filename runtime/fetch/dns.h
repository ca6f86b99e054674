/* dns.h — berth-fetch's stub resolver: the nameservers of resolv.conf, one
 * A query over UDP, the answer's addresses. The parsers are pure functions
 * (tests/unit/test_dns.c, fuzz_dist).
 */
#ifndef BERTH_RUNTIME_FETCH_DNS_H
#define BERTH_RUNTIME_FETCH_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define DNS_NS_MAX 3
#define DNS_ADDRS_MAX 8
#define DNS_MSG_MAX 1232

/* Up to DNS_NS_MAX IPv4 "nameserver" addresses of resolv.conf text (others
 * are skipped); their count. */
int dns_resolv_conf(const char *text, uint32_t ns[DNS_NS_MAX]);
/* A query for name (type A, recursion desired) into buf; its length. */
int dns_query(const char *name, uint16_t id, unsigned char *buf, size_t size, struct berr *e);
/* The A records of an answer to query id (any owner: a CNAME chain's end
 * is what the server answers with) into addrs (network order); their count,
 * 0 none (NXDOMAIN or no A), <0 malformed or not the answer to id. */
int dns_answer(const unsigned char *msg, size_t len, uint16_t id, uint32_t addrs[DNS_ADDRS_MAX],
	       struct berr *e);
/* Ask the nameservers in turn (timeout_ms each): the first address. */
int dns_lookup(const uint32_t *ns, int nns, const char *name, int timeout_ms, uint32_t *addr,
	       struct berr *e);

#endif
