// SPDX-License-Identifier: GPL-2.0
#include "replay/fit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/loader.h"
#include "dataplane/session.h"

/*
 * A frame at least this long parses as any longer one: the parser reads
 * and checks lengths only up to the end of the IP packet, at most 22
 * (Ethernet, two tags) + 40 + 65535 bytes in. Uncaptured bytes are filled
 * in up to here.
 */
#define FIT_WIRE_MAX (64 * 1024 + 128)

static const char *const skip_names[FIT_NR] = {
	[FIT_OK] = "ok",
	[FIT_RUNT] = "runt",
	[FIT_CUT_SHORT] = "cut-short",
	[FIT_TOO_LONG] = "too-long",
	[FIT_LOOPBACK] = "loopback",
};

const char *fit_skip_name(enum fit_skip s)
{
	return s < FIT_NR ? skip_names[s] : "?";
}

int fitter_init(struct fitter *f)
{
	f->zeros = malloc(2 * FIT_WIRE_MAX + LI_TEST_RUN_MAX);
	if (!f->zeros)
		return -ENOMEM;
	f->ones = f->zeros + FIT_WIRE_MAX;
	f->cut = f->ones + FIT_WIRE_MAX;
	f->limit = LI_TEST_RUN_MAX;
	f->natt = (struct li_natt)LI_NATT_INIT;
	return 0;
}

void fitter_free(struct fitter *f)
{
	free(f->zeros);
	f->zeros = f->ones = f->cut = NULL;
}

static __u32 get16(const __u8 *p)
{
	return (__u32)p[0] << 8 | p[1];
}

/*
 * The 16-bit length field at @at of frame @f, which was @n bytes and now
 * ends at @t, counting the bytes from @start: if they reach past t, it
 * loses what was cut of them, so that it ends at t if it ended within the
 * frame, and as far past t as it was past n if not (a length the frame
 * never held stays one). Returns the bytes taken off.
 */
static __u32 cut_field(__u8 *f, __u32 n, __u32 t, __u32 at, __u32 start)
{
	__u32 l, end, cut;

	if (at + 2 > t || start > t)
		return 0;
	l = get16(f + at);
	end = start + l;
	if (end <= t)
		return 0;
	cut = (end < n ? end : n) - t;
	l -= cut;
	f[at] = (__u8)(l >> 8);
	f[at + 1] = (__u8)l;
	return cut;
}

/*
 * The transport header offset of the IPv6 packet at @off of @f (@t
 * bytes) and its protocol, walking extension headers as parse_l3.h does;
 * 0 for a later fragment or a header past t.
 */
static __u32 ipv6_l4(const __u8 *f, __u32 t, __u32 off, __u8 *proto)
{
	__u32 l4 = off + 40;
	__u8 nh = f[off + 6];
	int i;

	for (i = 0; i < LI_EXTHDR_MAX; i++) {
		__u32 h = l4;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 60)
			break;
		if (h + 8 > t)
			return 0;
		if (nh == 44 && get16(f + h + 2) >> 3)
			return 0;
		if (nh == 44)
			l4 += 8;
		else
			l4 += ((__u32)f[h + 1] + 1) * 8;
		nh = f[h];
	}
	*proto = nh;
	return l4;
}

/*
 * The first @t bytes of frame @v (@n bytes) into @out, with the IP length
 * and the UDP length shortened to the cut. Returns by how much the IP
 * length was. Only the parser decides whether the result is faithful
 * (fit_record), so this may be approximate: a walk it gets wrong costs a
 * skipped record, never a wrong verdict.
 */
static __u32 cut_frame(const __u8 *v, __u32 n, __u32 t, __u8 *out)
{
	__u32 off = LI_ETH_HLEN, type, l3cut, l4 = 0;
	__u8 proto = 0;
	int i;

	memcpy(out, v, t);
	type = get16(out + 12);
	for (i = 0; i < LI_VLAN_MAX; i++) {
		if (type != LI_ETH_P_8021Q && type != LI_ETH_P_8021AD)
			break;
		if (off + 4 > t)
			return 0;
		type = get16(out + off + 2);
		off += 4;
	}
	if (type == LI_ETH_P_IP) {
		if (off + 20 > t)
			return 0;
		l3cut = cut_field(out, n, t, off + 2, off);
		/* IHL < 5 or a later fragment: no transport header */
		if ((out[off] & 0x0f) >= 5 &&
		    !(get16(out + off + 6) & LI_IP_OFFMASK)) {
			l4 = off + (out[off] & 0x0fu) * 4;
			proto = out[off + 9];
		}
	} else if (type == LI_ETH_P_IPV6) {
		if (off + 40 > t)
			return 0;
		l3cut = cut_field(out, n, t, off + 4, off + 40);
		l4 = ipv6_l4(out, t, off, &proto);
	} else {
		return 0;
	}
	if (l4 && proto == LI_IPPROTO_UDP)
		cut_field(out, n, t, l4 + 4, l4);
	return l3cut;
}

/*
 * @pkt of a frame whose IP length was cut by @cut, as of the whole. l3_len
 * is the one fact a cut changes, and no decision reads it (the program's
 * on the cut frame is the whole's); it only goes back for the output.
 */
