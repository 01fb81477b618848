/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Seeded random configs (FortiOS text) and frames for the differential
 * test (diff_random.c): addresses near prefix edges, ports at range
 * edges, fragments, truncations, ESP with known and unknown SPIs.
 */
#ifndef LOCALIN_TESTS_DIFF_GEN_H
#define LOCALIN_TESTS_DIFF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#define GEN_MAX_RANGES 128
#define GEN_MAX_PORTS 64
#define GEN_MAX_SAS 8
#define GEN_MAX_FRAME 2048
#define GEN_MAX_PENDING 16

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* A v4 range or v6 prefix of the config, for addresses near its edges. */
struct gen_range {
	int family;
	__u8 lo[16], hi[16]; /* big-endian bytes */
};

struct gen_frame {
	__u8 data[GEN_MAX_FRAME];
	__u32 len;
	const char *ifname;
};

/* What a config's packets are drawn from. */
struct gen_world {
	char *text;
	size_t len, cap;
	struct gen_range ranges[GEN_MAX_RANGES];
	int nr_ranges;
	__u16 ports[GEN_MAX_PORTS];
	int nr_ports;
	/* the gateway: wan1, wan2 (IPv4 with prefix), wan1's IPv6 */
	__u32 gw4[2]; /* host order */
	int plen4[2];
	__u8 gw6[16];
	struct {
		int family;
		__u8 daddr[16];
		__u32 spi;
	} sas[GEN_MAX_SAS];
	int nr_sas;
	/* later fragments waiting to be sent */
	struct gen_frame pending[GEN_MAX_PENDING];
	int nr_pending;
};

/* A new config into @w->text (NUL-terminated); 0 or -ENOMEM. */
int gen_config(struct rng *r, struct gen_world *w);
/* The next frame; a later fragment of an earlier datagram at times. */
void gen_frame(struct rng *r, struct gen_world *w, struct gen_frame *f);

#endif
