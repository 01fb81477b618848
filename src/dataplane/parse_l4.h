/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transport headers for parse.h: UDP (with the IKE and NAT-T ports), TCP,
 * SCTP, ICMP/ICMPv6 and ESP. Part of parse.h: see there for the rules every
 * function here follows.
 *
 * Each function gets the offset of its header and the end of the bytes it may
 * read (the L3 end, or the UDP datagram's end), both offsets from data.
 */
/* The helpers. parse.h includes this file in turn, hence before the guard. */
#include "dataplane/parse.h"

#ifndef LOCALIN_DATAPLANE_PARSE_L4_H
#define LOCALIN_DATAPLANE_PARSE_L4_H

/*
 * A short IKE header is not malformed: the IKE daemon judges its own input.
 * @flag: LI_PKT_IKE, or LI_PKT_IKE_OUT for IKE by its source port.
 */
static __always_inline void li_parse_ike(const void *data, const void *data_end,
					 __u32 off, __u32 end, struct li_pkt *p,
					 __u16 flag)
{
	/*
	 * That the header is there, and its exchange: a peer's IKE is noted
	 * for its rekeys, a new peer's IKE that makes SAs for its first
	 * (match.h). Its SPIs and version were copied here once and read
	 * by nothing; with the wider clear of li_pkt they needed, 12
	 * instructions on every IKE packet (bench/xdp/insns.sh).
	 */
	const __u8 *h = li_ptr(data, data_end, off, end, LI_IKE_HLEN);

	if (h) {
		p->flags |= flag;
		p->ike_exch = h[18]; /* after the SPIs, next payload, version */
	}
}

static __always_inline void li_parse_esp(const void *data, const void *data_end,
					 __u32 off, __u32 end, struct li_pkt *p,
					 __u16 flags)
{
	const __u8 *h = li_ptr(data, data_end, off, end, LI_ESP_HLEN);

	if (!h) {
		p->malformed = LI_MAL_ESP_TRUNC;
		return;
	}
	p->spi = li_get32(h);
	p->seq = li_get32(h + 4);
	p->flags |= flags;
}

/*
 * A NAT-T port (4500, or another of @natt's) carries three things, told apart the way the kernel does
 * (xfrm4_udp_encap_rcv): one 0xff byte is a NAT keepalive, four zero bytes
 * (the non-ESP marker) put IKE after them, anything else is ESP (RFC 3948).
 * plen is the payload length by the UDP header, which a first fragment may not
 * hold in full: reads stop at end. The kernel takes ESP only above 8 bytes
 * (SPI, sequence and at least one byte more); an ESP header with nothing
 * behind it is still judged by its SPI here, so exactly 8 bytes count as ESP.
 */
static __always_inline void li_parse_natt(const void *data,
					  const void *data_end, __u32 off,
					  __u32 end, __u32 plen,
					  struct li_pkt *p)
{
	const __u8 *h;

	if (plen == 0)
		return;
	if (plen == 1) {
		h = li_ptr(data, data_end, off, end, 1);
		if (h && h[0] == LI_NATT_KEEPALIVE) {
			p->flags |= LI_PKT_NATT_KA;
			return;
		}
	}
	if (plen >= LI_NON_ESP_MARKER_LEN) {
		h = li_ptr(data, data_end, off, end, LI_NON_ESP_MARKER_LEN);
		if (h && li_get32(h) == 0) {
			li_parse_ike(data, data_end,
				     off + LI_NON_ESP_MARKER_LEN, end, p,
				     LI_PKT_IKE);
			return;
		}
	}
	if (plen < LI_ESP_HLEN) {
		p->malformed = LI_MAL_ESP_TRUNC;
		return;
	}
	li_parse_esp(data, data_end, off, end, p, LI_PKT_ESP | LI_PKT_ESP_UDP);
}

/*
 * IKE by its source port (LI_PKT_IKE_OUT): from 500, or from a NAT-T port
 * after the non-ESP marker (ESP in UDP has its SPI there, never 0). @off:
 * the UDP payload's.
 */
static __always_inline void li_parse_ike_out(const void *data,
					     const void *data_end, __u32 off,
					     __u32 end, struct li_pkt *p)
{
	const __u8 *h;

	if (p->sport != LI_IKE_PORT) {
		h = li_ptr(data, data_end, off, end, LI_NON_ESP_MARKER_LEN);
		if (!h || li_get32(h))
			return;
		off += LI_NON_ESP_MARKER_LEN;
	}
	li_parse_ike(data, data_end, off, end, p, LI_PKT_IKE_OUT);
}

/*
 * Is @port one of the NAT-T ports besides 4500 (packet.h)? A compare a
 * slot: the product of the differences (one branch) made the verifier's
 * walk longer still (863k instructions against 759k, diff_budget).
 */
static __always_inline int li_natt_has(const struct li_natt *natt, __u16 port)
{
	int i;

	LI_UNROLL
	for (i = 0; i < LI_NATT_EXTRA; i++)
		if (natt->port[i] == port)
			return 1;
	return 0;
}

/*
 * Is @p UDP from port 500 or a NAT-T port of @natt that its destination
 * port did not make IKE (parse.h li_parse_wire_out)?
 */
static __always_inline int li_ike_out_maybe(const struct li_pkt *p,
					    const struct li_natt *natt)
{
	return p->proto == 17 && !p->malformed &&
	       (p->flags & (LI_PKT_PORTS | LI_PKT_IKE | LI_PKT_FRAG_LATER)) ==
		       LI_PKT_PORTS &&
	       (p->sport == LI_IKE_PORT || p->sport == LI_NATT_PORT ||
		li_natt_has(natt, p->sport));
}

static __always_inline void li_parse_udp(const void *data, const void *data_end,
					 __u32 off, __u32 end,
					 const struct li_natt *natt,
					 struct li_pkt *p)
{
	const __u8 *h = li_ptr(data, data_end, off, end, LI_UDP_HLEN);
	__u32 ulen;

	if (!h) {
		p->malformed = LI_MAL_L4_TRUNC;
		return;
	}
	p->sport = li_get16(h);
	p->dport = li_get16(h + 2);
	p->flags |= LI_PKT_PORTS;
	ulen = li_get16(h + 4);
	/*
	 * A first fragment holds only the start of the datagram the UDP
	 * length describes; otherwise the length must fit the IP payload
	 * (what follows it is padding, which the kernel trims).
	 */
	if (ulen < LI_UDP_HLEN ||
	    (!(p->flags & LI_PKT_FRAG) && ulen > end - off)) {
		p->malformed = LI_MAL_L4_LEN;
		return;
	}
	if (off + ulen < end)
		end = off + ulen;
	/*
	 * 500 and 4500 first: the common ports pay nothing for the others,
	 * which are never 500 (sa_table.c li_natt_add).
	 */
	if (p->dport == LI_IKE_PORT)
		li_parse_ike(data, data_end, off + LI_UDP_HLEN, end, p,
			     LI_PKT_IKE);
	else if (p->dport == LI_NATT_PORT || li_natt_has(natt, p->dport))
		li_parse_natt(data, data_end, off + LI_UDP_HLEN, end,
			      ulen - LI_UDP_HLEN, p);
}

static __always_inline void li_parse_tcp(const void *data, const void *data_end,
					 __u32 off, __u32 end, struct li_pkt *p)
{
	const __u8 *h = li_ptr(data, data_end, off, end, LI_TCP_HLEN_MIN);
	__u32 doff;

	if (!h) {
		p->malformed = LI_MAL_L4_TRUNC;
		return;
	}
	p->sport = li_get16(h);
	p->dport = li_get16(h + 2);
	p->seq = li_get32(h + 4);
	p->ack = li_get32(h + 8);
	p->tcp_flags = h[13];
	p->win = li_get16(h + 14);
	p->flags |= LI_PKT_PORTS;
	doff = (__u32)(h[12] >> 4) * 4;
	if (doff < LI_TCP_HLEN_MIN || doff > end - off)
		p->malformed = LI_MAL_L4_LEN;
}

static __always_inline void li_parse_sctp(const void *data,
					  const void *data_end, __u32 off,
					  __u32 end, struct li_pkt *p)
{
	const __u8 *h = li_ptr(data, data_end, off, end, LI_SCTP_HLEN);

	if (!h) {
		p->malformed = LI_MAL_L4_TRUNC;
		return;
	}
	p->sport = li_get16(h);
	p->dport = li_get16(h + 2);
	p->flags |= LI_PKT_PORTS;
}

/*
 * The packet an ICMP(v6) error quotes, at @off (after the error's 8-byte
 * header): its addresses, protocol and ports, which name the session it
 * belongs to (session.h). Only what the quote holds in full is taken
 * (IPv4 quotes 8 bytes of L4 at least). IPv6's extension headers are
 * walked as the packet's own are (parse_l3.h li_ip6_walk), at most
 * LI_EXTHDR_QUOTE_MAX of them (parse.h says why), so that the
 * quote names the session the packet opened: a datagram of the gateway's
 * above the link's MTU (IKE with certificates, a large DNS answer) leaves
 * in fragments, and a router's "packet too big" quotes the first one; a
 * packet with a destination options or routing header is quoted with it.
 * Were it related to nothing, a deny-all would drop it, the kernel would
 * never learn the path MTU and every datagram that size would vanish. A
 * quote of a later fragment (no ports), or one the walk gives up on,
 * relates to no session and meets the policies. A quoted protocol
 * without ports (ESP, AH, GRE) is related by its addresses alone. A
 * quote that cannot be read is no defect: the error itself is judged as
 * it always was.
 */
static __always_inline void li_parse_icmp_inner(const void *data,
						const void *data_end, __u32 off,
						__u32 end, struct li_pkt *p,
						__u8 echo_req, __u8 echo_rep)
{
	const __u8 *h;
	__u32 l4;
	__u8 proto;

	if (p->family == 4) {
		if (p->icmp_type != 3 && p->icmp_type != 11 &&
		    p->icmp_type != 12)
			return;
		h = li_ptr(data, data_end, off, end, LI_IP_HLEN_MIN);
		if (!h || (h[0] >> 4) != 4 || (h[0] & 0xf) < 5)
			return;
		proto = h[9];
		li_get_addr(p->inner_saddr, h + 12, 1);
		li_get_addr(p->inner_daddr, h + 16, 1);
		l4 = off + (__u32)(h[0] & 0xf) * 4;
	} else {
		if (p->icmp_type < 1 || p->icmp_type > 4)
			return;
		h = li_ptr(data, data_end, off, end, LI_IP6_HLEN);
		if (!h || (h[0] >> 4) != 6)
			return;
		proto = h[6];
		li_get_addr(p->inner_saddr, h + 8, 4);
		li_get_addr(p->inner_daddr, h + 24, 4);
		l4 = li_ip6_walk(data, data_end, off + LI_IP6_HLEN, end, &proto,
				 0, LI_EXTHDR_QUOTE_MAX);
		if (!l4)
			return;
	}
	li_verifier_forget(l4);
	h = li_ptr(data, data_end, l4, end, 8);
	if (!h)
		return;
	if (proto == LI_IPPROTO_TCP || proto == LI_IPPROTO_UDP ||
	    proto == LI_IPPROTO_SCTP) {
		p->inner_sport = li_get16(h);
		p->inner_dport = li_get16(h + 2);
	} else if (proto == LI_IPPROTO_ICMP || proto == LI_IPPROTO_ICMPV6) {
		/* Only an echo of ours has a session; an error has none. */
		if (proto != p->proto || (h[0] != echo_req && h[0] != echo_rep))
			return;
		/* Identifier; who asked (session.h's LI_ECHO_OURS/THEIRS). */
		p->inner_sport = li_get16(h + 4);
		p->inner_dport = h[0] == echo_req ? 0 : 1;
	} else {
		/*
		 * No ports: keyed by the addresses, as the packet's own
		 * session is (session.h). The tunnel's ESP is one: a
		 * "fragmentation needed" about it must reach the kernel, or
		 * its path MTU is never learnt and large packets in the
		 * tunnel vanish.
		 */
		p->inner_sport = 0;
		p->inner_dport = 0;
	}
	p->inner_proto = proto;
	p->flags |= LI_PKT_ICMP_INNER;
}

/*
 * Is ICMPv6 @type, with hop limit @ttl from @saddr, a message the kernel
 * takes only from the link itself: neighbour discovery (router and
 * neighbour solicitation and advertisement, redirect) with hop limit 255
 * (RFC 4861), or multicast listener discovery (query, reports, done)
 * with hop limit 1 from a link-local source (RFC 2710, 3810)? Not in a
 * fragment (RFC 6980). packet.h li_pkt_is_nd says why it matters.
 */
static __always_inline int li_icmp6_is_nd(const struct li_pkt *p, __u8 type)
{
	const __u8 *s = (const __u8 *)p->saddr;

	if (p->flags & LI_PKT_FRAG)
		return 0;
	if (type >= 133 && type <= 137)
		return p->ttl == 255;
	if ((type >= 130 && type <= 132) || type == 143)
		return p->ttl == 1 && s[0] == 0xfe && (s[1] & 0xc0) == 0x80;
	return 0;
}

/*
 * ICMP and ICMPv6 have no ports: the type and code stand in for the
 * destination port (how FortiOS services name them), the echo identifier for
 * the source port.
 */
static __always_inline void li_parse_icmp(const void *data,
					  const void *data_end, __u32 off,
					  __u32 end, struct li_pkt *p,
					  __u8 echo_req, __u8 echo_rep)
{
	const __u8 *h = li_ptr(data, data_end, off, end, LI_ICMP_HLEN);

	if (!h) {
		p->malformed = LI_MAL_L4_TRUNC;
		return;
	}
	p->icmp_type = h[0];
	p->dport = (__u16)(h[0] << 8 | h[1]);
	p->flags |= LI_PKT_PORTS;
	if (p->family == 6 && li_icmp6_is_nd(p, h[0]))
		p->flags |= LI_PKT_ND;
	if (h[0] != echo_req && h[0] != echo_rep) {
		li_parse_icmp_inner(data, data_end, off + LI_ICMP_ECHO_HLEN,
				    end, p, echo_req, echo_rep);
		return;
	}
	h = li_ptr(data, data_end, off, end, LI_ICMP_ECHO_HLEN);
	if (!h)
		return;
	p->sport = li_get16(h + 4);
	p->icmp_seq = li_get16(h + 6);
	p->flags |= LI_PKT_ICMP_ECHO;
}

/* The transport header of a packet that is not a later fragment. */
static __always_inline void li_parse_l4(const void *data, const void *data_end,
					__u32 off, __u32 end,
					const struct li_natt *natt,
					struct li_pkt *p)
{
	li_verifier_forget(off);
	switch (p->proto) {
	case LI_IPPROTO_UDP:
		li_parse_udp(data, data_end, off, end, natt, p);
		break;
	case LI_IPPROTO_TCP:
		li_parse_tcp(data, data_end, off, end, p);
		break;
	case LI_IPPROTO_SCTP:
		li_parse_sctp(data, data_end, off, end, p);
		break;
	case LI_IPPROTO_ICMP:
		if (p->family == 4)
			li_parse_icmp(data, data_end, off, end, p, LI_ICMP_ECHO,
				      LI_ICMP_ECHOREPLY);
		break;
	case LI_IPPROTO_ICMPV6:
		if (p->family == 6)
			li_parse_icmp(data, data_end, off, end, p,
				      LI_ICMPV6_ECHO_REQUEST,
				      LI_ICMPV6_ECHO_REPLY);
		break;
	case LI_IPPROTO_ESP:
		li_parse_esp(data, data_end, off, end, p, LI_PKT_ESP);
		break;
	}
}

#endif
