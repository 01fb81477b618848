/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet parser: one Ethernet frame in, the facts of struct li_pkt out.
 *
 * Written once for two compilers: `clang -target bpf` builds it into the XDP
 * program, the host compiler into replay and the tests. Hence the rules that
 * keep the verifier happy: every helper is always inlined, loops have
 * constant bounds, no libc beyond __builtin_memcpy/memset, no global data, and
 * every read goes through li_ptr(), which tests the bytes against both the end
 * of the current protocol layer and data_end before they are touched.
 *
 *	li_parse(data, data_end, &pkt);
 *
 * always returns 0; the outcome is in pkt. The XDP program parses in two
 * steps, li_parse_l3() and, for a packet addressed to the gateway,
 * li_parse_rest(): traffic it only passes through pays for no transport
 * header (not-for-gw 15 -> 12 ns in bench/xdp). Together they are
 * li_parse(). The outcome:
 * - family 4 or 6 as soon as the addresses could be read. Later problems
 *   (bad version, header or payload lengths, extension headers, L4) keep the
 *   addresses so that the matcher can tell whether the packet was addressed to
 *   us, and set malformed.
 * - family 0: not IP, or the IP header was cut before the addresses (then
 *   malformed is LI_MAL_L2 or LI_MAL_IP_TRUNC; a non-IP ethertype is not
 *   malformed).
 * - Parsing stops at the first problem: malformed names it, every field
 *   filled before it stays valid, nothing after it is set.
 * - A flag claims only what was read: LI_PKT_PORTS means the L4 header (ports,
 *   ICMP type and code) lay within the packet, LI_PKT_ESP the SPI and
 *   sequence, LI_PKT_IKE the 28-byte IKE header. frag_id is set with
 *   LI_PKT_FRAG only.
 * - l3_len saturates at 65535 (an IPv6 payload over 65495 bytes).
 *
 * The L3 end is the IP header's own length (IPv4 total length, IPv6 40 +
 * payload length): Ethernet padding after it is ignored, and nothing beyond it
 * is read.
 */
#ifndef LOCALIN_DATAPLANE_PARSE_H
#define LOCALIN_DATAPLANE_PARSE_H

#include "dataplane/packet.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Make the verifier forget the exact range of an offset, keeping only
 * 0..0x7fff (far above any offset the parser reaches: 14 + 8 + 40 + 8 * 2048).
 * The IPv6 walk arrives at the transport header with a different offset
 * range for each combination of extension headers, and without this the
 * verifier checks the whole L4 parser once per combination (on 6.18: 117k
 * instructions processed instead of 26k). A byte swap is opaque to it, and two
 * of them give back the value. Safety never depends on this: every read is
 * still tested against data_end, and a verifier that learns to follow byte
 * swaps only loses the saving. clang is told the range the AND leaves (it
 * cannot read the asm either): it then widens the offset to a pointer's 64
 * bits with no instructions (3 less a local frame).
 */
#ifdef __bpf__
#define li_verifier_forget(off)                                         \
	do {                                                            \
		__u64 __v = (off);                                      \
		asm volatile("%[v] = be32 %[v]\n\t%[v] = be32 %[v]\n\t" \
			     "%[v] &= 0x7fff"                           \
			     : [v] "+r"(__v));                          \
		__builtin_assume(__v <= 0x7fff);                        \
		(off) = (__u32)__v;                                     \
	} while (0)
#else
#define li_verifier_forget(off) ((void)0)
#endif

#define LI_ETH_HLEN 14
#define LI_ETH_P_IP 0x0800
#define LI_ETH_P_IPV6 0x86dd
#define LI_ETH_P_8021Q 0x8100
#define LI_ETH_P_8021AD 0x88a8
#define LI_VLAN_HLEN 4		/* TCI, then the next ethertype */
#define LI_VLAN_VID_MASK 0x0fff /* the TCI's VLAN id */
/*
 * li_pkt's transport facts start here: li_parse_l3() clears what is
 * before, li_parse_rest() the rest.
 */
#define LI_PKT_L4_FIRST __builtin_offsetof(struct li_pkt, sport)
_Static_assert(LI_PKT_L4_FIRST % 8 == 0,
	       "li_pkt's two parts are cleared in 8-byte words");
_Static_assert(sizeof(struct li_pkt) % 8 == 0 &&
		       sizeof(struct li_pkt) - LI_PKT_L4_FIRST <= 64,
	       "li_parse_rest() clears at most 64 bytes, in 8-byte words");

