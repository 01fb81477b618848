/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP data path from user space: load the program (libbpf skeleton),
 * fill its maps from a compiled ruleset, attach it (libxdp), and read its
 * events and counters. The daemon owns one li_loader; `localin replay
 * --engine xdp` uses one without attaching, through BPF_PROG_TEST_RUN.
 *
 * A reload writes the complete new ruleset into the inactive of two map
 * sets and then flips one index: a packet is judged by one image or the
 * other, never by half of each.
 */
#ifndef LOCALIN_DATAPLANE_LOADER_H
#define LOCALIN_DATAPLANE_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "compile/compile.h"
#include "dataplane/spi_table.h"
#include "dataplane/flow_filter.h"
#include "dataplane/event.h"
#include "dataplane/host.h"
#include "dataplane/packet.h"
#include "dataplane/session.h"

#define LI_PIN_DIR "/sys/fs/bpf/localin"

/* enum li_event_kind and struct li_event: event.h (shared with BPF). */

/* Per-reason and per-policy counts, summed over CPUs. */
struct li_counters {
	__u64 by_reason[LI_R_MAX];
	/* by li_event_kind: the token bucket was empty (the rate limit) */
	__u64 events_suppressed[LI_EV_NR_KINDS];
	/* by li_event_kind: let out, but the ring was full (daemon behind) */
	__u64 events_ring_full[LI_EV_NR_KINDS];
	/*
	 * per family, nr_policies each (loader-owned): a policy's hits since
	 * its id came in or the last clear, across reloads (loader_hits.c)
	 */
	__u64 *policy_hits[2];
	__u32 nr_policies[2];
};

struct li_loader;

/*
 * Open and load the program. @pin_dir: pin program and maps there (the
 * daemon), or NULL (replay). With @adopt, reuse what is already pinned
 * there, so a restarted daemon takes over without a gap.
 */
int li_loader_open(struct li_loader **out, const char *pin_dir, bool adopt);
/*
 * The same, with the ruleset tables sized for @hint (twice what it needs,
 * at least the defaults); li_loader_open() uses the defaults, which hold
 * a few thousand prefixes and 1024 policies. A later ruleset that does not
 * fit is refused with -E2BIG (the running one stays in force). Adopted
 * maps keep their sizes.
 */
int li_loader_open_for(struct li_loader **out, const char *pin_dir, bool adopt,
		       const struct li_ruleset *hint);
/* What li_loader_open_for() found under its pin directory. */
enum li_pins {
	LI_PINS_NONE,	  /* nothing: a fresh start */
	LI_PINS_ADOPTED,  /* this build's maps: adopted, no gap */
	LI_PINS_REPLACED, /* another build's: replaced by ours, no gap */
	LI_PINS_ORPHAN,	  /* none, but this build's program left attached: */
			  /* its maps adopted by id, pinned anew, no gap */
};
enum li_pins li_loader_pins(const struct li_loader *l);
/* LI_PINS_ORPHAN: the interface its program was found on. */
int li_loader_orphan_ifindex(const struct li_loader *l);
/* The hash of this build's program object (li_conf.build). */
__u64 li_loader_build(void);
/* The set of li_sets in force (struct li_event.set of its decisions). */
unsigned int li_loader_active_set(const struct li_loader *l);

/* Close: attached programs and pinned maps stay (enforcement goes on). */
void li_loader_close(struct li_loader *l);
/*
 * The directory that holds @pin_dir (into @parent) must be a bpffs: 0 if
 * it is, 1 if it was not and one was mounted there (this mount namespace
 * only), or -errno (it does not exist, or the mount failed).
 */
int li_pins_ensure_bpffs(const char *pin_dir, char *parent, size_t size);
/* Remove the pins of li_loader_open (`localin stop`, tests). */
int li_loader_unpin(struct li_loader *l);

/*
 * A new ruleset, atomically (see above). -E2BIG: larger than the maps
 * (li_loader_successor); -ENOSPC: the interfaces' classes do not fit
 * (li_loader_set_interface), which no successor helps.
 */
