// SPDX-License-Identifier: GPL-2.0
/*
 * Frames for the differential test (gen.h): Ethernet (with a VLAN tag at
 * times), IPv4 or IPv6 (options, extension headers, fragments), and the
 * transport the gateway cares about, then at times cut short or damaged.
 */
#include "gen.h"
#include "wire.h"

#include <string.h>

/* Near an edge of a configured range, or anywhere in the universe. */
static void pick_addr(struct rng *r, const struct gen_world *w, int family,
		      __u8 *a)
{
	const struct gen_range *g = NULL;
	int i, tries, n = family == 6 ? 16 : 4, carry;
	__s32 d;

	memset(a, 0, 16);
	for (tries = 0; tries < 8 && w->nr_ranges; tries++) {
		g = &w->ranges[rng_below(r, (__u32)w->nr_ranges)];
		if (g->family == family)
			break;
		g = NULL;
	}
	if (!g || rng_below(r, 10) < 2) {
		rng_fill(r, a, (__u32)n);
		if (family == 6)
			memcpy(a, "\x20\x01\x0d\xb8\x00", 5);
		else if (rng_below(r, 2))
			a[0] = 10;
		return;
	}
	memcpy(a, rng_below(r, 2) ? g->lo : g->hi, (size_t)n);
	d = (__s32)rng_below(r, 3) - 1; /* -1, 0, +1 */
	carry = d;
	for (i = n - 1; i >= 0 && carry; i--) {
		int v = a[i] + carry;

		a[i] = (__u8)v;
		carry = v < 0 ? -1 : v > 255 ? 1 : 0;
	}
}