#define LI_VLAN_MAX 2	/* tags looked through: 802.1ad outer + 802.1Q inner */
#define LI_EXTHDR_MAX 8 /* IPv6 extension headers walked before giving up */
/*
 * In an ICMPv6 error's quote (parse_l4.h), fewer: what the gateway's
 * own packets carry (a fragment header, destination options, a routing
 * header). The walk unrolled 8 times there made clang allocate the
 * program's registers otherwise: an IPv4 IKE packet of a session 518 ->
 * 529 instructions, ESP 344 -> 348 (bench/xdp/insns.sh); 3 keeps those
 * within 4.
 */
#define LI_EXTHDR_QUOTE_MAX 3
#define LI_NOLIMIT 0xffffffffu

/* Header lengths: the fixed part, or the least a valid one has. */
#define LI_IP_HLEN_MIN 20 /* IPv4 without options */
#define LI_IP6_HLEN 40
#define LI_IP6_FRAG_HLEN 8
/* The fragment header's offset bits: a later fragment (parse_l3.h). */
#define LI_IP6_FRAG_OFFSET 0xfff8
#define LI_IP6_EXT_HLEN_MIN 2 /* next header, length: enough to skip one */
#define LI_UDP_HLEN 8
#define LI_TCP_HLEN_MIN 20
#define LI_SCTP_HLEN 12	    /* the common header: ports, tag, checksum */
#define LI_ICMP_HLEN 4	    /* type, code, checksum */
#define LI_ICMP_ECHO_HLEN 8 /* then an echo's identifier and sequence */

/* Echo request and reply types, whose identifier is the "source port". */
#define LI_ICMP_ECHO 8
#define LI_ICMP_ECHOREPLY 0
#define LI_ICMPV6_ECHO_REQUEST 128
#define LI_ICMPV6_ECHO_REPLY 129

#define LI_IKE_PORT 500 /* LI_NATT_PORT and its kin: packet.h */
#define LI_IKE_HLEN 28
#define LI_ESP_HLEN 8
#define LI_NATT_KEEPALIVE 0xff	/* the one byte of a NAT-T keepalive */
#define LI_NON_ESP_MARKER_LEN 4 /* zero bytes before IKE on a NAT-T port */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static __always_inline __u16 li_ntohs(__u16 x)
{
	return __builtin_bswap16(x);
}

static __always_inline __u32 li_ntohl(__u32 x)
{
	return __builtin_bswap32(x);
}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
static __always_inline __u16 li_ntohs(__u16 x)
{
	return x;
}

static __always_inline __u32 li_ntohl(__u32 x)
{
	return x;
}
#else
#error "parse.h: unknown byte order"
#endif

/*
 * The n bytes at data + off, or NULL unless they end at or before limit (an
 * offset: the end of the layer being read, LI_NOLIMIT for the frame) and at
 * or before data_end. The limit is the protocol's bound; the data_end test is
 * the one the verifier needs to see on the very pointer that is read.
 * Offsets stay far below 2^16 (at most 8 extension headers of 2 KiB), so
 * off + n cannot wrap. The host compares lengths instead of pointers: in C,
 * forming a pointer past the end of the buffer is already undefined.
 */
static __always_inline const __u8 *
li_ptr(const void *data, const void *data_end, __u32 off, __u32 limit, __u32 n)
{
#ifdef __bpf__
	const __u8 *ptr = (const __u8 *)data + off;

	if (off + n > limit || (const void *)(ptr + n) > data_end)
		return 0;
	/*
	 * A packet's bytes are never at address 0: without this, a caller's
	 * !ptr made clang test the packet's start itself (2 instructions a
	 * frame, bench/xdp/insns.sh).
	 */
	__builtin_assume(ptr != 0);
	return ptr;
#else
	if (off + n > limit ||
	    (unsigned long)off + n > (unsigned long)((const __u8 *)data_end -
						     (const __u8 *)data))
		return 0;
	return (const __u8 *)data + off;
#endif
}

/*
 * Packet bytes have no alignment. The host copies them to a local (one
 * unaligned load on x86). The BPF build loads them directly: clang turns
 * a copy from a byte pointer into byte loads, shifts and ORs (four
 * instructions for two bytes, 48 for an IPv6 address), and the verifier
 * allows unaligned packet loads on architectures with efficient unaligned
 * access (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS: x86-64, arm64). On
 * another, it would refuse the program at load, and the daemon would say
 * so and not start. bench/xdp: 4-5 ns less for every frame's parse.
 */
