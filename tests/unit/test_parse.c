// SPDX-License-Identifier: GPL-2.0
/*
 * The packet parser (src/dataplane/parse.h): every flag and every
 * LI_MAL_* value from frames built byte by byte, then truncation sweeps that
 * parse every prefix of valid frames from exact-size heap buffers, so that
 * ASan sees any read past the end and pkt_check() any field claimed without
 * having been read.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/parse.h"
#include "pkt_invariants.h"

/* A frame under construction, and where its layers start. */
struct pb {
	uint8_t b[4096];
	size_t len;
	size_t l3;  /* IP header */
	size_t udp; /* UDP header, 0 if none */
	int family;
};

static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t ispi[8] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
};
static const uint8_t rspi[8] = {
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01
};

#define V4_SRC 0xc0000201u /* 192.0.2.1 */
#define V4_DST 0xc6336402u /* 198.51.100.2 */

static void pb_put(struct pb *p, const void *d, size_t n)
{
	assert_true(p->len + n <= sizeof(p->b));
	if (n)
		memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void pb_u8(struct pb *p, uint8_t v)
{
	pb_put(p, &v, 1);
}

static void pb_u16(struct pb *p, uint16_t v)
{
	v = htons(v);
	pb_put(p, &v, 2);
}

static void pb_u32(struct pb *p, uint32_t v)
{
	v = htonl(v);
	pb_put(p, &v, 4);
}

static void pb_fill(struct pb *p, uint8_t v, size_t n)
{
	while (n--)
		pb_u8(p, v);
}

static void pb_set16(struct pb *p, size_t off, uint16_t v)
{
	p->b[off] = v >> 8;
	p->b[off + 1] = v & 0xff;
}

/* Starts a frame; for tags, type is the first TPID and pb_tag() follows. */
static void pb_eth(struct pb *p, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	memset(p, 0, sizeof(*p));
	pb_put(p, macs, sizeof(macs));
	pb_u16(p, type);
}

static void pb_tag(struct pb *p, uint16_t tci, uint16_t next)
{
	pb_u16(p, tci);
	pb_u16(p, next);
}

static void pb_ipv4x(struct pb *p, uint8_t proto, int optwords, uint16_t frag,
		     uint16_t id)
{
	p->l3 = p->len;
	p->family = 4;
	pb_u8(p, 0x45 + optwords);
	pb_u8(p, 0);
	pb_u16(p, 0); /* total length: pb_done() */
	pb_u16(p, id);
	pb_u16(p, frag);
	pb_u8(p, 64);
	pb_u8(p, proto);
	pb_u16(p, 0);
	pb_u32(p, V4_SRC);
	pb_u32(p, V4_DST);
	pb_fill(p, 1, optwords * 4); /* NOP options */
}

static void pb_ipv4(struct pb *p, uint8_t proto)
{
	pb_ipv4x(p, proto, 0, 0, 0x1234);
}

static void pb_ipv6(struct pb *p, uint8_t nh)
{
	p->l3 = p->len;
	p->family = 6;
	pb_u32(p, 0x60000000);
	pb_u16(p, 0); /* payload length: pb_done() */
	pb_u8(p, nh);
	pb_u8(p, 63);
	pb_put(p, v6_src, 16);
	pb_put(p, v6_dst, 16);
}

/* Hop-by-hop, routing, destination options (hlen * 8 + 8 bytes), AH. */
static void pb_ext(struct pb *p, uint8_t type, uint8_t nh, uint8_t hlen)
{
	size_t n = type == 51 ? (hlen + 2u) * 4 : (hlen + 1u) * 8;

	pb_u8(p, nh);
	pb_u8(p, hlen);
	pb_fill(p, 0, n - 2); /* Pad1 options */
}

static void pb_frag6(struct pb *p, uint8_t nh, uint16_t off8, int more,
		     uint32_t id)
{
	pb_u8(p, nh);
	pb_u8(p, 0);
	pb_u16(p, off8 << 3 | (more ? 1 : 0));
	pb_u32(p, id);
}

static void pb_udp(struct pb *p, uint16_t sport, uint16_t dport)
{
	p->udp = p->len;
	pb_u16(p, sport);
	pb_u16(p, dport);
	pb_u16(p, 0); /* length: pb_done() */
	pb_u16(p, 0);
}

static void pb_tcp(struct pb *p, uint8_t doff, uint8_t flags)
{
	pb_u16(p, 40000);
	pb_u16(p, 22);
	pb_u32(p, 0x01020304);
	pb_u32(p, 0x05060708);
	pb_u8(p, doff << 4);
	pb_u8(p, flags);
	pb_u16(p, 0xfaf0);
	pb_u16(p, 0);
	pb_u16(p, 0);
}

static void pb_esp(struct pb *p, uint32_t spi, uint32_t seq)
{
	pb_u32(p, spi);
	pb_u32(p, seq);
	pb_fill(p, 0xa5, 16); /* IV and ciphertext */
}

static void pb_ike(struct pb *p, uint8_t version, uint8_t exchange)
{
	pb_put(p, ispi, 8);
	pb_put(p, rspi, 8);
	pb_u8(p, 33); /* next payload: SA */
	pb_u8(p, version);
	pb_u8(p, exchange);
	pb_u8(p, 0x08); /* initiator */
	pb_u32(p, 0);
	pb_u32(p, 28);
}

/* Fills in the IP and UDP lengths from what was built. */
static void pb_done(struct pb *p)
{
	if (p->family == 4)
		pb_set16(p, p->l3 + 2, p->len - p->l3);
	else if (p->family == 6)
		pb_set16(p, p->l3 + 4, p->len - p->l3 - 40);
	if (p->udp)
		pb_set16(p, p->udp + 4, p->len - p->udp);
}

/* Parses len bytes of buf from a heap copy of exactly that size. */
static void parse_bytes(const uint8_t *buf, size_t len, struct li_pkt *p)
{
	uint8_t *copy = malloc(len ? len : 1);
	const char *why;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	li_parse(copy, copy + len, p);
	free(copy);
	why = pkt_check(buf, len, p);
	if (why)
		fail_msg("len %zu: %s", len, why);
}

static void parse(const struct pb *b, struct li_pkt *p)
{
	parse_bytes(b->b, b->len, p);
}

static void expect_mal(const struct pb *b, enum li_malformed m)
{
	struct li_pkt p;

	parse(b, &p);
	assert_int_equal(p.malformed, m);
}

/* --- frames without Ethernet (tun, WireGuard, GRE: localin_xdp_l3) ------ */

/* @b's frame from its IP header on, through li_parse_ports_ip(). */
static void parse_ip(const struct pb *b, size_t skip, struct li_pkt *p)
{
	const struct li_natt natt = LI_NATT_INIT;
	size_t len = b->len - skip;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, b->b + skip, len);
	li_parse_ports_ip(copy, copy + len, &natt, p);
	free(copy);
}

