/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes on the wire for tests/diff's programs: big-endian writers, and
 * the one plain frame the loader-level checks send (diff_memo,
 * diff_events).
 */
#ifndef LOCALIN_TESTS_DIFF_WIRE_H
#define LOCALIN_TESTS_DIFF_WIRE_H

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

#endif
