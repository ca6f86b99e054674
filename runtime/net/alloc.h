/* alloc.h — the bridge's address allocator: which container holds which
 * address, kept in DIR/leases (one "ID A.B.C.D" line each), rewritten
 * atomically and durably (lib/fs) under a file lock (DIR/lock) on every
 * change, so a crash leaves the old or the new table, never half of one.
 *
 * Addresses come from the subnet without its network address, its first
 * address (the gateway) and its broadcast address; the lowest free one is
 * handed out, so a released address is the next one reused. At most
 * CONFIG_NET_LEASES_MAX leases; an id is 1-64 bytes of [A-Za-z0-9_.-] not
 * starting with '.'.
 */
#ifndef BERTH_RUNTIME_NET_ALLOC_H
#define BERTH_RUNTIME_NET_ALLOC_H

#include <stdint.h>

#include "lib/err.h"

/* 1 when id is acceptable as a lease id and a file name. */
int net_id_ok(const char *id);

/* The address of id in subnet/prefix (network order): its lease when it has
 * one there, else a new one (ENOSPC when the subnet or the table is full).
 * dir is made (0700) when missing. */
int net_alloc_get(const char *dir, uint32_t subnet, int prefix, const char *id, uint32_t *addr,
		  struct berr *e);

/* Drop id's lease; none is not an error. */
int net_alloc_release(const char *dir, const char *id, struct berr *e);

#endif