/* The same facts as the Ethernet frame's: the nibble says the family. */
static void expect_same_as_ip(const struct pb *b)
{
	struct li_pkt e, i;

	parse(b, &e);
	parse_ip(b, LI_ETH_HLEN, &i);
	assert_memory_equal(&e, &i, sizeof(e));
}

static void test_ip_frames(void **state)
{
	struct li_pkt p;
	struct pb b;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 40000, 53);
	pb_fill(&b, 0, 12);
	pb_done(&b);
	expect_same_as_ip(&b);
	parse_ip(&b, LI_ETH_HLEN, &p);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.dport, 53);

	/* ESP over IPv6 with an extension header: as on a GRE or vti */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 60);
	pb_ext(&b, 60, LI_IPPROTO_ESP, 0);
	pb_esp(&b, 0xdeadbeef, 77);
	pb_done(&b);
	expect_same_as_ip(&b);
	parse_ip(&b, LI_ETH_HLEN, &p);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.flags, LI_PKT_ESP);
	assert_int_equal(p.spi, 0xdeadbeef);

	/* IPv4 fragments and a cut header: as the Ethernet frame's */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 0, 0x2000, 9);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	expect_same_as_ip(&b);
	b.len = LI_ETH_HLEN + 12;
	expect_same_as_ip(&b);
	parse_ip(&b, LI_ETH_HLEN, &p);
	assert_int_equal(p.malformed, LI_MAL_IP_TRUNC);
	assert_int_equal(p.family, 0);

	/* nothing at all: truncated, not a frame of another kind */
	parse_ip(&b, b.len, &p);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.malformed, LI_MAL_IP_TRUNC);

	/* another version: not IP, as a non-IP ethertype is */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	b.b[LI_ETH_HLEN] = 0x55;
	parse_ip(&b, LI_ETH_HLEN, &p);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, 0);
}

/* --- L2 ------------------------------------------------------------------ */

static void test_non_ip(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, 0x0806); /* ARP */
	pb_fill(&b, 0, 28);
	parse(&b, &p);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, 0);
}

static void test_l2_truncated(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	b.len = 13;
	expect_mal(&b, LI_MAL_L2);
	b.len = 0;
	expect_mal(&b, LI_MAL_L2);
	pb_eth(&b, LI_ETH_P_8021Q);
	pb_u16(&b, 5); /* TCI without the inner ethertype */
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L2);
	assert_int_equal(p.family, 0);
}

/*
 * Tagged for VLAN 42: the kernel gives it to the VLAN's device (or drops
 * it), whose program judges it; on this interface it is not IP.
 */
static void test_vlan_single(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_8021Q);
	pb_tag(&b, 0x2000 | 42, LI_ETH_P_IP); /* PCP 1 must not leak in */
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1000, 53);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_VLAN);
	assert_int_equal(p.vlan, 42);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.dport, 0);
}

/* 802.1ad 100 outside: the S-VLAN's device's, whatever is inside. */
static void test_vlan_double(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_8021AD);
	pb_tag(&b, 100, LI_ETH_P_8021Q);
	pb_tag(&b, 200, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x20, 34);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.vlan, 100); /* the outermost */
	assert_int_equal(p.family, 0);
	assert_int_equal(p.flags, LI_PKT_VLAN);
}

/*
 * A priority tag (VLAN 0, 802.1p) is the interface's own: the kernel
 * strips it and delivers the IP inside to this interface, so it is read
 * through and judged here; a VLAN's tag inside it is that VLAN's.
 */
static void test_vlan_priority_tag(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_8021Q);
	pb_tag(&b, 0xa000, LI_ETH_P_IP); /* PCP 5, VLAN 0 */
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1000, 53);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_true(p.flags & LI_PKT_VLAN);
	assert_int_equal(p.vlan, 0);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.dport, 53);

	pb_eth(&b, LI_ETH_P_8021AD);
	pb_tag(&b, 0, LI_ETH_P_8021Q);
	pb_tag(&b, 7, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1000, 53);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.vlan, 7);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.flags, LI_PKT_VLAN);

	pb_eth(&b, LI_ETH_P_8021Q);
	pb_tag(&b, 0, LI_ETH_P_8021Q);
	pb_tag(&b, 0, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x20, 34);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.flags, LI_PKT_VLAN | LI_PKT_PORTS | LI_PKT_IKE);

	/*
	 * A third: the kernel strips it too and delivers the IP inside
	 * here, which the parser does not read: malformed (dropped), not
	 * "not IP" (passed: a deny-all answered its ping).
	 */
	pb_eth(&b, LI_ETH_P_8021Q);
	pb_tag(&b, 0, LI_ETH_P_8021Q);
	pb_tag(&b, 0, LI_ETH_P_8021Q);
	pb_tag(&b, 0, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1000, 53);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L2);
	assert_int_equal(p.family, 0);
	assert_true(p.flags & LI_PKT_VLAN);
}

