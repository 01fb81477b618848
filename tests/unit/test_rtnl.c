// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink messages as the kernel sends them, written out byte by byte
 * (little-endian, as on the machines we run on): RTM_NEWADDR/RTM_DELADDR
 * for IPv4 (broadcast subnet, point-to-point) and IPv6, RTM_NEWLINK/
 * RTM_DELLINK, a bridge-port notification, malformed and truncated
 * messages, NLMSG_ERROR, NLMSG_DONE and an interrupted dump; then the
 * gateway's address list the data path gets from them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "daemon/locals.h"
#include "daemon/rtnl.h"
#include "dataplane/loader.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the recorded messages are little-endian"
#endif

#define U16(x) ((x)&0xff), (((x) >> 8) & 0xff)
#define U32(x) U16((x)&0xffff), U16(((x) >> 16) & 0xffff)
/* struct nlmsghdr: len, type, flags, seq, pid */
#define NLH(len, type, flags, seq) \
	U32(len), U16(type), U16(flags), U32(seq), U32(0)
/* struct nlattr: len, type */
#define NLA(len, type) U16(len), U16(type)

/* One line per header, attribute or address. */
/* clang-format off */

/* 10.99.0.1/24 on ifindex 2 "veth-gw", as `ip addr add` announces it. */
static const unsigned char newaddr4[] = {
	NLH(88, RTM_NEWADDR, 0, 0),
	AF_INET, 24, 0x80 /* IFA_F_PERMANENT */, RT_SCOPE_UNIVERSE, U32(2),
	NLA(8, IFA_ADDRESS), 10, 99, 0, 1,
	NLA(8, IFA_LOCAL), 10, 99, 0, 1,
	NLA(8, IFA_BROADCAST), 10, 99, 0, 255,
	NLA(12, IFA_LABEL), 'v', 'e', 't', 'h', '-', 'g', 'w', 0,
	NLA(8, IFA_FLAGS), U32(0x80),
	NLA(20, IFA_CACHEINFO), U32(0xffffffff), U32(0xffffffff), U32(100),
	U32(100),
};

/* Point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer's. */
static const unsigned char newaddr4_ptp[] = {
	NLH(40, RTM_NEWADDR, 0, 0),
	AF_INET, 32, 0x80, RT_SCOPE_UNIVERSE, U32(7),
	NLA(8, IFA_ADDRESS), 192, 0, 2, 2,
	NLA(8, IFA_LOCAL), 192, 0, 2, 1,
};

/* 2001:db8::1/64 on ifindex 2: IPv6 has IFA_ADDRESS only. */
static const unsigned char newaddr6[] = {
	NLH(64, RTM_NEWADDR, 0, 0),
	AF_INET6, 64, 0x80, RT_SCOPE_UNIVERSE, U32(2),
	NLA(20, IFA_ADDRESS), 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 1,
	NLA(20, IFA_CACHEINFO), U32(0xffffffff), U32(0xffffffff), U32(200),
	U32(200),
};

static const unsigned char deladdr4[] = {
	NLH(40, RTM_DELADDR, 0, 0),
	AF_INET, 24, 0x80, RT_SCOPE_UNIVERSE, U32(2),
	NLA(8, IFA_ADDRESS), 10, 99, 0, 1,
	NLA(8, IFA_LOCAL), 10, 99, 0, 1,
};

/* ifindex 3 "wan1", UP|BROADCAST|RUNNING|MULTICAST, with an MTU. */
static const unsigned char newlink[] = {
	NLH(60, RTM_NEWLINK, 0, 0),
	AF_UNSPEC, 0, U16(1 /* ARPHRD_ETHER */), U32(3),
	U32(IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST),
	U32(0xffffffff),
	NLA(9, IFLA_IFNAME), 'w', 'a', 'n', '1', 0, 0, 0, 0,
	NLA(8, IFLA_MTU), U32(1500),
	NLA(5, IFLA_OPERSTATE), 6, 0, 0, 0,
};

