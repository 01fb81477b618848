/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dynamic addresses: what an FQDN resolves to, what a threat feed lists
 * (and, later, what a country's database ranges are), kept current while
 * the daemon runs.
 *
 * Design.
 *  - Where the prefixes live: a struct dyn_table, one entry per source,
 *    keyed by (kind, name): the FQDN itself, the external-resource's name.
 *    Each entry holds its current ranges (both families) and its state:
 *    never resolved yet, good, or stale (the last refresh failed and the
 *    last good ranges stay). The table is plain data owned by whoever
 *    fetches: the daemon (src/daemon/dynaddr.c) or check/replay resolving
 *    once (src/dyn/). The objects say only which entry an address names.
 *  - Compile: obj_config.dyn points at the table while a config compiles;
 *    an ADDR_FQDN / ADDR_FEED address is the entry's ranges of its family,
 *    or nothing while the entry has never been filled (or with no table:
 *    `check --no-resolve`). A geography address would be one more kind.
 *  - Reaching the data path without a reload and without a gap: when an
 *    entry's ranges change, the daemon compiles the config in force again
 *    (from the text it loaded, not the file, which may have been edited
 *    since) with the new table, and swaps the image in with the loader's
 *    atomic set swap, as a reload does (daemon_apply()). A packet is judged
 *    by the old image or the new one, never by neither. Inbound sessions
 *    are re-judged on the generation change (dataplane/session.h): one
 *    whose peer is still matched the same way passes on; one whose address
 *    left an accepting set is cut, as on a reload.
 *  - Until first filled an entry matches nothing: in srcaddr that policy
 *    does not match; in a group's exclude-member it excludes nothing (so
 *    the peer it names is NOT excluded: README). `localin status` says so
 *    and the daemon logs it once.
 *  - Across a daemon restart: the daemon saves the table in a cache
 *    (dyn/cache.h) and a daemon that starts fills the same names and URLs
 *    from it (DYN_CACHED) before it first enforces, until the first answer.
 */
#ifndef LOCALIN_OBJECTS_DYNADDR_H
#define LOCALIN_OBJECTS_DYNADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/objects.h"

enum dyn_kind {
	DYN_FQDN, /* firewall address(6) type fqdn: A and AAAA */
	DYN_FEED, /* system external-resource type address */
	DYN_NR_KINDS,
};

enum dyn_state {
	DYN_NEVER, /* not resolved or fetched yet: matches nothing */
	DYN_OK,	   /* the last refresh succeeded */
	DYN_STALE, /* the last refresh failed: the last good ranges stay */
	/*
	 * Not answered since the daemon started: the ranges a previous
	 * daemon saved (dyn/cache.h), used until the first answer.
	 */
	DYN_CACHED,
};

/* One range of an entry; @expires_ms (FQDN) is when it is dropped. */
struct dyn_range {
	int family; /* 4 or 6 */
	ip_u128 lo, hi;
	uint64_t expires_ms; /* 0: kept until the next refresh replaces it */
};

#define DYN_ERR_MAX 192

struct dyn_entry {
	enum dyn_kind kind;
	char *name; /* the FQDN, the resource's name */
	enum dyn_state state;
	struct dyn_range *r;
	size_t nr, cap;
	uint64_t updated_ms;	/* last success (monotonic ms), 0 never */
	int64_t stamp;		/* last success (wall clock s), 0 never */
	uint64_t next_ms;	/* next refresh due */
	unsigned int refresh_s; /* FQDN: the record's TTL; feed: refresh-rate */
	unsigned int failures;	/* in a row */
	unsigned int bad_lines; /* feed: lines not understood, last fetch */
	char err[DYN_ERR_MAX];	/* why the last refresh failed, or "" */
	bool in_use;		/* named by the config in force */
	/* FQDN */
	unsigned int cache_ttl; /* the largest cache-ttl of its addresses */
	/* feed */
	char *url, *user, *password, *source_ip;
	unsigned int refresh_min; /* refresh-rate */
	unsigned int verify;	  /* server-identity-check (obj_feed) */
	unsigned int bad[8];	  /* feed: the first bad lines' numbers */
	bool busy;		  /* a query or transfer in flight */
};

