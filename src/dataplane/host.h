/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host execution of the shared matcher (match.h): the ruleset image
 * in memory, the gateway's addresses, the live SAs and a bounded fragment
 * table. replay and the tests drive it; the XDP program runs the same
 * match.h over BPF maps instead.
 */
#ifndef LOCALIN_DATAPLANE_HOST_H
#define LOCALIN_DATAPLANE_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "compile/compile.h"
#include "dataplane/spi_table.h"
#include "dataplane/local_slot.h"
#include "dataplane/maps.h"
#include "dataplane/packet.h"
#include "dataplane/sa_table.h"
#include "dataplane/session.h"

/*
 * First-fragment verdicts by (source, destination, id, protocol), in a
 * bounded open-addressing table (host.c) four times the XDP side's LRU
 * (LI_FRAGS_MAX), so that both remember every datagram the program can:
 * when a probe window overflows, a datagram only loses its remembered
 * verdict (its later fragments are then judged with ports unknown).
 */
#define LI_HOST_FRAG_SLOTS (4 * LI_FRAGS_MAX)

struct li_host_frag {
	__u8 used;
	__u8 family;
	__u8 proto;
	__u32 id;
	__u32 saddr[4], daddr[4];
	struct li_verdict v;
};

/*
 * The last IKE message let through per known peer (sa_slot.h: the rekey
 * window), and apart per address of no known peer (a new one), each in
 * open addressing four times the XDP side's LRU
 * (LI_IKE_SEEN_MAX), so that the two engines keep the same peers: a full
 * probe window gives up its oldest, as an LRU would.
 */
#define LI_HOST_IKE_SLOTS (4 * LI_IKE_SEEN_MAX)

struct li_host_ike {
	__u8 used;
	__u8 family;
	__u32 addr[4];
	__u64 ns;
};

/*
 * Sessions (session.h) in open addressing with a short probe, as the
 * fragments; a slot once used keeps probes going after its session is
 * gone. When a probe window is full, its least recently used session
 * makes room (the XDP side's table, li_sess_tab, evicts its bucket's
 * least recently used, and holds as many). @live lists
 * the used slots, so that expiry walks sessions, not the table.
 */
#define LI_HOST_SESS_PROBE 8
#define LI_HOST_SESS_MIN 256 /* slots at first; it doubles up to LI_SESS_MAX */

enum li_host_sess_state {
	LI_HS_FREE = 0, /* never used: a probe stops here */
	LI_HS_USED,
	LI_HS_GONE, /* used once: a probe goes on */
};

struct li_host_sess {
	__u8 state;	/* enum li_host_sess_state */
	__u32 live_pos; /* its index in li_host.live */
	struct li_sess_key k;
	struct li_sess s;
	const char *ifname; /* arrival interface of its first packet in */
};

/* A session that ended (li_host_sess_expire), with its interface. */
typedef void li_host_sess_end_fn(void *arg, const struct li_sess_key *k,
				 const struct li_sess *s, const char *ifname,
				 __u64 end_ns);

/* An interface seen before: li_host_set_ifname()'s cache. */
struct li_host_if {
	const char *name;
	__u32 key;
	__u32 cls[2];
	bool known; /* computed for the ruleset in force */
};

