// SPDX-License-Identifier: GPL-2.0
/*
 * Flows for the differential test (gen.h), so that both engines keep
 * session state (session.h) and must agree on it: the gateway's own
 * packets (egress: they open sessions), replies to them (UDP, TCP with
 * FIN and RST, ICMP echo), ICMP errors quoting what the gateway sent,
 * inbound first packets and more of the same flow on the same or on
 * another interface, the gateway's answers, and near misses one field
 * off a flow. The clock is put at a timer's edge now and then, so that
 * a flow's next packet comes just before or just after its session ends.
 */
#include "gen.h"
#include "wire.h"

#include <string.h>

#define NS 1000000000ull

/* Arrival interfaces, as gen_frame() picks them (NULL: none known). */
static const char *const arrive[] = { "wan1", "wan2", "lan", NULL };

static __u8 icmp_proto(int family)
{
	return family == 4 ? 1 : 58;
}

static __u8 echo_type(int family, int reply)
{
	if (family == 4)
		return reply ? 0 : 8;
	return reply ? 129 : 128;
}

/* One of the gateway's unicast addresses. */
static void gw_addr(struct rng *r, const struct gen_world *w, int family,
		    __u8 *a)
{
	memset(a, 0, 16);
	if (family == 6)
		memcpy(a, w->gw6, 16);
	else
		put32(a, w->gw4[rng_below(r, 2)]);
}

/* TCP flags of a later packet: data, FIN, RST, a SYN on the tuple again. */
static __u8 tcp_flags(struct rng *r)
{
	static const __u8 f[] = { 0x10, 0x10, 0x18, 0x18, 0x12,
				  0x11, 0x01, 0x04, 0x14, 0x02 };

	return f[rng_below(r, sizeof(f))];
}

/*
 * The transport header and payload of a flow's packet at @l4 (the
 * gateway's when @from_gw); the length.
 */
static __u32 flow_l4(struct rng *r, const struct gen_flow *fl, int from_gw,
		     __u8 tflags, int reply, __u8 *l4)
{
	__u32 sport = from_gw ? fl->gport : fl->pport,
	      dport = from_gw ? fl->pport : fl->gport, plen = rng_below(r, 32);

	if (fl->proto == 17) {
		rng_fill(r, l4 + 8, plen);
		/*
		 * The gateway's IKE port: mostly an IKE header both ways (after
		 * the non-ESP marker on 4500), of an exchange that makes SAs
		 * at times: the windows it opens (sa_slot.h LI_SAS_IKE_GATE).
		 */
		if ((fl->gport == 500 || fl->gport == 4500) && rng_below(r, 4)) {
			static const __u8 exch[] = { 32, 34, 35, 36, 37 };
			__u8 *h = l4 + 8;

			if (fl->gport == 4500) {
				put32(h, 0);
				h += 4;
			}
			rng_fill(r, h, 28);
			h[17] = 0x20;
			h[18] = exch[rng_below(r, sizeof(exch))];
			plen = (__u32)(h + 28 - (l4 + 8));
		}
		put16(l4, sport);
		put16(l4 + 2, dport);
		put16(l4 + 4, 8 + plen);
		put16(l4 + 6, 0);
		return 8 + plen;
	}
	if (fl->proto == 6) {
		rng_fill(r, l4, 20 + plen);
		put16(l4, sport);
		put16(l4 + 2, dport);
		l4[12] = 0x50;
		l4[13] = tflags;
		return 20 + plen;
	}
	/* ICMP echo: request or reply, the identifier both ways */
	rng_fill(r, l4, 8 + plen);
	l4[0] = echo_type(fl->family, reply);
	l4[1] = 0;
	put16(l4 + 4, fl->gport);
	return 8 + plen;
}

static void flow_dgram(struct rng *r, const struct gen_flow *fl, int from_gw,
		       __u8 tflags, int reply, struct gen_dgram *d)
{
	memset(d, 0, sizeof(*d));
	d->family = fl->family;
	d->proto = fl->proto;
	memcpy(d->saddr, from_gw ? fl->gw : fl->peer, 16);
	memcpy(d->daddr, from_gw ? fl->peer : fl->gw, 16);
	d->l4_len = flow_l4(r, fl, from_gw, tflags, reply, d->l4);
}

