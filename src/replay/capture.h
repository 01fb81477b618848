/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets from a capture file. Classic pcap and pcapng are read in place
 * from the mapped file, with no copy per packet (libpcap's fread path
 * costs more than the whole decision), and pcapng's interface names, which
 * say where each packet arrived, are not exposed by libpcap; pcap variants
 * only libpcap knows go through libpcap. Every packet comes out with an
 * Ethernet header, as the XDP program sees it: raw-IP (RAW, IPV4, IPV6),
 * BSD loopback and Linux "cooked" captures get a synthetic one. Other
 * link types are refused, naming the type, when the capture (classic
 * pcap) or the interface (pcapng) declares it.
 */
#ifndef LOCALIN_REPLAY_CAPTURE_H
#define LOCALIN_REPLAY_CAPTURE_H

#include <stddef.h>

#include <linux/types.h>

struct capture_pkt {
	const __u8 *data; /* starts with an Ethernet header */
	__u32 caplen;	  /* bytes at data: 0 if not even the link header */
	__u32 len;	  /* on the wire, Ethernet header counted; >= caplen */
	__u64 ts_ns;	  /* since the epoch */
	const char *ifname; /* pcapng if_name, or NULL */
};

struct capture;

struct diag_list;

/*
 * Returns 0 or a negative errno, with the error queued on @dl like a
 * config's (no location: the file is named in the message).
 */
int capture_open(const char *path, struct capture **out, struct diag_list *dl);
/*
 * 1: a packet in @p (valid until the next call); 0: end; <0: error, queued
 * on @dl.
 */
int capture_next(struct capture *c, struct capture_pkt *p,
		 struct diag_list *dl);
void capture_close(struct capture *c);

#endif
