// SPDX-License-Identifier: GPL-2.0
/*
 * What one session lookup costs by itself (lookup.sh): the same 16-byte
 * key from the frame, looked up in an LRU hash (what the data path used
 * until 2026-12-05), a plain hash, and an array under a multiply hash
 * with the key compared inline (what li_sess_tab does), beside a program
 * that only reads the key.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct k16 {
	__u64 a, b;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct k16);
	__type(value, __u64[10]);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct k16);
	__type(value, __u64[10]);
} hsh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536 * 4);
	__type(key, __u32);
	__type(value, __u64[12]);
} arr SEC(".maps");

/* The key: 16 bytes of the frame from its IPv4 source address on. */
static __always_inline int key_of(struct xdp_md *ctx, struct k16 *k)
{
	void *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;

	if (d + 64 > e)
		return -1;
	k->a = *(__u64 *)(d + 26);
	k->b = *(__u64 *)(d + 34);
	return 0;
}

SEC("xdp")
int key_only(struct xdp_md *ctx)
{
	struct k16 k;

	if (key_of(ctx, &k))
		return XDP_PASS;
	return k.a == 1 ? XDP_DROP : XDP_PASS;
}

/* The key looked up in the hash map @map: one code for both kinds. */
static __always_inline int hash_hit(struct xdp_md *ctx, void *map)
{
	struct k16 k;
	__u64 *v;

	if (key_of(ctx, &k))
		return XDP_PASS;
	v = bpf_map_lookup_elem(map, &k);
	return v && v[0] == 7 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int lru_hash(struct xdp_md *ctx)
{
	return hash_hit(ctx, &lru);
}

SEC("xdp")
int plain_hash(struct xdp_md *ctx)
{
	return hash_hit(ctx, &hsh);
}

SEC("xdp")
int array_inline(struct xdp_md *ctx)
{
	struct k16 k;
	__u64 *v;
	__u32 h;

	if (key_of(ctx, &k))
		return XDP_PASS;
	h = (__u32)(((k.a ^ (k.b * 0x9e3779b97f4a7c15ull)) *
		     0xff51afd7ed558ccdull) >>
		    46);
	v = bpf_map_lookup_elem(&arr, &h);
	return v && v[0] == k.a && v[1] == k.b ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
