// SPDX-License-Identifier: GPL-2.0
/*
 * bench/xdp's SPI stream (spi.c): every run writes the next destination
 * address and SPI of a list into the test frame (IPv4; ESP, or UDP + ESP)
 * and tail-calls localin's program in spi_next[0]. One BPF_PROG_TEST_RUN
 * of REPEAT runs thus judges REPEAT packets that cycle through the list,
 * back to back, with no syscall between them: varied SPIs, not one cached
 * entry. What this program adds (two array lookups, two stores, the tail
 * call) is the same with the SPI check on and off.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SPI_LIST_MAX (1 << 18)

struct spi_dst {
	__u32 daddr; /* network order */
	__u32 spi;   /* network order, as on the wire */
};

struct spi_cursor {
	__u32 base; /* the list is spi_list[base, base + n) */
	__u32 n;
	__u32 i;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} spi_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SPI_LIST_MAX);
	__type(key, __u32);
	__type(value, struct spi_dst);
} spi_list SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct spi_cursor);
} spi_cursor SEC(".maps");

SEC("xdp")
int spi_stream(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *ip = (__u8 *)data + 14, *esp;
	struct spi_cursor *c;
	struct spi_dst *d;
	__u32 zero = 0, k;

	c = bpf_map_lookup_elem(&spi_cursor, &zero);
	if (!c || (void *)(ip + 20 + 8 + 8) > data_end)
		return XDP_ABORTED;
	k = c->base + c->i;
	if (++c->i >= c->n)
		c->i = 0;
	d = bpf_map_lookup_elem(&spi_list, &k);
	if (!d)
		return XDP_ABORTED;
	esp = ip + 20 + (ip[9] == 17 ? 8 : 0);
	__builtin_memcpy(ip + 16, &d->daddr, 4);
	__builtin_memcpy(esp, &d->spi, 4);
	bpf_tail_call(ctx, &spi_next, 0);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