#ifdef __bpf__
#define LI_LOAD(type, ptr) (*(const type *)(const void *)(ptr))
#else
#define LI_LOAD(type, ptr)                                  \
	({                                                  \
		type __v;                                   \
		__builtin_memcpy(&__v, (ptr), sizeof(__v)); \
		__v;                                        \
	})
#endif

static __always_inline __u16 li_get16(const __u8 *ptr)
{
	return li_ntohs(LI_LOAD(__u16, ptr));
}

static __always_inline __u32 li_get32(const __u8 *ptr)
{
	return li_ntohl(LI_LOAD(__u32, ptr));
}

/* @n address words, network order kept, from the packet at @ptr. */
static __always_inline void li_get_addr(__u32 *dst, const __u8 *ptr, int n)
{
	int i;

	LI_UNROLL
	for (i = 0; i < 4; i++)
		if (i < n)
			dst[i] = LI_LOAD(__u32, ptr + 4 * i);
}

/* L3 first: an ICMPv6 error's quote takes parse_l3.h's extension walk. */
#include "dataplane/parse_l3.h"
#include "dataplane/parse_l4.h"

/*
 * Ethernet, then at most LI_VLAN_MAX 802.1Q/802.1ad tags, then IPv4 or IPv6,
 * up to the transport header (@at). A frame tagged for a VLAN (id not 0) is
 * not this interface's IP, as the kernel sees it: it goes to the VLAN's own
 * device (wan1.100, the FortiOS interface with `set vlanid 100`), whose
 * program judges it there, untagged, by that interface's policies; without
 * such a device the kernel drops it (PACKET_OTHERHOST). So it is not IP
 * here (@p->vlan its id), and passes. A priority tag (id 0, 802.1p) is the
 * interface's own: the kernel strips it and delivers what is inside, read
 * through as the kernel does, up to LI_VLAN_MAX of them.
 */
static __always_inline void li_parse_l3_wire(const void *data,
					     const void *data_end, __u32 wire,
					     struct li_pkt *p,
					     struct li_l4_at *at)
{
	const __u8 *h;
	__u32 off = LI_ETH_HLEN;
	__u16 type;
	int i;

	__builtin_memset(p, 0, LI_PKT_L4_FIRST);
	at->off = 0;
	h = li_ptr(data, data_end, 0, LI_NOLIMIT, LI_ETH_HLEN);
	if (!h) {
		p->malformed = LI_MAL_L2;
		return;
	}
	type = li_get16(h + 12);
	LI_UNROLL
	for (i = 0; i < LI_VLAN_MAX; i++) {
		if (type != LI_ETH_P_8021Q && type != LI_ETH_P_8021AD)
			break;
		h = li_ptr(data, data_end, off, LI_NOLIMIT, LI_VLAN_HLEN);
		if (!h) {
			p->malformed = LI_MAL_L2;
			return;
		}
		p->flags |= LI_PKT_VLAN;
		p->vlan = li_get16(h) & LI_VLAN_VID_MASK;
		if (p->vlan)
			return;
		type = li_get16(h + 2);
		off += LI_VLAN_HLEN;
	}
	if (type == LI_ETH_P_IP)
		li_parse_ipv4(data, data_end, wire, off, p, at);
	else if (type == LI_ETH_P_IPV6)
		li_parse_ipv6(data, data_end, wire, off, p, at);
	/*
	 * More priority tags than read: the kernel strips every one and
	 * delivers what is inside to this interface, which, unread, passed
	 * a deny-all (three tags of VLAN 0 got a ping answered). Malformed:
	 * li_decide_nonlocal() drops it. Tested last: IP frames never do.
	 */
	else if (type == LI_ETH_P_8021Q || type == LI_ETH_P_8021AD)
		p->malformed = LI_MAL_L2;
}

/*
 * A frame that starts at the IP header: an interface without Ethernet
 * frames (tun, WireGuard, GRE, vti, xfrm, PPP), whose XDP and TC data
 * start there. The version nibble says which IP (the kernel's tun and
 * tunnels take it from there too); another is not IP, as a non-IP
 * ethertype is. Up to the transport header (@at), as li_parse_l3_wire().
 */
static __always_inline void li_parse_l3_ip(const void *data,
					   const void *data_end, __u32 wire,
					   struct li_pkt *p,
					   struct li_l4_at *at)
{
	const __u8 *h;

