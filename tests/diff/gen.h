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
/*
 * NAT-T ports besides 4500 that SAs may use: more than LI_NATT_EXTRA, so
 * that some worlds have ports past the bound (not NAT-T in either engine).
 */
#define GEN_NATT_FIRST 4501
#define GEN_NATT_NR 6
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

/* @n random bytes into @b. */
static inline void rng_fill(struct rng *r, __u8 *b, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		b[i] = (__u8)rng_next(r);
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
	__u64 ns;   /* its time (both engines' clock), never 0 */
	int egress; /* leaving the gateway: the egress half of sessions */
};

/* One IP datagram, before it becomes frames (gen_pkt.c). */
struct gen_dgram {
	int family;
	__u8 saddr[16], daddr[16];
	__u8 proto;
	__u8 l4[256]; /* transport header and payload */
	__u32 l4_len;
};

/*
 * A flow (gen_flow.c): the gateway's side and the remote's, for packets
 * both ways, replies, quotes in ICMP errors and near misses.
 */
#define GEN_MAX_FLOWS 64

struct gen_flow {
	int family;
	__u8 proto;	    /* 6, 17, or ICMP(v6) echo */
	__u8 out;	    /* the gateway sent its first packet */
	__u8 gw[16], peer[16];
	__u16 gport, pport; /* echo: gport is the identifier */
	const char *ifname; /* where an inbound one arrived first */
	__u64 last_ns;
};

/* What gen_flow.c made, for the report (diff_random prints it). */
enum gen_made {
	GM_OUT_NEW,	/* an outbound first packet (egress) */
	GM_OUT_MORE,	/* more of an outbound flow (egress) */
	GM_OUT_NONE,	/* egress not from us, or to a group: no session */
	GM_REPLY,	/* an inbound reply to an outbound flow */
	GM_IN_NEW,	/* an inbound first packet */
	GM_IN_SAME,	/* more of an inbound flow, on its interface */
	GM_IN_OTHER,	/* more of an inbound flow, on another interface */
	GM_IN_ANSWER,	/* the gateway's answer in an inbound flow (egress) */
	GM_ICMP_ERR,	/* an ICMP error quoting a flow's outbound packet */
	GM_NEAR,	/* a near miss: one field off a flow's reply */
	GM_EDGE,	/* the clock put at a timer's edge before a packet */
	GM_ESP,		/* ESP from the peer of an IKE flow: a new SPI */
	GM_NR,
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
		__u16 natt; /* its local NAT-T port, 0 none (GEN_NATT_*) */
	} sas[GEN_MAX_SAS];
	int nr_sas;
	/* later fragments waiting to be sent */
	struct gen_frame pending[GEN_MAX_PENDING];
	int nr_pending;
	/* flows (gen_flow.c), the most recent at flows[recent] */
	struct gen_flow flows[GEN_MAX_FLOWS];
	int nr_flows, recent;
	__u64 now_ns; /* the clock, advanced by each frame */
	unsigned long long made[GM_NR];
};

/* A new config into @w->text (NUL-terminated); 0 or -ENOMEM. */
int gen_config(struct rng *r, struct gen_world *w);
/*
 * The same gateway (interfaces, addresses, SAs) with new policies, as a
 * reload; flows, pending fragments and the clock go on.
 */
int gen_reload(struct rng *r, struct gen_world *w);
/*
 * The next frame at a later time; a later fragment of an earlier
 * datagram, or a packet of a flow, at times.
 */
void gen_frame(struct rng *r, struct gen_world *w, struct gen_frame *f);

/* gen_pkt.c for gen_flow.c: an address, a port; @d as one frame. */
void gen_addr(struct rng *r, const struct gen_world *w, int family, __u8 *a);
__u32 gen_port(struct rng *r, const struct gen_world *w);
void gen_emit(struct rng *r, const struct gen_dgram *d, struct gen_frame *f);
/* gen_flow.c: a flow's frame into @f; 0 when it made none. */
int gen_flow_frame(struct rng *r, struct gen_world *w, struct gen_frame *f);

#endif