static void test_vlan_triple_not_ip(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_8021AD);
	pb_tag(&b, 1, LI_ETH_P_8021Q);
	pb_tag(&b, 2, LI_ETH_P_8021Q);
	pb_tag(&b, 3, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.family, 0);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.vlan, 1);
}

/* --- IPv4 ---------------------------------------------------------------- */

static void test_ipv4_udp(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 40000, 53);
	pb_fill(&b, 0, 12);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	assert_int_equal(p.proto, LI_IPPROTO_UDP);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.l3_len, 20 + 8 + 12);
	assert_int_equal(ntohl(p.saddr[0]), V4_SRC);
	assert_int_equal(ntohl(p.daddr[0]), V4_DST);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.frag_id, 0);
}

static void test_ipv4_options(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	/* IHL 15: 40 bytes of options */
	pb_ipv4x(&b, LI_IPPROTO_UDP, 10, 0, 1);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x10, 2);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_IKE);
}

/* Padding after the IP total length is not the packet's. */
static void test_ethernet_padding(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 500, 500);
	pb_fill(&b, 0, 4);
	pb_done(&b);
	pb_fill(&b, 0, 40); /* enough for an IKE header, but padding */
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.l3_len, 32);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* A UDP length into the padding is inconsistent. */
	pb_set16(&b, b.udp + 4, 40);
	expect_mal(&b, LI_MAL_L4_LEN);
}

static void test_ip_trunc(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_done(&b);
	b.len = LI_ETH_HLEN + 19;
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_IP_TRUNC);
	assert_int_equal(p.family, 0);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 59);
	b.len = LI_ETH_HLEN + 39;
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_IP_TRUNC);
	assert_int_equal(p.family, 0);
}

static void test_ip_version(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	b.b[b.l3] = 0x65;
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_IP_VERSION);
	assert_int_equal(p.family, 4); /* the addresses were read */
	assert_int_equal(ntohl(p.daddr[0]), V4_DST);
	assert_int_equal(p.flags, 0);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	b.b[b.l3] = 0x40;
	expect_mal(&b, LI_MAL_IP_VERSION);
}

static void test_ip_hdrlen(void **state)
{
	struct pb b;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	b.b[b.l3] = 0x44; /* IHL 4 */
	expect_mal(&b, LI_MAL_IP_HDRLEN);
	b.b[b.l3] = 0x4f; /* 60 bytes, 28 present */
	expect_mal(&b, LI_MAL_IP_HDRLEN);
}

static void test_ip_len(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 2, 0, 1);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	pb_set16(&b, b.l3 + 2, b.len - b.l3 + 1); /* one byte more than sent */
	expect_mal(&b, LI_MAL_IP_LEN);
	pb_set16(&b, b.l3 + 2, 27); /* shorter than the 28-byte header */
	expect_mal(&b, LI_MAL_IP_LEN);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	pb_set16(&b, b.l3 + 4, 9);
	expect_mal(&b, LI_MAL_IP_LEN);
	/* Payload length 0: an empty payload, so no room for UDP... */
	pb_set16(&b, b.l3 + 4, 0);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L4_TRUNC);
	assert_int_equal(p.family, 6);
	assert_int_equal(p.l3_len, 40);
	/* ...fine for no-next-header, and a jumbogram before hop-by-hop. */
	b.b[b.l3 + 6] = 59;
	expect_mal(&b, LI_MAL_NONE);
	b.b[b.l3 + 6] = 0;
	expect_mal(&b, LI_MAL_IP_LEN);
}

static void test_ipv4_fragments(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	/* First fragment: ports, though the UDP length covers more. */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 0, 0x2000, 0xbeef);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x20, 35);
	pb_fill(&b, 0, 36);
	pb_done(&b);
	pb_set16(&b, b.udp + 4, 3000);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_FRAG | LI_PKT_PORTS | LI_PKT_IKE);
	assert_int_equal(p.frag_id, 0xbeef);

	/* A later one: no ports; DF alone is not a fragment. */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 0, 0x4000 | 185, 0xbeef);
	pb_fill(&b, 0x55, 64);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_FRAG | LI_PKT_FRAG_LATER);
	assert_int_equal(p.proto, LI_IPPROTO_UDP);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.frag_id, 0xbeef);

	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 0, 0x4000, 7);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	assert_int_equal(p.frag_id, 0);

	/* Offset 8184 + 16 bytes would end past 65535. */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 0, 1023, 9);
	pb_fill(&b, 0, 16);
	pb_done(&b);
	expect_mal(&b, LI_MAL_NONE);
	pb_set16(&b, b.l3 + 6, 8190);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_FRAG);
	assert_true(p.flags & LI_PKT_FRAG_LATER);
	/* Exactly 65535 is still fine: 8189 * 8 + 23 */
	pb_set16(&b, b.l3 + 6, 8189);
	pb_fill(&b, 0, 7);
	pb_done(&b);
	expect_mal(&b, LI_MAL_NONE);
}

/* The first fragment must hold the whole transport header (RFC 1858). */
static void test_tiny_fragment(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_TCP, 0, 0x2000, 3);
	pb_u16(&b, 1234);
	pb_u16(&b, 22);
	pb_u32(&b, 0);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L4_TRUNC);
	assert_int_equal(p.flags, LI_PKT_FRAG);
}

/* --- IPv6 ---------------------------------------------------------------- */

static void check_v6_ext(uint8_t type, uint8_t hlen)
{
	struct pb b;
	struct li_pkt p;

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, type);
	pb_ext(&b, type, LI_IPPROTO_UDP, hlen);
	pb_udp(&b, 4500, 4500);
	pb_esp(&b, 0x1000, 1);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, LI_IPPROTO_UDP);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ESP | LI_PKT_ESP_UDP);
	assert_int_equal(p.spi, 0x1000);

	/* The header's own length reaches past the payload. */
	b.len = b.l3 + 40 + 2;
	pb_done(&b);
	expect_mal(&b, LI_MAL_EXTHDR);
	b.len = b.l3 + 40 + 1;
	pb_done(&b);
	expect_mal(&b, LI_MAL_EXTHDR);
}