int li_loader_set_ruleset(struct li_loader *l, const struct li_ruleset *rs);
/* strerror(-@err), and what the loader's own -ENOSPC means, with its limits. */
const char *li_loader_strerror(int err);
/* The schedule-active mask of one family (bm_words words, enabled ANDed). */
int li_loader_set_active(struct li_loader *l, int family, const __u64 *mask,
			 __u32 words);
/*
 * The gateway's addresses into the locals half not in force, then the
 * flip. Every address that fits goes in (local_slot.h); returns how many
 * did not (the first's index in *@first_out, may be NULL), or -errno and
 * the half in force kept.
 */
int li_loader_set_locals(struct li_loader *l, const struct li_host_addr *a,
			 size_t n, size_t *first_out);
/*
 * The live SAs (sa_slot.h) and their NAT-T ports @natt (packet.h; NULL:
 * 4500 alone), atomically, with @bits: LI_SAS_UNCHECKED (no SA source can
 * be read, so ESP goes to the policies unchecked), LI_SAS_IKE_GATE.
 */
int li_loader_set_sa_slots(struct li_loader *l, const struct li_sa_slot *e,
			   size_t n, const struct li_natt *natt, __u32 bits);
/*
 * The SA table is kept, now: the heartbeat the data path checks an
 * unknown SPI against (LI_SAS_STALE_NS).
 */
void li_loader_sas_alive(struct li_loader *l);
/*
 * The SAs of @t, with ids in table order, and their NAT-T ports (replay,
 * tests, benches: past LI_NATT_EXTRA, the rest are not NAT-T).
 */
int li_loader_set_sas(struct li_loader *l, const struct spi_table *t);
/*
 * li_loader_set_sas() sets LI_SAS_IKE_GATE too (sa_slot.h): for tests that
 * hold the host to the program with it (li_host_set_ike_gate).
 */
void li_loader_set_ike_gate(struct li_loader *l, bool on);
/* Packets and bytes the data path let through for SA @id; zeroing them. */
int li_loader_sa_stat(struct li_loader *l, __u32 id, struct li_sa_stat *out);
int li_loader_sa_stat_clear(struct li_loader *l, __u32 id);
/*
 * The trace's filters, @f[FLOW_FILTER4] and @f[FLOW_FILTER6] (NULL: as
 * they are), and its budget.
 */
int li_loader_set_trace(struct li_loader *l, const struct flow_filter *f,
			__u32 count);
/*
 * The filters alone: a running trace keeps what is left of its budget.
 * On an error the filters before are in force, both, with the budget; or,
 * where they could not be put back, the budget is spent (nothing traced).
 */
int li_loader_set_trace_filter(struct li_loader *l,
			       const struct flow_filter *f);
/* Packets the data path may still trace (its budget; 0 when spent). */
int li_loader_trace_remaining(struct li_loader *l, __s64 *rem);
/*
 * Map an interface to its class for the current ruleset (by name); the
 * loader remembers it and maps it again for every later ruleset. An
 * interface never named has the class of "any other interface".
 * -ENOSPC: its index is above the array's (maps.h LI_IFC_ARRAY) and the
 * hash for those is full; the program judges a packet arriving there as
 * on an interface no policy names (the policies on "any" only). Each
 * such interface takes an entry in each set: li_loader_set_ruleset()
 * fails with -ENOSPC too, the ruleset in force kept, and so does
 * li_loader_successor(), whose hash is no larger.
 */
int li_loader_set_interface(struct li_loader *l, int ifindex,
			    const char *ifname);
/* The interface is gone: forget its name and its classes. */
int li_loader_forget_interface(struct li_loader *l, int ifindex);
/*
 * The macvlans' Ethernet addresses on their lower devices (maps.h,
 * li_upper_key), all of them: what is not in @u goes, and the data path
 * looks them up only while there is one. Returns how many did not fit
 * (LI_UPPER_MAX), or -errno.
 */