struct li_host {
	const struct li_ruleset *rs;
	/* Enabled and schedule-active policies, per family (bm_words each). */
	__u64 *active[2];
	/*
	 * li_host_use_phase(): per family, the first policy of each C class
	 * of the phase tables under @active (ruleset_phase_first); NULL
	 * where the bitmaps are walked.
	 */
	__s32 *phase_first[2];
	bool use_phase;
	/* Per packet: the arrival interface and its class in each family. */
	const char *ifname;
	__u32 ifkey; /* a number for @ifname (0: none), as an ifindex */
	__u32 intf_cls[2];
	bool if_known;		   /* the three above are @ifname's */
	struct li_host_if if_prev; /* the interface before */
	/* The gateway's addresses: as given, and placed (local_slot.h). */
	struct li_host_addr *locals;
	size_t nr_locals, cap_locals;
	struct li_local_slot *local_tab; /* LI_LOCAL_SLOTS */
	const struct spi_table *sas;
	struct li_sa_slot *sa_tab; /* sa_slot.h, built from @sas */
	/*
	 * The NAT-T ports of @sas (packet.h): frames for this host are
	 * parsed with them (li_parse_ports), as the XDP program does.
	 */
	struct li_natt natt;
	__u16 natt_over; /* the first port past LI_NATT_EXTRA, 0 if none */
	__u32 sa_bits;
	const struct sa_entry **sa_of_id; /* into @sas, sas->nr of them */
	struct li_host_frag *frags;
	/* li_host_decide()'s SA, for traces (li_host_sa()) */
	const struct sa_entry *last_sa;
	__u64 now_ns;		      /* the packet's time (li_host_set_now) */
	struct li_host_ike *ike;      /* LI_HOST_IKE_SLOTS, known peers */
	struct li_host_ike *ike_new;  /* the same, new peers (sa_slot.h) */
	struct li_host_ike *ike_sent; /* the gateway's own IKE, by peer */
	bool ike_gate; /* LI_SAS_IKE_GATE (sa_slot.h): li_host_set_ike_gate */
	struct li_host_sess *sess; /* sess_cap slots (a power of 2) */
	__u32 sess_cap;
	__u32 *live; /* indices of used slots */
	__u32 nr_live;
	/*
	 * li_host_use_hint(): the XDP program's session hint (session.h),
	 * LI_SESS_HINT_WORDS words, a bit set for the remote of every
	 * session put in the table, rebuilt when sessions end. NULL: every
	 * key is looked up (the reference).
	 */
	__u64 *hint;
	__u32 sess_next; /* the last session id handed out */
	__u32 sess_gen;	 /* the ruleset's generation: 1, +1 a reload */
	struct li_sess_key sess_key; /* match.h's scratch */
	struct li_sess sess_tmp;
};

/*
 * @rs and @sas (NULL: none) must outlive @h, @sas unchanged: its SA table
 * is built here. Everything enabled and active until told.
 */
int li_host_init(struct li_host *h, const struct li_ruleset *rs,
		 const struct spi_table *sas);
void li_host_free(struct li_host *h);
/*
 * A reload: @rs in force (everything in it enabled and active, as after
 * li_host_init), the same addresses, SAs and sessions; a new generation,
 * so that inbound sessions meet the new policies again (match.h step 4).
 */
int li_host_set_ruleset(struct li_host *h, const struct li_ruleset *rs);

/*
 * With @on, the phase tables (compile/phase.c) decide where the ruleset
 * has them, as in the XDP program, in four array reads; else (and at
 * first) the bitmaps are walked, the reference the program's phase
 * tables are checked against (tests/diff). Kept across
 * li_host_set_ruleset(). 0 or -ENOMEM (the walk stays).
 */
int li_host_use_phase(struct li_host *h, bool on);

/*
 * With @on, a packet whose remote has no session in the table is not
 * looked up there, as in the XDP program (session.h's hint): once the
 * table outgrows the cache, its probe is a cache miss for every packet
 * to the gateway, most of them a flood that has no session. Else (and at
 * first) every key is looked up: the reference tests/diff checks the
 * hint against. Kept across li_host_set_ruleset(). 0 or -ENOMEM.
 */
int li_host_use_hint(struct li_host *h, bool on);

/*
 * The directed broadcast of the IPv4 subnet @addr/@prefixlen (host
 * order), false for /31 and /32, which have none (RFC 3021).
 */
static inline bool li_ip4_broadcast(__u32 addr, unsigned int prefixlen,
				    __u32 *bcast)
{
	__u32 mask = prefixlen ? ~0u << (32 - prefixlen) : 0;

	if (prefixlen >= 31)
		return false;
	*bcast = (addr & mask) | ~mask;
	return true;
}

/*
 * The subnet-router anycast address (RFC 4291 2.6.1) of the IPv6 subnet
 * @addr/@prefixlen (network order) into @out; false for /127 and /128,
 * which have none (RFC 6164), and for ::. Linux answers it on every
 * subnet of an interface that forwards, as its own (UDP, ICMPv6 echo):
 * a gateway's, so it is judged as one of its addresses, or a deny-all
 * would not deny a datagram sent to it. Where the interface does not
 * forward, the kernel drops what is sent to it, policies or not.
 */
static inline bool li_ip6_subnet_anycast(const __u32 *addr,
					 unsigned int prefixlen, __u32 *out)
{
	const __u8 *a = (const __u8 *)addr;
	__u8 *o = (__u8 *)out;
	bool any = false;
	unsigned int i, keep;

	if (prefixlen >= 127)
		return false;
	for (i = 0; i < 16; i++) {
		keep = prefixlen > i * 8 ? prefixlen - i * 8 : 0;
		o[i] = keep >= 8 ? a[i] : (__u8)(a[i] & (0xff00u >> keep));
		any |= o[i] != 0;
	}
	return any;
}

