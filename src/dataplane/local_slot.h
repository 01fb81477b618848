/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's addresses as the data path reads them, written once for
 * the XDP program (in li_conf's value, maps.h) and the host (an array in
 * memory): the slot layout and the hash here, the probe in match.h
 * (li_addr_local_kind, through the li_acc_local_slot accessor). The table
 * is built in plain C by li_local_table_build() (local_table.c) for both.
 *
 * An open-addressing table of LI_LOCAL_SLOTS slots, linear probing, every
 * address within LI_LOCAL_PROBES of its home. In XDP, li_conf_val.locals
 * holds two such halves; li_conf's state[LI_STATE_LOCALS] says which is
 * in force. A hash map lookup would cost a jhash of the key and a helper
 * call per packet; this costs loads at offsets from the value the packet
 * has in hand.
 */
#ifndef LOCALIN_DATAPLANE_LOCAL_SLOT_H
#define LOCALIN_DATAPLANE_LOCAL_SLOT_H

#include <linux/types.h>

#include "dataplane/packet.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define LI_LOCAL_BITS 13
#define LI_LOCAL_SLOTS (1u << LI_LOCAL_BITS) /* per half */
#define LI_LOCAL_PROBES 8

/* A slot: family 0 is empty. */
struct li_local_slot {
	__u8 family;
	__u8 kind; /* LI_LOCAL_UNICAST or LI_LOCAL_BCAST (packet.h) */
	__u16 pad;
	__u32 addr[4]; /* network order, IPv4 in addr[0], the rest zero */
	__u32 pad2;
	/*
	 * The XDP program's memo of what a decision needs of this
	 * destination and the arrival interface together (match.h
	 * li_dst_memo: phase B, or the destination's class where the family
	 * walks the bitmaps), for one interface:
	 *   generation of the ruleset << 32 | ifindex << 16 | the value.
	 * A generation is odd (loader_image.c), so 0 is none; an ifindex or
	 * a value beyond 16 bits is not remembered. Written by the program
	 * in one 8-byte store, read in one load. The loader clears every
	 * memo before it puts a ruleset in force, so a generation that came
	 * round again cannot find one of its own, and after an interface's
	 * classes change in place (li_loader_set_interface).
	 */
	__u64 dst_memo;
};

/* A gateway address; bcast marks directed broadcasts of its subnets. */
struct li_host_addr {
	__u8 family;
	__u8 bcast;
	__u32 addr[4]; /* network order */
};

/*
 * First slot to probe for an address (network order words). An IPv4
 * address is its first word: the others are not read (every packet
 * pays for this probe, bench/xdp's not-for-gw).
 */
static __always_inline __u32 li_local_hash(__u8 family, const __u32 *a)
{
	__u32 x = a[0] ^ family;

	if (family != 4)
		x ^= a[1] ^ a[2] ^ a[3];
	x *= 0x9e3779b1u;
	return x >> (32 - LI_LOCAL_BITS);
}

static __always_inline int li_local_key_eq(const struct li_local_slot *e,
					   __u8 family, const __u32 *a)
{
	return e->family == family && e->addr[0] == a[0] &&
	       (family == 4 || (e->addr[1] == a[1] && e->addr[2] == a[2] &&
				e->addr[3] == a[3]));
}

/*
 * Addressed to every host, so to us too: IPv4 224/4 and 255.255.255.255,
 * IPv6 ff00::/8 (@daddr in network order).
 */
static __always_inline int li_dst_multicast(__u8 family, const __u32 *daddr)
{
	const __u8 *d = (const __u8 *)daddr;

	if (family == 4)
		return (d[0] & 0xf0) == 0xe0 || daddr[0] == ~0u;
	return d[0] == 0xff;
}

#ifndef __bpf__
#include <stddef.h>

/*
 * Place the addresses @a[0..@n) of family 4 or 6 into @t of
 * LI_LOCAL_SLOTS slots (zeroed first); the first entry of an address wins.
 * Every address that fits is placed; returns how many did not (one would
 * land LI_LOCAL_PROBES or more from its home), the index of the first of
 * them in *@first_out (@n if none; @first_out may be NULL).
 */
size_t li_local_table_build(struct li_local_slot *t,
			    const struct li_host_addr *a, size_t n,
			    size_t *first_out);
/*
 * One more address into @t, as li_local_table_build() places each: 0, or
 * -ENOSPC and @t as it was.
 */
int li_local_table_add(struct li_local_slot *t, const struct li_host_addr *a);
#endif

#endif
