/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building the SA table of sa_slot.h in plain C, once for both executions:
 * the loader copies the result into li_conf's SA table, the host matcher
 * reads it in place.
 */
#ifndef LOCALIN_DATAPLANE_SA_TABLE_H
#define LOCALIN_DATAPLANE_SA_TABLE_H

#include <stddef.h>

#include "dataplane/packet.h"
#include "dataplane/spi_table.h"
#include "dataplane/sa_slot.h"

/*
 * Place the @n entries @e (keys unique, ids below LI_SAS_MAX) into @tab of
 * LI_SA_SLOTS slots, at the least size that keeps the load at or below 1/2
 * and doubling while an entry would land LI_SA_PROBES or more from its
 * home. Returns the table's bits, -E2BIG past LI_SA_SLOTS / 2 entries
 * (SAs and peer slots), or -ENOSPC if even the largest table cannot hold
 * them. (At load 3/4 some entry lands 16 or more from home with this
 * hash: measured, so 1/2 it is.)
 */
int li_sa_table_build(struct li_sa_slot *tab, const struct li_sa_slot *e,
		      size_t n);

/* One slot entry of an SA, with @id. */
void li_sa_slot_of(struct li_sa_slot *out, const struct sa_entry *sa, __u32 id);

/* The slot of the peer of @sa (sa_slot.h: LI_SA_PEER_SPI). */
void li_sa_peer_slot_of(struct li_sa_slot *out, const struct sa_entry *sa,
			__u8 flags);
/*
 * Sort the peer slots @e[@from..@n) and merge those of one address (their
 * flags ORed); returns the new end.
 */
size_t li_sa_merge_peers(struct li_sa_slot *e, size_t from, size_t n);

/*
 * The SAs of @t as entries with ids 0, 1, ... in @t's slot order (replay,
 * tests, benches: no SA there outlives the table), then one slot per
 * peer. *@out is malloc'd; so is *@of_id unless @of_id is NULL: the SA
 * of each id, pointing into @t (li_sa_of_id). Returns the number of
 * entries, or -ENOMEM / -E2BIG.
 */
int li_sa_entries_of(const struct spi_table *t, struct li_sa_slot **out,
		     const struct sa_entry ***of_id);

/*
 * The NAT-T ports (packet.h struct li_natt). @port joins @n: 0 if it is
 * there now, or needs no slot (0, 500: IKE, never NAT-T; 4500: always
 * there); -ENOSPC if the LI_NATT_EXTRA slots hold others.
 */
int li_natt_add(struct li_natt *n, __u16 port);
/* The local UDP port of @sa's encapsulation, 0 without one. */
__u16 li_sa_natt_port(const struct sa_entry *sa);
/*
 * The NAT-T ports of @t's SAs into @n (from LI_NATT_INIT). Returns how many
 * SAs have a port that did not fit, the first such port in *@over.
 */
int li_natt_of_table(struct li_natt *n, const struct spi_table *t, __u16 *over);

#endif
