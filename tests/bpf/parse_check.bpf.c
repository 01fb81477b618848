// SPDX-License-Identifier: GPL-2.0
/*
 * Proof that src/dataplane/parse.h builds for BPF and passes the verifier:
 * the smallest XDP program that parses every frame. Every field of the
 * parse reaches the return value or the output map, so nothing is optimized
 * away, and tests/bpf/run.sh compares what it records with the host build.
 * It parses as localin_xdp does: the IP header, then the transport header
 * from the offsets li_parse_l3() left in a map value (the verifier knows
 * nothing of them there), where the host makes one call of li_parse().
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "dataplane/parse.h"

/* The last parse, for run.sh to compare with the host parser. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct li_pkt);
} last_pkt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct li_l4_at);
} l4_at SEC(".maps");

SEC("xdp")
int parse_check(struct xdp_md *ctx)
{
	const void *data = (const void *)(long)ctx->data;
	const void *data_end = (const void *)(long)ctx->data_end;
	const struct li_natt natt = LI_NATT_INIT;
	struct li_l4_at *at;
	struct li_pkt *p;
	__u32 key = 0;

	p = bpf_map_lookup_elem(&last_pkt, &key);
	at = bpf_map_lookup_elem(&l4_at, &key);
	if (!p || !at)
		return XDP_ABORTED;
	li_parse_l3(data, data_end, p, at);
	li_parse_rest(data, data_end, at, &natt, p);
	return p->malformed ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
