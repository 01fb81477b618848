/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's view of the live SAs: what every SA source has reported
 * (sa_source.h), merged, with the grace period that keeps a rekeyed or
 * deleted SA's SPI valid while its packets are still in flight.
 *
 * A record is keyed by (family, destination, SPI). Several sources may
 * report the same SA (charon over VICI and the kernel over XFRM, when
 * charon uses the kernel's ESP); it is live while any of them reports
 * it. When the last one deletes it, or a source's resync no longer lists
 * it, it enters the grace period; past the grace period it is gone. A
 * source that goes down (SA_EV_DOWN) changes nothing: its SAs stay until
 * it is back and resynchronised, and then age out like any other.
 *
 * Each record carries a data-path id (sa_slot.h) that it keeps for its
 * whole life; ids are handed out round robin, so a freed id is reused
 * only after every other one was.
 */
#ifndef LOCALIN_IPSEC_SA_REGISTRY_H
#define LOCALIN_IPSEC_SA_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "dataplane/packet.h"
#include "dataplane/sa_slot.h"
#include "ipsec/sa_source.h"

#define SA_SOURCES_MAX 16

struct sa_record {
	struct sa_entry sa; /* family 0: free slot */
	__u32 id;
	__u32 live_mask; /* sources that report it now */
	__u32 seen_mask; /* reported since their SYNC_BEGIN */
	__u8 fresh;	 /* id not yet announced (sa_registry_slots) */
	__u8 src;	 /* the source that reported it last */
	__u64 added_ms;	 /* first reported */
	__u64 gone_ms;	 /* left the live set (0: live) */
};

struct sa_registry {
	struct sa_record *slots; /* open addressing, size a power of two */
	size_t size, nr;
	__u32 syncing; /* sources between SYNC_BEGIN and SYNC_END */
	__u8 *id_used; /* LI_SAS_MAX */
	__u32 next_id;
	__u64 grace_ms;
	bool dirty; /* the data path's table is out of date */
	bool full;  /* an SA was refused: LI_SAS_MAX reached */
	/*
	 * Sources with an SA refused (full) that they still report, as far
	 * as we know: set on a refusal, cleared by a listing with none.
	 */
	__u32 refused_mask;
	__u32 refused_sync; /* refusals since each source's SYNC_BEGIN */
};

int sa_registry_init(struct sa_registry *r, unsigned int grace_s);
void sa_registry_free(struct sa_registry *r);
void sa_registry_set_grace(struct sa_registry *r, unsigned int grace_s);

/* One event of source @src (< SA_SOURCES_MAX) at @now_ms. */
void sa_registry_event(struct sa_registry *r, unsigned int src,
		       enum sa_event ev, const struct sa_entry *sa,
		       __u64 now_ms);
/*
 * A source removed from the config: its SAs leave the live set (with the
 * grace period), and index @src is free for another.
 */
void sa_registry_forget_source(struct sa_registry *r, unsigned int src,
			       __u64 now_ms);

/* Drop records past their grace period; true if any went. */
bool sa_registry_expire(struct sa_registry *r, __u64 now_ms);
/* ms until the next record expires, -1 when none will. */
long long sa_registry_timeout_ms(const struct sa_registry *r, __u64 now_ms);

/*
 * The data path's entries: every record not known to be outbound, live
 * or in its grace period; then one slot per peer of those SAs (sa_slot.h:
 * LI_SA_PEER_SPI), flagged LI_SA_F_DOWN when the source of one of its SAs
 * is in @down_mask (down now: it may have made SAs we have not heard of). *@out is malloc'd;
 * the ids handed out since the last call go to *@fresh (malloc'd,
 * *@nr_fresh of them), for their counters to be zeroed first.
 */
int sa_registry_slots(struct sa_registry *r, __u32 down_mask,
		      struct li_sa_slot **out, size_t *n, __u32 **fresh,
		      size_t *nr_fresh);
/*
 * The NAT-T ports of the records, in and out (sa_table.h li_natt_of_table):
 * how many records have a port past LI_NATT_EXTRA, the first in *@over.
 */
int sa_registry_natt(const struct sa_registry *r, struct li_natt *n,
		     __u16 *over);

const struct sa_record *sa_registry_find(const struct sa_registry *r,
					 int family, const __u32 *daddr,
					 __u32 spi);

/* Counts for status: live, in grace, and per source live. */
void sa_registry_count(const struct sa_registry *r, size_t *live, size_t *grace,
		       size_t per_src[SA_SOURCES_MAX]);

#endif