static void test_ipv6_ext_each(void **state)
{
	(void)state;
	check_v6_ext(0, 0);    /* hop-by-hop */
	check_v6_ext(43, 2);   /* routing, 24 bytes */
	check_v6_ext(60, 1);   /* destination options */
	check_v6_ext(60, 255); /* 2 KiB */
}

/*
 * AH is the packet's protocol, as on IPv4 (FortiOS's service "AH",
 * protocol-number 51): the walk stops at it, and what it protects, ESP
 * or TCP, is not read. IPv4 AH alike.
 */
static void check_v6_ah(uint8_t first, uint8_t inner)
{
	struct pb b;
	struct li_pkt p;

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, first);
	if (first != 51)
		pb_ext(&b, first, 51, 0);
	pb_ext(&b, 51, inner, 1); /* 12 bytes */
	if (inner == LI_IPPROTO_ESP)
		pb_esp(&b, 0xdeadbeef, 77);
	else
		pb_tcp(&b, 5, 0x02);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, LI_IPPROTO_AH);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.spi, 0);
	assert_int_equal(p.dport, 0);
}

static void test_ipv6_ah_and_no_next(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	check_v6_ah(51, LI_IPPROTO_ESP);
	check_v6_ah(51, LI_IPPROTO_TCP);
	check_v6_ah(60, LI_IPPROTO_ESP);
	check_v6_ah(0, LI_IPPROTO_TCP);

	/* A first fragment of AH: AH, its fragments' protocol too. */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 44);
	pb_frag6(&b, 51, 0, 1, 9);
	pb_ext(&b, 51, LI_IPPROTO_ESP, 1);
	pb_esp(&b, 0xdeadbeef, 77);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, LI_IPPROTO_AH);
	assert_int_equal(p.frag_proto, LI_IPPROTO_AH);
	assert_int_equal(p.flags, LI_PKT_FRAG);

	/* IPv4 AH: the same facts. */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, 51);
	pb_ext(&b, 51, LI_IPPROTO_ESP, 1);
	pb_esp(&b, 0xdeadbeef, 77);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, LI_IPPROTO_AH);
	assert_int_equal(p.flags, 0);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 60);
	pb_ext(&b, 60, 59, 0);
	pb_fill(&b, 0xee, 8); /* ignored after no-next-header */
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, 59);
	assert_int_equal(p.flags, 0);
}

static void build_chain(struct pb *b, int n)
{
	static const uint8_t kinds[] = { 0, 60, 43, 60, 43, 60, 43, 60, 43 };
	int i;

	pb_eth(b, LI_ETH_P_IPV6);
	pb_ipv6(b, kinds[0]);
	for (i = 0; i < n; i++)
		pb_ext(b, kinds[i], i + 1 < n ? kinds[i + 1] : LI_IPPROTO_TCP,
		       1);
	pb_tcp(b, 5, 0x02);
	pb_done(b);
}

static void test_ipv6_chain_limit(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	build_chain(&b, 8);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.proto, LI_IPPROTO_TCP);
	assert_int_equal(p.tcp_flags, 0x02);
	build_chain(&b, 9);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_EXTHDR);
	assert_int_equal(p.family, 6);
	assert_false(p.flags & LI_PKT_PORTS);
}

static void test_ipv6_fragments(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 44);
	pb_frag6(&b, LI_IPPROTO_UDP, 0, 1, 0xcafef00d);
	pb_udp(&b, 4500, 4500);
	pb_esp(&b, 0x4242, 9);
	pb_done(&b);
	pb_set16(&b, b.udp + 4, 2000);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_FRAG | LI_PKT_PORTS | LI_PKT_ESP |
					  LI_PKT_ESP_UDP);
	assert_int_equal(p.frag_id, 0xcafef00d);
	assert_int_equal(p.spi, 0x4242);

	/* Later: the walk stops at the fragment header. */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 0);
	pb_ext(&b, 0, 44, 0);
	pb_frag6(&b, 60, 100, 1, 5);
	pb_fill(&b, 0x01, 32); /* not an extension header: datagram middle */
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_FRAG | LI_PKT_FRAG_LATER);
	assert_int_equal(p.proto, 60);
	assert_int_equal(p.frag_id, 5);

	/* Atomic fragment (offset 0, M 0): not fragmented. */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 44);
	pb_frag6(&b, LI_IPPROTO_UDP, 0, 0, 5);
	pb_udp(&b, 1, 2);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* 8191 * 8 + 16 > 65535 */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 44);
	pb_frag6(&b, LI_IPPROTO_UDP, 8191, 0, 5);
	pb_fill(&b, 0, 16);
	pb_done(&b);
	expect_mal(&b, LI_MAL_FRAG);

	/* The fragment header itself cut short. */
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, 44);
	pb_fill(&b, 0, 7);
	pb_done(&b);
	expect_mal(&b, LI_MAL_EXTHDR);
}

/* --- L4 ------------------------------------------------------------------ */

static void test_udp_errors(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_fill(&b, 0, 7);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L4_TRUNC);
	assert_false(p.flags & LI_PKT_PORTS);

	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 7, 4500);
	pb_esp(&b, 1, 1);
	pb_done(&b);
	pb_set16(&b, b.udp + 4, 7);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L4_LEN);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	pb_set16(&b, b.udp + 4, b.len - b.udp + 1);
	expect_mal(&b, LI_MAL_L4_LEN);
	/* A UDP length shorter than the IP payload limits the payload. */
	pb_set16(&b, b.udp + 4, 8 + 4);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_ESP_TRUNC);
}