struct dyn_table {
	struct dyn_entry **e;
	size_t nr, cap;
	/* Bumped whenever some entry's ranges change: recompile. */
	uint64_t version;
	/* Bumped at every successful refresh (the cache's age). */
	uint64_t fresh;
};

void dyn_table_init(struct dyn_table *t);
void dyn_table_free(struct dyn_table *t);
struct dyn_entry *dyn_find(const struct dyn_table *t, enum dyn_kind kind,
			   const char *name);
/* Find or add; NULL only when out of memory. */
struct dyn_entry *dyn_get(struct dyn_table *t, enum dyn_kind kind,
			  const char *name);
/*
 * Mark every entry unused, then each the config names used again (with its
 * settings); entries no config names any more are dropped. -ENOMEM.
 */
int dyn_table_sync(struct dyn_table *t, const struct obj_config *cfg);
/*
 * Replace @e's ranges with @v (sorted, merged copies). Returns true when
 * they differ from what was there (table version bumped).
 */
bool dyn_entry_set(struct dyn_table *t, struct dyn_entry *e,
		   const struct dyn_range *v, size_t nr);
/* Drop FQDN ranges whose expires_ms passed; true if any went. */
bool dyn_entry_expire(struct dyn_table *t, struct dyn_entry *e,
		      uint64_t now_ms);

/* The entry an address names, or NULL (not dynamic, or not in @t). */
const struct dyn_entry *dyn_of_addr(const struct dyn_table *t,
				    const struct obj_addr *a);

/* "a", "a/len" or "a-b": @buf holds DYN_RANGE_STR bytes. */
#define DYN_RANGE_STR 96
void dyn_range_format(const struct dyn_range *r, char *buf);

/* Seconds until @ms (rounded up, 0 when past), as "in N s" says them. */
static inline uint64_t dyn_secs_left(uint64_t now, uint64_t ms)
{
	return ms > now ? (ms - now + 999) / 1000 : 0;
}

const char *dyn_kind_name(enum dyn_kind k);
const char *dyn_state_name(enum dyn_state s);

/*
 * Threat feed text (FortiOS's format): one IPv4 or IPv6 address, range
 * (a-b) or subnet (a/len, a/netmask) a line; blank lines and comments (#
 * or ; to the end of the line) skipped; \r\n and a leading UTF-8 BOM
 * accepted. Appends to @out (malloc'd, grown through @nr and @cap); the
 * numbers of bad lines (the first @max_bad of them) go to @bad, their
 * count to *nr_bad. 0, -ENOMEM, or -E2BIG past DYN_FEED_MAX_RANGES
 * entries (parsing stops there).
 */
/*
 * A feed's entries, at most: 64 MB of one-address lines would be 22
 * million ranges, 1.4 GB, parsed in the daemon's loop. FortiOS also caps
 * what its feeds hold (a feed over it overflows).
 */
#define DYN_FEED_MAX_RANGES 1000000
int dyn_feed_parse(const char *text, size_t len, struct dyn_range **out,
		   size_t *nr, size_t *cap, unsigned int *bad, size_t max_bad,
		   unsigned int *nr_bad);

/*
 * Wildcard address @addr/@mask (mask 1 bits must match, FortiOS's
 * convention; the 0 bits need not be contiguous): the number of prefixes
 * it is exactly, and, if @out, those prefixes as ranges (@out must hold
 * that many). Bounded by WILDCARD_MAX_PREFIXES by the caller.
 */
#define WILDCARD_MAX_PREFIXES 65536
uint64_t wildcard_nr_prefixes(uint32_t mask);
void wildcard_expand(uint32_t addr, uint32_t mask, struct ip_range *out);

#endif
