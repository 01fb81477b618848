/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What any result of li_parse() must satisfy, whatever the bytes: checked
 * by the unit tests (truncation sweeps) and by the fuzz target. The checks
 * recompute what they can from the frame itself (tags, IP header position,
 * addresses, lengths) so that a field the parser claims is one it could have
 * read. Returns NULL, or what is wrong.
 */
#ifndef LOCALIN_TESTS_PKT_INVARIANTS_H
#define LOCALIN_TESTS_PKT_INVARIANTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/parse.h"

static inline uint32_t pkt_be16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

/* Bytes of the transport header the parser needs before it sets PORTS. */
static inline size_t pkt_l4_min(const struct li_pkt *p)
{
	switch (p->proto) {
	case LI_IPPROTO_TCP:
		return 20;
	case LI_IPPROTO_UDP:
		return 8;
	case LI_IPPROTO_SCTP:
		return 12;
	default:
		return 4; /* ICMP, ICMPv6 */
	}
}

static inline const char *pkt_check_l4(const struct li_pkt *p)
{
	const uint16_t f = p->flags;
	const int icmp = (p->family == 4 && p->proto == LI_IPPROTO_ICMP) ||
			 (p->family == 6 && p->proto == LI_IPPROTO_ICMPV6);

	if ((f & LI_PKT_FRAG_LATER) && !(f & LI_PKT_FRAG))
		return "FRAG_LATER without FRAG";
	if ((f & LI_PKT_FRAG_LATER) &&
	    (f & (LI_PKT_PORTS | LI_PKT_ESP | LI_PKT_IKE | LI_PKT_NATT_KA)))
		return "a later fragment with L4 facts";
	if (!(f & LI_PKT_FRAG) && p->frag_id)
		return "frag_id without FRAG";
	if ((f & LI_PKT_PORTS) && p->proto != LI_IPPROTO_TCP &&
	    p->proto != LI_IPPROTO_UDP && p->proto != LI_IPPROTO_SCTP && !icmp)
		return "PORTS for a protocol without ports";
	if (!(f & LI_PKT_PORTS) && (p->sport || p->dport))
		return "ports without PORTS";
	if ((f & LI_PKT_ESP_UDP) && !(f & LI_PKT_ESP))
		return "ESP_UDP without ESP";
	if ((f & LI_PKT_ESP) && !(f & LI_PKT_ESP_UDP) &&
	    p->proto != LI_IPPROTO_ESP)
		return "ESP on a protocol other than 50";
	if ((f & (LI_PKT_ESP_UDP | LI_PKT_NATT_KA)) &&
	    (p->proto != LI_IPPROTO_UDP || !(f & LI_PKT_PORTS) ||
	     p->dport != LI_NATT_PORT))
		return "NAT-T facts off UDP 4500";
	if ((f & LI_PKT_IKE) &&
	    (p->proto != LI_IPPROTO_UDP || !(f & LI_PKT_PORTS) ||
	     (p->dport != LI_IKE_PORT && p->dport != LI_NATT_PORT)))
		return "IKE off UDP 500/4500";
	if (((f & LI_PKT_ESP) && (f & (LI_PKT_IKE | LI_PKT_NATT_KA))) ||
	    ((f & LI_PKT_IKE) && (f & LI_PKT_NATT_KA)))
		return "ESP, IKE and keepalive are exclusive";
	if (!(f & LI_PKT_ESP) && p->spi)
		return "spi without ESP";
	if (p->seq && !(f & LI_PKT_ESP) && p->proto != LI_IPPROTO_TCP)
		return "seq without ESP or TCP";
	if ((p->tcp_flags || p->ack || p->win) &&
	    (p->proto != LI_IPPROTO_TCP || !(f & LI_PKT_PORTS)))
		return "TCP fields without a TCP header";
	if ((p->icmp_type || p->icmp_seq) && (!icmp || !(f & LI_PKT_PORTS)))
		return "ICMP fields without an ICMP header";
	if (icmp && (f & LI_PKT_PORTS) && (p->dport >> 8) != p->icmp_type)
		return "ICMP dport is not type << 8 | code";
	if ((p->malformed == LI_MAL_L4_TRUNC ||
	     p->malformed == LI_MAL_L4_LEN) &&
	    (f & (LI_PKT_ESP | LI_PKT_IKE | LI_PKT_NATT_KA)))
		return "payload facts behind a broken L4 header";
	if (p->malformed == LI_MAL_L4_TRUNC && (f & LI_PKT_PORTS))
		return "L4_TRUNC yet PORTS";
	return NULL;
}

