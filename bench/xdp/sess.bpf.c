// SPDX-License-Identifier: GPL-2.0
/*
 * bench/xdp's new-session stream (sess.c): every run writes the next UDP
 * source port (1..65535, then 1 again) into the test frame (IPv4, no IP
 * options) and tail-calls the program in sess_next[0]: localin's, so
 * that each run is the first packet of a session of its own and inserts
 * into li_sess; or a bare XDP_PASS program, to time this wrapper itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sess_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sess_port SEC(".maps");

SEC("xdp")
int sess_stream(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *l4 = (__u8 *)data + 14 + 20;
	__u32 zero = 0, *p, port;

	p = bpf_map_lookup_elem(&sess_port, &zero);
	if (!p || (void *)(l4 + 8) > data_end)
		return XDP_ABORTED;
	port = *p;
	*p = port >= 65535 ? 1 : port + 1;
	l4[0] = (__u8)(port >> 8);
	l4[1] = (__u8)port;
	bpf_tail_call(ctx, &sess_next, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