struct li_upper {
	int lower;
	unsigned char mac[6];
	int upper;
};
int li_loader_set_uppers(struct li_loader *l, const struct li_upper *u,
			 size_t n);
/* Forget every remembered first-fragment verdict. */
int li_loader_clear_frags(struct li_loader *l);
/*
 * Token bucket of one event kind, per CPU: @rate events per second,
 * bursts of @burst. Defaults: 1000/s, burst 1000 for each kind.
 */
int li_loader_set_event_rate(struct li_loader *l, int kind, __u32 rate,
			     __u32 burst);

/*
 * What an interface's frames start with, by its link type (ARPHRD_*):
 * Ethernet (and lo), the IP header (tun, WireGuard, xfrm: the loader
 * attaches localin_xdp_l3 and the L3 egress programs there), or something
 * the programs cannot read.
 */
enum li_frames { LI_FRAMES_ETH, LI_FRAMES_IP, LI_FRAMES_OTHER };
enum li_frames li_link_frames(unsigned int arphrd);

/*
 * A ruleset the maps cannot hold (li_loader_set_ruleset: -E2BIG): open a
 * successor of @old with maps sized for @rs, holding @old's state (local
 * addresses, SAs, counters by reason, trace budget and filter, event
 * rates, remembered fragments, interfaces) and @rs in force. Not attached,
 * not pinned: li_loader_take_over() puts it in @old's place.
 */
int li_loader_successor(struct li_loader **out, struct li_loader *old,
			const struct li_ruleset *rs);
/*
 * @n replaces @old's program on each of @links (where @old's is attached)
 * in one step per interface, then @old's pins by its own. On an
 * error before the programs are swapped, every interface is put back as
 * it was and @old stays in force. After 0, @old is only good for reading
 * its last events and closing.
 */
struct li_link {
	int ifindex;
	enum li_frames frames; /* as li_loader_attach()'s */
};
int li_loader_take_over(struct li_loader *n, struct li_loader *old,
			const struct li_link *links, size_t nr);
/* Where the loader's pins are (NULL: not pinned). */
const char *li_loader_pin_dir(const struct li_loader *l);

/*
 * Attach to / detach from an interface (native if possible, else generic).
 * @frames: li_link_frames() of the link type the caller holds for
 * @ifindex (the daemon's, from RTM_NEWLINK): the loader does not ask the
 * kernel again, by a name that a rename could have given to another
 * device in between.
 * Someone else's XDP program on the interface is never replaced: libxdp
 * runs ours beside it when it was attached through libxdp's dispatcher;
 * when it is there alone (attached directly, as by `ip link set xdp`, or
 * by libxdp where the kernel cannot load the dispatcher), attach fails
 * with -EBUSY, and li_loader_foreign() says which program it is.
 * Where libxdp puts a program alone (the kernel refuses its dispatcher:
 * learnt at the first attach), every later empty hook gets the loader's
 * one loaded program, in milliseconds and no fd kept; under the
 * dispatcher each interface gets a copy of its own, loaded and verified
 * at its attach (seconds).
 */
int li_loader_attach(struct li_loader *l, int ifindex, enum li_frames frames);
/*
 * The program for IP-only links (tun, WireGuard, xfrm) loaded and
 * verified now, where it would be at the first such link's attach
 * (seconds): a link that appears later is then attached in milliseconds.
 * Loaded once per loader; 0 or -errno.
 */
int li_loader_load_ip(struct li_loader *l);
int li_loader_detach(struct li_loader *l, int ifindex);

/*
 * li_loader_attach() also puts the session egress program (session.h) on
 * the interface's clsact egress hook, in place of one an earlier program
 * of ours left there; li_loader_detach() removes it. When that fails the
 * XDP program stays (li_loader_attach() returns 0): enforcement is whole,
 * but replies to the gateway's own connections on the interface meet the
 * policies. li_loader_egress_err(): 0 attached, else why not (-ENOENT:
 * XDP not attached by @l); li_loader_attach_egress(): try again.
 */