static const unsigned char dellink[] = {
	NLH(44, RTM_DELLINK, 0, 0),
	AF_UNSPEC, 0, U16(1), U32(3), U32(IFF_BROADCAST | IFF_MULTICAST),
	U32(0xffffffff),
	NLA(9, IFLA_IFNAME), 'w', 'a', 'n', '1', 0, 0, 0, 0,
};

/*
 * wan1 moved to another network namespace (`ip link set wan1 netns X`):
 * RTM_DELLINK with IFLA_NEW_NETNSID and IFLA_NEW_IFINDEX (7 there).
 */
static const unsigned char dellink_moved[] = {
	NLH(60, RTM_DELLINK, 0, 0),
	AF_UNSPEC, 0, U16(1), U32(3), U32(IFF_BROADCAST | IFF_MULTICAST),
	U32(0xffffffff),
	NLA(9, IFLA_IFNAME), 'w', 'a', 'n', '1', 0, 0, 0, 0,
	NLA(8, IFLA_NEW_NETNSID), U32(0),
	NLA(8, IFLA_NEW_IFINDEX), U32(7),
};

/*
 * ifindex 5 "lan1", a port of bridge 9: IFLA_MASTER, and the master's kind
 * nested in IFLA_LINKINFO (links.c leaves a bridge's port out of `any`).
 */
static const unsigned char newlink_port[] = {
	NLH(68, RTM_NEWLINK, 0, 0),
	AF_UNSPEC, 0, U16(1), U32(5), U32(IFF_UP), U32(0xffffffff),
	NLA(9, IFLA_IFNAME), 'l', 'a', 'n', '1', 0, 0, 0, 0,
	NLA(8, IFLA_MASTER), U32(9),
	NLA(16, IFLA_LINKINFO),
	NLA(11, IFLA_INFO_SLAVE_KIND), 'b', 'r', 'i', 'd', 'g', 'e', 0, 0,
};

/*
 * ifindex 6 "mv0", a macvlan over ifindex 3: its kind in IFLA_LINKINFO
 * and its MAC (links_upper.c puts it into li_upper_mac for wan1).
 */
static const unsigned char newlink_macvlan[] = {
	NLH(76, RTM_NEWLINK, 0, 0),
	AF_UNSPEC, 0, U16(1), U32(6), U32(IFF_UP), U32(0xffffffff),
	NLA(8, IFLA_IFNAME), 'm', 'v', '0', 0,
	NLA(8, IFLA_LINK), U32(3),
	NLA(10, IFLA_ADDRESS), 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0,
	NLA(16, IFLA_LINKINFO),
	NLA(12, IFLA_INFO_KIND), 'm', 'a', 'c', 'v', 'l', 'a', 'n', 0,
};

/* A port leaving a bridge: RTM_DELLINK of family AF_BRIDGE. */
static const unsigned char dellink_bridge[] = {
	NLH(44, RTM_DELLINK, 0, 0),
	AF_BRIDGE, 0, U16(1), U32(3), U32(IFF_UP), U32(0),
	NLA(9, IFLA_IFNAME), 'w', 'a', 'n', '1', 0, 0, 0, 0,
};

/* Malformed: a 3-byte IPv4 address; a name without its NUL in 16. */
static const unsigned char newaddr_short[] = {
	NLH(32, RTM_NEWADDR, 0, 0),
	AF_INET, 24, 0, 0, U32(2),
	NLA(7, IFA_ADDRESS), 10, 99, 0, 0,
};

static const unsigned char newlink_longname[] = {
	NLH(56, RTM_NEWLINK, 0, 0),
	AF_UNSPEC, 0, U16(1), U32(4), U32(IFF_UP), U32(0),
	NLA(20, IFLA_IFNAME), 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
	'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p',
	NLA(4, IFLA_MTU),
};

