/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Does a packet match the debug-flow filter (filter.h)? Written once for
 * the host (flow_filter_match() in filter.c) and the XDP program, which
 * holds the filter in a map: static __always_inline, constant loop
 * bounds, no libc.
 */
#ifndef LOCALIN_TRACE_FILTER_MATCH_H
#define LOCALIN_TRACE_FILTER_MATCH_H

#include "filter.h"

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

#endif