static void test_tcp(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_TCP);
	pb_tcp(&b, 8, 0x12); /* SYN+ACK, 12 bytes of options */
	pb_fill(&b, 1, 12);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 22);
	assert_int_equal(p.tcp_flags, 0x12);
	assert_int_equal(p.seq, 0x01020304);
	assert_int_equal(p.ack, 0x05060708);
	assert_int_equal(p.win, 0xfaf0);

	b.b[b.l3 + 20 + 12] = 4 << 4;
	expect_mal(&b, LI_MAL_L4_LEN);
	b.b[b.l3 + 20 + 12] = 9 << 4; /* 36 bytes, 32 present */
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_L4_LEN);
	assert_int_equal(p.dport, 22);

	b.len = b.l3 + 20 + 19;
	pb_done(&b);
	expect_mal(&b, LI_MAL_L4_TRUNC);
}

static void test_sctp(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_SCTP);
	pb_u16(&b, 2905);
	pb_u16(&b, 36412);
	pb_u32(&b, 0x11111111);
	pb_u32(&b, 0);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	assert_int_equal(p.sport, 2905);
	assert_int_equal(p.dport, 36412);
	b.len -= 1;
	pb_done(&b);
	expect_mal(&b, LI_MAL_L4_TRUNC);
}

static void test_icmp(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_ICMP);
	pb_u8(&b, 8); /* echo request */
	pb_u8(&b, 0);
	pb_u16(&b, 0);
	pb_u16(&b, 0x4d2); /* identifier */
	pb_u16(&b, 7);	   /* sequence */
	pb_fill(&b, 0x61, 56);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_ECHO);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.dport, 8 << 8);
	assert_int_equal(p.sport, 0x4d2);
	assert_int_equal(p.icmp_seq, 7);

	/* Echo header cut after the checksum: type only. */
	b.len = b.l3 + 20 + 6;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.dport, 8 << 8);
	assert_int_equal(p.sport, 0);
	b.len = b.l3 + 20 + 3;
	pb_done(&b);
	expect_mal(&b, LI_MAL_L4_TRUNC);

	/* Port unreachable: type 3 code 3; the id field is not read. */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_ICMP);
	pb_u8(&b, 3);
	pb_u8(&b, 3);
	pb_u16(&b, 0);
	pb_u32(&b, 0x12345678);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.dport, 0x0303);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.icmp_seq, 0);
	assert_int_equal(p.flags, LI_PKT_PORTS); /* quotes nothing */

	/* ... quoting our UDP datagram: its session key (session.h). */
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_ICMP);
	pb_u8(&b, 3);
	pb_u8(&b, 3);
	pb_u16(&b, 0);
	pb_u32(&b, 0);
	pb_u8(&b, 0x45); /* the quoted header: ours, to the remote */
	pb_u8(&b, 0);
	pb_u16(&b, 48);
	pb_u32(&b, 0);
	pb_u8(&b, 64);
	pb_u8(&b, LI_IPPROTO_UDP);
	pb_u16(&b, 0);
	pb_u32(&b, V4_DST);
	pb_u32(&b, 0xc0000235);
	pb_u16(&b, 40000);
	pb_u16(&b, 53);
	pb_u16(&b, 28);
	pb_u16(&b, 0);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.inner_proto, LI_IPPROTO_UDP);
	assert_int_equal(p.inner_sport, 40000);
	assert_int_equal(p.inner_dport, 53);
	assert_int_equal(ntohl(p.inner_saddr[0]), V4_DST);
	assert_int_equal(ntohl(p.inner_daddr[0]), 0xc0000235);
	/* Cut inside the quoted ports: no key, and no defect either. */
	b.len -= 6;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* ICMPv6 under IPv4 is just a protocol number. */
	b.b[b.l3 + 9] = LI_IPPROTO_ICMPV6;
	parse(&b, &p);
	assert_int_equal(p.flags, 0);
}

static void test_icmpv6(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_ICMPV6);
	pb_u8(&b, 129); /* echo reply */
	pb_u8(&b, 0);
	pb_u16(&b, 0);
	pb_u16(&b, 99);
	pb_u16(&b, 3);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_ECHO);
	assert_int_equal(p.icmp_type, 129);
	assert_int_equal(p.dport, 129 << 8);
	assert_int_equal(p.sport, 99);
	assert_int_equal(p.icmp_seq, 3);

	b.b[b.l3 + 40] = 135; /* neighbour solicitation */
	parse(&b, &p);
	assert_int_equal(p.dport, 135 << 8);
	assert_int_equal(p.sport, 0);
	b.b[b.l3 + 40] = 8; /* the IPv4 echo type means nothing here */
	parse(&b, &p);
	assert_int_equal(p.sport, 0);
}

/*
 * A router's "packet too big" about the first fragment of a datagram of
 * ours (IPv6 routers never fragment): the fragment header is stepped
 * over, and the quote names the datagram's session. A later fragment's
 * quote has no ports: no session.
 */
static void ptb_quoting_frag(struct pb *b, uint16_t off8)
{
	pb_eth(b, LI_ETH_P_IPV6);
	pb_ipv6(b, LI_IPPROTO_ICMPV6);
	pb_u8(b, 2); /* packet too big */
	pb_u8(b, 0);
	pb_u16(b, 0);
	pb_u32(b, 1280);
	pb_u32(b, 0x60000000); /* the quoted header: ours, to the remote */
	pb_u16(b, 1448);
	pb_u8(b, 44); /* a fragment header follows */
	pb_u8(b, 64);
	pb_put(b, v6_dst, 16);
	pb_put(b, v6_src, 16);
	pb_frag6(b, LI_IPPROTO_UDP, off8, 1, 0x1234);
	pb_u16(b, 500);
	pb_u16(b, 4500);
	pb_u16(b, 3008);
	pb_u16(b, 0);
	pb_fill(b, 0x5a, 64);
	pb_done(b);
}

static void test_icmpv6_error_frag(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	ptb_quoting_frag(&b, 0);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.icmp_type, 2);
	assert_int_equal(p.inner_proto, LI_IPPROTO_UDP);
	assert_int_equal(p.inner_sport, 500);
	assert_int_equal(p.inner_dport, 4500);
	assert_memory_equal(p.inner_saddr, v6_dst, 16);
	assert_memory_equal(p.inner_daddr, v6_src, 16);

	/* Cut inside the fragment header: no key, no defect. */
	b.len = b.l3 + 40 + 8 + 40 + 6;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* A later fragment (offset 181 * 8): no ports to key it by. */
	ptb_quoting_frag(&b, 181);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
}