/* A route message: not ours to follow. */
static const unsigned char newroute[] = {
	NLH(28, RTM_NEWROUTE, 0, 0),
	AF_INET, 24, 0, 0, 254, 4, 0, 1, U32(0),
};

static const unsigned char done[] = {
	NLH(20, NLMSG_DONE, NLM_F_MULTI, 5), U32(0),
};

static const unsigned char error_eperm[] = {
	NLH(36, NLMSG_ERROR, 0, 5), U32(-EPERM),
	NLH(16, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 5),
};

/* A dump answer (seq 5) flagged as inconsistent, then its end. */
static const unsigned char dump_intr[] = {
	NLH(40, RTM_NEWADDR, NLM_F_MULTI | NLM_F_DUMP_INTR, 5),
	AF_INET, 32, 0x80, RT_SCOPE_UNIVERSE, U32(7),
	NLA(8, IFA_ADDRESS), 192, 0, 2, 2,
	NLA(8, IFA_LOCAL), 192, 0, 2, 1,
	NLH(20, NLMSG_DONE, NLM_F_MULTI, 5), U32(0),
};

/* clang-format on */

/* What the callback saw. */
struct seen {
	struct rtnl_msg m[16];
	int n;
	struct local_set locals;
};

static int collect(void *ctx, const struct rtnl_msg *m)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->m[s->n++] = *m;
	if (m->kind == RTNL_NEWADDR)
		assert_true(local_set_add(&s->locals, &m->addr) >= 0);
	if (m->kind == RTNL_DELADDR)
		local_set_del(&s->locals, &m->addr);
	return 0;
}

static int feed(struct seen *s, const void *msg, size_t len, unsigned int *bad)
{
	return rtnl_parse_buf(msg, len, 0, 0, collect, s, bad);
}

static void addr_is(const struct local_addr *a, int family, const char *text,
		    int prefixlen, int ifindex)
{
	__u32 want[4] = { 0 };

	assert_int_equal(
		inet_pton(family == 6 ? AF_INET6 : AF_INET, text, want), 1);
	assert_int_equal(a->family, family);
	assert_int_equal(a->prefixlen, prefixlen);
	assert_int_equal(a->ifindex, ifindex);
	assert_memory_equal(a->addr, want, sizeof(want));
}

static void test_addresses(void **state)
{
	struct seen s = { 0 };
	unsigned int bad = 0;

	assert_int_equal(feed(&s, newaddr4, sizeof(newaddr4), &bad), 1);
	assert_int_equal(feed(&s, newaddr4_ptp, sizeof(newaddr4_ptp), &bad), 1);
	assert_int_equal(feed(&s, newaddr6, sizeof(newaddr6), &bad), 1);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.m[0].kind, RTNL_NEWADDR);
	addr_is(&s.m[0].addr, 4, "10.99.0.1", 24, 2);
	addr_is(&s.m[1].addr, 4, "192.0.2.1", 32, 7);
	addr_is(&s.m[2].addr, 6, "2001:db8::1", 64, 2);
	assert_int_equal(feed(&s, deladdr4, sizeof(deladdr4), &bad), 1);
	assert_int_equal(s.m[3].kind, RTNL_DELADDR);
	addr_is(&s.m[3].addr, 4, "10.99.0.1", 24, 2);
	assert_int_equal(s.locals.nr, 2);
	assert_int_equal(bad, 0);
	local_set_free(&s.locals);
}

