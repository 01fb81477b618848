// SPDX-License-Identifier: GPL-2.0
/*
 * What holds an interface's XDP hook, as the kernel says it. libxdp's
 * xdp_multiprog__get_from_ifindex() leaves a program fd open a call
 * (libxdp 1.3.1: the fd it gets by id is never closed), and the loader
 * asks at every attach, detach and swap: a daemon whose config gains and
 * loses interfaces grew toward its fd limit. libxdp is asked only where
 * its dispatcher holds the hook and its components must be read.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "localin.skel.h"
#include "dataplane/loader_int.h"

int li_hook_read(int ifindex, struct li_hook *h)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	memset(h, 0, sizeof(*h));
	h->fd = -1;
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	h->id = q.drv_prog_id ?: q.skb_prog_id ?: q.hw_prog_id ?: q.prog_id;
	h->mode = q.drv_prog_id ? XDP_MODE_NATIVE :
		  q.skb_prog_id ? XDP_MODE_SKB :
		  q.hw_prog_id	? XDP_MODE_HW :
				  XDP_MODE_UNSPEC;
	h->fd = h->id ? bpf_prog_get_fd_by_id(h->id) : -1;
	if (h->fd < 0) {
		h->kind = LI_HOOK_NONE; /* nothing attached, or gone since */
		return 0;
	}
	if (bpf_obj_get_info_by_fd(h->fd, &info, &len)) {
		li_hook_close(h);
		return -errno;
	}
	memcpy(h->name, info.name, sizeof(h->name));
	if (!strcmp(info.name, "xdp_dispatcher"))
		h->kind = LI_HOOK_DISPATCHER;
	else if (li_xdp_name_ours(info.name))
		h->kind = LI_HOOK_OURS;
	else
		h->kind = LI_HOOK_FOREIGN;
	return 0;
}

void li_hook_close(struct li_hook *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

__u32 li_mode_flags(int mode)
{
	switch (mode) {
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW:
		return XDP_FLAGS_HW_MODE;
	default:
		return XDP_FLAGS_DRV_MODE;
	}
}

/* Ours alone on the hook, off it: only if it is still that program. */
int li_hook_detach(const struct li_hook *h, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = h->fd);

	if (bpf_xdp_detach(ifindex, XDP_FLAGS_REPLACE | li_mode_flags(h->mode),
			   &o))
		return -errno;
	return 0;
}

int li_loader_off_here(struct li_loader *l, int ifindex)
{
	struct li_hook h;
	int err = li_hook_read(ifindex, &h);

	if (err)
		return err;
	if (h.kind == LI_HOOK_OURS && li_fd_shares_maps(l, h.fd))
		err = li_hook_detach(&h, ifindex) ?: 1;
	li_hook_close(&h);
	return err;
}

bool li_fd_shares_maps(struct li_loader *l, int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	struct bpf_map_info mi = { 0 };
	__u32 len = sizeof(info), mlen = sizeof(mi), ids[64], i;

	if (prog_fd < 0 ||
	    bpf_obj_get_info_by_fd(bpf_map__fd(l->skel->maps.li_conf), &mi,
				   &mlen))
		return false;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return false;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]);
	     i++)
		if (ids[i] == mi.id)
			return true;
	return false;
}

bool li_xdp_name_ours(const char *name)
{
	return !strcmp(name, LI_PROG_NAME) || !strcmp(name, LI_PROG_L3_NAME);
}

/*
 * Only the link types whose XDP and TC data are known to start at the IP
 * header; another (InfiniBand, IEEE 802.15.4, CAN, ...) is refused by
 * links.c rather than judged by guesswork.
 */
enum li_frames li_link_frames(unsigned int arphrd)
{
	switch (arphrd) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return LI_FRAMES_ETH;
	/*
	 * tun, WireGuard: no header_ops, XDP's data is the IP header (tun:
	 * tests/e2e/tunnel_if.sh; WireGuard seen on 6.1). xfrm interfaces
	 * share the type but not the frame: links.c leaves them
	 * (links_is_xfrm). Not GRE, ipip, vti, sit nor PPP: untested, and
	 * a GRE device with header_ops keeps the outer IP header as its
	 * MAC header, where the program would judge, and a deny-all drop,
	 * the tunnel's own packets. They stay unattached, and said so
	 * (links.c no_ethernet): failing open loudly rather than breaking
	 * a tunnel.
	 */
	case ARPHRD_NONE:
		return LI_FRAMES_IP;
	default:
		return LI_FRAMES_OTHER;
	}
}

const char *li_xdp_name_for(enum li_frames frames)
{
	return frames == LI_FRAMES_IP ? LI_PROG_L3_NAME : LI_PROG_NAME;
}
