/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the data path knows about one packet (the "facts"), and what it
 * decided. Shared by the XDP program, the host matcher (replay, tests)
 * and the user-space formatters of logs and traces, so only fixed-width
 * types and no pointers.
 */
#ifndef LOCALIN_DATAPLANE_PACKET_H
#define LOCALIN_DATAPLANE_PACKET_H

#include <linux/types.h>

/* A loop of a fixed count unrolled in the BPF build (parse.h, match.h). */
#ifdef __bpf__
#define LI_UNROLL _Pragma("unroll")
#else
#define LI_UNROLL
#endif

/* li_pkt.proto: the IP protocols the parser and the matcher name */
#define LI_IPPROTO_ICMP 1
#define LI_IPPROTO_TCP 6
#define LI_IPPROTO_UDP 17
#define LI_IPPROTO_ESP 50
#define LI_IPPROTO_AH 51
#define LI_IPPROTO_ICMPV6 58
#define LI_IPPROTO_SCTP 132

/* li_pkt.flags */
#define LI_PKT_PORTS (1u << 0)	    /* sport/dport are valid */
#define LI_PKT_FRAG (1u << 1)	    /* part of a fragmented datagram */
#define LI_PKT_FRAG_LATER (1u << 2) /* non-first fragment: no L4 header */
#define LI_PKT_ESP (1u << 3)	    /* ESP: IP proto 50, or ESP-in-UDP */
#define LI_PKT_ESP_UDP (1u << 4)    /* ESP in UDP to a NAT-T port (RFC 3948) */
#define LI_PKT_NATT_KA (1u << 5)    /* NAT-T port: NAT keepalive (one 0xff) */
#define LI_PKT_IKE \
	(1u << 6) /* IKE header parsed (UDP 500, or NAT-T + non-ESP marker) */
#define LI_PKT_VLAN (1u << 7)	   /* arrived with 802.1Q/802.1ad tags */
#define LI_PKT_ICMP_ECHO (1u << 8) /* ICMP(v6) echo: sport is its identifier */
/* An ICMP(v6) error quoting a packet whose session key was read: inner_* */
#define LI_PKT_ICMP_INNER (1u << 9)
/* IPv6 neighbour or multicast listener discovery from the link: li_pkt_is_nd */
#define LI_PKT_ND (1u << 10)
/*
 * UDP from port 500 or 4500 (with the non-ESP marker) to any other port
 * with an IKE header: IKE the gateway sends, seen at its egress (a NATed
 * peer's port is any); ike_exch is set. Read only there (match.h
 * li_ike_out): what arrives is IKE by its destination port alone.
 */
#define LI_PKT_IKE_OUT (1u << 11)

/*
 * IKE exchanges that make CHILD SAs (li_pkt.ike_exch): IKEv2's IKE_AUTH
 * and CREATE_CHILD_SA (RFC 7296), IKEv1's Quick Mode (RFC 2409). A rekey
 * and a new peer's first SA follow one (sa_slot.h); a scan's IKE_SA_INIT,
 * Main or Aggressive Mode, a DPD or another INFORMATIONAL make none.
 */
#define LI_IKE_EXCH_AUTH 35
#define LI_IKE_EXCH_CHILD 36
#define LI_IKE_EXCH_V1_QUICK 32
static inline int li_ike_makes_sa(__u8 exch)
{
	return exch == LI_IKE_EXCH_AUTH || exch == LI_IKE_EXCH_CHILD ||
	       exch == LI_IKE_EXCH_V1_QUICK;
}

/*
 * The NAT-T ports: UDP 4500, and the local encapsulation ports of the live
 * SAs besides (strongSwan's charon.port_nat_t),
 * at most LI_NATT_EXTRA of them. ESP in UDP to such a port is SPI-checked
 * as on 4500; to a port past the bound it meets the policies as plain UDP
 * (the daemon says so). Unused slots hold 4500, never 0: a slot of 0
 * would take UDP to port 0 for NAT-T. The XDP program reads the set in
 * li_conf's value (maps.h li_conf_val.natt), the host its own (host.h);
 * li_parse() without one knows 4500 alone.
 */
#define LI_NATT_PORT 4500
#define LI_NATT_EXTRA 4
struct li_natt {
	__u16 port[LI_NATT_EXTRA];
} __attribute__((aligned(8))); /* one word: the loader stores it at once */
#define LI_NATT_INIT                                                           \
	{                                                                      \
		{                                                              \
			LI_NATT_PORT, LI_NATT_PORT, LI_NATT_PORT, LI_NATT_PORT \
		}                                                              \
	}

/* Why a packet addressed to us cannot be judged: li_pkt.malformed */
enum li_malformed {
	LI_MAL_NONE = 0,
	LI_MAL_L2,	   /* Ethernet or VLAN header truncated */
	LI_MAL_IP_TRUNC,   /* IP header truncated */
	LI_MAL_IP_HDRLEN,  /* IPv4 IHL < 5, or beyond the packet */
	LI_MAL_IP_LEN,	   /* total/payload length disagrees with the frame */
	LI_MAL_IP_VERSION, /* version field does not match the ethertype */
	LI_MAL_EXTHDR,	 /* IPv6 extension header truncated or chain too long */
	LI_MAL_L4_TRUNC, /* UDP/TCP/SCTP/ICMP header truncated */
	LI_MAL_L4_LEN,	 /* UDP length or TCP data offset inconsistent */
	LI_MAL_ESP_TRUNC, /* ESP header (SPI, sequence) truncated */
	LI_MAL_FRAG,	  /* fragment offset/length impossible */
	LI_MAL_MAX,
};

