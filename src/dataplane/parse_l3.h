/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 and IPv6 for parse.h: addresses, lengths, fragments, and the bounded
 * walk over IPv6 extension headers; where the transport header is, for
 * li_parse_rest() (struct li_l4_at). Part of parse.h.
 */
/* The helpers. parse.h includes this file in turn, hence before the guard. */
#include "dataplane/parse.h"

#ifndef LOCALIN_DATAPLANE_PARSE_L3_H
#define LOCALIN_DATAPLANE_PARSE_L3_H

/*
 * The IPv6 extension headers' numbers: IPPROTO_HOPOPTS, _ROUTING,
 * _FRAGMENT, _NONE and _DSTOPTS. In host builds glibc's <netinet/in.h>
 * and this kernel header agree in either order (__USE_KERNEL_IPV6_DEFS).
 */
#include <linux/in6.h>

#define LI_IP_MF 0x2000
#define LI_IP_OFFMASK 0x1fff
/* The IPv6 fragment header's offset word: offset << 3 | M. */
#define LI_IP6_MF 0x0001
#define LI_IP6_OFF_SHIFT 3
#define LI_IP_MAXLEN 65535 /* a reassembled datagram must fit this */

/*
 * Fragment bookkeeping shared by both families. off8 is the offset in 8-byte
 * units, more the MF/M bit, rest the bytes this fragment carries after its
 * (fragmentable part's) headers. Returns nonzero when parsing must stop.
 */
static __always_inline int li_frag(struct li_pkt *p, __u32 off8, int more,
				   __u32 id, __u32 rest)
{
	if (!off8 && !more)
		return 0;
	p->flags |= LI_PKT_FRAG;
	p->frag_id = id;
	p->frag_proto = p->proto; /* IPv6: the fragment header's next header */
	if (off8)
		p->flags |= LI_PKT_FRAG_LATER;
	/* The kernel's reassembly drops these too: they would overrun 64K. */
	if (off8 * 8 + rest > LI_IP_MAXLEN) {
		p->malformed = LI_MAL_FRAG;
		return 1;
	}
	/* A later fragment starts inside the datagram: no L4 header here. */
	return off8 != 0;
}

/*
 * Does the frame hold the @n bytes of a datagram at @off? Within data_end;
 * or, @wire nonzero, within @wire bytes: a TC program's skb whose
 * payload lies beyond its linear part, which data_end ends (the egress
 * program: the gateway's TCP data is in page fragments, and only its
 * headers are pulled). Reads still stop at data_end. The XDP program and
 * the host pass 0, a constant: their code is as it was.
 */
static __always_inline int li_frame_holds(const void *data,
					  const void *data_end, __u32 wire,
					  __u32 off, __u32 n)
{
	if (wire)
		return (__u64)off + n <= wire;
	return li_ptr(data, data_end, off, LI_NOLIMIT, n) != 0;
}

static __always_inline void li_parse_ipv4(const void *data,
					  const void *data_end, __u32 wire,
					  __u32 off, struct li_pkt *p,
					  struct li_l4_at *at)
{
	const __u8 *h = li_ptr(data, data_end, off, LI_NOLIMIT, LI_IP_HLEN_MIN);
	__u32 hlen, tot, fo;

	if (!h) {
		p->malformed = LI_MAL_IP_TRUNC;
		return;
	}
	p->family = 4;
	li_get_addr(p->saddr, h + 12, 1);
	li_get_addr(p->daddr, h + 16, 1);
	p->ttl = h[8];
	p->proto = h[9];
	tot = li_get16(h + 2);
	p->l3_len = (__u16)tot;
	if ((h[0] >> 4) != 4) {
		p->malformed = LI_MAL_IP_VERSION;
		return;
	}
	hlen = (__u32)(h[0] & 0x0f) * 4;
	/*
	 * A whole datagram holds its header: one test of the frame's
	 * length for both, and which of the two is wrong only when one is.
	 */
	if (hlen < LI_IP_HLEN_MIN || tot < hlen ||
	    !li_frame_holds(data, data_end, wire, off, tot)) {
		if (hlen < LI_IP_HLEN_MIN ||
		    !li_ptr(data, data_end, off, LI_NOLIMIT, hlen))
			p->malformed = LI_MAL_IP_HDRLEN;
		else
			p->malformed = LI_MAL_IP_LEN;
		return;
	}
	fo = li_get16(h + 6);
	/* Most datagrams are whole: their offset and MF are tested at once */
	if ((fo & (LI_IP_OFFMASK | LI_IP_MF)) &&
	    li_frag(p, fo & LI_IP_OFFMASK, !!(fo & LI_IP_MF), li_get16(h + 4),
		    tot - hlen))
		return;
	at->off = off + hlen;
	at->end = off + tot;
}