/*
 * Extension headers in an IPv6 quote at @q + @hl, between the header
 * and the transport header (parse_l3.h li_ip6_walk walks them as the
 * packet's own): hop-by-hop, routing, destination options of 8 or 16
 * bytes, a fragment header (a first fragment mostly, a later one at
 * times), AH at times (the quoted packet's protocol then); at times 3
 * to 5, about the walk's bound (parse.h LI_EXTHDR_QUOTE_MAX). Returns their bytes.
 */
static __u32 quote_ext6(struct rng *r, __u8 *q, __u32 hl)
{
	static const __u8 kinds[] = { 0, 43, 60, 60, 44, 51 };
	__u32 n = rng_below(r, 10) ? 1 + rng_below(r, 3) : 3 + rng_below(r, 3);
	__u32 i, len = 0;
	__u8 *link = q + 6, *h; /* the next header's number: the header's */

	for (i = 0; i < n; i++) {
		__u8 k = kinds[rng_below(r, i + 1 < n ? 5 : sizeof(kinds))];

		h = q + hl + len;
		memset(h, 0, 16);
		h[0] = *link; /* the transport's, so far */
		*link = k;
		link = h;
		if (k == 44) {
			put16(h + 2, rng_below(r, 8) ? 1 : 0x00b9);
			len += 8;
		} else if (k == 51) {
			h[1] = 1; /* 12 bytes */
			len += 12;
		} else {
			h[1] = (__u8)rng_below(r, 2);
			len += 8 + 8 * h[1];
		}
	}
	return len;
}

/*
 * An ICMP error about a packet the gateway sent in @fl (@reply: an echo
 * reply, the gateway's answer in an inbound echo flow), from the remote
 * or a router on the way. At times the quote is cut short or quotes the
 * other direction: then it relates to no session.
 */
static void icmp_error(struct rng *r, const struct gen_world *w,
		       const struct gen_flow *fl, int reply,
		       struct gen_dgram *d)
{
	static const __u8 t4[] = { 3, 3, 11, 12 }, t6[] = { 1, 1, 2, 3, 4 };
	__u32 k = rng_below(r, 20), hl, n;
	int back = k == 0; /* quotes a packet that came in */
	__u8 *q = d->l4 + 8, *l4;

	memset(d, 0, sizeof(*d));
	d->family = fl->family;
	d->proto = icmp_proto(fl->family);
	if (rng_below(r, 2))
		memcpy(d->saddr, fl->peer, 16);
	else
		gen_addr(r, w, fl->family, d->saddr);
	memcpy(d->daddr, fl->gw, 16);
	rng_fill(r, d->l4, 8);
	d->l4[0] = fl->family == 4 ? t4[rng_below(r, sizeof(t4))] :
				     t6[rng_below(r, sizeof(t6))];
	d->l4[1] = (__u8)rng_below(r, 4);
	if (fl->family == 4) {
		hl = rng_below(r, 20) ? 20 : 24; /* options in the quote */
		memset(q, 0, hl);
		q[0] = (__u8)(0x40 | hl / 4);
		put16(q + 2, hl + 8 + rng_below(r, 100));
		q[8] = 1;
		q[9] = fl->proto;
		memcpy(q + 12, back ? fl->peer : fl->gw, 4);
		memcpy(q + 16, back ? fl->gw : fl->peer, 4);
	} else {
		hl = 40;
		memset(q, 0, hl);
		q[0] = 0x60;
		put16(q + 4, 8 + rng_below(r, 100));
		q[6] = fl->proto;
		q[7] = 1;
		memcpy(q + 8, back ? fl->peer : fl->gw, 16);
		memcpy(q + 24, back ? fl->gw : fl->peer, 16);
		if (rng_below(r, 3) == 0)
			hl += quote_ext6(r, q, hl);
	}
	l4 = q + hl;
	flow_l4(r, fl, !back, 0x10, back ? !reply : reply, l4);
	n = 8 + hl + 8;
	if (k == 1)
		n -= 1 + rng_below(r, 8); /* less than 8 bytes of it */
	else if (k < 8)
		n += rng_below(r, 24); /* more of the quoted packet */
	d->l4_len = n;
}

/*
 * The clock at the edge of @fl's session timer (session.h), if that is
 * still ahead: one nanosecond before, at, or after it, or within a
 * second.
 */