struct li_pkt {
	__u8 family;	/* 4 or 6; 0: not IP (ARP, LLDP...) */
	__u8 proto;	/* L4 protocol after IPv6 extension headers */
	__u8 malformed; /* enum li_malformed */
	__u8 ttl;	/* TTL / hop limit */
	__u16 flags;	/* LI_PKT_* */
	__u16 vlan; /* the VLAN id it is tagged for (0: priority tags only) */
	__u32 saddr[4]; /* network byte order; IPv4 in saddr[0] */
	__u32 daddr[4];
	__u32 frag_id; /* IPv4 id or IPv6 fragment identification */
	__u16 l3_len;  /* IP total length (IPv6: 40 + payload length) */
	/*
	 * LI_PKT_FRAG: the protocol every fragment of the datagram names,
	 * its key with frag_id (IPv4's, IPv6's fragment header's next
	 * header). An IPv6 first fragment's proto is the one after the
	 * fragmentable part's extension headers, which a later fragment
	 * cannot see.
	 */
	__u8 frag_proto;
	__u8 pad0; /* what follows is 8-byte aligned: cleared in words */
	/* From here on, the transport header's (parse.h li_parse_l4) */
	__u16 sport; /* host order. ICMP: echo id (or 0) */
	__u16 dport; /* host order. ICMP/ICMPv6: type << 8 | code */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u16 win;	/* TCP */
	__u32 spi;	/* ESP, host order */
	__u32 seq;	/* ESP sequence, host order; TCP sequence */
	__u32 ack;	/* TCP */
	__u16 icmp_seq; /* echo sequence */
	/*
	 * LI_PKT_ICMP_INNER: the packet an ICMP error quotes (it left a
	 * local address): protocol, ports (echo: identifier, 0), addresses.
	 */
	__u8 inner_proto;
	__u8 ike_exch; /* LI_PKT_IKE: the header's exchange type */
	__u16 inner_sport;
	__u16 inner_dport;
	__u32 inner_saddr[4];
	__u32 inner_daddr[4];
	__u32 pad2; /* to whole 8-byte words: parse.h clears them */
} __attribute__((aligned(8)));

/*
 * Is @p IPv6's neighbour or multicast listener discovery, IPv6's ARP
 * (LI_PKT_ND, parse_l4.h li_parse_icmp)? It passes as ARP does, before
 * sessions and policies (match.h): a deny-all local-in-policy6 would
 * otherwise drop the neighbour advertisements that answer the gateway's
 * own solicitations and the solicitations of the routers that forward to
 * it, and IPv6 would stop, forwarded traffic and the admin's access
 * included. FortiOS's local-in policies do not filter it either.
 */
static __always_inline int li_pkt_is_nd(const struct li_pkt *p)
{
	return (p->flags & LI_PKT_ND) != 0;
}

/*
 * Where li_parse_l3() (parse.h) found the transport header, offsets from
 * the frame's start: it starts at off, and its layer ends at end. off 0:
 * there is none to read (not IP, a problem in the IP header, a later
 * fragment).
 */
struct li_l4_at {
	__u32 off, end;
};

/* Why the data path decided what it did (--verdicts prints the names). */
enum li_reason {
	LI_R_NONLOCAL, /* not addressed to this host: untouched */
	LI_R_POLICY,   /* a local-in policy matched */
	LI_R_IMPLICIT, /* no policy matched: FortiOS' implicit handling */
	LI_R_ESP_OK,   /* ESP with the SPI of a live SA */
	LI_R_ESP_UNKNOWN_SPI, /* ESP whose SPI matches no live SA */
	LI_R_MALFORMED,	      /* addressed to us, cannot be parsed */
	LI_R_ESP_WRONG_PEER,  /* ESP with a live SPI, not from the SA's peer */
	LI_R_ESP_UNVERIFIED,  /* unknown SPI, its SA maybe unread (sa_slot.h) */
	LI_R_SESSION,	      /* a packet of an existing session (session.h) */
	LI_R_MAX,
};

/* Is a packet for this host: li_addr_local_kind() (match.h), li_local_slot. */
enum li_local {
	LI_LOCAL_NO = 0,      /* not addressed to us: passed untouched */
	LI_LOCAL_UNICAST = 1, /* one of our addresses */
	LI_LOCAL_BCAST = 2,   /* a broadcast address of ours, or multicast */
};

/* li_verdict.sess: what the decision did with sessions (session.h). */
enum li_verdict_sess {
	LI_VS_NONE = 0, /* none found, none opened */
	LI_VS_NEW,	/* an accepted first packet opened session sess_id */
	LI_VS_ORIG,	/* of an inbound session, original direction */
	LI_VS_REPLY,	/* of a session the gateway opened: a reply */
	LI_VS_RECHECK,	/* of a session a reload re-judged, still accepted */
};

/* li_verdict.drop */
#define LI_PASS 0
#define LI_DROP 1

struct li_verdict {
	__u8 drop;	  /* LI_DROP or LI_PASS */
	__u8 reason;	  /* enum li_reason */
	__u8 bcast;	  /* destination was broadcast/multicast, not unicast */
	__u8 frag_hit;	  /* decided from the fragment table */
	__u32 policy_id;  /* admin's id for LI_R_POLICY, else 0 */
	__s32 policy_idx; /* evaluation index, -1 if none */
	__u32 sa_id;   /* LI_R_ESP_OK, _WRONG_PEER: the SA's id + 1 (maps.h) */
	__u32 sess_id; /* the session opened or found (session.h), or 0 */
	__u8 sess;     /* enum li_verdict_sess */
	__u8 pol_flags; /* LI_R_POLICY: the policy's flags (logtraffic), else 0 */
	__u8 pad[2];
};

#endif