/*
 * The walk over IPv6 extension headers from @off (next header *@nh) to
 * @end, at most @max of them (a constant: LI_EXTHDR_MAX, in a quote
 * LI_EXTHDR_QUOTE_MAX): the loop bound is what keeps both the verifier
 * and a hostile chain in check. One walk for the packet's
 * own headers (@p) and for the packet an ICMPv6 error quotes (@p NULL,
 * parse_l4.h), so that a quote names the session its packet opened.
 * Hop-by-hop, routing, destination options and fragment headers are
 * stepped over; AH is not: it is the packet's protocol, as on IPv4,
 * where it is the IP header's (FortiOS's service "AH", protocol-number
 * 51, matches it on both families). Returns the offset of what follows,
 * *@nh its protocol (IPPROTO_NONE, no next header, included); 0 where
 * the walk stops short: a header cut or the chain too long (@p:
 * malformed), a later fragment, whose bytes are the middle of the
 * datagram (@p: li_frag's bookkeeping; the quote has no ports then).
 * Only @p's walk updates it: p->proto follows *@nh step by step.
 */
static __always_inline __u32 li_ip6_walk(const void *data, const void *data_end,
					 __u32 off, __u32 end, __u8 *nh,
					 struct li_pkt *p, const int max)
{
	const __u8 *h;
	__u32 fo;
	int i;

	LI_UNROLL
	for (i = 0; i <= max; i++) {
		if (*nh != IPPROTO_HOPOPTS && *nh != IPPROTO_ROUTING &&
		    *nh != IPPROTO_FRAGMENT && *nh != IPPROTO_DSTOPTS)
			break;
		if (i == max)
			goto bad;
		if (*nh == IPPROTO_FRAGMENT) {
			h = li_ptr(data, data_end, off, end, LI_IP6_FRAG_HLEN);
			if (!h)
				goto bad;
			fo = li_get16(h + 2);
			*nh = h[0];
			off += LI_IP6_FRAG_HLEN;
			if (!p) {
				if (fo & LI_IP6_FRAG_OFFSET)
					return 0;
				continue;
			}
			p->proto = *nh;
			if (li_frag(p, fo >> LI_IP6_OFF_SHIFT, fo & LI_IP6_MF,
				    li_get32(h + 4), end - off))
				return 0;
			continue;
		}
		h = li_ptr(data, data_end, off, end, LI_IP6_EXT_HLEN_MIN);
		if (!h ||
		    !li_ptr(data, data_end, off, end, ((__u32)h[1] + 1) * 8))
			goto bad;
		*nh = h[0];
		if (p)
			p->proto = *nh;
		off += ((__u32)h[1] + 1) * 8;
	}
	return off;
bad:
	if (p)
		p->malformed = LI_MAL_EXTHDR;
	return 0;
}

/*
 * The fixed header, then the extension headers (li_ip6_walk): the
 * protocol is the last next-header value.
 */
static __always_inline void li_parse_ipv6(const void *data,
					  const void *data_end, __u32 wire,
					  __u32 off, struct li_pkt *p,
					  struct li_l4_at *at)
{
	const __u8 *h = li_ptr(data, data_end, off, LI_NOLIMIT, LI_IP6_HLEN);
	__u32 plen, end;
	__u8 nh;

	if (!h) {
		p->malformed = LI_MAL_IP_TRUNC;
		return;
	}
	p->family = 6;
	li_get_addr(p->saddr, h + 8, 4);
	li_get_addr(p->daddr, h + 24, 4);
	p->ttl = h[7];
	nh = h[6];
	p->proto = nh;
	plen = li_get16(h + 4);
	p->l3_len = plen > LI_IP_MAXLEN - LI_IP6_HLEN ?
			    LI_IP_MAXLEN :
			    (__u16)(LI_IP6_HLEN + plen);
	if ((h[0] >> 4) != 6) {
		p->malformed = LI_MAL_IP_VERSION;
		return;
	}
	/*
	 * Payload length 0 before a hop-by-hop header announces a jumbogram
	 * (RFC 2675), not for a VPN gateway. Before anything else it is an
	 * empty payload, as for the kernel (ip6_rcv_core).
	 */
	if ((plen == 0 && nh == IPPROTO_HOPOPTS) ||
	    !li_frame_holds(data, data_end, wire, off, LI_IP6_HLEN + plen)) {
		p->malformed = LI_MAL_IP_LEN;
		return;
	}
	end = off + LI_IP6_HLEN + plen;
	off = li_ip6_walk(data, data_end, off + LI_IP6_HLEN, end, &nh, p,
			  LI_EXTHDR_MAX);
	if (!off)
		return;
	at->off = off;
	at->end = end;
}

#endif