static void edge(struct rng *r, struct gen_world *w, const struct gen_flow *fl)
{
	static const __u32 tcp_s[] = { 1, 5, 10, 120 };
	__u64 t, at;
	__u32 k = rng_below(r, 5);

	if (fl->proto == 17)
		t = 180;
	else if (fl->proto == 6)
		t = tcp_s[rng_below(r, 4)];
	else
		t = 30;
	at = fl->last_ns + t * NS;
	if (k < 3)
		at = at + k - 1; /* -1, 0, +1 */
	else if (k == 3)
		at -= rng_below(r, 1000000000);
	else
		at += rng_below(r, 1000000000);
	if (at <= w->now_ns)
		return;
	w->now_ns = at;
	w->made[GM_EDGE]++;
}

/* A new flow's slot, the most recent from now on. */
static struct gen_flow *flow_new(struct gen_world *w)
{
	int i = w->nr_flows < GEN_MAX_FLOWS ? w->nr_flows++ :
					      (w->recent + 1) % GEN_MAX_FLOWS;

	w->recent = i;
	return &w->flows[i];
}

/* Mostly one of the last few flows (timers running), else any. */
static struct gen_flow *flow_pick(struct rng *r, struct gen_world *w)
{
	__u32 j, few = w->nr_flows < 4 ? (__u32)w->nr_flows : 4;

	if (rng_below(r, 10) < 6) {
		j = rng_below(r, few);
		return &w->flows[(w->recent - (int)j + GEN_MAX_FLOWS) %
				 GEN_MAX_FLOWS];
	}
	return &w->flows[rng_below(r, (__u32)w->nr_flows)];
}

static void flow_init(struct rng *r, const struct gen_world *w,
		      struct gen_flow *fl, int out)
{
	__u32 k = rng_below(r, 100);

	memset(fl, 0, sizeof(*fl));
	fl->family = rng_below(r, 10) < 7 ? 4 : 6;
	fl->proto = k < 40 ? 17 : k < 75 ? 6 : icmp_proto(fl->family);
	fl->out = (__u8)out;
	gw_addr(r, w, fl->family, fl->gw);
	gen_addr(r, w, fl->family, fl->peer);
	if (out && fl->proto == 17 && !rng_below(r, 6)) {
		/* the gateway's IKE: a peer's port, or a NATed one's */
		fl->gport = rng_below(r, 2) ? 500 : 4500;
		fl->pport = (__u16)(rng_below(r, 2) ? fl->gport :
						      1024 + rng_below(r, 64512));
	} else if (out) {
		fl->gport =
			(__u16)(rng_below(r, 8) ? 1024 + rng_below(r, 64512) :
						  gen_port(r, w));
		fl->pport = (__u16)gen_port(r, w);
	} else {
		fl->gport = (__u16)gen_port(r, w);
		fl->pport = (__u16)(1024 + rng_below(r, 64512));
		fl->ifname = arrive[rng_below(r, 4)];
	}
	if (fl->proto != 6 && fl->proto != 17)
		fl->gport = (__u16)rng_next(r); /* the echo identifier */
}

/*
 * ESP from the peer of an IKE flow, of an SPI no SA has (a new SA's, or a
 * forger's): raw, or in UDP to 4500 from the flow's port. It passes in a
 * window its IKE opened (sa_slot.h), which LI_SAS_IKE_GATE ties to the
 * gateway's own IKE.
 */
static void esp_from_peer(struct rng *r, const struct gen_flow *fl,
			  struct gen_dgram *d)
{
	__u32 plen = 8 + rng_below(r, 24);
	__u8 *e = d->l4;

	memset(d, 0, sizeof(*d));
	d->family = fl->family;
	memcpy(d->saddr, fl->peer, 16);
	memcpy(d->daddr, fl->gw, 16);
	if (fl->gport == 4500) {
		d->proto = 17;
		put16(e, fl->pport);
		put16(e + 2, 4500);
		put16(e + 4, 8 + plen);
		put16(e + 6, 0);
		e += 8;
	} else {
		d->proto = 50;
	}
	rng_fill(r, e, plen);
	put32(e, 0x1000 + rng_below(r, 0x10000)); /* never 0: not IKE */
	d->l4_len = (__u32)(e + plen - d->l4);
}