/*
 * Gateway addresses, e.g. from `config system interface`; -ENOSPC when
 * the locals table cannot place one (the loader would refuse it too).
 */
int li_host_add_local(struct li_host *h, int family, const __u32 *addr,
		      bool bcast);
/* An interface's address and prefix: the address and its broadcast. */
int li_host_add_ip4_subnet(struct li_host *h, __u32 addr_be,
			   unsigned int prefixlen);

/* Re-evaluate schedules at @local_min (minutes since 1970, local time). */
void li_host_set_time(struct li_host *h, __s64 local_min);

/*
 * The class of interface @ifname in family @f (intf_other for NULL or a
 * name no policy uses); the XDP loader maps interfaces with it too.
 */
__u32 li_intf_class(const struct li_family *f, const char *ifname);

void li_host_set_ifname_slow(struct li_host *h, const char *ifname);

/*
 * The interface a packet arrived on (NULL: none known). Names are
 * compared by pointer: the caller keeps @ifname while it is in use.
 */
static inline void li_host_set_ifname(struct li_host *h, const char *ifname)
{
	if (!h->if_known || h->ifname != ifname)
		li_host_set_ifname_slow(h, ifname);
}

/* The time of the next packet, ns since the epoch (the rekey window). */
static inline void li_host_set_now(struct li_host *h, __u64 ns)
{
	h->now_ns = ns;
}

/*
 * The first policy @p matches (its index in evaluation order), or -1: the
 * classification of match.h alone, without the local-address, ESP and
 * fragment steps of li_host_decide().
 */
int li_host_classify(struct li_host *h, const struct li_pkt *p);

/* The shared decision (match.h) for one parsed packet; returns v->drop. */
int li_host_decide(struct li_host *h, const struct li_pkt *p,
		   struct li_verdict *v);
/*
 * The same in its two steps, as the XDP program takes them: is @p for
 * the gateway (0: yes, v->bcast set; 1: no, @v filled: pass; 2: @v
 * filled: drop, malformed), then, only for 0, the rest (returns v->drop).
 * They leave last_sa alone: li_host_sa() finds the SA when a line wants
 * it (replay writes a line for few of its packets).
 */
int li_host_decide_nonlocal(struct li_host *h, const struct li_pkt *p,
			    struct li_verdict *v);
int li_host_decide_local(struct li_host *h, const struct li_pkt *p,
			 struct li_verdict *v);

/*
 * A packet leaving the host (from one of its addresses): it opens or
 * refreshes its session, as the TC egress program does live.
 */
void li_host_egress(struct li_host *h, const struct li_pkt *p);

/*
 * The gateway's own IKE is seen leaving (LI_SAS_IKE_GATE, sa_slot.h): an
 * IKE message that makes SAs opens its sender's window only if we sent
 * it one lately. Off by default, as the daemon when any egress is unseen.
 */
void li_host_set_ike_gate(struct li_host *h, bool on);

/* Is @p from one of the gateway's unicast addresses? */
bool li_host_from_local(struct li_host *h, const struct li_pkt *p);

/*
 * Sessions that have ended by @now_ns (timed out, or cut by a reload)
 * are handed to @fn (may be NULL) and forgotten; with @all, every session
 * ends, at the time it would time out (the end of a capture). Returns how
 * many ended.
 */
__u32 li_host_sess_expire(struct li_host *h, __u64 now_ns, bool all,
			  li_host_sess_end_fn *fn, void *arg);

/*
 * A fresh session id, for a traced first packet that opened none. Inline:
 * replay takes one for most of its packets (each logged deny has one).
 */
static inline __u32 li_host_sess_id(struct li_host *h)
{
	if (!++h->sess_next)
		++h->sess_next; /* 0 reads as "none" */
	return h->sess_next;
}
/* Does the host remember @p's datagram's first fragment (tests/diff)? */
bool li_host_frag_known(const struct li_host *h, const struct li_pkt *p);

/*
 * The SA of @p's destination and SPI when @v names one (v->sa_id), for
 * its tunnel in logs and traces, found by the data path's own probe in
 * this host's SA table; NULL otherwise. (A loader given the same
 * spi_table decides with the same table: replay --engine xdp asks here.)
 */
const struct sa_entry *li_host_sa(const struct li_host *h,
				  const struct li_pkt *p,
				  const struct li_verdict *v);

#endif