int li_loader_attach_egress(struct li_loader *l, int ifindex,
			    enum li_frames frames);
int li_loader_egress_err(const struct li_loader *l, int ifindex);
/*
 * The session program alone, on an interface the XDP program is not on:
 * the gateway's own packets may leave by it while their replies come in
 * by one that is (asymmetric routes, links.c). It opens and keeps
 * sessions but does not count their packets (localin_eg_only: a policed
 * VLAN, bridge or bond above the interface counted them).
 * li_loader_attach_egress_alone() attaches it; li_loader_egress_err()
 * and li_loader_attach_egress() (again, alone) as above; li_loader_attach()
 * puts the counting one in its place. li_loader_detach_egress() takes it
 * off (0 also when the interface is gone). li_loader_move_egress(): @n's
 * program (@alone or not) in the place of an earlier loader's
 * (li_loader_take_over()); when it cannot be, that one goes too, as it
 * would record sessions in maps no one reads.
 */
int li_loader_attach_egress_alone(struct li_loader *l, int ifindex,
				  enum li_frames frames);
/*
 * Is the session program attached (li_loader_egress_err() 0) still on
 * @ifindex's egress hook? Someone may have deleted its filter or the
 * clsact qdisc (no event says so). 0 yes (or not attached by @l); 1 no:
 * it was attached again, li_loader_egress_err() says how that went
 * (-EBUSY: someone else's filter in its place).
 */
int li_loader_egress_check(struct li_loader *l, int ifindex);
int li_loader_detach_egress(struct li_loader *l, int ifindex);
int li_loader_move_egress(struct li_loader *n, int ifindex, bool alone,
			  enum li_frames frames);

/*
 * The mode of the program on @ifindex's XDP hook, as the kernel says it
 * ("native", "generic", ...), and in @native_err why the driver refused
 * native XDP when @l attached it (-errno; 0 native, or not attached by
 * @l): veth refuses it while its peer's MTU is above a page's room
 * (-ERANGE), and generic XDP judges every frame all the same, later and
 * slower.
 */
const char *li_loader_xdp_mode(const struct li_loader *l, int ifindex,
			       int *native_err);

/*
 * @l's program (one using @l's maps) alone on @ifindex's XDP hook in the
 * calling thread's network namespace, taken off: 1 if so, 0 if it is not
 * there, -errno. For an interface that moved to another namespace with
 * it (links_moved.c).
 */
int li_loader_off_here(struct li_loader *l, int ifindex);
/*
 * localin's XDP program (known by its name: any build's, any maps) off
 * @ifindex's hook, alone or under libxdp's dispatcher: 0, -ENOENT when
 * there is none, or -errno. For what a daemon before left on an
 * interface the policies no longer name.
 */
int li_loader_detach_xdp(int ifindex);

/* Another program alone on an interface's XDP hook. */
struct li_xdp_prog {
	__u32 id;
	char name[16];	  /* the kernel's name for it (BPF_OBJ_NAME_LEN) */
	const char *mode; /* "native", "generic", "offload" or "unknown" */
};
/* 1 and @f filled if there is one on @ifindex, else 0. */
int li_loader_foreign(int ifindex, struct li_xdp_prog *f);
/*
 * Is @ifindex's XDP hook empty? 1 or 0: an admin's `ip link set dev X
 * xdp off` takes our program off unasked.
 */
int li_loader_hook_empty(int ifindex);

/*
 * Wait up to @timeout_ms for events; @fn gets each (time converted to
 * ns since the epoch), including those submitted without a wakeup.
 * Returns the number handled or a negative errno. Most events wake no
 * poll (maps.h, LI_EV_WAKE_NS): a loop that has read some polls again
 * within that time (li_loader_drain_ms).
 */
