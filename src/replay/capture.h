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
#include <string.h>

#include <linux/types.h>

struct capture_pkt {
	const __u8 *data; /* starts with an Ethernet header */
	__u32 caplen;	  /* bytes at data: 0 if not even the link header */
	__u32 len;	  /* on the wire, Ethernet header counted; >= caplen */
	__u64 ts_ns;	  /* since the epoch */
	const char *ifname; /* pcapng if_name, or NULL */
	__u8 dir;	    /* enum capture_dir */
	/*
	 * A cooked capture's record on a loopback device (ARPHRD_LOOPBACK):
	 * tcpdump -i any holds the gateway's talk to itself, which no
	 * program of localin's ever sees (never attached to lo).
	 */
	__u8 loopback;
};

/*
 * Which way the packet went, where the capture says: a Linux "cooked"
 * capture's packet type (tcpdump -i any), a pcapng packet's epb_flags.
 * A classic pcap of Ethernet frames does not say.
 */
enum capture_dir {
	CAPTURE_DIR_UNKNOWN = 0,
	CAPTURE_DIR_IN,	 /* received by the host capturing */
	CAPTURE_DIR_OUT, /* sent by it */
};

struct diag_list;

/*
 * Where capture_next() is in the mapped file (capture.c), the first member
 * of struct capture: the common case, a classic pcap of Ethernet frames
 * in this host's byte order, is read inline.
 */
struct capture_cursor {
	const __u8 *map; /* the file mapped whole: records read in place */
	size_t map_len, pos;
	size_t mapped; /* the pages before it are in the page tables */
	/*
	 * map_len for the common case, 0 for the rest: one test sends the
	 * end of the file, a record cut short and every other format to
	 * capture_next_slow().
	 */
	size_t fast_len;
	__u32 frac_ns; /* a classic pcap's timestamp fraction: 1 or 1000 ns */
};

/*
 * Reading a mapped capture waits on memory more than it computes: the
 * pages ahead are put into the page tables a chunk at a time (one call,
 * not a page fault per 16 pages), and the record a few KiB ahead is
 * prefetched, as the hardware's prefetcher stops at each 4 KiB page.
 */
#define CAPTURE_MAP_CHUNK (2u << 20)
#define CAPTURE_PREFETCH 2048u

void capture_map_ahead(struct capture_cursor *k);

struct capture;

/*
 * Returns 0 or a negative errno, with the error queued on @dl like a
 * config's (no location: the file is named in the message).
 */
int capture_open(const char *path, struct capture **out, struct diag_list *dl);
/* capture_next() of anything but the common case. */
int capture_next_slow(struct capture *c, struct capture_pkt *p,
		      struct diag_list *dl);

/*
 * 1: a packet in @p (valid until the next call); 0: end; <0: error, queued
 * on @dl.
 */
static inline int capture_next(struct capture *c, struct capture_pkt *p,
			       struct diag_list *dl)
{
	struct capture_cursor *k = (struct capture_cursor *)c;
	__u32 r[4]; /* seconds, fraction, captured length, wire length */
	size_t pos = k->pos, left;
	const __u8 *h;

	/* Anything but a whole record (the end, a truncated one) goes slow. */
	if (pos + sizeof(r) > k->fast_len)
		return capture_next_slow(c, p, dl);
	if (pos + CAPTURE_MAP_CHUNK / 2 > k->mapped)
		capture_map_ahead(k);
	h = k->map + pos;
	left = k->fast_len - pos - sizeof(r); /* after the record's header */
	if (left > CAPTURE_PREFETCH)
		__builtin_prefetch(h + CAPTURE_PREFETCH);
	memcpy(r, h, sizeof(r));
	if (r[2] > left)
		return capture_next_slow(c, p, dl);
	p->ts_ns = (__u64)r[0] * 1000000000ull + (__u64)r[1] * k->frac_ns;
	p->data = h + sizeof(r);
	p->caplen = r[2];
	p->len = r[3] > r[2] ? r[3] : r[2];
	p->ifname = NULL;
	p->dir = CAPTURE_DIR_UNKNOWN;
	p->loopback = 0;
	k->pos = pos + sizeof(r) + r[2];
	return 1;
}

void capture_close(struct capture *c);

#endif
