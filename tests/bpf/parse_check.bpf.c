// SPDX-License-Identifier: GPL-2.0
/*
 * Proof that src/dataplane/parse.h builds for BPF and passes the verifier:
 * the smallest XDP program that parses every frame. Every field of the
 * parse reaches the return value or the output map, so nothing is optimized
 * away, and tests/bpf/run.sh compares what it records with the host build.
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

SEC("xdp")
int parse_check(struct xdp_md *ctx)
{
	const void *data = (const void *)(long)ctx->data;
	const void *data_end = (const void *)(long)ctx->data_end;
	struct li_pkt *p;
	__u32 key = 0;

	p = bpf_map_lookup_elem(&last_pkt, &key);
	if (!p)
		return XDP_ABORTED;
	li_parse(data, data_end, p);
	return p->malformed ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