static void restore(struct li_pkt *pkt, __u32 cut)
{
	__u32 l = (__u32)pkt->l3_len + cut;

	/* l3_len saturates (an IPv6 payload over 65495 bytes) */
	pkt->l3_len = (__u16)(l > LI_IP_MAXLEN ? LI_IP_MAXLEN : l);
}

void fit_restore(const struct fit *fit, struct li_pkt *pkt)
{
	restore(pkt, fit->l3_cut);
}

/*
 * The facts of @v (@n bytes) cut to @t in @buf, as of the whole frame;
 * true if they are @want. li_parse() clears the whole struct first, so
 * padding compares too.
 */
static bool cut_agrees(const struct fitter *f, const __u8 *v, __u32 n, __u32 t,
		       __u8 *buf, __u32 *l3_cut, const struct li_pkt *want,
		       bool well_formed)
{
	struct li_pkt p;

	*l3_cut = cut_frame(v, n, t, buf);
	li_parse_ports(buf, buf + t, &f->natt, &p);
	restore(&p, *l3_cut);
	return (!well_formed || !p.malformed) && !memcmp(&p, want, sizeof(p));
}

/*
 * An ICMP error whose quote was not read (parse_l4.h): a quiet read that
 * neither filling shows, as a quote reads as none with zeros and with
 * 0xff bytes alike (no IP version there), while the uncaptured bytes may
 * hold one that relates the error to a session (session.h). Refused, at
 * the price of the rare error captured whole with a quote no session has.
 */
static bool quote_unread(const struct li_pkt *p)
{
	return (p->flags & LI_PKT_PORTS) &&
	       p->proto ==
		       (p->family == 4 ? LI_IPPROTO_ICMP : LI_IPPROTO_ICMPV6) &&
	       li_icmp_is_error(p->family, p->icmp_type) &&
	       !(p->flags & LI_PKT_ICMP_INNER);
}

/*
 * A record cut short by the capture (@cap of @len bytes) filled in to its
 * wire length (at most FIT_WIRE_MAX) with zeros in f->zeros, its facts in
 * @pkt; false if the uncaptured bytes could matter. Whatever the parser
 * reads of the frame cut at cap (lengths shortened to match) lies within
 * the captured bytes. If it reads no further in the whole frame, the two
 * agree. If it does, a read fails at the cut: one that fails loudly sets
 * malformed (so a malformed cut frame is refused: the capture may be what
 * is missing); the quiet ones (the IKE header, the echo id, the NAT-T
 * payload) give facts that differ from the whole frame's with the gap
 * filled with zeros or with 0xff bytes; one does not (quote_unread).
 */
static bool fill_agrees(struct fitter *f, const __u8 *data, __u32 cap,
			__u32 len, struct li_pkt *pkt)
{
	__u32 n = len < FIT_WIRE_MAX ? len : FIT_WIRE_MAX, cut;
	struct li_pkt ones;

	memcpy(f->ones, data, cap);
	memset(f->ones + cap, 0xff, n - cap);
	li_parse_ports(f->ones, f->ones + n, &f->natt, &ones);
	memcpy(f->zeros, data, cap);
	memset(f->zeros + cap, 0, n - cap);
	li_parse_ports(f->zeros, f->zeros + n, &f->natt, pkt);
	if (memcmp(&ones, pkt, sizeof(ones)) || quote_unread(pkt))
		return false;
	/* f->ones is free again: the frame cut at cap goes there */
	return cut_agrees(f, f->zeros, n, cap, f->ones, &cut, pkt, true);
}

enum fit_skip fit_record_slow(struct fitter *f, const struct capture_pkt *cp,
			      struct fit *out)
{
	__u32 cap = cp->caplen, len = cp->len, n = cap, t;
	const __u8 *v = cp->data;

	if (len < cap)
		len = cap; /* a record claiming less than it holds */
	if (len < LI_ETH_HLEN)
		return FIT_RUNT; /* no NIC hands the program such a frame */
	if (cap < LI_ETH_HLEN)
		return FIT_CUT_SHORT;
	if (cap < len && cap < FIT_WIRE_MAX) {
		if (!fill_agrees(f, v, cap, len, &out->pkt))
			return FIT_CUT_SHORT;
		v = f->zeros;
		n = len < FIT_WIRE_MAX ? len : FIT_WIRE_MAX;
	} else {
		/* whole, or captured beyond what the parser can reach */
		li_parse_ports(v, v + n, &f->natt, &out->pkt);
	}
	t = cap < f->limit ? cap : f->limit;
	out->frame = v;
	out->len = n;
	out->xdp = f->cut;
	out->xdp_len = t;
	/*
	 * The whole frame is at hand (or the part that matters, verified
	 * above): cut to t, it must give the very same facts. That makes
	 * the program's decision the host's, whatever route the parser took.
	 */
	if (!cut_agrees(f, v, n, t, f->cut, &out->l3_cut, &out->pkt, false))
		return t < cap ? FIT_TOO_LONG : FIT_CUT_SHORT;
	return FIT_OK;
}