static void test_links(void **state)
{
	struct seen s = { 0 };
	unsigned int bad = 0;

	assert_int_equal(feed(&s, newlink, sizeof(newlink), &bad), 1);
	assert_int_equal(feed(&s, dellink_bridge, sizeof(dellink_bridge), &bad),
			 1);
	assert_int_equal(feed(&s, dellink, sizeof(dellink), &bad), 1);
	assert_int_equal(s.n, 2); /* the bridge port message is skipped */
	assert_int_equal(s.m[0].kind, RTNL_NEWLINK);
	assert_int_equal(s.m[0].ifindex, 3);
	assert_string_equal(s.m[0].ifname, "wan1");
	assert_true(s.m[0].flags & IFF_UP);
	/* links.c puts the session program on Ethernet interfaces only */
	assert_int_equal(s.m[0].type, 1 /* ARPHRD_ETHER */);
	assert_int_equal(s.m[0].master, 0);
	assert_string_equal(s.m[0].slave_kind, "");
	assert_int_equal(s.m[1].kind, RTNL_DELLINK);
	assert_int_equal(s.m[1].ifindex, 3);
	assert_false(s.m[1].flags & IFF_UP);
	assert_int_equal(feed(&s, newlink_port, sizeof(newlink_port), &bad), 1);
	assert_int_equal(s.m[2].ifindex, 5);
	assert_string_equal(s.m[2].ifname, "lan1");
	assert_int_equal(s.m[2].master, 9);
	assert_string_equal(s.m[2].slave_kind, "bridge");
	/* a device deleted is not one moved; one moved says where to */
	assert_false(s.m[1].moved);
	assert_int_equal(s.m[1].new_ifindex, 0);
	assert_int_equal(feed(&s, dellink_moved, sizeof(dellink_moved), &bad),
			 1);
	assert_int_equal(s.m[3].kind, RTNL_DELLINK);
	assert_int_equal(s.m[3].ifindex, 3);
	assert_true(s.m[3].moved);
	assert_int_equal(s.m[3].new_ifindex, 7);
	/* a port's own kind is not its master's; wan1 gave no MAC */
	assert_string_equal(s.m[2].link_kind, "");
	assert_false(s.m[0].has_mac);
	assert_int_equal(
		feed(&s, newlink_macvlan, sizeof(newlink_macvlan), &bad), 1);
	assert_int_equal(s.m[4].ifindex, 6);
	assert_int_equal(s.m[4].lower, 3);
	assert_string_equal(s.m[4].link_kind, "macvlan");
	assert_string_equal(s.m[4].slave_kind, "");
	assert_true(s.m[4].has_mac);
	assert_memory_equal(
		s.m[4].mac,
		((const unsigned char[]){ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }),
		6);
	assert_int_equal(bad, 0);
}

static void test_malformed_and_others(void **state)
{
	unsigned char buf[512];
	struct seen s = { 0 };
	unsigned int bad = 0;
	size_t n = 0;

	/* Several messages in one buffer, as a dump answer arrives. */
	memcpy(buf + n, newaddr_short, sizeof(newaddr_short));
	n += sizeof(newaddr_short);
	memcpy(buf + n, newlink_longname, sizeof(newlink_longname));
	n += sizeof(newlink_longname);
	memcpy(buf + n, newroute, sizeof(newroute));
	n += sizeof(newroute);
	memcpy(buf + n, newaddr4_ptp, sizeof(newaddr4_ptp));
	n += sizeof(newaddr4_ptp);
	assert_int_equal(feed(&s, buf, n, &bad), 1);
	assert_int_equal(bad, 2);
	assert_int_equal(s.n, 1);
	addr_is(&s.m[0].addr, 4, "192.0.2.1", 32, 7);
	local_set_free(&s.locals);

	/* Cut anywhere: what is whole is read, the rest is not. */
	for (n = 0; n < sizeof(newaddr4); n++) {
		memset(&s, 0, sizeof(s));
		assert_int_equal(feed(&s, newaddr4, n, NULL), 1);
		assert_int_equal(s.n, 0);
	}
	local_set_free(&s.locals);
}

/*
 * A length of 2 GiB or more (fuzz_rtnl): libmnl's mnl_nlmsg_ok() took it
 * as negative, so it passed, and the walk then read the message's
 * attributes and stepped gigabytes past the buffer: a crash on one
 * datagram. It is a message cut short, as any too long for the buffer.
 */
