/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP program's maps as both sides see them (localin.bpf.c and
 * loader.c): keys, values and the layout of the ruleset image.
 *
 * Two sets. Every table of the ruleset image holds both sets side by
 * side (in li_conf's value, or in an array map of its own): set s starts
 * at s * capacity. A state word in li_conf holds the index of the set in
 * force; a reload fills the other set completely (tables, header,
 * interface classes, zeroed policy counters and the hits carried to
 * them: loader_hits.c) and only then flips that word. A packet reads it
 * once, so it is judged by one image, never by half of two.
 *
 * Capacities are per set and fixed when the maps are created (li_conf):
 * big tables (address blocks, bitmaps, policies) sized from the first
 * ruleset with headroom, small ones fixed. Everything a packet reads on
 * its common ways lives in li_conf's one value (struct li_conf_val): the
 * configuration, the session hint, the locals and SA tables, the
 * interface classes, the port table, and after them the address, phase
 * and policy tables of both sets (tab). The tables keep the names they
 * had as maps of their own (li_locals, li_sas, li_ifc, li_port, li_addr,
 * li_phase, li_pol) in comments and in the compiler. The program looks
 * that value up once and reads entries at offsets from it, bounded by a
 * size the loader writes into read-only data before load (localin.bpf.c);
 * the loader writes through its mapping. A lookup costs some ten
 * instructions, with the key's trip through the stack and what clang
 * reloads around the helper call: a denied packet made nine (issue 11).
 * The rest (li_bm, li_cross) keep an element per entry (li_bm: a word)
 * and are read on rarer paths.
 */
#ifndef LOCALIN_DATAPLANE_MAPS_H
#define LOCALIN_DATAPLANE_MAPS_H

#include "compile/image_layout.h"
#include "compile/ruleset.h"
#include "dataplane/flow_filter.h"
#include "dataplane/event.h"
#include "dataplane/local_slot.h"
#include "dataplane/packet.h"
#include "dataplane/sa_slot.h"
#include "dataplane/session.h"

/* LI_NR_SETS, the element sizes and the set header: compile/image_layout.h. */

/* Interface classes: li_conf_val.ifc by ifindex below this, a hash above. */
#define LI_IFC_ARRAY 16384
#define LI_IFC_HASH_MAX 4096

/* The gateway's addresses: li_conf_val.locals, two halves (local_slot.h). */

#define LI_FRAGS_MAX 16384
#define LI_RINGBUF_SIZE (256 * 1024)

/* li_cpu's counters (stats[]). */
enum li_stat {
	LI_ST_REASON = 0,	     /* + enum li_reason */
	LI_ST_SUPPRESSED = LI_R_MAX, /* + enum li_event_kind */
	/* sessions opened (session.h), by the decision or by egress */
	LI_ST_SESS_OPENED = LI_R_MAX + LI_EV_NR_KINDS,
	/*
	 * + enum li_event_kind: events the bucket let out that found the
	 * ring full (the daemon did not drain it: stalled, or too slow), a
	 * count apart from the rate limit's so the two are told apart. Last,
	 * so the counters a packet touches keep their offsets.
	 */
	LI_ST_RING_FULL,
	LI_NR_STATS = LI_ST_RING_FULL + LI_EV_NR_KINDS,
};

/*
 * li_conf's state words: [LI_STATE_SET] ruleset set in force,
 * [LI_STATE_LOCALS] locals half, [LI_STATE_SAS] SA half and bits
 * (sa_slot.h), [LI_STATE_HINT] the session hint's half in force.
 */
enum {
	LI_STATE_SET,
	LI_STATE_LOCALS,
	LI_STATE_SAS,
	LI_STATE_HINT,	 /* session hint half read (session.h) */
	LI_STATE_UPPERS, /* entries in li_upper_mac; 0: not looked up */
	LI_STATE_NR,
};

/*
 * li_upper_mac's key: a macvlan's Ethernet address on its lower device
 * (the value: the macvlan's ifindex). The kernel hands a unicast frame
 * for that address from the lower device to the macvlan (its
 * rx_handler), so a packet in it is the macvlan's, judged there once,
 * not on the lower device; one leaving the lower device from that
 * address was the macvlan's, seen by the macvlan's own egress program.
 */
struct li_upper_key {
	__u32 ifindex; /* the lower device */
	__u8 mac[6];
	__u16 pad;
};
#define LI_UPPER_MAX 1024

/* li_conf's trace words: packets still to trace, ids handed out. */
enum {
	LI_TR_REMAINING,
	LI_TR_ISSUED,
	LI_TR_NR,
};

/*
 * A set's header at a power-of-two stride in li_conf: the program finds
 * the header of the set in force by a shift of its number, where a
 * multiply by the header's size was the first step of every local
 * packet's chain of dependent loads (bench/xdp/README.md, fourteenth
 * part). 4 KiB a set, 2.3 of them used.
 */
#define LI_SET_HDR_STRIDE 4096
union li_set_slot {
	struct li_set_hdr h;
	__u8 stride[LI_SET_HDR_STRIDE];
};
_Static_assert(sizeof(struct li_set_hdr) <= LI_SET_HDR_STRIDE,
	       "a set's header fits its stride");

/*
 * li_conf[0]: fixed at creation, except the event rates, the state,
 * trace and carried words, and the set headers: what a reload flips and
 * a packet reads lives here, found with the configuration in one lookup.
 * The map is mmapable: the loader writes a live word or rate in place,
 * one aligned store each (loader.c li_state_set), and a set's header
 * while the other set is in force; never the whole value.
 */
struct li_conf {
	/*
	 * The hash of the program object that made these maps: only the
	 * same build adopts them (another may lay them out differently).
	 */
	__u64 build;
	__u64 cookie;	 /* a test run's metadata carries it (see below) */
	__u32 cap_addr;	 /* address table (li_addr) elements per set */
	__u32 cap_bm;	 /* li_bm words per set */
	__u32 cap_cross; /* li_cross entries per set */
	__u32 cap_pol;	 /* policies per set (both families) */
	__u32 cap_phase; /* phase table (li_phase) elements per set */
	/*
	 * li_conf_val.tab: where the phase and policy tables start, and the
	 * policies' carried hits (words)
	 */
	__u32 tab_phase;
	__u32 tab_pol;
	__u32 tab_hits;
	__u64 sess_seed;    /* li_sess_tab's hash (session.h): random, kept */
	__u64 sas_alive_ns; /* the daemon's heartbeat (LI_SAS_STALE_NS) */
	/* Token buckets, per CPU and event kind: credit in ns of time. */
	__u64 tb_cost_ns[LI_EV_NR_KINDS];  /* per event: 1e9 / rate */
	__u64 tb_burst_ns[LI_EV_NR_KINDS]; /* burst * cost */
	__u32 state[LI_STATE_NR];
	__s64 trace[LI_TR_NR]; /* atomic on both sides */
	/*
	 * Counts a predecessor made (loader_swap.c), added to li_cpu's when
	 * read: a live per-CPU value is never written from user space.
	 */
	__u64 carried[LI_NR_STATS];
	/*
	 * Set s's header (compile/image_layout.h): what a packet needs
	 * besides the big tables, its bases already at set s's first keys
	 * (loader_image.c rebase_hdr). The loader writes a set's while the
	 * other is in force.
	 */
	union li_set_slot hdr[LI_NR_SETS];
};

/* li_conf_val.ifc: classes of an interface in one set, valid when set. */
struct li_ifc {
	__u32 cls[2];
	__u32 valid;
	__u32 pad;
};

/*
 * li_conf's value: the configuration and, after it, what a packet reads
 * with no lookup of its own (maps.h's head comment). The loader keeps a
 * copy of the first part only (struct li_loader) and writes the rest
 * through its mapping.
 */
struct li_conf_val {
	struct li_conf conf;
	/*
	 * The NAT-T ports (packet.h), from the live SAs' encapsulation: one
	 * word, which the loader stores at once after each flip of the SA
	 * table (li_loader_set_sa_slots); 4500 in every slot from creation.
	 * Not one set per SA half: a constant address, where the half's
	 * cost every frame for us some 5 instructions (bench/xdp/insns.sh).
	 */
	struct li_natt natt;
	/*
	 * The latest time a new peer's IKE was let through (sa_slot.h,
	 * li_ike_new), written by the programs: an unknown SPI from an
	 * address of no known peer looks there only within
	 * LI_IKE_WINDOW_NS of it, so a flood of forged ESP pays one load
	 * here, not a hash lookup a frame.
	 */
	__u64 ike_new_ns;
	__u64 sess_hint[2 * LI_SESS_HINT_WORDS];	 /* session.h */
	struct li_local_slot locals[2 * LI_LOCAL_SLOTS]; /* two halves */
	struct li_sa_slot sas[2 * LI_SA_SLOTS];		 /* two halves */
	struct li_ifc ifc[LI_NR_SETS * LI_IFC_ARRAY];	 /* li_ifc_key */
	__u16 port[LI_PORT_ELEMS * LI_PORT_ELEM];	 /* li_port_table_key */
	/*
	 * The loader sizes the rest (set_caps): li_addr's elements of both
	 * sets from word 0, li_phase's from conf.tab_phase, the policies
	 * (struct li_policy, two words each) from conf.tab_pol. The set
	 * headers' bases point into it (loader_image.c rebase_hdr). Last,
	 * from conf.tab_hits, a __u64 per li_pol_hits key that no program
	 * reads: the hits a policy had before its set came in force
	 * (loader_hits.c), here so that a restart and an adopting start
	 * find them with the map.
	 */
	__u32 tab[];
};

_Static_assert(__builtin_offsetof(struct li_conf_val, tab) % 8 == 0,
	       "the carried hits in tab are aligned __u64s");

_Static_assert(sizeof(struct li_policy) % sizeof(__u32) == 0,
	       "a policy is whole words of li_conf_val.tab");

/* Bytes of li_conf's value, its tab sized for capacities @c. */
static inline __u64 li_conf_val_size(const struct li_conf *c)
{
	__u64 words = (__u64)LI_NR_SETS *
		      ((__u64)c->cap_addr * LI_ADDR_ELEM +
		       (__u64)c->cap_phase * LI_PHASE_ELEM +
		       (__u64)c->cap_pol *
			       ((sizeof(struct li_policy) + sizeof(__u64)) /
				sizeof(__u32)));

	return sizeof(struct li_conf_val) + words * sizeof(__u32);
}

struct li_tb {
	__u64 credit_ns;
	__u64 last_ns;
};

/*
 * What a decision due an event reads: the coarse clock's last reading
 * and its jiffies, the buckets, when this CPU last woke the reader, and
 * the jiffy in which each kind's bucket last refused an event (a
 * suppressed event reads that and nothing else: localin.bpf.c emit()).
 */
struct li_tb_cpu {
	__u64 jiffies;
	__u64 ns;
	__u64 woke_ns;
	__u64 pad;
	struct li_tb tb[LI_EV_NR_KINDS];
	__u64 refused_j[LI_EV_NR_KINDS];
};

/*
 * Events are submitted without waking the reader (BPF_RB_NO_WAKEUP),
 * except the first on a CPU after LI_EV_WAKE_NS without one, and any
 * that finds more than LI_EV_WAKE_BYTES waiting. The daemon, once woken,
 * drains the ring every LI_EV_WAKE_NS for twice that long after the last
 * events it read (daemon.c), so an event waits at most about
 * LI_EV_WAKE_NS; a flood wakes it 1e9 / LI_EV_WAKE_NS times a second per
 * CPU at most, instead of once per event it happens to find the ring
 * empty for.
 */
#define LI_EV_WAKE_NS (20ull * 1000 * 1000)
#define LI_EV_WAKE_BYTES (LI_RINGBUF_SIZE / 4)

/*
 * BPF_PROG_TEST_RUN cannot name a made-up arrival interface (the kernel
 * wants a real device for ingress_ifindex), so a test run prepends this
 * as XDP metadata: the program takes the interface from it when the
 * cookie is li_conf's, which no other XDP program or packet can know,
 * and looks its classes up (li_conf_val.ifc) as for a frame that arrived
 * there (the loader writes them for every interface it was told of). The
 * program then also records its facts and verdict in li_test_out.
 */
struct li_test_meta {
	__u64 cookie;
	__u32 flags;   /* LI_TM_RECORD: write li_test_out (not when timing) */
	__u32 ifindex; /* the made-up arrival interface */
	/*
	 * The packet's time for the IKE window (sa_slot.h), so that replay
	 * --engine xdp judges by the capture's clock as the host does; 0:
	 * the kernel's. (24 bytes in all: XDP metadata may take 32.)
	 */
	__u64 now_ns;
};

#define LI_TM_RECORD 1u

struct li_test_out {
	struct li_pkt pkt;
	struct li_verdict v;
};

/*
 * li_cpu[0], per CPU: the program's scratch (the packet's facts and
 * verdict, off the stack), its token buckets and its counters, all in
 * the one lookup a packet makes first. User space reads the counters
 * and writes a value only before the program runs (loader_swap.c): the
 * scratch of a running one is in use.
 */
struct li_cpu {
	struct li_test_out o;  /* the packet, the verdict */
	struct li_l4_at l4;    /* li_parse_l3's: li_judge parses the rest */
	__s32 fm_idx;	       /* li_fm's result, made opaque */
	__u32 local_at;	       /* li_acc_local_at's slot */
	__u32 test;	       /* record the verdict in li_test_out */
	__u64 local_memo;      /* and that slot's dst_memo, read then */
	__u64 test_now;	       /* li_test_meta.now_ns, or 0 */
	struct li_sess_key sk; /* match.h's session scratch */
	struct li_sess sn;
	struct li_tb_cpu tb;
	__u64 stats[LI_NR_STATS]; /* enum li_stat */
};

struct li_ifc_key {
	__u32 set;
	__u32 ifindex;
};

/* li_frags: first-fragment verdicts, LRU. */
struct li_frag_key {
	__u8 family;
	__u8 proto;
	__u16 pad;
	__u32 id;
	__u32 saddr[4];
	__u32 daddr[4];
};

/*
 * Where an entry lives, written once: the program's accessors read there
 * and the loader writes there; the host's accessors index the compiled
 * tables within a table the same way (li_cross_index, li_bm_row_index).
 * The keys of the image's tables (li_set_key, li_addr_*_elem,
 * li_port_table_key) are in compile/image_layout.h: the compiler lays the
 * image out by them.
 */

/* The service class of a (dport, sport) class pair in a cross table. */
static __always_inline __u32 li_cross_index(__u32 dclass, __u32 sclass,
					    __u32 nr_sclass)
{
	return dclass * nr_sclass + sclass;
}

/* The first word of class @cls's row, rows of @words words. */
static __always_inline __u32 li_bm_row_index(__u32 cls, __u32 words)
{
	return cls * words;
}

/* li_conf_val.ifc: interface @ifindex (below LI_IFC_ARRAY) in set @set. */
static __always_inline __u32 li_ifc_key(__u32 set, __u32 ifindex)
{
	return li_set_key(set, LI_IFC_ARRAY, ifindex);
}

#endif