/* An egress frame that opens no session: not from us, or to a group. */
static void out_none(struct rng *r, struct gen_world *w, struct gen_frame *f)
{
	struct gen_flow fl;

	flow_init(r, w, &fl, 1);
	if (rng_below(r, 2)) {
		gen_addr(r, w, fl.family, fl.gw); /* forwarded, not ours */
	} else {
		memset(fl.peer, 0, 16);
		if (fl.family == 4)
			put32(fl.peer, 0xe0000005);
		else
			memcpy(fl.peer,
			       "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	}
	{
		struct gen_dgram d;

		flow_dgram(r, &fl, 1, 0x02, 0, &d);
		gen_emit(r, &d, f);
	}
	f->egress = 1;
	w->made[GM_OUT_NONE]++;
}

/* A near miss of @fl: an inbound packet one field off its session. */
static void near_miss(struct rng *r, const struct gen_world *w,
		      const struct gen_flow *fl, struct gen_dgram *d)
{
	struct gen_flow m = *fl;
	int reply = fl->out;

	switch (rng_below(r, 5)) {
	case 0:
		if (fl->proto == 6 || fl->proto == 17)
			m.pport++;
		else
			m.gport--;
		break;
	case 1:
		m.gport++; /* echo: the identifier */
		break;
	case 2:
		m.peer[fl->family == 4 ? 3 : 15] ^= 1;
		break;
	case 3:
		if (fl->proto == 6 || fl->proto == 17)
			m.proto = fl->proto == 6 ? 17 : 6;
		else
			reply = !reply; /* a request where a reply was due */
		break;
	default:
		gw_addr(r, w, fl->family, m.gw); /* maybe the other one */
		m.pport = fl->gport;
		m.gport = fl->pport; /* the ports swapped */
		break;
	}
	flow_dgram(r, &m, 0, tcp_flags(r), reply, d);
}

int gen_flow_frame(struct rng *r, struct gen_world *w, struct gen_frame *f)
{
	__u32 k = rng_below(r, 100);
	struct gen_flow *fl;
	struct gen_dgram d;
	int in = 1;

	f->ifname = arrive[rng_below(r, 4)];
	if (k < 3) {
		out_none(r, w, f);
		return 1;
	}
	if (k < 25 || !w->nr_flows) {
		int out = rng_below(r, 100) < 55;

		fl = flow_new(w);
		flow_init(r, w, fl, out);
		flow_dgram(r, fl, out, rng_below(r, 10) ? 0x02 : tcp_flags(r),
			   0, &d);
		w->made[out ? GM_OUT_NEW : GM_IN_NEW]++;
		in = !out;
		if (in)
			f->ifname = fl->ifname;
	} else {
		fl = flow_pick(r, w);
		if (rng_below(r, 100) < 8)
			edge(r, w, fl);
		k = rng_below(r, 100);
		if (k < 10) {
			near_miss(r, w, fl, &d);
			w->made[GM_NEAR]++;
		} else if (k < 22) {
			icmp_error(r, w, fl, !fl->out, &d);
			w->made[GM_ICMP_ERR]++;
		} else if (k < 45) {
			/* the gateway sends: more, or its answer */
			flow_dgram(r, fl, 1, tcp_flags(r), !fl->out, &d);
			w->made[fl->out ? GM_OUT_MORE : GM_IN_ANSWER]++;
			in = 0;
		} else if (k < 55 && fl->proto == 17 &&
			   (fl->gport == 500 || fl->gport == 4500)) {
			esp_from_peer(r, fl, &d);
			w->made[GM_ESP]++;
		} else if (fl->out) {
			/* replies may come back anywhere */
			flow_dgram(r, fl, 0, tcp_flags(r), 1, &d);
			w->made[GM_REPLY]++;
		} else {
			if (rng_below(r, 4) == 0) {
				w->made[GM_IN_OTHER]++;
				while (f->ifname == fl->ifname)
					f->ifname = arrive[rng_below(r, 4)];
			} else {
				w->made[GM_IN_SAME]++;
				f->ifname = fl->ifname;
			}
			flow_dgram(r, fl, 0, tcp_flags(r), 0, &d);
		}
	}
	fl->last_ns = w->now_ns;
	gen_emit(r, &d, f);
	f->ns = w->now_ns;
	f->egress = !in;
	if (!in)
		f->ifname = NULL;
	return 1;
}
