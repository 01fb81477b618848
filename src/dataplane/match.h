/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decision, written once for the XDP program and the host (replay,
 * tests): classify a parsed packet against the compiled ruleset image and
 * decide in the order of DESIGN.md:
 *
 *   1. not addressed to this host           -> pass (nonlocal)
 *      (and IPv6 neighbour and multicast listener discovery, IPv6's
 *      ARP: packet.h li_pkt_is_nd)
 *   2. addressed to us but malformed         -> drop (malformed)
 *   3. ESP with detect-unknown-esp           -> SPI known ? pass : drop
 *      (a live SPI from another address than the SA's peer: its own
 *      reason, dropped only when configured; an unknown SPI from a peer
 *      whose SAs may be changing, or from a new peer just after its IKE:
 *      passed unverified, sa_slot.h)
 *   4. a packet of an existing session       -> pass (session)
 *      (session.h: a reply to what the gateway sent, or more of an
 *      inbound session a policy accepted under the ruleset in force)
 *   5. local-in policies, first match wins   -> the policy's action;
 *      an accepted unicast packet opens a session
 *   6. no match                              -> pass (implicit), and
 *      opens a session too
 *
 * li_sess_egress() is the other half of sessions: a packet leaving one of
 * the gateway's addresses opens or refreshes its session.
 *
 * A non-first fragment carries no ports: it takes the verdict remembered
 * for its first fragment when there is one; otherwise it is classified
 * with "ports unknown", which only policies whose services do not
 * constrain ports can match (the service table's unknown_ports class).
 *
 * The tables are reached through accessor functions the including file
 * defines first, with a context type LI_CTX (host: arrays in memory,
 * src/dataplane/host.h; XDP: BPF maps). Everything here is
 * static __always_inline with constant loop bounds, for the verifier.
 *
 * Required accessors (fam is 0 for IPv4, 1 for IPv6; dim is enum li_dim):
 *   __u32 li_acc_bm_words(const LI_CTX *c, int fam);
 *   __u32 li_acc_intf_class(const LI_CTX *c, int fam);
 *   int   li_acc_addr_one(const LI_CTX *c, int fam, int dim);
 *                         (the address table has one class, 0)
 *   LI_ADDR_TAB li_acc_addr_tab(const LI_CTX *c, int fam, int dim);
 *                         (one address table; LI_ADDR_TAB is a type the
 *                          includer defines: a pointer, a map value and
 *                          an offset)
 *   __u32 li_acc_addr_root(const LI_CTX *c, LI_ADDR_TAB t, __u32 i);
 *   __u32 li_acc_addr_next(const LI_CTX *c, LI_ADDR_TAB t, __u32 e,
 *                          __u32 byte);
 *                         (entry @byte of the block entry @e names; the
 *                          XDP side's @e holds the block's byte offset
 *                          in li_conf's tab, the host's its index)
 *   __u32 li_acc_svc_proto(const LI_CTX *c, int fam, __u32 proto);
 *   __u32 li_acc_svc_port(const LI_CTX *c, int fam, __u32 p, int src,
 *                         __u32 port);
 *                         (src: LI_PORT_DST or LI_PORT_SRC)
 *   __u32 li_acc_svc_cross(const LI_CTX *c, int fam, __u32 p,
 *                          __u32 dclass, __u32 sclass);
 *   __u32 li_acc_svc_unknown(const LI_CTX *c, int fam, __u32 p);
 *   int   li_acc_svc_direct(const LI_CTX *c, int fam, __u32 p);
 *                         (li_acc_svc_port(.., LI_PORT_DST, ..) gives
 *                          the service class itself: p's services name
 *                          no source port, compile/image.c)
 *   LI_BM_ROW li_acc_bm_row(const LI_CTX *c, int fam, int dim, __u32 cls);
 *                         (one class's bitmap in one dimension, incl.
 *                          LI_DIM_ACTIVE with class 0; LI_BM_ROW is a type
 *                          the includer defines: a pointer, a map key)
 *   __u64 li_acc_bm_word(const LI_CTX *c, LI_BM_ROW row, __u32 word);
 *   int   li_acc_phase_on(const LI_CTX *c, int fam);
 *                         (the family has phase tables; 0: the bitmaps
 *                          are walked)
 *   __u32 li_acc_phase_a(const LI_CTX *c, int fam, __u32 cs, __u32 cv);
 *   __u32 li_acc_phase_b(const LI_CTX *c, int fam, __u32 ci, __u32 cd);
 *   int   li_acc_phase_ab(const LI_CTX *c, int fam, __u32 a, __u32 b);
 *                         (phases A and B, then the first matching
 *                          policy of A and B, -1 none: compile/phase.c;
 *                          cs and A in the forms the next read takes,
 *                          the XDP side's their rows of sv and of ab)
 *   int   li_acc_policy(const LI_CTX *c, int fam, __u32 idx,
 *                       struct li_policy *out);
 *   const struct li_local_slot *li_acc_local_slot(const LI_CTX *c,
 *                                                 __u32 k);
 *                         (slot k of the locals table in force,
 *                          local_slot.h)
 *   void  li_acc_local_at(const LI_CTX *c, __u32 k,
 *                         const struct li_local_slot *e);
 *                         (the packet's destination is in slot k, e, or
 *                          none: LI_LOCAL_SLOTS, NULL)
 *   int   li_acc_dst_memo(const LI_CTX *c, __u32 *v);
 *   void  li_acc_dst_memo_put(const LI_CTX *c, __u32 v);
 *                         (that slot's remembered li_dst_memo() for the
 *                          arrival interface under the ruleset in force:
 *                          1 and *v, or 0; remember one. The host: 0,
 *                          nothing)
 *   int   li_acc_detect_esp(const LI_CTX *c);
 *                         (detect-unknown-esp, and some SA source read)
 *   __u32 li_acc_sa_bits(const LI_CTX *c);
 *   const struct li_sa_slot *li_acc_sa_slot(const LI_CTX *c, __u32 k);
 *                         (slot k of the SA table in force, sa_slot.h)
 *   int   li_acc_esp_wrong_peer_drop(const LI_CTX *c);
 *   int   li_acc_sas_stale(const LI_CTX *c);
 *                         (the daemon has not kept the SA table for
 *                          LI_SAS_STALE_NS: sa_slot.h. The host: 0)
 *   int   li_acc_ike_recent(const LI_CTX *c, const struct li_pkt *p);
 *   void  li_acc_ike_note(const LI_CTX *c, const struct li_pkt *p);
 *                         (a known peer at p->saddr: an IKE message from
 *                          it was let through within LI_IKE_WINDOW_NS;
 *                          remember one now)
 *   int   li_acc_ike_new_recent(const LI_CTX *c, const struct li_pkt *p);
 *   void  li_acc_ike_new_note(const LI_CTX *c, const struct li_pkt *p);
 *                         (the same for an address of no known peer, kept
 *                          apart; while the SA table is stale, an IKE
 *                          message let through since about its last
 *                          update: sa_slot.h)
 *   void  li_acc_ike_out_note(const LI_CTX *c, const struct li_pkt *p,
 *                             int known);
 *                         (the gateway's own IKE to p->daddr, a known
 *                          peer or not: li_ike_out)
 *   int   li_acc_ike_sent_ok(const LI_CTX *c, const struct li_pkt *p);
 *                         (may p->saddr open its window: no
 *                          LI_SAS_IKE_GATE, or our IKE to it lately)
 *   int   li_acc_frag_get(const LI_CTX *c, const struct li_pkt *p,
 *                         struct li_verdict *v);
 *   void  li_acc_frag_put(const LI_CTX *c, const struct li_pkt *p,
 *                         const struct li_verdict *v);
 *   int   li_acc_log_allow(const LI_CTX *c);
 *                         (`config log setting` local-in-allow)
 * Sessions (session.h):
 *   int   li_acc_sess_maybe(const LI_CTX *c, __u32 bit);
 *                         (0: no session with a remote of that hint bit
 *                          exists, the lookup is skipped; session.h
 *                          li_sess_hint_hash)
 *   struct li_sess *li_acc_sess_find(const LI_CTX *c,
 *                                    const struct li_sess_key *k);
 *   int   li_acc_sess_open(const LI_CTX *c, const struct li_sess_key *k,
 *                          struct li_sess *s);
 *                         (insert or replace; 0 or a negative errno)
 *   __u32 li_acc_ifindex(const LI_CTX *c);
 *                         (the arrival interface, as a number that is
 *                          the same for the same interface)
 *   __u64 li_acc_sess_now(const LI_CTX *c);
 *   __u32 li_acc_sess_gen(const LI_CTX *c);
 *                         (the generation of the ruleset in force)
 *   __u32 li_acc_sess_id(const LI_CTX *c);
 *                         (a fresh session id, never 0)
 *   struct li_sess_key *li_acc_sess_key(const LI_CTX *c);
 *   struct li_sess *li_acc_sess_tmp(const LI_CTX *c);
 *                         (scratch for a key and a new session: the XDP
 *                          side keeps them in a map value, where the
 *                          verifier does not follow each field, so the
 *                          ways through the key meet again)
 */
#ifndef LOCALIN_DATAPLANE_MATCH_H
#define LOCALIN_DATAPLANE_MATCH_H

#include "compile/ruleset.h"
#include "dataplane/local_slot.h"
#include "dataplane/packet.h"
#include "dataplane/sa_slot.h"
#include "dataplane/session.h"
#include "dataplane/event.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Which port li_acc_svc_port() classifies (the order of maps.h's tables). */
#define LI_PORT_DST 0
#define LI_PORT_SRC 1

/*
 * Index of the lowest set bit of a nonzero word. clang 14's BPF backend
 * crashes on __builtin_ctzll, so BPF gets six halving steps instead.
 */
static __always_inline __u32 li_ctz64(__u64 x)
{
#ifdef __bpf__
	__u32 n = 0;

	if (!(x & 0xffffffffull)) {
		n += 32;
		x >>= 32;
	}
	if (!(x & 0xffff)) {
		n += 16;
		x >>= 16;
	}
	if (!(x & 0xff)) {
		n += 8;
		x >>= 8;
	}
	if (!(x & 0xf)) {
		n += 4;
		x >>= 4;
	}
	if (!(x & 0x3)) {
		n += 2;
		x >>= 2;
	}
	if (!(x & 0x1))
		n += 1;
	return n;
#else
	return (__u32)__builtin_ctzll(x);
#endif
}

/*
 * Byte @i (0-3) of an address word in network order. Shifts, not a byte
 * pointer into the local: clang turns that pointer into an OR on the
 * stack pointer, which the verifier refuses.
 */
static __always_inline __u32 li_word_byte(__u32 word, __u32 i)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (word >> ((i & 3) * 8)) & 0xff;
#else
	return (word >> ((3 - (i & 3)) * 8)) & 0xff;
#endif
}

static __always_inline __u32 li_addr_byte(const struct li_pkt *p, int dim,
					  __u32 i)
{
	const __u32 *a = dim == LI_DIM_SRC ? p->saddr : p->daddr;

	return li_word_byte(a[(i >> 2) & 3], i);
}

/*
 * An IPv4 address's walk, its one word read once and its two levels
 * unrolled: the loop below read the word again from the packet's facts at
 * each level, and kept its counters: two levels cost pfx1k 52
 * instructions over pfx1 (bench/xdp/insns.sh), 26 here. In the XDP
 * program a level is an add and a load: an entry naming a block holds
 * where it is (image_layout.h li_addr_next_at), 2 instructions more
 * than an index times the block size, yet the chain of loads a level
 * waits for is shorter (bench/xdp/README.md, thirteenth part).
 */
static __always_inline __u32 li_addr_class4(const LI_CTX *c, LI_ADDR_TAB t,
					    __u32 w)
{
	__u32 e = li_acc_addr_root(
		c, t, li_word_byte(w, 0) << 8 | li_word_byte(w, 1));

	_Static_assert(LI_V4_LEVELS == 3, "the root, then bytes 2 and 3");
	if (!(e & LI_NEXT))
		return e;
	e = li_acc_addr_next(c, t, e, li_word_byte(w, 2));
	if (!(e & LI_NEXT))
		return e;
	return li_acc_addr_next(c, t, e, li_word_byte(w, 3));
}

/* Multibit trie walk: root by the first 16 bits, then a byte per level. */
static __always_inline __u32 li_addr_class(const LI_CTX *c,
					   const struct li_pkt *p, int dim)
{
	int fam = p->family == 6;
	LI_ADDR_TAB t;
	__u32 e, i;

	if (li_acc_addr_one(c, fam, dim))
		return 0;
	t = li_acc_addr_tab(c, fam, dim);
	if (!fam)
		return li_addr_class4(
			c, t, dim == LI_DIM_SRC ? p->saddr[0] : p->daddr[0]);
	e = li_acc_addr_root(
		c, t, li_addr_byte(p, dim, 0) << 8 | li_addr_byte(p, dim, 1));
	for (i = 0; i < LI_V6_LEVELS - 1; i++) {
		if (!(e & LI_NEXT))
			break;
		e = li_acc_addr_next(c, t, e, li_addr_byte(p, dim, i + 2));
	}
	return e;
}

/* The destination's class (the host walks its trie every time). */
static __always_inline __u32 li_dst_class(const LI_CTX *c,
					  const struct li_pkt *p)
{
	if (li_acc_addr_one(c, p->family == 6, LI_DIM_DST))
		return 0;
	return li_addr_class(c, p, LI_DIM_DST);
}

/*
 * What a decision needs of the packet's arrival interface and destination
 * together: phase B of the phase tables (li_acc_phase_b), or the
 * destination's class where the family walks the bitmaps. Both are facts
 * of the ruleset in force and of the interface, which the XDP side
 * remembers in the destination's slot of the locals table (local_slot.h),
 * found by li_decide_nonlocal(): a first packet to the gateway then
 * reads neither the interface's class nor the destination's trie.
 */
static __always_inline __u32 li_dst_memo(const LI_CTX *c,
					 const struct li_pkt *p, int fam,
					 int phased)
{
	__u32 v;

	if (li_acc_dst_memo(c, &v))
		return v;
	v = li_dst_class(c, p);
	if (phased)
		v = li_acc_phase_b(c, fam, li_acc_intf_class(c, fam), v);
	li_acc_dst_memo_put(c, v);
	return v;
}

static __always_inline __u32 li_svc_class(const LI_CTX *c,
					  const struct li_pkt *p)
{
	int fam = p->family == 6;
	__u32 e, pp, d, s;

	/*
	 * TCP's and UDP's port tables are theirs in every family
	 * (ruleset.h): the port's read need not wait for proto_map's.
	 */
	if (p->proto == LI_IPPROTO_UDP) {
		pp = LI_PP_UDP;
	} else if (p->proto == LI_IPPROTO_TCP) {
		pp = LI_PP_TCP;
	} else {
		e = li_acc_svc_proto(c, fam, p->proto);
		if (!(e & LI_PORTS))
			return e;
		pp = e & ~LI_PORTS;
		if (pp >= LI_NR_PORT_PROTOS)
			return 0;
	}
	if (!(p->flags & LI_PKT_PORTS))
		return li_acc_svc_unknown(c, fam, pp);
	d = li_acc_svc_port(c, fam, pp, LI_PORT_DST, p->dport);
	if (li_acc_svc_direct(c, fam, pp))
		return d;
	s = li_acc_svc_port(c, fam, pp, LI_PORT_SRC, p->sport);
	return li_acc_svc_cross(c, fam, pp, d, s);
}

/*
 * The first policy set in the AND of the four class bitmaps and the
 * active mask, word by word, stopping at the first word with a bit set;
 * -1 if none.
 */
static __always_inline int li_first_match(const LI_CTX *c, int fam, __u32 words,
					  __u32 ci, __u32 cs, __u32 cd,
					  __u32 cv)
{
	/* The five rows, found once: the loop reads a word of each. */
	LI_BM_ROW rs = li_acc_bm_row(c, fam, LI_DIM_SRC, cs);
	LI_BM_ROW rv = li_acc_bm_row(c, fam, LI_DIM_SVC, cv);
	LI_BM_ROW ri = li_acc_bm_row(c, fam, LI_DIM_INTF, ci);
	LI_BM_ROW rd = li_acc_bm_row(c, fam, LI_DIM_DST, cd);
	LI_BM_ROW ra = li_acc_bm_row(c, fam, LI_DIM_ACTIVE, 0);
	__u32 w;

	/*
	 * A word is mostly zero after one or two dimensions (the source
	 * address and the service are the selective ones): stop reading
	 * the others as soon as it is.
	 */
	for (w = 0; w < LI_MAX_BM_WORDS; w++) {
		__u64 x;

		if (w >= words)
			break;
		x = li_acc_bm_word(c, rs, w);
		if (!x)
			continue;
		x &= li_acc_bm_word(c, rv, w);
		if (!x)
			continue;
		x &= li_acc_bm_word(c, ri, w) & li_acc_bm_word(c, rd, w) &
		     li_acc_bm_word(c, ra, w);
		if (x)
			return (int)(w * 64 + li_ctz64(x));
	}
	return -1;
}

/*
 * The BPF build wraps li_first_match() (it defines LI_FIRST_MATCH): the
 * wrapper hides the index from the verifier, which otherwise walks the
 * rest of the program once per word and way through li_ctz64().
 */
#ifndef LI_FIRST_MATCH
#define LI_FIRST_MATCH li_first_match
#endif

/*
 * First matching policy index (evaluation order), or -1. Cost: the
 * source's and the service's classes, then the phase tables (two array
 * reads, with phase B remembered: compile/phase.c) or, where the family
 * has none, the interface's and the destination's classes and
 * li_first_match().
 */
static __always_inline int li_classify(const LI_CTX *c, const struct li_pkt *p)
{
	int fam = p->family == 6;
	__u32 words = li_acc_bm_words(c, fam);
	__u32 ci, cs, cd, cv;

	if (!words)
		return -1; /* no policies in this family */
	cs = li_addr_class(c, p, LI_DIM_SRC);
	if (li_acc_phase_on(c, fam)) {
		/*
		 * Phase B (remembered) before the service's class: it was
		 * read after phase A, whose result, and the source's class
		 * before it, clang then spilled and loaded back on the
		 * chain of loads a decision waits for (bench/xdp/README.md,
		 * sixteenth part).
		 */
		__u32 b = li_dst_memo(c, p, fam, 1);

		cv = li_svc_class(c, p);
		return li_acc_phase_ab(c, fam, li_acc_phase_a(c, fam, cs, cv),
				       b);
	}
	cv = li_svc_class(c, p);
	ci = li_acc_intf_class(c, fam);
	cd = li_dst_memo(c, p, fam, 0);
	return LI_FIRST_MATCH(c, fam, words, ci, cs, cd, cv);
}

static __always_inline void li_verdict_set(struct li_verdict *v, int drop,
					   int reason)
{
	v->drop = (__u8)drop;
	v->reason = (__u8)reason;
	v->policy_id = 0;
	v->policy_idx = -1;
	v->sa_id = 0;
	v->sess_id = 0;
	v->sess = LI_VS_NONE;
	v->pol_flags = 0;
}

/* The slot of (@family, @addr, @spi) in the SA table (sa_slot.h), or NULL. */
static __always_inline const struct li_sa_slot *
li_sa_find(const LI_CTX *c, __u8 family, const __u32 *addr, __u32 spi)
{
	__u32 bits = li_acc_sa_bits(c), mask, h, i;
	const struct li_sa_slot *e;

	if (bits < LI_SA_BITS_MIN || bits > LI_SA_BITS_MAX)
		return 0; /* no table yet */
	mask = (1u << bits) - 1;
	h = li_sa_hash(family, addr, spi, bits);
	for (i = 0; i < LI_SA_PROBES; i++) {
		e = li_acc_sa_slot(c, (h + i) & mask);
		if (!e || !e->family)
			break;
		if (li_sa_key_eq(e, family, addr, spi))
			return e;
	}
	return 0;
}

/* Step 3: ESP against the live SAs. */
static __always_inline void
li_decide_esp(const LI_CTX *c, const struct li_pkt *p, struct li_verdict *v)
{
	const struct li_sa_slot *e = 0;

	if (p->spi == LI_SA_PEER_SPI) { /* reserved: never an SA's */
		li_verdict_set(v, LI_DROP, LI_R_ESP_UNKNOWN_SPI);
		return;
	}
	e = li_sa_find(c, p->family, p->daddr, p->spi);
	if (!e) {
		/*
		 * Unknown, unless from a peer whose SAs may be changing:
		 * its source down, its IKE, no daemon keeping the table; or
		 * from a new peer whose first SA we may not have read yet,
		 * just after its IKE (noted below; sa_slot.h).
		 */
		e = li_sa_find(c, p->family, p->saddr, LI_SA_PEER_SPI);
		if (e ? ((e->flags & LI_SA_F_DOWN) || li_acc_ike_recent(c, p) ||
			 li_acc_sas_stale(c)) :
			li_acc_ike_new_recent(c, p)) {
			li_verdict_set(v, LI_PASS, LI_R_ESP_UNVERIFIED);
			v->sa_id = LI_SA_ID_UNVERIFIED + 1; /* a peer slot's */
		} else {
			li_verdict_set(v, LI_DROP, LI_R_ESP_UNKNOWN_SPI);
		}
		return;
	}
	if (li_sa_peer_ok(e, p->saddr))
		li_verdict_set(v, LI_PASS, LI_R_ESP_OK);
	else
		li_verdict_set(v, li_acc_esp_wrong_peer_drop(c),
			       LI_R_ESP_WRONG_PEER);
	v->sa_id = e->id + 1;
}

/*
 * Is @addr one of this host's (enum li_local)? The locals table
 * (local_slot.h), probed until the address or an empty slot; *@at is the
 * slot that holds it and *@slot the slot itself, LI_LOCAL_SLOTS and NULL
 * if none.
 */
static __always_inline int li_addr_local_kind(const LI_CTX *c, __u8 family,
					      const __u32 *addr, __u32 *at,
					      const struct li_local_slot **slot)
{
	__u32 h = li_local_hash(family, addr), i, k;
	const struct li_local_slot *e;

	*at = LI_LOCAL_SLOTS;
	*slot = 0;
	for (i = 0; i < LI_LOCAL_PROBES; i++) {
		k = (h + i) & (LI_LOCAL_SLOTS - 1);
		e = li_acc_local_slot(c, k);
		if (!e || !e->family)
			break;
		if (li_local_key_eq(e, family, addr)) {
			*at = k;
			*slot = e;
			return e->kind == LI_LOCAL_BCAST ? LI_LOCAL_BCAST :
							   LI_LOCAL_UNICAST;
		}
	}
	return li_dst_multicast(family, addr) ? LI_LOCAL_BCAST : LI_LOCAL_NO;
}

/*
 * Can an inbound @p have a session? The session hint, read off the
 * packet before its key is built: a first packet from a remote the
 * gateway has no session with (a denied flood) stops here. An ICMP error
 * is keyed by the packet it quotes, whose remote is not the packet's
 * source: it is looked up (errors are few). A packet that can have no
 * session tests some bit: its key is not built either way.
 */
static __always_inline int li_sess_maybe_in(const LI_CTX *c,
					    const struct li_pkt *p)
{
	const __u32 *r = p->saddr;

	if (p->flags & LI_PKT_ICMP_INNER)
		return 1;
	return li_acc_sess_maybe(
		c, li_sess_hint_hash(p->family, r[0], r[1], r[2], r[3]));
}

/*
 * Step 4: a packet of a live session passes (@v filled; returns 1). An
 * inbound session that an earlier ruleset accepted is judged again by the
 * one in force (FortiOS's firewall-session-dirty check-all), and so is
 * one whose packet arrives on another interface than its first (a policy
 * may accept a source on one interface only): returns 0 with *@dirty set,
 * and li_sess_after_policy() keeps or cuts it. Replies to the gateway's
 * own sessions may come back anywhere (asymmetric routes): they pass.
 * Keys @k for that step when it looked a session up (k->family 0: it
 * did not, li_sess_after_policy() builds the key if it needs one).
 */
static __always_inline int li_decide_session(const LI_CTX *c,
					     const struct li_pkt *p,
					     struct li_verdict *v,
					     struct li_sess_key *k, int *dirty)
{
	struct li_sess *s;
	__u64 now;

	*dirty = 0;
	k->family = 0;
	/* A DHCP server's answer, to us or a broadcast (session.h). */
	if (li_sess_dhcp_key(k, p, LI_DIR_IN)) {
		s = li_acc_sess_find(c, k);
		now = li_acc_sess_now(c);
		if (s && li_sess_live(k, s, now))
			goto pass;
		k->family = 0;
	}
	if (v->bcast || !li_sess_maybe_in(c, p) ||
	    !li_sess_key_of(k, p, LI_DIR_IN))
		return 0;
	s = li_acc_sess_find(c, k);
	if (!s)
		return 0;
	now = li_acc_sess_now(c);
	if (!li_sess_live(k, s, now))
		return 0; /* as if gone: a new one replaces it */
	/*
	 * An ICMP error is a router's word about a packet we sent, not
	 * more of the remote's traffic: the policies that judge the remote
	 * (SSH from the admin's address) say nothing about it, and a
	 * deny-all behind them would drop it. It passes wherever it comes
	 * in and before the session's next packet is judged again after a
	 * reload, or the kernel never learns the admin's path MTU.
	 */
	if (s->origin == LI_SESS_IN && !(p->flags & LI_PKT_ICMP_INNER) &&
	    (s->gen != li_acc_sess_gen(c) || s->ifindex != li_acc_ifindex(c))) {
		*dirty = 1;
		return 0;
	}
pass:
	/* An error about our packet belongs to it, but is not of it. */
	if (!(p->flags & LI_PKT_ICMP_INNER))
		li_sess_note(s, p, LI_DIR_IN, now);
	li_verdict_set(v, LI_PASS, LI_R_SESSION);
	v->policy_id = s->policy_id;
	v->sess_id = s->id;
	v->sess = s->origin == LI_SESS_IN ? LI_VS_ORIG : LI_VS_REPLY;
	return 1;
}

/*
 * Step 5's consequence: an accepted first packet opens a session
 * (@pol_flags: the matched policy's, for its logtraffic; 0 implicit),
 * a dirty one still accepted takes the ruleset in force, a dirty one now
 * denied ends. An ICMP error is no first packet of anything.
 */
static __always_inline void li_sess_after_policy(const LI_CTX *c,
						 const struct li_pkt *p,
						 struct li_verdict *v,
						 struct li_sess_key *k,
						 int is_dirty, __u8 pol_flags)
{
	/*
	 * Found again, not kept from li_decide_session(): a pointer held
	 * across the classification made the verifier walk all of it once
	 * per session map (IPv4's, IPv6's). A dirty session is rare (the
	 * first packet after a reload or on another interface).
	 */
	struct li_sess *dirty = is_dirty ? li_acc_sess_find(c, k) : 0;
	struct li_sess *n = li_acc_sess_tmp(c);
	__u64 now;
	__u8 log;

	if (v->bcast || (p->flags & LI_PKT_ICMP_INNER))
		return;
	if (v->drop) {
		if (dirty) /* ended: its end is logged as any other's */
			dirty->flags |= LI_SESS_CUT;
		return;
	}
	if (!k->family && !li_sess_key_of(k, p, LI_DIR_IN))
		return; /* it can have no session */
	now = li_acc_sess_now(c);
	log = li_traffic_logged(v, pol_flags, li_acc_log_allow(c)) ?
		      LI_SESS_LOG :
		      0;
	if (dirty) {
		dirty->gen = li_acc_sess_gen(c);
		dirty->policy_id = v->policy_id;
		dirty->policy_idx = v->policy_idx;
		dirty->flags = log;
		dirty->ifindex = li_acc_ifindex(c);
		li_sess_note(dirty, p, LI_DIR_IN, now);
		v->sess_id = dirty->id;
		v->sess = LI_VS_RECHECK;
		return;
	}
	li_sess_init(n, p, LI_DIR_IN, now, li_acc_sess_id(c));
	n->gen = li_acc_sess_gen(c);
	n->policy_id = v->policy_id;
	n->policy_idx = v->policy_idx;
	n->flags = log;
	n->ifindex = li_acc_ifindex(c);
	if (!li_acc_sess_open(c, k, n)) {
		v->sess_id = n->id;
		v->sess = LI_VS_NEW;
	}
}

/*
 * A packet leaving the host (the TC egress program; replay's packets from
 * a local address): it opens its session, or keeps it alive. Multicast
 * and broadcast get no replies to wait for; ICMP errors we send quote a
 * session of their own, and open none. Counted unless @uncounted (but
 * for a session's first outbound packet): the program alone on an
 * interface no policy names (links.c) may see a packet a second time,
 * on the lower device of a VLAN, bridge or bond that is policed (which
 * counted it), and the counts are the traffic log's sentbyte/rcvdbyte.
 */
static __always_inline void
li_sess_egress_how(const LI_CTX *c, const struct li_pkt *p, int uncounted)
{
	struct li_sess_key *k = li_acc_sess_key(c);
	struct li_sess *s, *n = li_acc_sess_tmp(c);
	const struct li_local_slot *slot;
	__u64 now;
	__u32 at;

	if (p->malformed)
		return;
	/* A DHCP request: to anyone, from any address of ours or none. */
	if (!li_sess_dhcp_key(k, p, LI_DIR_OUT) &&
	    ((p->flags & LI_PKT_ICMP_INNER) ||
	     !li_sess_key_of(k, p, LI_DIR_OUT) ||
	     li_dst_multicast(p->family, p->daddr) ||
	     li_addr_local_kind(c, p->family, p->saddr, &at, &slot) !=
		     LI_LOCAL_UNICAST))
		return;
	now = li_acc_sess_now(c);
	s = li_acc_sess_find(c, k);
	if (s && li_sess_live(k, s, now)) {
		/* The first is counted: TCP's timers read it (established). */
		if (uncounted && s->pkts[LI_DIR_OUT])
			li_sess_touch(s, p, LI_DIR_OUT, now);
		else
			li_sess_note(s, p, LI_DIR_OUT, now);
		return;
	}
	li_sess_init(n, p, LI_DIR_OUT, now, li_acc_sess_id(c));
	n->ifindex = li_acc_ifindex(c); /* where it left, for the list */
	li_acc_sess_open(c, k, n);
}

/*
 * The gateway's own IKE leaving, from one of its addresses, that makes SAs
 * (its IKE_AUTH or CREATE_CHILD_SA answer, its rekey request, Quick
 * Mode): the window of the address it goes to opens, a known peer's or a
 * new one's, and the address may open it again by its own such IKE for
 * LI_IKE_SENT_TRUST_NS (sa_slot.h LI_SAS_IKE_GATE).
 */
static __always_inline void li_ike_out(const LI_CTX *c, const struct li_pkt *p)
{
	const struct li_local_slot *slot;
	__u32 at;

	if (!(p->flags & (LI_PKT_IKE | LI_PKT_IKE_OUT)) || p->malformed ||
	    !li_ike_makes_sa(p->ike_exch) || !li_acc_detect_esp(c) ||
	    li_addr_local_kind(c, p->family, p->saddr, &at, &slot) !=
		    LI_LOCAL_UNICAST)
		return;
	li_acc_ike_out_note(
		c, p, li_sa_find(c, p->family, p->daddr, LI_SA_PEER_SPI) != 0);
}

static __always_inline void li_sess_egress(const LI_CTX *c,
					   const struct li_pkt *p)
{
	li_sess_egress_how(c, p, 0);
}

/*
 * Step 1 of a decision (the XDP program, li_host_decide()): is the packet
 * for this host? Only the locals table is read; the caller sets up the
 * rest of its context only for packets to this host. Returns 1 when it is not (@v filled:
 * pass, nonlocal); 2 when it cannot be read and is dropped (@v filled:
 * drop, malformed); 0 when it is, with v->bcast and v->frag_hit set for
 * li_decide_local().
 */
static __always_inline int li_decide_nonlocal(const LI_CTX *c,
					      const struct li_pkt *p,
					      struct li_verdict *v)
{
	const struct li_local_slot *slot;
	int local;
	__u32 at;

	v->bcast = 0;
	v->frag_hit = 0;
	if (p->family != 4 && p->family != 6) {
		/*
		 * Behind more priority tags than the parser reads, or a tag
		 * cut short after one (parse.h): the kernel would deliver
		 * the first to this host, unjudged. Nothing else is dropped
		 * here.
		 */
		if (p->malformed == LI_MAL_L2 && (p->flags & LI_PKT_VLAN)) {
			li_verdict_set(v, LI_DROP, LI_R_MALFORMED);
			return 2;
		}
		li_verdict_set(v, LI_PASS, LI_R_NONLOCAL);
		return 1;
	}
	local = li_addr_local_kind(c, p->family, p->daddr, &at, &slot);
	if (local == LI_LOCAL_NO) {
		li_verdict_set(v, LI_PASS, LI_R_NONLOCAL);
		return 1;
	}
	v->bcast = local == LI_LOCAL_BCAST;
	li_acc_local_at(c, at, slot);
	return 0;
}

/*
 * Steps 2-5, for a packet li_decide_nonlocal() found to be for this host.
 * Fills @v; returns v->drop.
 */
static __always_inline int
li_decide_local(const LI_CTX *c, const struct li_pkt *p, struct li_verdict *v)
{
	struct li_sess_key *k = li_acc_sess_key(c);
	int dirty;
	struct li_policy pol;
	int idx;

	if (p->malformed) {
		li_verdict_set(v, LI_DROP, LI_R_MALFORMED);
		/* A tiny first fragment takes the rest of its datagram along. */
		if ((p->flags & LI_PKT_FRAG) && !(p->flags & LI_PKT_FRAG_LATER))
			li_acc_frag_put(c, p, v);
		return 1;
	}
	/* IPv6's ARP: not the policies' (packet.h li_pkt_is_nd). */
	if (li_pkt_is_nd(p)) {
		li_verdict_set(v, LI_PASS, LI_R_NONLOCAL);
		return 0;
	}
	/* The rest of a fragmented datagram follows its first fragment. */
	if ((p->flags & LI_PKT_FRAG_LATER) && li_acc_frag_get(c, p, v)) {
		v->frag_hit = 1;
		return v->drop;
	}
	if ((p->flags & LI_PKT_ESP) && !(p->flags & LI_PKT_FRAG_LATER) &&
	    li_acc_detect_esp(c)) {
		li_decide_esp(c, p, v);
	} else {
		if (!li_decide_session(c, p, v, k, &dirty)) {
			pol.flags = 0;
			idx = li_classify(c, p);
			if (idx >= 0 && !li_acc_policy(c, p->family == 6,
						       (__u32)idx, &pol)) {
				li_verdict_set(v, pol.action != LI_ACT_ACCEPT,
					       LI_R_POLICY);
				v->policy_id = pol.id;
				v->policy_idx = idx;
				v->pol_flags = pol.flags;
				li_acc_pol_hit(c, p->family == 6, (__u32)idx);
			} else {
				li_verdict_set(v, LI_PASS, LI_R_IMPLICIT);
			}
			li_sess_after_policy(c, p, v, k, dirty, pol.flags);
		}
		/*
		 * IKE that makes SAs let through: a known peer may rekey,
		 * another address may be a new peer making its first SA
		 * (sa_slot.h). A scan's IKE_SA_INIT, a DPD, opens nothing;
		 * with LI_SAS_IKE_GATE, neither does an address the gateway
		 * sent no such IKE lately (li_ike_out).
		 */
		if (!v->drop && (p->flags & LI_PKT_IKE) &&
		    li_ike_makes_sa(p->ike_exch) && li_acc_detect_esp(c) &&
		    li_acc_ike_sent_ok(c, p)) {
			if (li_sa_find(c, p->family, p->saddr, LI_SA_PEER_SPI))
				li_acc_ike_note(c, p);
			else
				li_acc_ike_new_note(c, p);
		}
	}
	if ((p->flags & LI_PKT_FRAG) && !(p->flags & LI_PKT_FRAG_LATER))
		li_acc_frag_put(c, p, v);
	return v->drop;
}

#endif
