// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for localin in the lab's self-test (e2e.sh): drop IPv4 UDP to
 * port 500, pass everything else. It shows that the capture on wan1 inside
 * gw sees only what XDP passed (XDP runs before the AF_PACKET taps), which
 * is what makes that capture a count of "what got through" that does not
 * depend on localin's own counters.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#define SEC(n) __attribute__((section(n), used))

SEC("xdp") int drop500(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end ||
	    eth->h_proto != __builtin_bswap16(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	return udp->dest == __builtin_bswap16(500) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
