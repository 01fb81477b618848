/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug-flow filter as the data path holds it (li_trace_filter) and
 * the question it answers, written once for the host (flow_filter_match()
 * in trace/filter.c) and the XDP program: static __always_inline,
 * constant loop bounds, no libc. trace/filter.h parses and prints it
 * (`diagnose debug flow filter`, whose words are documented there).
 */
#ifndef LOCALIN_DATAPLANE_FLOW_FILTER_H
#define LOCALIN_DATAPLANE_FLOW_FILTER_H

#include "dataplane/packet.h"

enum flow_field {
	FF_ADDR,
	FF_SADDR,
	FF_DADDR,
	FF_PORT,
	FF_SPORT,
	FF_DPORT,
	FF_PROTO,
	FF_VD,
	FF_NR_FIELDS,
};

#define FLOW_VD_ROOT 0 /* index of our single VDOM, "vd-root:0" */

/*
 * FortiOS keeps two filters: `diagnose debug flow filter` selects IPv4
 * packets, `filter6` IPv6 ones; li_trace_filter holds them at these keys
 * (as li_flow_filters_for_map() makes them). A packet that is neither
 * (not IP) is the IPv4 filter's, as it always was.
 */
enum flow_filter_set {
	FLOW_FILTER4,
	FLOW_FILTER6,
	FLOW_NR_FILTERS,
};

/* An address range of one family, big-endian bytes (memcmp order). */
struct flow_addr_range {
	__u8 family; /* 4 or 6 */
	__u8 lo[16];
	__u8 hi[16];
};

struct flow_filter {
	__u32 set;    /* 1 << enum flow_field: criteria given */
	__u32 negate; /* 1 << enum flow_field: criteria inverted */
	struct flow_addr_range addr, saddr, daddr;
	__u16 port[2], sport[2], dport[2]; /* inclusive ranges */
	__u8 proto;
	/*
	 * FF_ADDR as two addresses (FortiOS 7.2+ `addr A B and|or`): lo and
	 * hi are A and B, not a range. In what was padding, so the layout
	 * of every other field stays that of older builds.
	 */
	__u8 addr_pair;
	int vd;
};

enum flow_addr_pair {
	FLOW_ADDR_RANGE, /* addr A [B]: either end in A..B */
	FLOW_ADDR_AND,	 /* addr A B and: between A and B, either way */
	FLOW_ADDR_OR,	 /* addr A B or: either end is A or B */
};

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Big-endian bytes compare like numbers: memcmp order, byte by byte. */
static __always_inline int li_ff_cmp(const __u32 *addr, const __u8 *r, int n)
{
	const __u8 *a = (const __u8 *)addr;
	int i;

	for (i = 0; i < 16; i++) {
		if (i >= n)
			break;
		if (a[i] != r[i])
			return a[i] < r[i] ? -1 : 1;
	}
	return 0;
}

static __always_inline int li_ff_in_range(const struct flow_addr_range *r,
					  int family, const __u32 *addr)
{
	int n = family == 6 ? 16 : 4;

	if (family != r->family)
		return 0;
	return li_ff_cmp(addr, r->lo, n) >= 0 && li_ff_cmp(addr, r->hi, n) <= 0;
}

static __always_inline int li_ff_is(const __u32 *addr, const __u8 *a, int n)
{
	return li_ff_cmp(addr, a, n) == 0;
}

/* `addr A B and|or` (FLOW_ADDR_AND, FLOW_ADDR_OR). */
static __always_inline int li_ff_pair(const struct flow_filter *f,
				      const struct li_pkt *pkt)
{
	const struct flow_addr_range *r = &f->addr;
	int n = pkt->family == 6 ? 16 : 4;

	if (pkt->family != r->family)
		return 0;
	if (f->addr_pair == FLOW_ADDR_AND)
		return (li_ff_is(pkt->saddr, r->lo, n) &&
			li_ff_is(pkt->daddr, r->hi, n)) ||
		       (li_ff_is(pkt->saddr, r->hi, n) &&
			li_ff_is(pkt->daddr, r->lo, n));
	return li_ff_is(pkt->saddr, r->lo, n) ||
	       li_ff_is(pkt->saddr, r->hi, n) ||
	       li_ff_is(pkt->daddr, r->lo, n) || li_ff_is(pkt->daddr, r->hi, n);
}

