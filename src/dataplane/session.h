/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions, as FortiOS has them: local-in policies judge the first packet
 * of a session; the later packets of a session that exists (a reply to
 * what the gateway sent, or more of an inbound session a policy accepted)
 * pass without meeting the policies again. Denied attempts open none.
 *
 * Shared by the XDP program (li_sess_tab, an array of buckets below, fed
 * on ingress by the decision and on egress by a TC program that sees the
 * gateway's own packets leave), the host matcher (replay: packets the capture shows
 * leaving a local address), and the daemon (expiry, session-end logs,
 * `diagnose sys session list`).
 *
 * One key for both directions, as seen from the gateway: its own address
 * and port, the remote's address and port. An inbound packet reads it
 * from (daddr, dport, saddr, sport), an outbound one from (saddr, sport,
 * daddr, dport): no reversal, one lookup. ICMP echo is keyed by its
 * identifier (lport) and by who asked (rport: LI_ECHO_OURS when the
 * gateway sent the request, LI_ECHO_THEIRS when the remote did), so that
 * a reply only passes as one; an ICMP error is related to the session of
 * the packet it quotes (the gateway sent it, so the quoted source is
 * ours).
 *
 * Timers are FortiOS's defaults (`config system global`, `config system
 * session-ttl`), except ICMP, for which FortiOS has no timer of its own:
 * the kernel's 30 s (nf_conntrack_icmp_timeout), not session-ttl's hour.
 */
#ifndef LOCALIN_DATAPLANE_SESSION_H
#define LOCALIN_DATAPLANE_SESSION_H

#include <linux/types.h>

#include "dataplane/packet.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Sessions the XDP side's table holds (li_sess_tab, below), and the
 * host's (both families).
 */
#define LI_SESS_MAX 65536
#define LI_SESS_MAPS_MAX (2 * LI_SESS_MAX)

#define LI_NS 1000000000ull
#define LI_SESS_TTL_NS (3600 * LI_NS)	       /* session-ttl default */
#define LI_SESS_UDP_NS (180 * LI_NS)	       /* udp-idle-timer */
#define LI_SESS_ICMP_NS (30 * LI_NS)	       /* kernel's ICMP timeout */
#define LI_SESS_TCP_HALFOPEN_NS (10 * LI_NS)   /* tcp-halfopen-timer */
#define LI_SESS_TCP_HALFCLOSE_NS (120 * LI_NS) /* tcp-halfclose-timer */
#define LI_SESS_TCP_TIMEWAIT_NS (1 * LI_NS)    /* tcp-timewait-timer */
#define LI_SESS_TCP_RST_NS (5 * LI_NS)	       /* tcp-rst-timer */

/* li_sess_key.rport of an ICMP echo session: who sent the request. */
#define LI_ECHO_OURS 0
#define LI_ECHO_THEIRS 1

struct li_sess_key {
	union {
		struct {
			__u8 family; /* 4 or 6 */
			__u8 proto;
			__u16 lport; /* the gateway's port (echo: identifier) */
			__u16 rport; /* the remote's (echo: LI_ECHO_*) */
			__u16 pad;   /* zero: keys are compared as bytes */
		};
		__u64 hdr; /* the same, in one word: li_sess_key_hdr() */
	};
	/*
	 * The addresses, network order, interleaved so that an IPv4 key is
	 * the first LI_SESS4_KEY_SIZE bytes: w[0] the gateway's first word,
	 * w[1] the remote's, then IPv6's other words (w[2..4] the gateway's,
	 * w[5..7] the remote's). An IPv4 key is hashed and compared on those
	 * 16 bytes only: in the programs its w[2..7] are left as they were
	 * (a slot of li_sess_tab holds them zero, as does every key outside
	 * the programs). li_sess_key_addr() reads an address,
	 * li_sess_key_set_addrs() writes both.
	 */
	__u32 w[8];
};

#define LI_SESS4_KEY_SIZE 16

_Static_assert(__builtin_offsetof(struct li_sess_key, w[2]) ==
		       LI_SESS4_KEY_SIZE,
	       "an IPv4 session key is the first 16 bytes of li_sess_key");

/* li_sess_key.hdr of these fields. */
static __always_inline __u64 li_sess_key_hdr(__u8 family, __u8 proto,
					     __u16 lport, __u16 rport)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (__u64)family | (__u64)proto << 8 | (__u64)lport << 16 |
	       (__u64)rport << 32;
#else
	return (__u64)family << 56 | (__u64)proto << 48 | (__u64)lport << 32 |
	       (__u64)rport << 16;
#endif
}

/* The gateway's (@remote 0) or the remote's (1) address of @k into @a. */
static __always_inline void li_sess_key_addr(const struct li_sess_key *k,
					     int remote, __u32 a[4])
{
	const __u32 *rest = &k->w[remote ? 5 : 2];

	a[0] = k->w[remote ? 1 : 0];
	a[1] = k->family == 6 ? rest[0] : 0;
	a[2] = k->family == 6 ? rest[1] : 0;
	a[3] = k->family == 6 ? rest[2] : 0;
}

/* Both addresses of @k (its family set): the gateway's @l, the remote's @r. */
static __always_inline void
li_sess_key_set_addrs(struct li_sess_key *k, const __u32 *l, const __u32 *r)
{
	k->w[0] = l[0];
	k->w[1] = r[0];
	if (k->family == 6) {
		k->w[2] = l[1];
		k->w[3] = l[2];
		k->w[4] = l[3];
		k->w[5] = r[1];
		k->w[6] = r[2];
		k->w[7] = r[3];
		return;
	}
#ifndef __bpf__
	__builtin_memset(&k->w[2], 0, 6 * sizeof(k->w[0]));
#endif
}

/*
 * The session hint (XDP; li_conf's value holds it after the config,
 * maps.h struct li_conf_val): a bit per hash of a key's family and
 * remote address, in two halves of LI_SESS_HINT_WORDS words. A clear
 * bit in the half in force (li_conf's state[LI_STATE_HINT]) proves that
 * no session of that remote exists, so the table is not read for a first
 * packet from a remote the gateway has no session with: a denied flood
 * pays a bit test in a value it has already looked up, not a read of a
 * bucket in a table of 15 MiB. Stale bits (sessions gone) only cost the
 * read the packet paid before. Kept exact by:
 *  - every insert into li_sess_tab (the programs; the loader putting one
 *    back) sets the bit in both halves, after the insert;
 *  - the loader's rebuild (li_loader_sess_hint_rebuild: the daemon, once
 *    a sweep of the sessions is complete) clears the other half, sets
 *    the bit of every session in the table, then makes it the half in
 *    force. A session inserted before the clear is in the table when the
 *    walk runs; one inserted after it sets its own bit.
 *  - a reload that replaces the program copies li_sess_tab, then the
 *    hint.
 */
#define LI_SESS_HINT_BITS 20
#define LI_SESS_HINT_WORDS (1u << (LI_SESS_HINT_BITS - 6))
#define LI_SESS_HINT_MASK (2 * LI_SESS_HINT_WORDS - 1) /* both halves */

/*
 * The hint's bit of a family and a remote address (@r0 its first word,
 * @r1..@r3 IPv6's others): of a key (li_sess_hint_bit), or read off a
 * packet before its key is built (match.h). Not of the protocol: the
 * packet's is not always its key's (an ICMP error quoting a packet).
 */
static __always_inline __u32 li_sess_hint_hash(__u8 family, __u32 r0, __u32 r1,
					       __u32 r2, __u32 r3)
{
	__u32 h = r0 ^ family;

	if (family == 6)
		h ^= r1 * 0x85ebca6bu ^ r2 * 0xc2b2ae35u ^ r3 * 0x27d4eb2fu;
	h *= 0x9e3779b1u;
	return h >> (32 - LI_SESS_HINT_BITS);
}

static __always_inline __u32 li_sess_hint_bit(const struct li_sess_key *k)
{
	return li_sess_hint_hash(k->family, k->w[1], k->w[5], k->w[6], k->w[7]);
}

/* The direction of a packet, from the gateway's side. */
enum li_sess_dir {
	LI_DIR_IN = 0,	/* arriving (XDP, replay's local-in packets) */
	LI_DIR_OUT = 1, /* leaving a local address (TC egress, replay) */
};

/* li_sess.origin: who opened it (the original direction). */
enum li_sess_origin {
	LI_SESS_OUT = 1, /* the gateway: inbound packets are replies */
	LI_SESS_IN = 2,	 /* a remote, accepted by a policy or implicitly */
};

/* li_sess.tcp: what ends a TCP session, per direction. */
#define LI_SESS_FIN_IN 0x01
#define LI_SESS_FIN_OUT 0x02
#define LI_SESS_RST_IN 0x04
#define LI_SESS_RST_OUT 0x08

/* li_sess.flags */
#define LI_SESS_LOG 0x01 /* the accept wants a session-end traffic log */
#define LI_SESS_CUT 0x02 /* a reload's policies deny it: it has ended */

struct li_sess {
	__u64 first_ns; /* the clock of the side that keeps it (below) */
	__u64 last_ns;
	__u64 bytes[2]; /* [enum li_sess_dir]: IP bytes */
	__u64 pkts[2];
	__u32 id;	  /* FortiOS's session id, never 0 */
	__u32 policy_id;  /* the accepting policy's id; 0: implicit, out */
	__s32 policy_idx; /* its evaluation index in generation @gen, or -1 */
	__u32 gen;	  /* ruleset generation that accepted it */
	__u32 ifindex;	  /* arrival interface of its first packet in */
	__u8 origin;	  /* enum li_sess_origin */
	__u8 tcp;	  /* LI_SESS_FIN_* / LI_SESS_RST_* seen */
	__u8 flags;	  /* LI_SESS_* */
	__u8 pad;
};

/*
 * Is an ICMP(v6) type an error that quotes the packet it is about
 * (destination unreachable, time exceeded, parameter problem; IPv6 also
 * packet too big)?
 */
static __always_inline int li_icmp_is_error(__u8 family, __u8 type)
{
	if (family == 4)
		return type == 3 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

/*
 * The key of @p in direction @dir; 0 when the packet can have no session
 * (not IP, a later fragment, no ports to key it by, ICMP that is neither
 * an echo nor an error quoting one of our packets). ICMP errors take the
 * key of the quoted packet, which went out.
 */
static __always_inline int li_sess_key_of(struct li_sess_key *k,
					  const struct li_pkt *p, int dir)
{
	const __u32 *l = dir == LI_DIR_IN ? p->daddr : p->saddr;
	const __u32 *r = dir == LI_DIR_IN ? p->saddr : p->daddr;
	int icmp = p->proto == 1 || p->proto == 58;
	__u16 lport = 0, rport = 0;
	__u8 proto = p->proto;

	if ((p->family != 4 && p->family != 6) ||
	    (p->flags & LI_PKT_FRAG_LATER))
		return 0;
	if (icmp && (p->flags & LI_PKT_ICMP_INNER)) {
		/* The quoted packet left us: its source is ours. */
		proto = p->inner_proto;
		lport = p->inner_sport;
		rport = p->inner_dport;
		l = p->inner_saddr;
		r = p->inner_daddr;
	} else if (icmp) {
		if (!(p->flags & LI_PKT_ICMP_ECHO))
			return 0;
		lport = p->sport; /* the identifier, both ways */
		/* A request from the remote, or our reply to one: theirs. */
		rport = (p->icmp_type == 8 || p->icmp_type == 128) ==
					(dir == LI_DIR_IN) ?
				LI_ECHO_THEIRS :
				LI_ECHO_OURS;
	} else if (p->flags & LI_PKT_PORTS) {
		lport = dir == LI_DIR_IN ? p->dport : p->sport;
		rport = dir == LI_DIR_IN ? p->sport : p->dport;
	}
	/*
	 * The first 8 bytes in one store: the kernel hashes the key as
	 * words, and a word assembled from narrower stores just made waits
	 * for them to retire (no store forwarding).
	 */
	k->hdr = li_sess_key_hdr(p->family, proto, lport, rport);
	li_sess_key_set_addrs(k, l, r);
	return 1;
}

/*
 * The gateway as a DHCP client (ports 68 -> 67, RFC 2131; 546 -> 547,
 * RFC 8415). Its requests go to a broadcast or multicast group, or to a
 * server, from an address it may not have yet (0.0.0.0); the answer
 * comes from an address no request named (a server, a relay), to the
 * gateway's address, a broadcast or the address it is offered. No key of
 * addresses can wait for that: one session per family, keyed by the two
 * ports and no address, stands for "an exchange in progress". Every
 * request opens or refreshes it (li_sess_egress), and a server's
 * datagram to the client port passes while it lives (li_decide_session;
 * the UDP timer, 180 s after the last request). Without it a deny-all
 * drops the answers, and the gateway loses its DHCPv6 lease (Solicit,
 * Request and Renew all go to ff02::1:2) and an IPv4 rebind. Returns 0
 * when @p is no such datagram in direction @dir.
 */
static __always_inline int li_sess_dhcp_key(struct li_sess_key *k,
					    const struct li_pkt *p, int dir)
{
	__u16 lp = dir == LI_DIR_IN ? p->dport : p->sport;
	__u16 rp = dir == LI_DIR_IN ? p->sport : p->dport;
	__u16 cl, sv;
	int i;

	/* The client's port first: the test every other packet fails. */
	if (lp != 68 && lp != 546)
		return 0;
	cl = p->family == 4 ? 68 : 546;
	sv = p->family == 4 ? 67 : 547;
	if (lp != cl || rp != sv || p->proto != 17 ||
	    (p->family != 4 && p->family != 6) || !(p->flags & LI_PKT_PORTS) ||
	    (p->flags & LI_PKT_FRAG_LATER))
		return 0;
	k->hdr = li_sess_key_hdr(p->family, 17, cl, sv);
	for (i = 0; i < 8; i++)
		k->w[i] = 0;
	return 1;
}

/* Its idle timeout: by protocol, and for TCP by how far it got. */
static __always_inline __u64 li_sess_timeout_ns(const struct li_sess_key *k,
						const struct li_sess *s)
{
	__u8 fin = LI_SESS_FIN_IN | LI_SESS_FIN_OUT;

	switch (k->proto) {
	case 6:
		if (s->tcp & (LI_SESS_RST_IN | LI_SESS_RST_OUT))
			return LI_SESS_TCP_RST_NS;
		if ((s->tcp & fin) == fin)
			return LI_SESS_TCP_TIMEWAIT_NS;
		if (s->tcp & fin)
			return LI_SESS_TCP_HALFCLOSE_NS;
		if (!s->pkts[LI_DIR_IN] || !s->pkts[LI_DIR_OUT])
			return LI_SESS_TCP_HALFOPEN_NS;
		return LI_SESS_TTL_NS;
	case 17:
		return LI_SESS_UDP_NS;
	case 1:
	case 58:
		return LI_SESS_ICMP_NS;
	}
	return LI_SESS_TTL_NS;
}

/* Is @s still alive at @now (its side's clock)? */
static __always_inline int li_sess_live(const struct li_sess_key *k,
					const struct li_sess *s, __u64 now)
{
	if (s->flags & LI_SESS_CUT)
		return 0;
	return now < s->last_ns || now - s->last_ns < li_sess_timeout_ns(k, s);
}

/*
 * Seconds left before @s expires at @now (0: expired), for `diagnose sys
 * session list`.
 */
static __always_inline __u64 li_sess_expire_s(const struct li_sess_key *k,
					      const struct li_sess *s,
					      __u64 now)
{
	__u64 t = li_sess_timeout_ns(k, s), idle;

	idle = now > s->last_ns ? now - s->last_ns : 0;
	return idle < t ? (t - idle + LI_NS - 1) / LI_NS : 0;
}

/*
 * A packet of @s in direction @dir at @now: li_sess_touch() its time and
 * TCP state, li_sess_note() the counters too (li_sess_egress() says when
 * not). Plain adds, not atomic ones: one flow's packets arrive on one CPU
 * (the NIC hashes flows to queues), so two CPUs rarely carry one session
 * at the same instant, and when they do a count may be lost (FortiOS's
 * own counters are statistics too). The clock and the flags may race as
 * well, which costs a second at most.
 */
static __always_inline void
li_sess_touch(struct li_sess *s, const struct li_pkt *p, int dir, __u64 now)
{
	__u8 tcp = 0;

	if (now > s->last_ns)
		s->last_ns = now;
	if (p->proto != 6 || !(p->flags & LI_PKT_PORTS))
		return;
	if (p->tcp_flags & 0x01) /* FIN */
		tcp |= dir == LI_DIR_IN ? LI_SESS_FIN_IN : LI_SESS_FIN_OUT;
	if (p->tcp_flags & 0x04) /* RST */
		tcp |= dir == LI_DIR_IN ? LI_SESS_RST_IN : LI_SESS_RST_OUT;
	/* A new SYN on a closing tuple starts it again (a reused port). */
	if ((p->tcp_flags & 0x12) == 0x02 && (s->tcp & ~tcp))
		s->tcp = 0;
	if (tcp && (s->tcp & tcp) != tcp)
		s->tcp |= tcp;
}

static __always_inline void
li_sess_note(struct li_sess *s, const struct li_pkt *p, int dir, __u64 now)
{
	s->pkts[dir & 1] += 1;
	s->bytes[dir & 1] += p->l3_len;
	li_sess_touch(s, p, dir, now);
}

/* A new session of @p in direction @dir opened at @now. */
static __always_inline void li_sess_init(struct li_sess *s,
					 const struct li_pkt *p, int dir,
					 __u64 now, __u32 id)
{
	__builtin_memset(s, 0, sizeof(*s));
	s->first_ns = now;
	s->last_ns = now;
	s->id = id ? id : 1;
	s->policy_idx = -1;
	s->origin = dir == LI_DIR_IN ? LI_SESS_IN : LI_SESS_OUT;
	s->pkts[dir & 1] = 1;
	s->bytes[dir & 1] = p->l3_len;
	if (p->proto == 6 && (p->flags & LI_PKT_PORTS)) {
		if (p->tcp_flags & 0x01)
			s->tcp |= dir == LI_DIR_IN ? LI_SESS_FIN_IN :
						     LI_SESS_FIN_OUT;
		if (p->tcp_flags & 0x04)
			s->tcp |= dir == LI_DIR_IN ? LI_SESS_RST_IN :
						     LI_SESS_RST_OUT;
	}
}

/*
 * li_sess_tab, the XDP side's sessions (both programs and the loader):
 * an array of buckets of LI_SESS_WAYS slots, a key's bucket chosen by
 * li_sess_bucket_of() under a seed li_conf keeps. Not the kernel's LRU
 * hash: its lookup (a call, jhash, the bucket's list, memcmp) cost 12-13
 * ns where this one, inlined, costs 1-2 (bench/xdp/README.md), and every
 * packet of a session pays it.
 *
 * A slot is written only under its seq word: a writer (a program opening
 * a session; the loader deleting one or putting one back) claims it by
 * moving seq from even to odd with a compare-and-swap, writes, and makes
 * it even again with an exchange, a full barrier, so that the writes are
 * seen first. A reader takes a slot only when seq was even and the same
 * before and after it compared the key, so a key half written never
 * matches (the loads stay in order on x86, TSO). A packet of the session
 * then updates it in place, unclaimed, as it did the LRU map's value: its
 * clock and counters may race with a writer, which costs statistics,
 * never a verdict.
 *
 * A new session takes its bucket's slot of the same key, else an empty
 * one, else one expired, else the one least recently used, a remote's
 * before the gateway's own, one exchange before an established session
 * (li_sess_evicts_before): an LRU per bucket, as
 * the LRU map evicted one without an end. Two CPUs opening
 * the same key at the same instant may take a slot each: lookups find the
 * first, the other ages out.
 */
#define LI_SESS_WAYS 4
#define LI_SESS_BUCKET_BITS 15
#define LI_SESS_BUCKETS (1u << LI_SESS_BUCKET_BITS)

_Static_assert((LI_SESS_BUCKETS * LI_SESS_WAYS) == LI_SESS_MAPS_MAX,
	       "li_sess_tab holds LI_SESS_MAPS_MAX sessions");

struct li_sess_slot {
	__u32 seq; /* odd: a writer has it */
	__u32 pad;
	struct li_sess_key k; /* k.family 0: empty; IPv4's w[2..7] zero */
	struct li_sess s;
};

struct li_sess_bucket {
	struct li_sess_slot slot[LI_SESS_WAYS];
};

#define LI_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))

#ifdef __bpf__
#define li_cas32(p, o, n) __sync_val_compare_and_swap(p, o, n)
#define li_xchg32(p, v) __sync_lock_test_and_set(p, v)
#else
static inline __u32 li_cas32(__u32 *p, __u32 o, __u32 n)
{
	__atomic_compare_exchange_n(p, &o, n, 0, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	return o;
}
#define li_xchg32(p, v) __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST)
#endif

/* @k's bucket: multiply-xor over the words the key has. */
static __always_inline __u32 li_sess_bucket_of(const struct li_sess_key *k,
					       __u64 seed)
{
	__u64 x = (k->hdr ^ seed) * 0x9e3779b97f4a7c15ull;

	x = (x ^ ((__u64)k->w[0] << 32 | k->w[1])) * 0xbf58476d1ce4e5b9ull;
	if (k->family == 6) {
		x = (x ^ ((__u64)k->w[2] << 32 | k->w[3])) *
		    0x94d049bb133111ebull;
		x = (x ^ ((__u64)k->w[4] << 32 | k->w[5])) *
		    0x9e3779b97f4a7c15ull;
		x = (x ^ ((__u64)k->w[6] << 32 | k->w[7])) *
		    0xbf58476d1ce4e5b9ull;
	}
	return (__u32)(x >> (64 - LI_SESS_BUCKET_BITS));
}

/* Is slot key @a the key @b (IPv4: its 16 bytes)? */
static __always_inline int li_sess_key_eq(const struct li_sess_key *a,
					  const struct li_sess_key *b)
{
	if (a->hdr != b->hdr || a->w[0] != b->w[0] || a->w[1] != b->w[1])
		return 0;
	return b->family != 6 || (a->w[2] == b->w[2] && a->w[3] == b->w[3] &&
				  a->w[4] == b->w[4] && a->w[5] == b->w[5] &&
				  a->w[6] == b->w[6] && a->w[7] == b->w[7]);
}

/* The slot of @b holding @k, stable while its key was compared, or NULL. */
static __always_inline struct li_sess_slot *
li_sess_slot_find(struct li_sess_bucket *b, const struct li_sess_key *k)
{
	int i;

	for (i = 0; i < LI_SESS_WAYS; i++) {
		struct li_sess_slot *e = &b->slot[i];
		__u32 seq = LI_READ_ONCE(e->seq);

		if (!(seq & 1) && li_sess_key_eq(&e->k, k) &&
		    LI_READ_ONCE(e->seq) == seq)
			return e;
	}
	return 0;
}

/*
 * Has @s gone past one exchange: a packet each way and a third (TCP's
 * handshake done, a UDP flow that went on after its reply)? A resolver's
 * query and its answer have not: a storm of them is what fills the table.
 */
static __always_inline int li_sess_established(const struct li_sess *s)
{
	return s->pkts[LI_DIR_IN] && s->pkts[LI_DIR_OUT] &&
	       s->pkts[LI_DIR_IN] + s->pkts[LI_DIR_OUT] > 2;
}

/*
 * Does live @a go before live @b when a full bucket must lose one? A
 * remote's session before one the gateway opened, then one that has not
 * gone past one exchange before one that has, then the least recently
 * used. A remote's session that goes is only judged again by the
 * policies at its next packet, which accept it as they did; one of the
 * gateway's that goes leaves its replies to meet them, and a deny-all
 * drops them. So a flood of new sessions from outside (one a policy
 * accepts, spoofed from everywhere) evicts its own kind and not the
 * gateway's DNS, downloads or IKE; and a storm of the gateway's own
 * (its resolver's queries from random ports, some 160000 in 7 s) evicts
 * its own kind, not the gateway's idle connections (a BGP or SSH session
 * whose peer speaks next: its packets met the deny-all, found by the
 * capacity audit); only a bucket that holds nothing but the gateway's
 * established sessions loses one of them.
 */
static __always_inline int li_sess_evicts_before(const struct li_sess *a,
						 const struct li_sess *b)
{
	int a_ours = a->origin == LI_SESS_OUT,
	    b_ours = b->origin == LI_SESS_OUT, a_est, b_est;

	if (a_ours != b_ours)
		return b_ours;
	a_est = li_sess_established(a);
	b_est = li_sess_established(b);
	if (a_est != b_est)
		return b_est;
	return a->last_ns < b->last_ns;
}

/*
 * The slot a session of @k takes in @b at @now: its own, an empty one,
 * an expired one, a remote's least recently used, the gateway's least
 * recently used (li_sess_evicts_before).
 */
static __always_inline struct li_sess_slot *
li_sess_slot_victim(struct li_sess_bucket *b, const struct li_sess_key *k,
		    __u64 now)
{
	struct li_sess_slot *empty = 0, *dead = 0, *old = &b->slot[0];
	int i;

	for (i = 0; i < LI_SESS_WAYS; i++) {
		struct li_sess_slot *e = &b->slot[i];

		if (li_sess_key_eq(&e->k, k))
			return e;
		if (!e->k.family) {
			if (!empty)
				empty = e;
		} else if (!li_sess_live(&e->k, &e->s, now)) {
			if (!dead)
				dead = e;
		} else if (li_sess_evicts_before(&e->s, &old->s)) {
			old = e;
		}
	}
	return empty ? empty : dead ? dead : old;
}

/* Claim @e for writing: its seq to restore (li_sess_slot_release), or 0. */
static __always_inline __u32 li_sess_slot_claim(struct li_sess_slot *e)
{
	__u32 seq = LI_READ_ONCE(e->seq);

	if ((seq & 1) || li_cas32(&e->seq, seq, seq + 1) != seq)
		return 0;
	return seq + 2 ? seq + 2 : 2; /* never 0: that reads as "not had" */
}

static __always_inline void li_sess_slot_release(struct li_sess_slot *e,
						 __u32 seq)
{
	li_xchg32(&e->seq, seq);
}

/* @k and @s into a claimed slot (@k IPv4: its other words zero). */
static __always_inline void li_sess_slot_put(struct li_sess_slot *e,
					     const struct li_sess_key *k,
					     const struct li_sess *s)
{
	int v6 = k->family == 6, i;

	e->k.hdr = k->hdr;
	e->k.w[0] = k->w[0];
	e->k.w[1] = k->w[1];
	for (i = 2; i < 8; i++)
		e->k.w[i] = v6 ? k->w[i] : 0;
	e->s = *s;
}

#endif