/*
 * A "packet too big" quoting a packet of ours whose transport header
 * comes after the extension headers @kinds (@n of them; 44 a first
 * fragment's header, 51 AH): the quote is walked as the packet's own
 * headers are, up to LI_EXTHDR_QUOTE_MAX of them.
 */
static void ptb_quoting_chain(struct pb *b, const uint8_t *kinds, int n,
			      uint8_t proto)
{
	int i;

	pb_eth(b, LI_ETH_P_IPV6);
	pb_ipv6(b, LI_IPPROTO_ICMPV6);
	pb_u8(b, 2); /* packet too big */
	pb_u8(b, 0);
	pb_u16(b, 0);
	pb_u32(b, 1280);
	pb_u32(b, 0x60000000); /* the quoted header: ours, to the remote */
	pb_u16(b, 1448);
	pb_u8(b, n ? kinds[0] : proto);
	pb_u8(b, 64);
	pb_put(b, v6_dst, 16);
	pb_put(b, v6_src, 16);
	for (i = 0; i < n; i++) {
		uint8_t nh = i + 1 < n ? kinds[i + 1] : proto;

		if (kinds[i] == 44)
			pb_frag6(b, nh, 0, 1, 0x1234);
		else
			pb_ext(b, kinds[i], nh, 1);
	}
	pb_u16(b, 443);
	pb_u16(b, 40000);
	pb_u32(b, 0x01020304);
	pb_fill(b, 0x5a, 32);
	pb_done(b);
}

static void test_icmpv6_error_exthdr(void **state)
{
	static const uint8_t dst[] = { 60 };
	static const uint8_t mix[] = { 0, 43, 44 };
	static const uint8_t ah[] = { 60, 51 };
	static const uint8_t three[] = { 60, 43, 60 };
	static const uint8_t four[] = { 0, 60, 43, 60 };
	struct pb b;
	struct li_pkt p;

	(void)state;
	/* Destination options before TCP: the quote names its session. */
	ptb_quoting_chain(&b, dst, 1, LI_IPPROTO_TCP);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.inner_proto, LI_IPPROTO_TCP);
	assert_int_equal(p.inner_sport, 443);
	assert_int_equal(p.inner_dport, 40000);
	assert_memory_equal(p.inner_saddr, v6_dst, 16);
	assert_memory_equal(p.inner_daddr, v6_src, 16);

	/* Hop-by-hop, routing, a first fragment. */
	ptb_quoting_chain(&b, mix, 3, LI_IPPROTO_UDP);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.inner_proto, LI_IPPROTO_UDP);
	assert_int_equal(p.inner_sport, 443);

	/* AH: the quoted packet's protocol, related by its addresses. */
	ptb_quoting_chain(&b, ah, 2, LI_IPPROTO_TCP);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.inner_proto, LI_IPPROTO_AH);
	assert_int_equal(p.inner_sport, 0);
	assert_int_equal(p.inner_dport, 0);

	/* The quote's bound: three headers walked, a fourth not. */
	ptb_quoting_chain(&b, three, 3, LI_IPPROTO_TCP);
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ICMP_INNER);
	assert_int_equal(p.inner_sport, 443);
	ptb_quoting_chain(&b, four, 4, LI_IPPROTO_TCP);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* Cut inside the destination options: no key, no defect. */
	ptb_quoting_chain(&b, dst, 1, LI_IPPROTO_TCP);
	b.len = b.l3 + 40 + 8 + 40 + 12;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
}

/* --- ESP, NAT-T, IKE ----------------------------------------------------- */

static void test_esp_raw(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_ESP);
	pb_esp(&b, 0xc0ffee01, 0x80000001);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_ESP);
	assert_int_equal(p.spi, 0xc0ffee01);
	assert_int_equal(p.seq, 0x80000001);

	b.len = b.l3 + 20 + 7;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_ESP_TRUNC);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.proto, LI_IPPROTO_ESP);
}

/* A UDP 4500 datagram with the given payload, source port 4500. */
static void natt(struct pb *b, const uint8_t *payload, size_t n)
{
	pb_eth(b, LI_ETH_P_IP);
	pb_ipv4(b, LI_IPPROTO_UDP);
	pb_udp(b, 4500, 4500);
	pb_put(b, payload, n);
	pb_done(b);
}

static void test_natt_keepalive(void **state)
{
	static const uint8_t ka[] = { 0xff };
	static const uint8_t zero1[] = { 0x00 };
	static const uint8_t two[] = { 0xff, 0xff };
	struct pb b;
	struct li_pkt p;

	(void)state;
	natt(&b, ka, sizeof(ka));
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_NATT_KA);

	natt(&b, zero1, sizeof(zero1));
	expect_mal(&b, LI_MAL_ESP_TRUNC);
	natt(&b, two, sizeof(two));
	expect_mal(&b, LI_MAL_ESP_TRUNC);
	natt(&b, NULL, 0); /* empty: nothing to say */
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
}

static void test_natt_ike(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 61000, 4500); /* source port: whatever the NAT chose */
	pb_u32(&b, 0);		 /* non-ESP marker */
	pb_ike(&b, 0x20, 35);	 /* IKE_AUTH */
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_IKE);
	assert_int_equal(p.spi, 0);

	/* Marker and a short IKE header: not ESP, not malformed. */
	b.len -= 1;
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	b.len = b.udp + 8 + 4;
	pb_done(&b);
	expect_mal(&b, LI_MAL_NONE);
}