static void pick_dst(struct rng *r, const struct gen_world *w, int family,
		     __u8 *a)
{
	__u32 k = rng_below(r, 100), i;

	memset(a, 0, 16);
	if (family == 6) {
		if (k < 70)
			memcpy(a, w->gw6, 16);
		else if (k < 78)
			memcpy(a, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		else
			pick_addr(r, w, 6, a);
		return;
	}
	i = rng_below(r, 2);
	if (k < 65)
		put32(a, w->gw4[i]);
	else if (k < 73 && w->plen4[i] < 31)
		put32(a, w->gw4[i] | ~(~0u << (32 - w->plen4[i])));
	else if (k < 77)
		put32(a, rng_below(r, 2) ? 0xe0000005 : 0xffffffff);
	else
		pick_addr(r, w, 4, a);
}

static __u32 pick_port(struct rng *r, const struct gen_world *w)
{
	__u32 k = rng_below(r, 10);

	if (k < 5 && w->nr_ports)
		return (w->ports[rng_below(r, (__u32)w->nr_ports)] +
			rng_below(r, 3) - 1) & 0xffff;
	if (k < 7)
		return rng_below(r, 3) ? (rng_below(r, 2) ? 500 : 4500) :
					 GEN_NATT_FIRST + rng_below(r, GEN_NATT_NR);
	return rng_below(r, 65536);
}

static __u32 pick_spi(struct rng *r, const struct gen_world *w, int family,
		      __u8 *daddr)
{
	int i = (int)rng_below(r, GEN_MAX_SAS);

	if (i < w->nr_sas && rng_below(r, 4)) {
		/* a known SA: its destination too, most of the time */
		if (w->sas[i].family == family && rng_below(r, 4))
			memcpy(daddr, w->sas[i].daddr, 16);
		return w->sas[i].spi;
	}
	return (__u32)rng_next(r);
}

static void udp(struct rng *r, const struct gen_world *w, struct gen_dgram *d,
		__u32 sport, __u32 dport)
{
	__u32 plen = rng_below(r, 48), k = rng_below(r, 10);
	__u8 *p = d->l4 + 8;

	d->proto = 17;
	if (dport == 500) {
		plen = rng_below(r, 10) ? 28 + rng_below(r, 40) : rng_below(r, 28);
		rng_fill(r, p, plen);
		p[17] = 0x20;
	} else if (dport == 4500 || (dport >= GEN_NATT_FIRST &&
				     dport < GEN_NATT_FIRST + GEN_NATT_NR)) {
		if (k < 5) { /* ESP in UDP */
			plen = rng_below(r, 10) ? 8 + rng_below(r, 40) :
						  rng_below(r, 12);
			rng_fill(r, p, plen);
			put32(p, pick_spi(r, w, d->family, d->daddr));
		} else if (k < 7) {
			plen = 1;
			p[0] = rng_below(r, 4) ? 0xff : 0;
		} else {
			plen = 4 + rng_below(r, 50);
			rng_fill(r, p, plen);
			put32(p, 0);
		}
	} else {
		rng_fill(r, p, plen);
	}
	put16(d->l4, sport);
	put16(d->l4 + 2, dport);
	put16(d->l4 + 4, rng_below(r, 30) ? 8 + plen : rng_below(r, 80));
	put16(d->l4 + 6, 0);
	d->l4_len = 8 + plen;
}

static void transport(struct rng *r, const struct gen_world *w,
		      struct gen_dgram *d)
{
	__u32 k = rng_below(r, 100), plen = rng_below(r, 40);

	if (k < 25) {
		udp(r, w, d, rng_below(r, 3) ? 500 : pick_port(r, w), 500);
	} else if (k < 40) {
		udp(r, w, d, pick_port(r, w), 4500);
	} else if (k < 55 || (k >= 65 && k < 70)) {
		d->proto = k < 55 ? 6 : 132;
		d->l4_len = (k < 55 ? 20 : 12) + plen;
		rng_fill(r, d->l4, d->l4_len);
		put16(d->l4, pick_port(r, w));
		put16(d->l4 + 2, pick_port(r, w));
		if (k < 55)
			d->l4[12] = rng_below(r, 20) ? 0x50 : (__u8)rng_next(r);
	} else if (k < 65) {
		udp(r, w, d, pick_port(r, w), pick_port(r, w));
	} else if (k < 80) {
		__u32 t = w->nr_ports && rng_below(r, 2) ?
				  w->ports[rng_below(r, (__u32)w->nr_ports)] :
				  (__u32)(rng_below(r, 2) ? (d->family == 4 ? 8 : 128) << 8 :
					       rng_below(r, 65536));

		d->proto = d->family == 4 ? 1 : 58;
		if (rng_below(r, 20) == 0)
			d->proto = d->family == 4 ? 58 : 1;
		d->l4_len = 8 + plen;
		rng_fill(r, d->l4, d->l4_len);
		put16(d->l4, t);
	} else if (k < 92) {
		d->proto = 50;
		d->l4_len = rng_below(r, 10) ? 8 + plen : rng_below(r, 8);
		rng_fill(r, d->l4, d->l4_len);
		if (d->l4_len >= 4)
			put32(d->l4, pick_spi(r, w, d->family, d->daddr));
	} else if (k < 96) {
		/*
		 * AH, the packet's protocol on both families (parse_l3.h),
		 * in front of ESP with a live SPI at times or of TCP; in
		 * IPv6 after the fragment header, as RFC 8200 orders them.
		 */
		d->proto = 51;
		d->l4_len = 12 + 12 * rng_below(r, 2) + 8 + plen;
		rng_fill(r, d->l4, d->l4_len);
		d->l4[0] = rng_below(r, 2) ? 50 : 6;
		d->l4[1] = (__u8)(d->l4_len - 8 - plen) / 4 - 2;
		put32(d->l4 + d->l4_len - 8 - plen,
		      pick_spi(r, w, d->family, d->daddr));
		if (rng_below(r, 10) == 0)
			d->l4_len = rng_below(r, 12); /* cut in AH */
	} else {
		d->proto = rng_below(r, 2) ? 47 : (__u8)rng_next(r);
		d->l4_len = plen;
		rng_fill(r, d->l4, plen);
	}
}

/* Ethernet, maybe a VLAN tag; returns the offset of the IP header. */
static __u32 ether(struct rng *r, struct gen_frame *f, int family)
{
	__u32 off = 12;

	rng_fill(r, f->data, 12);
	if (rng_below(r, 20) == 0) {
		put16(f->data + off, 0x8100);
		put16(f->data + off + 2, rng_below(r, 4096));
		off += 4;
	}
	put16(f->data + off, family == 6 ? 0x86dd : 0x0800);
	return off + 2;
}

/*
 * One IP packet of @d: bytes @from..@from+@n of its transport data, as a
 * fragment when @frag (offset @from, more fragments when @more).
 */
static void ip_packet(const struct gen_dgram *d, struct gen_frame *f,
		      __u32 off, int frag, __u32 from, __u32 n, int more,
		      __u32 id, int opts)
{
	__u8 *h = f->data + off;

	if (d->family == 4) {
		__u32 hl = 20 + (__u32)opts * 4;

		memset(h, 0, hl);
		h[0] = (__u8)(0x40 | hl / 4);
		put16(h + 2, hl + n);
		put16(h + 4, id);
		put16(h + 6, frag ? (more ? 0x2000 : 0) | from / 8 : 0x4000);
		h[8] = 64;
		h[9] = d->proto;
		memcpy(h + 12, d->saddr, 4);
		memcpy(h + 16, d->daddr, 4);
		memcpy(h + hl, d->l4 + from, n);
		f->len = off + hl + n;
		return;
	}
	memset(h, 0, 40);
	h[0] = 0x60;
	h[7] = 64;
	memcpy(h + 8, d->saddr, 16);
	memcpy(h + 24, d->daddr, 16);
	off += 40;
	h[6] = d->proto;
	if (opts) { /* hop-by-hop options, 8 bytes of padding */
		memset(f->data + off, 0, 8);
		f->data[off] = h[6];
		f->data[off + 2] = 1; /* PadN */
		f->data[off + 3] = 4;
		h[6] = 0;
		off += 8;
	}
	if (frag) {
		__u8 *fh = f->data + off;

		fh[0] = d->proto;
		fh[1] = 0;
		put16(fh + 2, from | (more ? 1 : 0));
		put32(fh + 4, id);
		if (opts)
			f->data[off - 8] = 44;
		else
			h[6] = 44;
		off += 8;
	}
	memcpy(f->data + off, d->l4 + from, n);
	f->len = off + n;
	put16(h + 4, f->len - (__u32)(h - f->data) - 40);
}

static void damage(struct rng *r, struct gen_frame *f)
{
	__u32 k = rng_below(r, 100);

	if (k < 5 && f->len > 14)
		f->len = 14 + rng_below(r, f->len - 14);
	else if (k < 8 && f->len > 14)
		f->data[14 + rng_below(r, f->len - 14)] ^=
			(__u8)(1u << rng_below(r, 8));
}

static void queue(struct gen_world *w, const struct gen_frame *f)
{
	if (w->nr_pending < GEN_MAX_PENDING)
		w->pending[w->nr_pending++] = *f;
}

void gen_addr(struct rng *r, const struct gen_world *w, int family, __u8 *a)
{
	pick_addr(r, w, family, a);
}

__u32 gen_port(struct rng *r, const struct gen_world *w)
{
	return pick_port(r, w);
}

void gen_emit(struct rng *r, const struct gen_dgram *d, struct gen_frame *f)
{
	__u32 off = ether(r, f, d->family);
	int opts = rng_below(r, 20) == 0;

	ip_packet(d, f, off, 0, 0, d->l4_len, 0, (__u32)rng_next(r), opts);
}

/*
 * Mostly milliseconds between packets, at times seconds, now and then
 * minutes: sessions time out (session.h: 1 s to an hour) now and then.
 */
static void tick(struct rng *r, struct gen_world *w)
{
	const __u64 ms = 1000000;
	__u32 k = rng_below(r, 100);

	if (k < 80)
		w->now_ns += rng_below(r, 50 * ms);
	else if (k < 95)
		w->now_ns += (200 + rng_below(r, 1800)) * ms;
	else if (k < 99)
		w->now_ns += (2000 + rng_below(r, 13000)) * ms;
	else
		w->now_ns += (30000 + rng_below(r, 220000)) * ms;
	w->now_ns += rng_below(r, 1000); /* nanoseconds apart, too */
}

void gen_frame(struct rng *r, struct gen_world *w, struct gen_frame *f)
{
	static const char *const ifnames[] = { "wan1", "wan2", "lan", NULL,
					       "wan1" };
	struct gen_dgram d = { 0 };
	__u32 off, id, first, rest;
	int opts;

	tick(r, w);
	if (w->nr_pending && rng_below(r, 3) == 0) {
		int i = (int)rng_below(r, (__u32)w->nr_pending);

		*f = w->pending[i];
		w->pending[i] = w->pending[--w->nr_pending];
		f->ns = w->now_ns;
		return;
	}
	f->ns = w->now_ns;
	f->egress = 0;
	if (rng_below(r, 100) < 40 && gen_flow_frame(r, w, f))
		return;
	d.family = rng_below(r, 10) < 7 ? 4 : 6;
	pick_addr(r, w, d.family, d.saddr);
	pick_dst(r, w, d.family, d.daddr);
	transport(r, w, &d);
	f->ifname = ifnames[rng_below(r, 5)];
	off = ether(r, f, d.family);
	opts = rng_below(r, 10) == 0 ? 1 + (int)rng_below(r, 3) : 0;
	if (d.family == 6)
		opts = opts ? 1 : 0;
	id = (__u32)rng_next(r);
	if (rng_below(r, 100) >= 15 || d.l4_len < 16) {
		ip_packet(&d, f, off, 0, 0, d.l4_len, 0, id, opts);
		damage(r, f);
		return;
	}
	/* Fragments: the first now (mostly), the rest later. */
	first = 8 * (1 + rng_below(r, (d.l4_len - 1) / 8));
	rest = d.l4_len - first;
	if (rng_below(r, 5) == 0)
		first = 8; /* tiny first fragment */
	ip_packet(&d, f, off, 1, first, d.l4_len - first, 0, id, opts);
	queue(w, f);
	if (rest > 8 && rng_below(r, 2)) {
		/* a middle fragment as well (overlap is fine here) */
		ip_packet(&d, f, off, 1, first, 8, 1, id, opts);
		queue(w, f);
	}
	ip_packet(&d, f, off, 1, 0, first, 1, id, opts);
	if (rng_below(r, 10) == 0) { /* the first fragment never arrives */
		*f = w->pending[--w->nr_pending];
		return;
	}
	damage(r, f);
}