/* An fd that polls readable when events are waiting (for one poll loop). */
int li_loader_event_fd(struct li_loader *l);
int li_loader_poll(struct li_loader *l, int timeout_ms,
		   void (*fn)(void *ctx, const struct li_event *ev,
			      __u64 time_ns),
		   void *ctx);
/* Poll again within this many ms (events may wait unannounced), or -1. */
int li_loader_drain_ms(const struct li_loader *l);
int li_loader_counters(struct li_loader *l, struct li_counters *out);
/*
 * Zero the hit counters of the policies in force (iprope clear), by what
 * is carried: a live per-CPU count is not written under the program.
 * Both families or, on an error, neither.
 */
int li_loader_clear_policy_hits(struct li_loader *l);

/*
 * Sessions (li_sess_tab, session.h): loader_sess.c. @fn gets each entry
 * once (a copy); it may delete it (li_loader_sess_delete()); a nonzero
 * return stops the walk (a negative one is returned; after a positive
 * one, li_loader_sess_walk_part() goes on at the entry it stopped at,
 * read again: gone if @fn deleted it). The number of entries seen, or a
 * negative errno.
 */
typedef int (*li_sess_fn)(void *ctx, const struct li_sess_key *k,
			  const struct li_sess *s);
int li_loader_sess_walk(struct li_loader *l, li_sess_fn fn, void *ctx);
/*
 * A walk in parts, so that no part takes long: from @c (zeroed: the
 * start) until @max entries were seen or the end, where @c->done is set
 * and @c starts over. Same return.
 */
struct li_sess_cursor {
	__u32 token; /* the slot the next part begins at */
	bool done;   /* this part reached the end */
};
int li_loader_sess_walk_part(struct li_loader *l, struct li_sess_cursor *c,
			     unsigned int max, li_sess_fn fn, void *ctx);
int li_loader_sess_delete(struct li_loader *l, const struct li_sess_key *k);
/*
 * Delete @n keys: the number deleted, or a negative errno.
 * A key already gone is skipped, and its @gone (if given) set.
 */
int li_loader_sess_delete_keys(struct li_loader *l, const struct li_sess_key *k,
			       size_t n, bool *gone);
/*
 * Delete @k and say what it held, in one step (a packet may have renewed
 * it since a walk's copy): 0, -ENOENT, or another negative errno; and put
 * such an entry back unless a packet made another meanwhile (-EEXIST).
 */
/*
 * Rebuild the session hint (session.h) from the sessions in the map, so
 * that bits of sessions gone are cleared: the number of sessions walked,
 * or a negative errno (the hint in force then stays as it was).
 */
int li_loader_sess_hint_rebuild(struct li_loader *l);
int li_loader_sess_take(struct li_loader *l, const struct li_sess_key *k,
			struct li_sess *s);
int li_loader_sess_put_back(struct li_loader *l, const struct li_sess_key *k,
			    const struct li_sess *s);
/* One entry now: 0, -ENOENT, or another negative errno. */
int li_loader_sess_lookup(struct li_loader *l, const struct li_sess_key *k,
			  struct li_sess *s);
/* Entries in the map (a walk), or a negative errno. */
int li_loader_sess_count(struct li_loader *l);
/*
 * Sessions the data path opened so far (li_stats, all CPUs; one that
 * replaced an expired entry too).
 */
__u64 li_loader_sess_opened(struct li_loader *l);
/*
 * Events lost to a full ring so far, by li_event_kind (li_counters's
 * events_ring_full without the policies' walk): 0, or a negative errno.
 */
int li_loader_ring_full(struct li_loader *l, __u64 out[LI_EV_NR_KINDS]);
/* The sessions' clock now: CLOCK_MONOTONIC_COARSE, ns. */
__u64 li_sess_clock_ns(void);
/* A time of that clock as ns since the epoch. */
__u64 li_sess_epoch_ns(__u64 mono_ns);
/*
 * The generation of the set in force (li_set_hdr.gen; 0 before the first
 * ruleset): a session whose gen equals it has a policy_idx that indexes
 * the ruleset in force.
 */
