/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes on the wire for tests/diff's programs: big-endian writers, and
 * the plain frames the loader-level checks send (diff_memo, diff_events;
 * IPv6: tests/unit/test_loader_fail.c).
 */
#ifndef LOCALIN_TESTS_DIFF_WIRE_H
#define LOCALIN_TESTS_DIFF_WIRE_H

#include <arpa/inet.h>
#include <string.h>

#include <linux/types.h>

static inline void put16(__u8 *b, __u32 v)
{
	b[0] = (__u8)(v >> 8);
	b[1] = (__u8)v;
}

static inline void put32(__u8 *b, __u32 v)
{
	put16(b, v >> 16);
	put16(b + 2, v);
}

#define WIRE_UDP4_LEN 50

/*
 * Ethernet, IPv4 (TTL 64), UDP from @src:@sport to @dst:@dport with 8
 * zero bytes of payload, into @f (WIRE_UDP4_LEN bytes; addresses in host
 * order).
 */
static inline void wire_udp4(__u8 *f, __u32 src, unsigned int sport, __u32 dst,
			     unsigned int dport)
{
	memset(f, 0, WIRE_UDP4_LEN);
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	put16(f + 16, WIRE_UDP4_LEN - 14);
	f[22] = 64;
	f[23] = 17;
	put32(f + 26, src);
	put32(f + 30, dst);
	put16(f + 34, sport);
	put16(f + 36, dport);
	put16(f + 38, WIRE_UDP4_LEN - 34);
}

#define WIRE_UDP6_LEN 70

/* The same in IPv6 (hop limit 64), addresses as text (WIRE_UDP6_LEN). */
static inline void wire_udp6(__u8 *f, const char *src, unsigned int sport,
			     const char *dst, unsigned int dport)
{
	memset(f, 0, WIRE_UDP6_LEN);
	put16(f + 12, 0x86dd);
	f[14] = 0x60;
	put16(f + 18, WIRE_UDP6_LEN - 54);
	f[20] = 17;
	f[21] = 64;
	inet_pton(AF_INET6, src, f + 22);
	inet_pton(AF_INET6, dst, f + 38);
	put16(f + 54, sport);
	put16(f + 56, dport);
	put16(f + 58, WIRE_UDP6_LEN - 54);
}

#endif