static void test_natt_esp(void **state)
{
	static const uint8_t junk[] = { 1, 2, 3, 4, 5 };
	static const uint8_t esp8[] = { 0, 0, 0x10, 0x01, 0, 0, 0, 2 };
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 4500, 4500);
	pb_esp(&b, 0x00000101, 12345);
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ESP | LI_PKT_ESP_UDP);
	assert_int_equal(p.spi, 0x101);
	assert_int_equal(p.seq, 12345);

	natt(&b, junk, sizeof(junk));
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_ESP_TRUNC);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	natt(&b, esp8, sizeof(esp8)); /* exactly SPI and sequence */
	parse(&b, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ESP | LI_PKT_ESP_UDP);
	assert_int_equal(p.spi, 0x1001);

	/* 4500 as the source port only: plain UDP. */
	natt(&b, junk, sizeof(junk));
	pb_set16(&b, b.udp + 2, 33000);
	expect_mal(&b, LI_MAL_NONE);
}

/*
 * A NAT-T port besides 4500 (an SA's encapsulation: charon.port_nat_t) is
 * told apart as 4500 is, but only when it is in the set: without it, the
 * same bytes are plain UDP, as they were for every port but 4500.
 */
static void test_natt_other_port(void **state)
{
	static const uint8_t ka[] = { 0xff };
	const struct li_natt set = { { 4500, 4501, 4500, 4500 } };
	const struct li_natt only = LI_NATT_INIT;
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 4501, 4501);
	pb_esp(&b, 0x00000101, 7);
	pb_done(&b);
	li_parse_ports(b.b, b.b + b.len, &set, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_ESP | LI_PKT_ESP_UDP);
	assert_int_equal(p.spi, 0x101);
	assert_int_equal(p.seq, 7);
	li_parse_ports(b.b, b.b + b.len, &only, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	li_parse(b.b, b.b + b.len, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	/* a port not in the set */
	pb_set16(&b, b.udp + 2, 4502);
	li_parse_ports(b.b, b.b + b.len, &set, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);
	/* unused slots hold 4500: port 0 is no NAT-T port */
	pb_set16(&b, b.udp + 2, 0);
	li_parse_ports(b.b, b.b + b.len, &only, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	/* its keepalive and its IKE behind the non-ESP marker */
	natt(&b, ka, sizeof(ka));
	pb_set16(&b, b.udp + 2, 4501);
	li_parse_ports(b.b, b.b + b.len, &set, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_NATT_KA);
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 61000, 4501);
	pb_u32(&b, 0);
	pb_ike(&b, 0x20, 35);
	pb_done(&b);
	li_parse_ports(b.b, b.b + b.len, &set, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_IKE);
	assert_int_equal(p.spi, 0);
	/* 4500 stays what it was with any set */
	pb_set16(&b, b.udp + 2, 4500);
	li_parse_ports(b.b, b.b + b.len, &set, &p);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_IKE);
}

static void test_ike_500(void **state)
{
	struct pb b;
	struct li_pkt p;

	(void)state;
	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x10, 2); /* IKEv1 main mode */
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS | LI_PKT_IKE);

	/* The UDP length, not the IP payload, ends the datagram. */
	pb_set16(&b, b.udp + 4, 8 + 27);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);

	b.len -= 1; /* 27 bytes: no IKE, not malformed */
	pb_done(&b);
	parse(&b, &p);
	assert_int_equal(p.malformed, LI_MAL_NONE);
	assert_int_equal(p.flags, LI_PKT_PORTS);
}

/* Every LI_MAL_* value is reachable (each case above checks one). */
static void test_every_malformed_value(void **state)
{
	struct pb b[LI_MAL_MAX];
	struct li_pkt p;
	int m;

	(void)state;
	pb_eth(&b[LI_MAL_NONE], 0x88cc);
	pb_eth(&b[LI_MAL_L2], LI_ETH_P_8021Q);
	pb_eth(&b[LI_MAL_IP_TRUNC], LI_ETH_P_IP);
	pb_eth(&b[LI_MAL_IP_HDRLEN], LI_ETH_P_IP);
	pb_ipv4(&b[LI_MAL_IP_HDRLEN], 0);
	b[LI_MAL_IP_HDRLEN].b[LI_ETH_HLEN] = 0x46;
	pb_eth(&b[LI_MAL_IP_LEN], LI_ETH_P_IP);
	pb_ipv4(&b[LI_MAL_IP_LEN], 0);
	pb_eth(&b[LI_MAL_IP_VERSION], LI_ETH_P_IPV6);
	pb_ipv4(&b[LI_MAL_IP_VERSION], 0);
	pb_fill(&b[LI_MAL_IP_VERSION], 0, 20);
	pb_eth(&b[LI_MAL_EXTHDR], LI_ETH_P_IPV6);
	pb_ipv6(&b[LI_MAL_EXTHDR], 43);
	pb_fill(&b[LI_MAL_EXTHDR], 0, 1);
	pb_done(&b[LI_MAL_EXTHDR]);
	pb_eth(&b[LI_MAL_L4_TRUNC], LI_ETH_P_IP);
	pb_ipv4(&b[LI_MAL_L4_TRUNC], LI_IPPROTO_SCTP);
	pb_done(&b[LI_MAL_L4_TRUNC]);
	pb_eth(&b[LI_MAL_L4_LEN], LI_ETH_P_IP);
	pb_ipv4(&b[LI_MAL_L4_LEN], LI_IPPROTO_UDP);
	pb_fill(&b[LI_MAL_L4_LEN], 0, 8);
	pb_done(&b[LI_MAL_L4_LEN]);
	pb_eth(&b[LI_MAL_ESP_TRUNC], LI_ETH_P_IPV6);
	pb_ipv6(&b[LI_MAL_ESP_TRUNC], LI_IPPROTO_ESP);
	pb_fill(&b[LI_MAL_ESP_TRUNC], 0, 4);
	pb_done(&b[LI_MAL_ESP_TRUNC]);
	pb_eth(&b[LI_MAL_FRAG], LI_ETH_P_IP);
	pb_ipv4x(&b[LI_MAL_FRAG], 6, 0, 0x1fff, 1);
	pb_fill(&b[LI_MAL_FRAG], 0, 8);
	pb_done(&b[LI_MAL_FRAG]);
	for (m = 0; m < LI_MAL_MAX; m++) {
		parse(&b[m], &p);
		assert_int_equal(p.malformed, m);
	}
}

