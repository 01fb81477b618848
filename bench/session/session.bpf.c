// SPDX-License-Identifier: GPL-2.0
/*
 * bench/session: two ways for an XDP program to know that a packet belongs
 * to an existing session, timed by session.c with BPF_PROG_TEST_RUN.
 *
 *   ses_pass     XDP_PASS, nothing else: the harness floor
 *   ses_parse    the parse every other program does (Ethernet, IPv4, UDP or
 *                TCP ports), then XDP_PASS
 *   ses_ct       (a) the kernel's conntrack: bpf_xdp_ct_lookup() on the
 *                frame's tuple, bpf_ct_release() on a hit
 *   ses_lru      (b) our own LRU hash: lookup of the 40-byte session key;
 *                a hit stores last_ns (bpf_ktime_get_ns) and adds the frame
 *                to bytes/pkts of the inbound direction (atomic adds)
 *   ses_lru_jif  the same with last_ns from bpf_jiffies64() (inlined by the
 *                kernel: what a cached clock like localin's li_clock costs)
 *   ses_lru_new  opening a session: a new key every run (a per-CPU counter
 *                in the local port and a remote address word), inserted
 *                with BPF_NOEXIST; in a full table every insert evicts
 *   ses_lru_new_pcpu  the same in a BPF_F_NO_COMMON_LRU table (an LRU
 *                list per CPU), full too
 *   ses_lru_new_room  the same in a table with room for the whole round
 *                (emptied before each): no eviction
 *
 * Verdicts say what happened, and session.c checks them on every round:
 * XDP_PASS = found (or inserted, or the floor), XDP_DROP = not found (or
 * insert failed), XDP_ABORTED = frame not parsed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SES_MAX 65536
#define SES_ROOM (1 << 18) /* > REPEAT: a round never evicts */

/* The kernel's struct bpf_ct_opts (net/netfilter/nf_conntrack_bpf.c). */
struct bpf_ct_opts___local {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
} __attribute__((preserve_access_index));

/* Opaque here; a struct (not a forward declaration) for libbpf's check. */
struct nf_conn {
	int opaque;
} __attribute__((preserve_access_index));

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx,
					 struct bpf_sock_tuple *bpf_tuple,
					 __u32 tuple__sz,
					 struct bpf_ct_opts___local *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

/* The session key and value of the candidate (b). */
struct ses_key {
	__u8 family;
	__u8 proto;
	__u16 lport; /* network order */
	__u16 rport;
	__u16 pad;
	__u32 laddr[4]; /* IPv4 in [0] */
	__u32 raddr[4];
};

struct ses_val {
	__u64 first_ns;
	__u64 last_ns;
	__u64 bytes[2]; /* [0] outbound, [1] inbound */
	__u64 pkts[2];
	__u32 id;
	__u32 flags;
	__u64 spare;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SES_MAX);
	__type(key, struct ses_key);
	__type(value, struct ses_val);
} ses_map SEC(".maps");

/* The same with a list per CPU (BPF_F_NO_COMMON_LRU), for the insert. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SES_MAX);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct ses_key);
	__type(value, struct ses_val);
} ses_map_pcpu SEC(".maps");

/* Room for a round of inserts: session.c empties it before each round. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SES_ROOM);
	__type(key, struct ses_key);
	__type(value, struct ses_val);
} ses_map_room SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ses_ctr SEC(".maps");

struct tuple4 {
	__u32 saddr, daddr; /* network order */
	__u16 sport, dport;
	__u8 proto;
};

/* Ethernet + IPv4 + UDP or TCP ports into @t; 0, or -1 if not that. */
static __always_inline int parse(struct xdp_md *ctx, struct tuple4 *t)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u16 *ports;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if (ip->ihl != 5 ||
	    (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP))
		return -1;
	ports = (void *)(ip + 1);
	if ((void *)(ports + 2) > end)
		return -1;
	t->saddr = ip->saddr;
	t->daddr = ip->daddr;
	t->sport = ports[0];
	t->dport = ports[1];
	t->proto = ip->protocol;
	return 0;
}