/* p must be what li_parse() made of the size bytes at buf. */
static inline const char *pkt_check(const uint8_t *buf, size_t size,
				    const struct li_pkt *p)
{
	static const uint8_t zero[16];
	size_t l3 = LI_ETH_HLEN, hlen, l3end, l4;
	uint32_t type;
	int tags = 0;

	if (p->malformed >= LI_MAL_MAX)
		return "malformed out of range";
	if (p->family != 0 && p->family != 4 && p->family != 6)
		return "family out of range";
	if (!p->family &&
	    (p->proto || p->ttl || p->l3_len || memcmp(p->saddr, zero, 16) ||
	     memcmp(p->daddr, zero, 16) || (p->flags & ~LI_PKT_VLAN)))
		return "IP facts without an IP header";
	if (size < LI_ETH_HLEN)
		return p->malformed == LI_MAL_L2 && !p->flags ? NULL :
								"short frame";
	type = pkt_be16(buf + 12);
	while (tags < LI_VLAN_MAX &&
	       (type == LI_ETH_P_8021Q || type == LI_ETH_P_8021AD)) {
		if (size < l3 + 4)
			return p->malformed == LI_MAL_L2 && !p->family ?
				       NULL :
				       "cut VLAN tag not LI_MAL_L2";
		if (!(p->flags & LI_PKT_VLAN))
			return "tagged without LI_PKT_VLAN";
		/* Tagged for a VLAN: that VLAN device's, not IP here. */
		if (pkt_be16(buf + l3) & 0x0fff)
			return p->vlan != (pkt_be16(buf + l3) & 0x0fff) ?
				       "the VLAN id tagged for" :
			       p->family || p->malformed ?
				       "a VLAN's frame parsed as this interface's" :
				       NULL;
		type = pkt_be16(buf + l3 + 2);
		l3 += 4;
		tags++;
	}
	if (!tags && (p->flags & LI_PKT_VLAN || p->vlan))
		return "VLAN without a tag";
	/* More priority tags than read: malformed (the kernel reads them) */
	if (type == LI_ETH_P_8021Q || type == LI_ETH_P_8021AD)
		return p->malformed == LI_MAL_L2 && !p->family ?
			       NULL :
			       "priority tags past LI_VLAN_MAX not LI_MAL_L2";
	if (p->malformed == LI_MAL_L2)
		return "LI_MAL_L2 on a whole L2 header";
	if (type != LI_ETH_P_IP && type != LI_ETH_P_IPV6)
		return p->family || p->malformed ? "non-IP parsed" : NULL;
	hlen = type == LI_ETH_P_IP ? 20 : 40;
	if (size < l3 + hlen)
		return !p->family && p->malformed == LI_MAL_IP_TRUNC ?
			       NULL :
			       "cut IP header not LI_MAL_IP_TRUNC";
	if (p->family != (type == LI_ETH_P_IP ? 4 : 6))
		return "family does not follow the ethertype";
	if (p->malformed == LI_MAL_IP_TRUNC)
		return "IP_TRUNC on a whole IP header";
	if (p->family == 4) {
		if (memcmp(p->saddr, buf + l3 + 12, 4) ||
		    memcmp(p->daddr, buf + l3 + 16, 4) ||
		    memcmp(p->saddr + 1, zero, 12) ||
		    memcmp(p->daddr + 1, zero, 12))
			return "IPv4 addresses";
		if (p->ttl != buf[l3 + 8] ||
		    p->l3_len != pkt_be16(buf + l3 + 2))
			return "IPv4 ttl or length";
		l4 = l3 + (buf[l3] & 0x0f) * 4;
		l3end = l3 + pkt_be16(buf + l3 + 2);
	} else {
		if (memcmp(p->saddr, buf + l3 + 8, 16) ||
		    memcmp(p->daddr, buf + l3 + 24, 16))
			return "IPv6 addresses";
		if (p->ttl != buf[l3 + 7])
			return "IPv6 hop limit";
		if (p->l3_len != (40 + pkt_be16(buf + l3 + 4) > 65535 ?
					  65535 :
					  40 + pkt_be16(buf + l3 + 4)))
			return "IPv6 length";
		l4 = l3 + 40;
		l3end = l3 + 40 + pkt_be16(buf + l3 + 4);
	}
	if ((p->malformed == LI_MAL_IP_VERSION) ==
	    ((buf[l3] >> 4) == p->family))
		return "IP_VERSION disagrees with the version field";
	if (p->malformed == LI_MAL_IP_VERSION ||
	    p->malformed == LI_MAL_IP_HDRLEN || p->malformed == LI_MAL_IP_LEN) {
		if (p->flags & ~LI_PKT_VLAN)
			return "facts beyond a broken IP header";
		return NULL;
	}
	if (l3end > size)
		return "IP length beyond the frame not LI_MAL_IP_LEN";
	if (p->family == 4 && l4 > l3end)
		return "IHL beyond total length not malformed";
	if (p->family == 4 && p->proto != buf[l3 + 9])
		return "IPv4 protocol";
	/* Without extension headers the L4 header's place is known. */
	if ((p->flags & LI_PKT_PORTS) &&
	    (p->family == 4 || buf[l3 + 6] == p->proto) &&
	    l4 + pkt_l4_min(p) > l3end)
		return "PORTS from beyond the L3 end";
	if ((p->flags & LI_PKT_PORTS) && l4 + 8 <= l3end &&
	    (p->family == 4 || buf[l3 + 6] == p->proto) &&
	    (p->proto == LI_IPPROTO_TCP || p->proto == LI_IPPROTO_UDP ||
	     p->proto == LI_IPPROTO_SCTP) &&
	    (p->sport != pkt_be16(buf + l4) ||
	     p->dport != pkt_be16(buf + l4 + 2)))
		return "ports are not the header's";
	if ((p->flags & LI_PKT_ESP) && !(p->flags & LI_PKT_ESP_UDP) &&
	    p->family == 4 && l4 + 8 > l3end)
		return "ESP SPI from beyond the L3 end";
	if ((p->flags & LI_PKT_IKE) && p->family == 4 && l4 + 8 + 28 > l3end)
		return "IKE header from beyond the L3 end";
	return pkt_check_l4(p);
}

#endif