/* --- Truncation sweeps --------------------------------------------------- */

/*
 * Every prefix of a valid frame, each from an exact-size buffer. Raw cuts end
 * inside the IP datagram, so everything past the IP header must be refused
 * (LI_MAL_IP_LEN); with the IP (and UDP) lengths rewritten to fit, the cut
 * reaches each transport parser at every length. In both cases every claim
 * must agree with the full frame's parse.
 */
static void sweep(const struct pb *full)
{
	struct li_pkt whole, cut;
	struct pb b;
	size_t n;

	parse(full, &whole);
	assert_int_equal(whole.malformed, LI_MAL_NONE);
	for (n = 0; n <= full->len; n++) {
		parse_bytes(full->b, n, &cut);
		if (n == full->len) {
			assert_memory_equal(&cut, &whole, sizeof(cut));
			break;
		}
		assert_int_not_equal(cut.malformed, LI_MAL_NONE);
		assert_int_equal(cut.flags & ~LI_PKT_VLAN, 0);
	}
	for (n = full->l3 + (full->family == 4 ? 20 : 40); n <= full->len;
	     n++) {
		b = *full;
		b.len = n;
		if (b.udp && n < b.udp + 8)
			b.udp = 0;
		pb_done(&b);
		parse(&b, &cut);
		assert_int_equal(cut.flags & ~whole.flags & ~LI_PKT_NATT_KA, 0);
		if (cut.flags & LI_PKT_PORTS) {
			assert_int_equal(cut.dport, whole.dport);
			assert_true(cut.sport == whole.sport || cut.sport == 0);
		}
		if (cut.flags & LI_PKT_ESP) {
			assert_int_equal(cut.spi, whole.spi);
			assert_int_equal(cut.seq, whole.seq);
		}
		if (n == full->len)
			assert_memory_equal(&cut, &whole, sizeof(cut));
	}
}

static void test_sweep(void **state)
{
	struct pb b;

	(void)state;
	/* ESP-in-UDP behind two priority tags (a VLAN's is not IP here) */
	pb_eth(&b, LI_ETH_P_8021AD);
	pb_tag(&b, 0xe000, LI_ETH_P_8021Q);
	pb_tag(&b, 0x2000, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_UDP, 3, 0, 1);
	pb_udp(&b, 4500, 4500);
	pb_esp(&b, 0x01020304, 5);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IP); /* IKE after the non-ESP marker */
	pb_ipv4(&b, LI_IPPROTO_UDP);
	pb_udp(&b, 4500, 4500);
	pb_u32(&b, 0);
	pb_ike(&b, 0x20, 37);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4x(&b, LI_IPPROTO_TCP, 1, 0x2000, 2);
	pb_tcp(&b, 6, 0x18);
	pb_u32(&b, 0x01010101);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IP);
	pb_ipv4(&b, LI_IPPROTO_ICMP);
	pb_u32(&b, 0x00000000); /* echo reply */
	pb_u32(&b, 0x00010002);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IPV6); /* every extension header, IKE on 500 */
	pb_ipv6(&b, 0);
	pb_ext(&b, 0, 43, 0);
	pb_ext(&b, 43, 60, 1);
	pb_ext(&b, 60, 44, 2);
	pb_frag6(&b, 60, 0, 1, 77);
	pb_ext(&b, 60, LI_IPPROTO_UDP, 0);
	pb_udp(&b, 500, 500);
	pb_ike(&b, 0x20, 34);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_SCTP);
	pb_fill(&b, 0x5a, 12);
	pb_done(&b);
	sweep(&b);

	pb_eth(&b, LI_ETH_P_IPV6);
	pb_ipv6(&b, LI_IPPROTO_ESP);
	pb_esp(&b, 0xffff0000, 1);
	pb_done(&b);
	sweep(&b);
}

/*
 * Bytes after the L3 end never change the result once the IP header was
 * judged whole: the parser reads nothing past it.
 */
static void test_padding_invariance(void **state)
{
	struct pb b;
	struct li_pkt a, c;
	size_t n, k;

	(void)state;
	build_chain(&b, 8);
	for (n = b.l3 + 40; n <= b.len; n++) {
		struct pb t = b;

		t.len = n;
		pb_done(&t);
		parse(&t, &a);
		for (k = 0; k < 3; k++) {
			pb_fill(&t, k == 0 ? 0 : k == 1 ? 0xff : 0x2c, 64);
			parse(&t, &c);
			assert_memory_equal(&a, &c, sizeof(a));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_non_ip),
		cmocka_unit_test(test_l2_truncated),
		cmocka_unit_test(test_vlan_single),
		cmocka_unit_test(test_vlan_double),
		cmocka_unit_test(test_vlan_priority_tag),
		cmocka_unit_test(test_vlan_triple_not_ip),
		cmocka_unit_test(test_ipv4_udp),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_ip_trunc),
		cmocka_unit_test(test_ip_version),
		cmocka_unit_test(test_ip_hdrlen),
		cmocka_unit_test(test_ip_len),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_tiny_fragment),
		cmocka_unit_test(test_ipv6_ext_each),
		cmocka_unit_test(test_ipv6_ah_and_no_next),
		cmocka_unit_test(test_ipv6_chain_limit),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_udp_errors),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_sctp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_icmpv6),
		cmocka_unit_test(test_icmpv6_error_frag),
		cmocka_unit_test(test_icmpv6_error_exthdr),
		cmocka_unit_test(test_esp_raw),
		cmocka_unit_test(test_natt_keepalive),
		cmocka_unit_test(test_natt_ike),
		cmocka_unit_test(test_natt_esp),
		cmocka_unit_test(test_natt_other_port),
		cmocka_unit_test(test_ike_500),
		cmocka_unit_test(test_every_malformed_value),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_padding_invariance),
		cmocka_unit_test(test_ip_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