/* An inbound frame's session key: local = destination, remote = source. */
static __always_inline void make_key(struct ses_key *k, const struct tuple4 *t)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = t->proto;
	k->lport = t->dport;
	k->rport = t->sport;
	k->laddr[0] = t->daddr;
	k->raddr[0] = t->saddr;
}

SEC("xdp")
int ses_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int ses_parse(struct xdp_md *ctx)
{
	struct tuple4 t;

	return parse(ctx, &t) ? XDP_ABORTED : XDP_PASS;
}

SEC("xdp")
int ses_ct(struct xdp_md *ctx)
{
	struct bpf_ct_opts___local opts = { .netns_id = -1 };
	struct bpf_sock_tuple tup = {};
	struct nf_conn *ct;
	struct tuple4 t;

	if (parse(ctx, &t))
		return XDP_ABORTED;
	tup.ipv4.saddr = t.saddr;
	tup.ipv4.daddr = t.daddr;
	tup.ipv4.sport = t.sport;
	tup.ipv4.dport = t.dport;
	opts.l4proto = t.proto;
	ct = bpf_xdp_ct_lookup(ctx, &tup, sizeof(tup.ipv4), &opts,
			       sizeof(opts));
	if (!ct)
		return XDP_DROP;
	bpf_ct_release(ct);
	return XDP_PASS;
}

static __always_inline int lru_hit(struct xdp_md *ctx, int jiffies)
{
	struct ses_key k;
	struct ses_val *v;
	struct tuple4 t;
	__u64 len = ctx->data_end - ctx->data;

	if (parse(ctx, &t))
		return XDP_ABORTED;
	make_key(&k, &t);
	v = bpf_map_lookup_elem(&ses_map, &k);
	if (!v)
		return XDP_DROP;
	v->last_ns = jiffies ? bpf_jiffies64() : bpf_ktime_get_ns();
	__sync_fetch_and_add(&v->bytes[1], len);
	__sync_fetch_and_add(&v->pkts[1], 1);
	return XDP_PASS;
}

SEC("xdp")
int ses_lru(struct xdp_md *ctx)
{
	return lru_hit(ctx, 0);
}

SEC("xdp")
int ses_lru_jif(struct xdp_md *ctx)
{
	return lru_hit(ctx, 1);
}

/* A new session in @map: a new key every run, inserted. */
static __always_inline int lru_new(struct xdp_md *ctx, void *map)
{
	struct ses_val v = {};
	struct ses_key k;
	struct tuple4 t;
	__u32 zero = 0, *n;

	if (parse(ctx, &t))
		return XDP_ABORTED;
	n = bpf_map_lookup_elem(&ses_ctr, &zero);
	if (!n)
		return XDP_ABORTED;
	*n += 1;
	make_key(&k, &t);
	k.lport ^= (__u16)*n;
	k.raddr[3] = *n ^ bpf_get_smp_processor_id() << 24;
	v.first_ns = v.last_ns = bpf_ktime_get_ns();
	v.bytes[1] = ctx->data_end - ctx->data;
	v.pkts[1] = 1;
	v.id = *n;
	return bpf_map_update_elem(map, &k, &v, BPF_NOEXIST) ? XDP_DROP :
							       XDP_PASS;
}

SEC("xdp")
int ses_lru_new(struct xdp_md *ctx)
{
	return lru_new(ctx, &ses_map);
}

SEC("xdp")
int ses_lru_new_pcpu(struct xdp_md *ctx)
{
	return lru_new(ctx, &ses_map_pcpu);
}

SEC("xdp")
int ses_lru_new_room(struct xdp_md *ctx)
{
	return lru_new(ctx, &ses_map_room);
}

char LICENSE[] SEC("license") = "GPL";