	__builtin_memset(p, 0, LI_PKT_L4_FIRST);
	at->off = 0;
	h = li_ptr(data, data_end, 0, LI_NOLIMIT, 1);
	if (!h) {
		p->malformed = LI_MAL_IP_TRUNC;
		return;
	}
	if ((h[0] >> 4) == 4)
		li_parse_ipv4(data, data_end, wire, 0, p, at);
	else if ((h[0] >> 4) == 6)
		li_parse_ipv6(data, data_end, wire, 0, p, at);
}

/*
 * li_parse_l3_wire(), or li_parse_l3_ip() for a frame without Ethernet
 * (@l3, a constant in every caller: each program has one parser).
 */
static __always_inline void li_parse_l3_as(const void *data,
					   const void *data_end, __u32 wire,
					   int l3, struct li_pkt *p,
					   struct li_l4_at *at)
{
	if (l3)
		li_parse_l3_ip(data, data_end, wire, p, at);
	else
		li_parse_l3_wire(data, data_end, wire, p, at);
}

/* A frame whole between @data and @data_end (XDP, the host). */
static __always_inline void li_parse_l3(const void *data, const void *data_end,
					struct li_pkt *p, struct li_l4_at *at)
{
	li_parse_l3_wire(data, data_end, 0, p, at);
}

/*
 * The transport header's facts, after li_parse_l3() left @at; UDP to a
 * port of @natt (packet.h) is NAT-T as 4500 is.
 */
static __always_inline void
li_parse_rest(const void *data, const void *data_end, const struct li_l4_at *at,
	      const struct li_natt *natt, struct li_pkt *p)
{
	/*
	 * From the member: clang then knows its alignment (not byte stores).
	 * At most 64 bytes: gcc writes such a clear as vector stores, where
	 * it made 88 bytes a `rep stosq`, which takes some 35 cycles to
	 * start on the project's CPU (replay 3 ns a packet).
	 */
	__builtin_memset(&p->sport, 0, sizeof(*p) - LI_PKT_L4_FIRST);
	if (at->off)
		li_parse_l4(data, data_end, at->off, at->end, natt, p);
}

/* li_parse() with the NAT-T ports @natt (packet.h). */
static __always_inline int li_parse_ports(const void *data,
					  const void *data_end,
					  const struct li_natt *natt,
					  struct li_pkt *p)
{
	struct li_l4_at at;

	li_parse_l3(data, data_end, p, &at);
	li_parse_rest(data, data_end, &at, natt, p);
	return 0;
}

/* li_parse_ports() of a frame that starts at the IP header. */
static __always_inline int li_parse_ports_ip(const void *data,
					     const void *data_end,
					     const struct li_natt *natt,
					     struct li_pkt *p)
{
	struct li_l4_at at;

	li_parse_l3_ip(data, data_end, 0, p, &at);
	li_parse_rest(data, data_end, &at, natt, p);
	return 0;
}

/* With 4500 the one NAT-T port. */
static __always_inline int li_parse(const void *data, const void *data_end,
				    struct li_pkt *p)
{
	const struct li_natt natt = LI_NATT_INIT;

	return li_parse_ports(data, data_end, &natt, p);
}

/*
 * li_parse() of a frame of @wire bytes of which only those up to
 * @data_end can be read (a TC program's skb: parse_l3.h li_frame_holds);
 * @l3: it starts at the IP header (li_parse_l3_ip).
 */
static __always_inline int li_parse_wire(const void *data, const void *data_end,
					 __u32 wire, int l3, struct li_pkt *p)
{
	const struct li_natt natt = LI_NATT_INIT;
	struct li_l4_at at;

	li_parse_l3_as(data, data_end, wire, l3, p, &at);
	li_parse_rest(data, data_end, &at, &natt, p);
	return 0;
}

/*
 * li_parse_wire() of a frame the gateway sends (the egress program, the
 * host's egress half), with the NAT-T ports @natt as what arrives is
 * parsed: IKE from port 500, or a NAT-T port with the non-ESP marker, to
 * any port (a NATed peer's) is IKE by its source port too (LI_PKT_IKE_OUT,
 * match.h li_ike_out). Not for what arrives: there IKE is what its
 * destination port says, and this costs a compare or two.
 */
static __always_inline int li_parse_wire_out(const void *data,
					     const void *data_end, __u32 wire,
					     int l3, const struct li_natt *natt,
					     struct li_pkt *p)
{
	struct li_l4_at at;

	li_parse_l3_as(data, data_end, wire, l3, p, &at);
	li_parse_rest(data, data_end, &at, natt, p);
	if (at.off && li_ike_out_maybe(p, natt))
		li_parse_ike_out(data, data_end, at.off + LI_UDP_HLEN, at.end,
				 p);
	return 0;
}

#endif