static void test_huge_length(void **state)
{
	static const unsigned char huge[] = {
		NLH(0xfff80000, RTM_NEWADDR, 0, 0),
		AF_INET,
		24,
		0,
		RT_SCOPE_UNIVERSE,
		U32(2),
		NLA(8, IFA_LOCAL),
		10,
		99,
		0,
		1,
	};
	unsigned char buf[256];
	struct seen s = { 0 };
	unsigned int bad = 0;

	memcpy(buf, newaddr4, sizeof(newaddr4));
	memcpy(buf + sizeof(newaddr4), huge, sizeof(huge));
	assert_int_equal(feed(&s, buf, sizeof(newaddr4) + sizeof(huge), &bad),
			 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(bad, 0);
	buf[sizeof(newaddr4) + 4] = 0xfa; /* a type nobody follows: the same */
	assert_int_equal(feed(&s, buf, sizeof(newaddr4) + sizeof(huge), &bad),
			 1);
	local_set_free(&s.locals);
}

static void test_dump_ends(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(
		rtnl_parse_buf(done, sizeof(done), 5, 0, collect, &s, NULL), 0);
	assert_int_equal(rtnl_parse_buf(error_eperm, sizeof(error_eperm), 5, 0,
					collect, &s, NULL),
			 -EPERM);
	/*
	 * INT_MIN has no positive errno: negated by the caller (strerror(-err))
	 * it was undefined. An I/O error instead.
	 */
	{
		static const unsigned char error_min[] = {
			NLH(36, NLMSG_ERROR, 0, 5),
			U32(0x80000000u),
			NLH(16, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 5),
		};

		assert_int_equal(rtnl_parse_buf(error_min, sizeof(error_min), 5,
						0, collect, &s, NULL),
				 -EIO);
	}
	/* The answer to another request (seq 6): skipped, not the end. */
	assert_int_equal(
		rtnl_parse_buf(done, sizeof(done), 6, 0, collect, &s, NULL), 1);
	assert_int_equal(rtnl_parse_buf(dump_intr, sizeof(dump_intr), 5, 0,
					collect, &s, NULL),
			 -EAGAIN);
	assert_int_equal(s.n, 1);
	local_set_free(&s.locals);
}

static int fail_enomem(void *ctx, const struct rtnl_msg *m)
{
	return -ENOMEM;
}

static void test_callback_error_stops(void **state)
{
	assert_int_equal(rtnl_parse_buf(newlink, sizeof(newlink), 0, 0,
					fail_enomem, NULL, NULL),
			 -ENOMEM);
}

static void host_addr_is(const struct li_host_addr *h, int family,
			 const char *text, int bcast)
{
	__u32 want[4] = { 0 };

	assert_int_equal(
		inet_pton(family == 6 ? AF_INET6 : AF_INET, text, want), 1);
	assert_int_equal(h->family, family);
	assert_int_equal(h->bcast, bcast);
	assert_memory_equal(h->addr, want, sizeof(want));
}

static struct local_addr la(int ifindex, int family, const char *text,
			    int prefixlen)
{
	struct local_addr a = { .ifindex = ifindex,
				.family = (__u8)family,
				.prefixlen = (__u8)prefixlen };

	assert_int_equal(
		inet_pton(family == 6 ? AF_INET6 : AF_INET, text, a.addr), 1);
	return a;
}

/*
 * The data path's list: sorted, each address once, the broadcast of each
 * IPv4 subnet shorter than /31, the subnet-router anycast of each IPv6
 * subnet shorter than /127 (the kernel's when the interface forwards); an
 * address that is someone's own and another subnet's broadcast counts as
 * unicast.
 */
static void test_export(void **state)
{
	struct local_set s;
	struct li_host_addr *v;
	struct local_addr a;
	size_t n;

	local_set_init(&s);
	a = la(2, 4, "10.99.0.1", 24);
	assert_int_equal(local_set_add(&s, &a), 1);
	assert_int_equal(local_set_add(&s, &a), 0);
	a.prefixlen = 16; /* the same address, a new subnet */
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(3, 4, "10.99.255.255", 32); /* another's broadcast */
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(3, 4, "192.0.2.1", 31);
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(2, 6, "2001:db8::1", 64);
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(4, 6, "2001:db8::1", 128); /* the same on two interfaces */
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(5, 6, "2001:db8:7::1", 127); /* a point-to-point link */
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(5, 6, "2001:db8:8:ff::1", 57); /* not on a byte boundary */
	assert_int_equal(local_set_add(&s, &a), 1);
	a = la(1, 4, "0.0.0.0", 0);
	assert_int_equal(local_set_add(&s, &a), 1);

	assert_int_equal(local_set_export(&s, &v, &n), 0);
	assert_int_equal(n, 10);
	host_addr_is(&v[0], 4, "0.0.0.0", 0);
	host_addr_is(&v[1], 4, "10.99.0.1", 0);
	host_addr_is(&v[2], 4, "10.99.255.255", 0);
	host_addr_is(&v[3], 4, "192.0.2.1", 0);
	host_addr_is(&v[4], 4, "255.255.255.255", 1);
	host_addr_is(&v[5], 6, "2001:db8::", 0);
	host_addr_is(&v[6], 6, "2001:db8::1", 0);
	host_addr_is(&v[7], 6, "2001:db8:7::1", 0);
	host_addr_is(&v[8], 6, "2001:db8:8:80::", 0);
	host_addr_is(&v[9], 6, "2001:db8:8:ff::1", 0);
	free(v);
	assert_int_equal(local_set_del_ifindex(&s, 5), 2);

	/* 10.99.255.255 is a broadcast again once its owner has gone. */
	assert_int_equal(local_set_del_ifindex(&s, 3), 2);
	assert_int_equal(local_set_del(&s, &a), 1); /* 0.0.0.0/0 */
	assert_int_equal(local_set_del(&s, &a), 0);
	assert_int_equal(local_set_export(&s, &v, &n), 0);
	assert_int_equal(n, 4);
	host_addr_is(&v[0], 4, "10.99.0.1", 0);
	host_addr_is(&v[1], 4, "10.99.255.255", 1);
	host_addr_is(&v[2], 6, "2001:db8::", 0);
	host_addr_is(&v[3], 6, "2001:db8::1", 0);
	free(v);

	local_set_clear(&s);
	assert_int_equal(local_set_export(&s, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	local_set_free(&s);
}

/*
 * What a link type's frames are to the programs (loader_hook.c): tun,
 * WireGuard and xfrm (NONE) start at the IP header; GRE, ipip, vti, sit
 * and PPP are not read (a GRE device with header_ops shows XDP its outer
 * IP header: attached, a deny-all would drop the tunnel's own packets).
 */
static void test_link_frames(void **state)
{
	(void)state;
	assert_int_equal(li_link_frames(ARPHRD_ETHER), LI_FRAMES_ETH);
	assert_int_equal(li_link_frames(ARPHRD_LOOPBACK), LI_FRAMES_ETH);
	assert_int_equal(li_link_frames(ARPHRD_NONE), LI_FRAMES_IP);
	assert_int_equal(li_link_frames(ARPHRD_IPGRE), LI_FRAMES_OTHER);
	assert_int_equal(li_link_frames(ARPHRD_TUNNEL), LI_FRAMES_OTHER);
	assert_int_equal(li_link_frames(ARPHRD_TUNNEL6), LI_FRAMES_OTHER);
	assert_int_equal(li_link_frames(ARPHRD_SIT), LI_FRAMES_OTHER);
	assert_int_equal(li_link_frames(ARPHRD_PPP), LI_FRAMES_OTHER);
	assert_int_equal(li_link_frames(ARPHRD_INFINIBAND), LI_FRAMES_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_frames),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_malformed_and_others),
		cmocka_unit_test(test_huge_length),
		cmocka_unit_test(test_dump_ends),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_export),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