__u32 li_loader_gen(const struct li_loader *l);

/*
 * The instructions the kernel's verifier walked to accept the XDP
 * program (bpf_prog_info.verified_insns; 0 where the kernel does not
 * say, before 5.16). Its limit, LI_VERIFIER_LIMIT, is for every path of
 * the program together: a change that brings the walk near it makes the
 * program fail to load on the next kernel that walks a little more
 * (tests/diff keeps it under LI_VERIFIER_BUDGET).
 */
#define LI_VERIFIER_LIMIT 1000000 /* BPF_COMPLEXITY_LIMIT_INSNS */
#define LI_VERIFIER_BUDGET 900000
__u32 li_loader_verified_insns(const struct li_loader *l);
/* The same of localin_xdp_l3, the program for frames without Ethernet. */
__u32 li_loader_verified_insns_l3(struct li_loader *l);

/*
 * One frame through the loaded program with BPF_PROG_TEST_RUN, as if it
 * arrived on @ifindex: the verdict and facts the program computed.
 * @ifindex need not exist: it travels with the frame as XDP metadata
 * (see maps.h), and the program looks its classes up (li_conf_val.ifc) as
 * for a frame that arrived there: those of what li_loader_set_interface() was
 * told, so replay can use made-up indices for capture interface names.
 * Frames of 14 (the kernel's -EINVAL below) to LI_TEST_RUN_MAX bytes
 * (-EMSGSIZE above); replay cuts longer ones to fit (src/replay/fit.h).
 */
#define LI_TEST_RUN_MAX 3000
int li_loader_test_run(struct li_loader *l, const void *frame, __u32 len,
		       int ifindex, struct li_pkt *pkt, struct li_verdict *v);
/* The same through localin_xdp_l3: @frame starts at the IP header. */
int li_loader_test_run_l3(struct li_loader *l, const void *frame, __u32 len,
			  int ifindex, struct li_pkt *pkt,
			  struct li_verdict *v);
/*
 * One frame through the egress program (session.h) as if the gateway
 * sent it: a frame from a local address opens or refreshes its session.
 */
int li_loader_test_run_egress(struct li_loader *l, const void *frame,
			      __u32 len);
/* The same @repeat times (bench/xdp); the kernel's mean ns per run. */
int li_loader_bench_egress(struct li_loader *l, const void *frame, __u32 len,
			   __u32 repeat, __u32 *ns);
/*
 * A fresh session id from the program's counter (a traced first packet
 * that opened no session: replay --engine xdp traces in user space).
 * Not atomic against the program: for test runs, where nothing else runs.
 */
__u32 li_loader_sess_id(struct li_loader *l);
/*
 * Forget every session and start the session ids at 1 again, as a fresh
 * load would (tests: one loader for many configs, ids compared with a
 * fresh li_host's).
 */
int li_loader_sess_flush(struct li_loader *l);
/*
 * The packet time test runs give the program (the IKE window, sa_slot.h):
 * replay passes each packet's, so both engines judge by one clock.
 */
void li_loader_set_test_time(struct li_loader *l, __u64 ns);
/*
 * Policy hit counters read and zeroed one key at a time from now on, as
 * on a kernel that refuses batch map operations (before 5.6): the
 * fallback's test (diff_hits).
 */
void li_loader_test_no_batch(struct li_loader *l);
/*
 * @frame @repeat times as a gateway's frame arrives on device @ifindex
 * (one that exists here: lo's 1 will do), without the test-run metadata
 * li_loader_test_run() prepends, which no daemon's frame carries: the
 * kernel's mean ns per run in *@ns, the XDP action of the runs in
 * *@action (if not NULL). bench/xdp times this.
 */
int li_loader_bench(struct li_loader *l, const void *frame, __u32 len,
		    int ifindex, __u32 repeat, __u32 *ns, __u32 *action);

#endif