static __always_inline int li_ff_port_in(const __u16 *r, __u16 port)
{
	return port >= r[0] && port <= r[1];
}

/* Criterion @field of @f holds for @pkt (before negation). */
static __always_inline int li_ff_holds(const struct flow_filter *f, int field,
				       const struct li_pkt *pkt)
{
	int ports = !!(pkt->flags & LI_PKT_PORTS);
	__u16 sport = ports ? pkt->sport : 0;
	__u16 dport = ports ? pkt->dport : 0;

	switch (field) {
	case FF_ADDR:
		if (f->addr_pair)
			return li_ff_pair(f, pkt);
		return li_ff_in_range(&f->addr, pkt->family, pkt->saddr) ||
		       li_ff_in_range(&f->addr, pkt->family, pkt->daddr);
	case FF_SADDR:
		return li_ff_in_range(&f->saddr, pkt->family, pkt->saddr);
	case FF_DADDR:
		return li_ff_in_range(&f->daddr, pkt->family, pkt->daddr);
	case FF_PORT:
		return li_ff_port_in(f->port, sport) ||
		       li_ff_port_in(f->port, dport);
	case FF_SPORT:
		return li_ff_port_in(f->sport, sport);
	case FF_DPORT:
		return li_ff_port_in(f->dport, dport);
	case FF_PROTO:
		return pkt->proto == f->proto;
	default: /* FF_VD */
		return f->vd == FLOW_VD_ROOT;
	}
}

/* The filter that decides for @pkt: FLOW_FILTER6 for IPv6, else FLOW_FILTER4. */
static __always_inline __u32 li_flow_filter_of(const struct li_pkt *pkt)
{
	return pkt->family == 6 ? FLOW_FILTER6 : FLOW_FILTER4;
}

/* Every criterion that is set holds (negated ones must not). */
static __always_inline int li_flow_filter_match(const struct flow_filter *f,
						const struct li_pkt *pkt)
{
	int i;

	for (i = 0; i < FF_NR_FIELDS; i++) {
		if (!(f->set & (1u << i)))
			continue;
		if (li_ff_holds(f, i, pkt) == !!(f->negate & (1u << i)))
			return 0;
	}
	return 1;
}

/*
 * Criteria of @f that narrow what it traces: all but vd, which is set
 * only to our one VDOM's index (vd-root:0), so every packet meets it.
 */
static __always_inline __u32 li_flow_filter_narrows(const struct flow_filter *f)
{
	return f->set & ~(1u << FF_VD);
}

/*
 * Whether the family of filter @k is left out: its filter is not set but
 * the other family's narrows. `filter saddr A` alone traces IPv4 packets
 * from A, not every IPv6 packet besides (FortiOS: "filter if your
 * network uses IPv4, filter6 if it uses IPv6"); nothing set traces all,
 * and so does `filter vd 0` alone, which narrows nothing.
 */
static __always_inline int li_flow_filter_left_out(const struct flow_filter *f,
						   __u32 k)
{
	return !f[k].set && li_flow_filter_narrows(&f[!k]);
}

/*
 * What li_trace_filter holds for the admin's filters @f: each as it is,
 * but a family left out gets a filter no packet of its key meets (an
 * address of the other family), so the XDP program needs no test of its
 * own for it.
 */
static __always_inline void li_flow_filters_for_map(const struct flow_filter *f,
						    struct flow_filter *out)
{
	__u32 k;

	for (k = 0; k < FLOW_NR_FILTERS; k++) {
		out[k] = f[k];
		if (!li_flow_filter_left_out(f, k))
			continue;
		__builtin_memset(&out[k], 0, sizeof(out[k]));
		out[k].set = 1u << FF_ADDR;
		out[k].addr.family = k == FLOW_FILTER6 ? 4 : 6;
		out[k].vd = -1;
	}
}

#endif
