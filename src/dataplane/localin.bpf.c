// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP data path: parse (parse.h), decide (match.h) over the ruleset
 * image in maps (maps.h), count, and tell user space (event.h). Nothing
 * here decides anything of its own: the accessors below only read maps.
 *
 * Built with UAPI headers only (no kernel structs are read, so there is
 * nothing for CO-RE to relocate). Sized maps carry max_entries 1 here; the
 * loader sets the real sizes before load (see maps.h).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "dataplane/maps.h"
#include "dataplane/parse.h"
#include "dataplane/flow_filter.h"

/*
 * The configuration and every table a packet reads on its common ways,
 * in one value (struct li_conf_val, maps.h): a packet looks it up once.
 * The loader sizes it before load (its tables' capacities) and writes it
 * through its mapping: state words in place, a set's tables while the
 * other set is in force. li_conf_last is the index of li_conf_val.tab's
 * last word, which the loader sets before load too: read-only data, a
 * constant to the verifier, which bounds every offset into tab by it.
 */
#define LI_CONF_TAB_DEF 64 /* words of tab before the loader sizes it */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	/* the loader's; these defaults only let `bpftool prog load` verify */
	__uint(value_size,
	       sizeof(struct li_conf_val) + LI_CONF_TAB_DEF * sizeof(__u32));
} li_conf SEC(".maps");

const volatile __u32 li_conf_last = LI_CONF_TAB_DEF - 1;

/*
 * LI_STATE_UPPERS's copy (maps.h), which the loader writes with it
 * (li_uppers_set): read by an Ethernet frame's program before its parse,
 * where the state word would cost a lookup of li_conf of its own (an
 * array lookup the verifier inlines, six to eight instructions, on every
 * frame; li_judge looks li_conf up after the parse anyway). Its map
 * (.bss) is pinned, adopted and shared by the objects of li_attach_obj as
 * the others are; a successor is given it by inherit().
 */
volatile __u32 li_uppers_on;

/*
 * Key 0 of the one-entry maps, in read-only data: a lookup passes its
 * address in one instruction, where a key on the stack costs a store
 * and two to point at it.
 */
static const __u32 li_zero;

#define LI_PORT_ENTRIES (LI_PORT_ELEMS * LI_PORT_ELEM)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* LI_NR_SETS * cap_cross */
	__type(key, __u32);
	__type(value, __u32);
} li_cross SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* LI_NR_SETS * cap_bm */
	__type(key, __u32);
	__type(value, __u64);
} li_bm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* LI_NR_SETS * cap_pol */
	__type(key, __u32);
	__type(value, __u64);
} li_pol_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LI_IFC_HASH_MAX);
	__type(key, struct li_ifc_key);
	__type(value, struct li_ifc);
} li_ifc_big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LI_IKE_SEEN_MAX);
	__type(key, struct li_ike_key);
	__type(value, __u64);
} li_ike_seen SEC(".maps");

/* A new peer's IKE let through (sa_slot.h): apart from the known peers'. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LI_IKE_SEEN_MAX);
	__type(key, struct li_ike_key);
	__type(value, __u64);
} li_ike_new SEC(".maps");

/* The gateway's own IKE that makes SAs, by peer (sa_slot.h LI_SAS_IKE_GATE). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LI_IKE_SEEN_MAX);
	__type(key, struct li_ike_key);
	__type(value, __u64);
} li_ike_sent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LI_SAS_MAX);
	__type(key, __u32);
	__type(value, struct li_sa_stat);
} li_sa_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LI_FRAGS_MAX);
	__type(key, struct li_frag_key);
	__type(value, struct li_verdict);
} li_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LI_RINGBUF_SIZE);
} li_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FLOW_NR_FILTERS); /* filter, filter6 */
	__type(key, __u32);
	__type(value, struct flow_filter);
} li_trace_filter SEC(".maps");

/* Sessions (session.h): the decision's and the egress program's. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LI_SESS_BUCKETS);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader's walks and deletes */
	__type(key, __u32);
	__type(value, struct li_sess_bucket);
} li_sess_tab SEC(".maps");

/* [0]: the last session id handed out. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} li_sess_ids SEC(".maps");

/* The CPU's scratch, token buckets and counters (maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct li_cpu);
} li_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct li_test_out);
} li_test_out SEC(".maps");

/* The context of match.h's accessors: one set, one arrival interface. */
struct li_xctx {
	const struct li_set_hdr *h;
	const struct li_fam_hdr *f; /* h's of the packet's family (fh) */
	struct li_conf_val *cv;	    /* li_conf's: the tables (maps.h) */
	struct li_cpu *s;	    /* this CPU's */
	__u32 set;
	__u32 locals_off;
	__u32 sas_state; /* li_conf state[LI_STATE_SAS] */
	__u32 ifindex;	 /* arrival interface */
	__u64 test_now;	 /* a test run's packet time, or 0 */
	__u32 test_run;	 /* a test run with our metadata (replay, tests) */
	struct li_sess_key *sk; /* the program's scratch, for match.h */
	struct li_sess *sn;
};

#define LI_CTX struct li_xctx

/*
 * An entry of li_conf's value, its address held whole: a load's offset
 * is 16 bits, and the tables lie megabytes into the value, so clang
 * otherwise added the table's offset again for each field it read
 * (ESP 374 -> 397 instructions without this, bench/xdp/insns.sh).
 */
#define li_entry(p)                           \
	({                                    \
		typeof(p) __e = (p);          \
		asm volatile("" : "+r"(__e)); \
		__e;                          \
	})

/*
 * Verifiers before Linux 6.7 (Debian 12 runs 6.1) know nothing of a
 * register ORed with another that is not a constant, and refuse it as an
 * index; they do follow an ADD and an AND. clang writes (a + b) as
 * (a | b) when it can prove the two share no bit, and drops a mask it can
 * prove redundant. li_opaque(x) hides what clang knows of @x, so that a
 * sum with it stays an ADD (no instruction more); li_mask(x, mask) keeps
 * the AND that bounds an index clang built with an OR.
 */
#define li_opaque(x)                          \
	({                                    \
		typeof(x) __o = (x);          \
		asm volatile("" : "+r"(__o)); \
		__o;                          \
	})
#define li_mask(x, mask) (li_opaque((__u32)(x)) & (mask))

/*
 * The family header of @fam. match.h asks for the packet's family only
 * (p->family == 6, and pol_key below), so it is found once per packet
 * (set_ctx): the packet's facts live in li_cpu, which clang must assume
 * every store may change, so &h->fam[p->family == 6] cost a load of the
 * family, a branch and the address's arithmetic at each of a decision's
 * dozen reads.
 */
static __always_inline const struct li_fam_hdr *fh(const LI_CTX *c, int fam)
{
	return c->f;
}

static __always_inline __u32 li_acc_bm_words(const LI_CTX *c, int fam)
{
	return fh(c, fam)->bm_words;
}

/*
 * The arrival interface's class, looked up only for a packet the
 * policies judge whose destination's memo does not hold its phase B
 * (li_dst_memo, once): ESP and a session's packets do not pay for it.
 */
static __always_inline __u32 li_acc_intf_class(const LI_CTX *c, int fam)
{
	const struct li_ifc *e;

	if (c->ifindex < LI_IFC_ARRAY) {
		/* li_ifc_key() of a set (0, 1) and an index below the array's */
		e = li_entry(&c->cv->ifc[li_ifc_key(c->set, c->ifindex) &
					 (LI_NR_SETS * LI_IFC_ARRAY - 1)]);
	} else {
		struct li_ifc_key hk = { .set = c->set, .ifindex = c->ifindex };

		e = bpf_map_lookup_elem(&li_ifc_big, &hk);
		if (!e)
			return fh(c, fam)->intf_other;
	}
	if (e->valid)
		return e->cls[fam & 1];
	return fh(c, fam)->intf_other;
}

/*
 * One address table: li_conf_val.tab, the byte offset of the table's
 * root there (loader_image.c rebase_hdr), and li_conf_last read once (a
 * volatile, it is read again at every use).
 */
struct li_addr_tab {
	const __u32 *v;
	__u32 first, last;
};

#define LI_ADDR_TAB struct li_addr_tab

static __always_inline int li_acc_addr_one(const LI_CTX *c, int fam, int dim)
{
	return (fh(c, fam)->addr_one >> (dim == LI_DIM_DST)) & 1;
}

static __always_inline LI_ADDR_TAB li_acc_addr_tab(const LI_CTX *c, int fam,
						   int dim)
{
	LI_ADDR_TAB t = {
		.v = li_entry(&c->cv->tab[0]),
		.first = fh(c, fam)->addr_at[dim == LI_DIM_DST],
		.last = li_conf_last,
	};

	return t;
}

/*
 * Root entry @i. The root's offset comes from the set's header, read at
 * the head of the chain of loads a decision waits for: held in bytes,
 * it is one add from this load, where an index was a shift, an add and
 * a shift (bench/xdp/insns.py --chain).
 */
static __always_inline __u32 addr_entry(LI_ADDR_TAB t, __u32 i)
{
	__u32 k = t.first + i * (__u32)sizeof(__u32);

	if (k > t.last * (__u32)sizeof(__u32))
		return 0;
	return *(const __u32 *)((const __u8 *)t.v + k);
}

static __always_inline __u32 li_acc_addr_root(const LI_CTX *c, LI_ADDR_TAB t,
					      __u32 i)
{
	return addr_entry(t, i & (LI_ROOT_SIZE - 1));
}

/*
 * Entry @byte of the block that @e names: LI_NEXT | the block's byte
 * offset in tab (image_layout.h li_addr_next_at), so that a level adds
 * no table base and multiplies nothing.
 */
static __always_inline __u32 li_acc_addr_next(const LI_CTX *c, LI_ADDR_TAB t,
					      __u32 e, __u32 byte)
{
	__u32 k = (e ^ LI_NEXT) + byte * (__u32)sizeof(__u32);

	if (k > t.last * (__u32)sizeof(__u32))
		return 0;
	return *(const __u32 *)((const __u8 *)t.v + k);
}

static __always_inline __u32 li_acc_svc_proto(const LI_CTX *c, int fam,
					      __u32 proto)
{
	return fh(c, fam)->proto_map[proto & 0xff];
}

static __always_inline __u32 li_acc_svc_port(const LI_CTX *c, int fam, __u32 p,
					     int src, __u32 port)
{
	__u32 k = li_port_table_key(c->set, fam, p, src) * LI_PORT_ELEM +
		  li_opaque(port & 0xffff);

	return k < LI_PORT_ENTRIES ? c->cv->port[k] : 0;
}

static __always_inline int li_acc_svc_direct(const LI_CTX *c, int fam, __u32 p)
{
	return (fh(c, fam)->svc_direct >> (p & 31)) & 1;
}

static __always_inline __u32 li_acc_svc_cross(const LI_CTX *c, int fam, __u32 p,
					      __u32 d, __u32 s)
{
	const struct li_fam_hdr *f = fh(c, fam);
	__u32 k, *e;

	if (p >= LI_NR_PORT_PROTOS)
		return 0;
	k = f->cross_base[p] + li_cross_index(d, s, f->nr_sclass[p]);
	e = bpf_map_lookup_elem(&li_cross, &k);
	return e ? *e : 0;
}

static __always_inline __u32 li_acc_svc_unknown(const LI_CTX *c, int fam,
						__u32 p)
{
	return p < LI_NR_PORT_PROTOS ? fh(c, fam)->unknown_ports[p] : 0;
}

/* A bitmap row is its first word's key in li_bm. */
#define LI_BM_ROW __u32

static __always_inline __u32 li_acc_bm_row(const LI_CTX *c, int fam, int dim,
					   __u32 cls)
{
	const struct li_fam_hdr *f = fh(c, fam);
	__u32 k = f->bm_base[dim];

	if (dim != LI_DIM_ACTIVE)
		k += li_bm_row_index(cls, f->bm_words);
	return k;
}

static __always_inline __u64 li_acc_bm_word(const LI_CTX *c, __u32 row, __u32 w)
{
	__u32 k = row + w;
	__u64 *e = bpf_map_lookup_elem(&li_bm, &k);

	return e ? *e : 0;
}

/*
 * Entry @k of the phase tables (compile/phase.c; the header's bases are
 * the set's in li_conf_val.tab, rebase_hdr in loader_image.c), in @v;
 * li_conf_last @last (read once by the caller: a volatile is read again
 * at every use).
 */
static __always_inline __u32 phase_entry(const __u32 *v, __u32 last, __u32 k)
{
	return k <= last ? v[k] : 0;
}

static __always_inline int li_acc_phase_on(const LI_CTX *c, int fam)
{
	return fh(c, fam)->phase_on;
}

/*
 * The image holds rows where the host has classes (compile/image.c): cs
 * is its row of sv and A its row of ab, so neither read multiplies.
 * The operand that comes last, the source's row (the end of the trie's
 * walk) and then A, is added last: the empty asm holds the sum of the
 * others, which clang otherwise added after it, one add more on the
 * chain of loads each waits for (bench/xdp/insns.py --chain).
 */
static __always_inline __u32 li_acc_phase_a(const LI_CTX *c, int fam, __u32 cs,
					    __u32 cv)
{
	const struct li_fam_hdr *f = fh(c, fam);
	__u32 row = f->ph_sv + cv;

	asm("" : "+r"(row));
	return phase_entry(li_entry(&c->cv->tab[0]), li_conf_last, row + cs);
}

static __always_inline __u32 li_acc_phase_b(const LI_CTX *c, int fam, __u32 ci,
					    __u32 cd)
{
	const struct li_fam_hdr *f = fh(c, fam);

	return phase_entry(li_entry(&c->cv->tab[0]), li_conf_last,
			   f->ph_id + ci * f->ph_ndst + cd);
}

static __always_inline int li_acc_phase_ab(const LI_CTX *c, int fam, __u32 a,
					   __u32 b)
{
	const struct li_fam_hdr *f = fh(c, fam);
	__u32 row = f->ph_ab + b;

	asm("" : "+r"(row));
	return (int)phase_entry(li_entry(&c->cv->tab[0]), li_conf_last,
				row + a);
}

/* Policy @idx of a family: its key in li_pol_hits. */
static __always_inline __u32 pol_key(const LI_CTX *c, int fam, __u32 idx)
{
	return fh(c, fam)->pol_base + idx;
}

/*
 * Policy @idx of a family matched: its hit (diagnose firewall iprope
 * list), counted where match.h finds the policy, the index in a
 * register. Counted after li_decide_local(), as it was, the index came
 * back from the verdict in the scratch, which count()'s store may alias
 * for all clang knows: a store and a load more at the end of a denied
 * first packet's chain of loads, and the verifier walked 65k
 * instructions more (bench/xdp/README.md, sixteenth part).
 */
static __always_inline void li_acc_pol_hit(const LI_CTX *c, int fam, __u32 idx)
{
	__u32 k = pol_key(c, fam, idx);
	__u64 *n = bpf_map_lookup_elem(&li_pol_hits, &k);

	if (n)
		*n += 1;
}

#define LI_POL_WORDS (sizeof(struct li_policy) / sizeof(__u32))

/* Policy @idx of a family: from its first word in li_conf_val.tab. */
static __always_inline int li_acc_policy(const LI_CTX *c, int fam, __u32 idx,
					 struct li_policy *out)
{
	const struct li_fam_hdr *f = fh(c, fam);
	const struct li_policy *e;
	__u32 k;

	if (idx >= f->nr_policies)
		return -1;
	k = f->pol_at + idx * LI_POL_WORDS;
	if (k > li_conf_last - (LI_POL_WORDS - 1))
		return -1;
	e = (const struct li_policy *)li_entry(&c->cv->tab[k]);
	out->id = e->id;
	out->sched = e->sched;
	out->action = e->action;
	out->flags = e->flags;
	return 0;
}

/* Slot @k of the locals half in force (local_slot.h). */
static __always_inline struct li_local_slot *local_slot(const LI_CTX *c,
							__u32 k)
{
	return li_entry(&c->cv->locals[li_mask(c->locals_off + k,
					       2 * LI_LOCAL_SLOTS - 1)]);
}

static __always_inline const struct li_local_slot *
li_acc_local_slot(const LI_CTX *c, __u32 k)
{
	return local_slot(c, k);
}

/*
 * The slot's memo is read here, where the probe has the slot in hand: a
 * lookup again in li_dst_memo() cost some ten instructions.
 */
static __always_inline void li_acc_local_at(const LI_CTX *c, __u32 k,
					    const struct li_local_slot *e)
{
	c->s->local_at = k;
	c->s->local_memo = e ? e->dst_memo : 0;
}

/* The slot li_acc_local_at() named, or NULL. */
static __always_inline struct li_local_slot *local_at(const LI_CTX *c)
{
	__u32 k = c->s->local_at;

	if (k >= LI_LOCAL_SLOTS)
		return 0;
	return local_slot(c, k);
}

/* The memo's layout: local_slot.h. */
static __always_inline int li_acc_dst_memo(const LI_CTX *c, __u32 *v)
{
	__u64 m = c->s->local_memo;

	if ((__u32)(m >> 32) != c->h->gen || ((__u32)m >> 16) != c->ifindex)
		return 0;
	*v = (__u32)m & 0xffff;
	return 1;
}

static __always_inline void li_acc_dst_memo_put(const LI_CTX *c, __u32 v)
{
	struct li_local_slot *e = local_at(c);

	if (e && v < 0x10000 && c->ifindex < 0x10000)
		e->dst_memo = (__u64)c->h->gen << 32 | c->ifindex << 16 | v;
}

static __always_inline int li_acc_detect_esp(const LI_CTX *c)
{
	return c->h->detect_esp && !(c->sas_state & LI_SAS_UNCHECKED);
}

static __always_inline __u32 li_acc_sa_bits(const LI_CTX *c)
{
	return (c->sas_state >> 8) & 0xff;
}

/* Slot @k of the half in force (sa_slot.h). */
static __always_inline const struct li_sa_slot *li_acc_sa_slot(const LI_CTX *c,
							       __u32 k)
{
	k = li_mask(li_set_key(c->sas_state & 1, LI_SA_SLOTS,
			       k & (LI_SA_SLOTS - 1)),
		    2 * LI_SA_SLOTS - 1);
	return li_entry(&c->cv->sas[k]);
}

static __always_inline int li_acc_esp_wrong_peer_drop(const LI_CTX *c)
{
	return c->h->esp_wrong_peer_drop;
}

static __always_inline void ike_key_of(struct li_ike_key *k, __u8 family,
				       const __u32 *addr)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = family;
	__builtin_memcpy(k->addr, addr, sizeof(k->addr));
}

static __always_inline void ike_key(struct li_ike_key *k,
				    const struct li_pkt *p)
{
	ike_key_of(k, p->family, p->saddr);
}

/* The IKE window's clock: a test run's packet time, or the kernel's. */
static __always_inline __u64 ike_now(const LI_CTX *c)
{
	__u64 t = c->test_now;

	return t ? t : bpf_ktime_get_coarse_ns();
}

/*
 * Only for an unknown SPI from a known peer: the daemon has not kept the
 * SA table for LI_SAS_STALE_NS (no future: the coarse clock may lag its
 * write).
 */
static __always_inline int li_acc_sas_stale(const LI_CTX *c)
{
	__u64 alive = c->cv->conf.sas_alive_ns;

	return alive && ike_now(c) > alive + LI_SAS_STALE_NS;
}

/* Only on rare paths (a known peer's IKE, an unknown SPI from a peer). */
static __always_inline int li_acc_ike_recent(const LI_CTX *c,
					     const struct li_pkt *p)
{
	struct li_ike_key k;
	__u64 *t;

	ike_key(&k, p);
	t = bpf_map_lookup_elem(&li_ike_seen, &k);
	return t && ike_now(c) - *t < LI_IKE_WINDOW_NS;
}

/* An IKE message from p's source let through now, in @map; the time. */
static __always_inline __u64 ike_note_in(void *map, const LI_CTX *c,
					 const struct li_pkt *p)
{
	struct li_ike_key k;
	__u64 now = ike_now(c);

	ike_key(&k, p);
	bpf_map_update_elem(map, &k, &now, BPF_ANY);
	return now;
}

static __always_inline void li_acc_ike_note(const LI_CTX *c,
					    const struct li_pkt *p)
{
	ike_note_in(&li_ike_seen, c, p);
}

/*
 * The coarse clock (a tick's resolution is plenty for a token bucket and a
 * log line), read at most once per tick on each CPU: the helper costs about
 * 19 ns a call on the project VM, the jiffies test (inlined by the kernel)
 * about one. The coarse clock moves only when jiffies do (the tick that
 * advances jiffies updates the timekeeper right after), so the cached value
 * lags a fresh read by at most that one tick, and stays monotonic per CPU.
 * The cache lives with the token buckets (li_cpu): one lookup for both.
 */
static __always_inline __u64 cpu_now_at(struct li_tb_cpu *c, __u64 j)
{
	if (c->jiffies != j || !c->ns) {
		c->jiffies = j;
		c->ns = bpf_ktime_get_coarse_ns();
	}
	return c->ns;
}

static __always_inline __u64 cpu_now(struct li_tb_cpu *c)
{
	return cpu_now_at(c, bpf_jiffies64());
}

/*
 * A new peer's IKE let through: its address for li_acc_ike_new_recent(),
 * and the latest such time for the flood's test there. That word only
 * grows (a CPU whose clock lags the writer's by its tick leaves it), and
 * is written at most once a tick per CPU: other CPUs' copies of its line
 * stay valid.
 */
static __always_inline void li_acc_ike_new_note(const LI_CTX *c,
						const struct li_pkt *p)
{
	__u64 now = ike_note_in(&li_ike_new, c, p);

	if (now > c->cv->ike_new_ns)
		c->cv->ike_new_ns = now;
}

/*
 * The gateway's own IKE to p's destination (match.h li_ike_out, from the
 * egress program only): its window, and the trust of its own IKE.
 */
static __always_inline void
li_acc_ike_out_note(const LI_CTX *c, const struct li_pkt *p, int known)
{
	struct li_ike_key k;
	__u64 now = ike_now(c);

	ike_key_of(&k, p->family, p->daddr);
	bpf_map_update_elem(&li_ike_sent, &k, &now, BPF_ANY);
	bpf_map_update_elem(known ? (void *)&li_ike_seen : (void *)&li_ike_new,
			    &k, &now, BPF_ANY);
	if (!known && now > c->cv->ike_new_ns)
		c->cv->ike_new_ns = now;
}

/* Only for IKE that makes SAs, let through (match.h). */
static __always_inline int li_acc_ike_sent_ok(const LI_CTX *c,
					      const struct li_pkt *p)
{
	struct li_ike_key k;
	__u64 *t;

	if (!(c->sas_state & LI_SAS_IKE_GATE))
		return 1;
	ike_key(&k, p);
	t = bpf_map_lookup_elem(&li_ike_sent, &k);
	return t && ike_now(c) - *t < LI_IKE_SENT_TRUST_NS;
}

/*
 * An unknown SPI from an address of no known peer, which a flood of
 * forged ESP asks at every frame: so first by the CPU's clock of the
 * tick (cpu_now: the inlined jiffies, the helper once a tick) against
 * the latest new peer's IKE and the daemon's heartbeat, no lookup while
 * neither is near. Then the address's own IKE: within the window, or,
 * while no daemon keeps the SA table, since about when it stopped
 * (sa_slot.h).
 */
static __always_inline int li_acc_ike_new_recent(const LI_CTX *c,
						 const struct li_pkt *p)
{
	__u64 alive = c->cv->conf.sas_alive_ns, last = c->cv->ike_new_ns,
	      t = c->test_now, *seen, now;
	struct li_ike_key k;
	int stale;

	if (!alive && !last) /* no daemon's table, no new peer ever */
		return 0;
	now = t ? t : cpu_now(&c->s->tb);
	stale = alive && now > alive + LI_SAS_STALE_NS;
	if (!stale && now >= last + LI_IKE_WINDOW_NS)
		return 0;
	ike_key(&k, p);
	seen = bpf_map_lookup_elem(&li_ike_new, &k);
	if (!seen)
		return 0;
	if (stale)
		return *seen + LI_IKE_WINDOW_NS > alive;
	return ike_now(c) - *seen < LI_IKE_WINDOW_NS;
}

static __always_inline int li_acc_log_allow(const LI_CTX *c)
{
	return c->h->log_allow;
}

static __always_inline int li_acc_sess_maybe(const LI_CTX *c, __u32 bit)
{
	__u32 half = c->cv->conf.state[LI_STATE_HINT] & 1,
	      w = li_set_key(half, LI_SESS_HINT_WORDS, bit >> 6);

	return (c->cv->sess_hint[li_mask(w, LI_SESS_HINT_MASK)] >> (bit & 63)) &
	       1;
}

static __always_inline struct li_sess_bucket *
sess_bucket(const LI_CTX *c, const struct li_sess_key *k)
{
	__u32 i = li_sess_bucket_of(k, c->cv->conf.sess_seed);

	return bpf_map_lookup_elem(&li_sess_tab, &i);
}

static __always_inline struct li_sess *
li_acc_sess_find(const LI_CTX *c, const struct li_sess_key *k)
{
	struct li_sess_bucket *b = sess_bucket(c, k);
	struct li_sess_slot *e = b ? li_sess_slot_find(b, k) : 0;

	return e ? &e->s : 0;
}

static __always_inline struct li_sess_key *li_acc_sess_key(const LI_CTX *c)
{
	return c->sk;
}

static __always_inline struct li_sess *li_acc_sess_tmp(const LI_CTX *c)
{
	return c->sn;
}

static __always_inline __u32 li_acc_ifindex(const LI_CTX *c)
{
	return c->ifindex;
}

static __always_inline void count(struct li_cpu *cpu, __u32 i)
{
	if (i < LI_NR_STATS)
		cpu->stats[i] += 1;
}

/*
 * Opened sessions are counted: status compares them with those it saw
 * end. @s's last_ns is the time it opens at.
 */
static __always_inline int li_acc_sess_open(const LI_CTX *c,
					    const struct li_sess_key *k,
					    struct li_sess *s)
{
	struct li_sess_bucket *b = sess_bucket(c, k);
	__u32 bit = li_sess_hint_bit(k), w = bit >> 6, half, seq;
	struct li_sess_slot *e;
	__u64 *h;

	if (!b)
		return -2; /* -ENOENT */
	e = li_sess_slot_victim(b, k, s->last_ns);
	seq = li_sess_slot_claim(e);
	if (!seq)
		return -16; /* -EBUSY: another CPU writes it; the next packet */
	li_sess_slot_put(e, k, s);
	li_sess_slot_release(e, seq);
	count(c->s, LI_ST_SESS_OPENED);
	/* After the insert, in both halves (session.h). */
	for (half = 0; half < 2; half++) {
		h = &c->cv->sess_hint[li_mask(
			li_set_key(half, LI_SESS_HINT_WORDS, w),
			LI_SESS_HINT_MASK)];
		if (!((*h >> (bit & 63)) & 1))
			__sync_fetch_and_or(h, 1ull << (bit & 63));
	}
	return 0;
}

/* Sessions' clock: a test run's packet time, or the coarse clock. */
static __always_inline __u64 li_acc_sess_now(const LI_CTX *c)
{
	__u64 t = c->test_now;

	return t ? t : cpu_now(&c->s->tb);
}

static __always_inline __u32 li_acc_sess_gen(const LI_CTX *c)
{
	return c->h->gen;
}

static __always_inline __u32 li_acc_sess_id(const LI_CTX *c)
{
	__u32 *n = bpf_map_lookup_elem(&li_sess_ids, &li_zero), id;

	if (!n)
		return 1;
	id = __sync_fetch_and_add(n, 1) + 1;
	if (!id) /* 0 reads as "none" */
		id = __sync_fetch_and_add(n, 1) + 1;
	return id;
}

static __always_inline void frag_key(struct li_frag_key *k,
				     const struct li_pkt *p)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = p->family;
	k->proto = p->frag_proto; /* packet.h: not proto, in IPv6 */
	k->id = p->frag_id;
	__builtin_memcpy(k->saddr, p->saddr, sizeof(k->saddr));
	__builtin_memcpy(k->daddr, p->daddr, sizeof(k->daddr));
}

static __always_inline int
li_acc_frag_get(const LI_CTX *c, const struct li_pkt *p, struct li_verdict *v)
{
	struct li_frag_key k;
	struct li_verdict *e;

	frag_key(&k, p);
	e = bpf_map_lookup_elem(&li_frags, &k);
	if (!e)
		return 0;
	*v = *e;
	return 1;
}

static __always_inline void li_acc_frag_put(const LI_CTX *c,
					    const struct li_pkt *p,
					    const struct li_verdict *v)
{
	struct li_frag_key k;

	frag_key(&k, p);
	bpf_map_update_elem(&li_frags, &k, v, BPF_ANY);
}

/*
 * match.h's word loop, inlined (a call to a global function costs about
 * 10 ns: see li_judge). Its result passes through the CPU's scratch, a
 * store and a volatile load, so that the verifier sees an unknown index
 * after it. Otherwise the index is a constant on each of the verifier's
 * paths (one per word and per way through li_ctz64(), 256 * 64), the
 * check idx >= 0 after it marks that constant precise, and the verifier
 * walks the rest of the program once per path: 295k instructions
 * processed without the store, 115k with it.
 */
static __always_inline int li_first_match(const LI_CTX *c, int fam, __u32 words,
					  __u32 ci, __u32 cs, __u32 cd,
					  __u32 cv);

static __always_inline int li_fm(const LI_CTX *c, int fam, __u32 words,
				 __u32 ci, __u32 cs, __u32 cd, __u32 cv)
{
	volatile __s32 *r = &c->s->fm_idx;

	*r = li_first_match(c, fam, words, ci, cs, cd, cv);
	return *r;
}

#define LI_FIRST_MATCH li_fm
#include "dataplane/match.h"

/*
 * The context of set @set: its header, whose bases are the set's keys
 * (loader_image.c rebase_hdr), and its part for @p's family. Each pointer
 * passes through an empty asm (li_entry), so that clang holds the pointer
 * itself:
 * otherwise it rebuilt it at each of a decision's reads from the map
 * value, the set's and the family's offsets, three spilled values (ike-
 * denied 685 -> 653 instructions, bench/xdp/insns.sh).
 */
static __always_inline void set_ctx(LI_CTX *c, const struct li_conf *cf,
				    __u32 set, const struct li_pkt *p)
{
	set &= 1;
	c->h = li_entry(&cf->hdr[set].h);
	c->f = li_entry(&c->h->fam[p->family == 6]);
	c->set = set;
}

/* An ESP packet of SA @id, for `diagnose vpn tunnel list`. */
static __always_inline void sa_count(struct xdp_md *ctx, __u32 id)
{
	struct li_sa_stat *st = bpf_map_lookup_elem(&li_sa_stats, &id);

	if (st) {
		st->packets += 1;
		st->bytes += ctx->data_end - ctx->data;
	}
}

/*
 * One event of @kind (below LI_EV_NR_KINDS: emit() checks) may leave now:
 * the CPU's bucket has the credit.
 */
static __always_inline int
tb_allow(struct li_tb_cpu *t, const struct li_conf *cf, __u32 kind, __u64 now)
{
	struct li_tb *b;
	__u64 credit, cost, burst;

	b = &t->tb[kind];
	cost = cf->tb_cost_ns[kind];
	burst = cf->tb_burst_ns[kind];
	credit = b->credit_ns + (now - b->last_ns);
	if (credit > burst || now < b->last_ns)
		credit = burst;
	b->last_ns = now;
	if (credit < cost) {
		b->credit_ns = credit;
		return 0;
	}
	b->credit_ns = credit - cost;
	return 1;
}

/*
 * Whether this submit wakes the reader (maps.h, LI_EV_WAKE_NS): the first
 * on this CPU for a while, or when the ring fills up; else it is drained
 * on the daemon's timer.
 */
static __always_inline __u64 wake_flags(struct li_tb_cpu *t, __u64 now)
{
	if (now - t->woke_ns >= LI_EV_WAKE_NS || now < t->woke_ns ||
	    bpf_ringbuf_query(&li_events, BPF_RB_AVAIL_DATA) >=
		    LI_EV_WAKE_BYTES) {
		t->woke_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/*
 * Did @kind's bucket refuse an event in jiffy @j already (emit())? Then
 * it refuses this one too, counted as suppressed. @kind is below
 * LI_EV_NR_KINDS.
 */
_Static_assert((LI_EV_NR_KINDS & (LI_EV_NR_KINDS - 1)) == 0,
	       "refused() masks an event kind to the buckets");

static __always_inline int refused(const LI_CTX *c, struct li_tb_cpu *t,
				   __u32 kind, __u64 j)
{
	if (t->refused_j[kind & (LI_EV_NR_KINDS - 1)] != j)
		return 0;
	count(c->s, LI_ST_SUPPRESSED + kind);
	return 1;
}

/*
 * The event of @kind at jiffy @j: the bucket first, so a suppressed one
 * costs no more. A bucket that refused an event in this jiffy refuses
 * again without a look: the coarse clock has not moved since (cpu_now),
 * so neither has the credit. A flood's suppressed events then pay one
 * compare and their count, as good as nothing beside a deny not logged
 * (bench/xdp's pfx1 against pfx1q).
 */
static __always_inline void emit(struct xdp_md *ctx, const struct li_conf *cf,
				 const LI_CTX *c, const struct li_test_out *s,
				 struct li_tb_cpu *t, __u32 kind,
				 __u32 trace_id, __u64 j, __u32 *sess_id)
{
	struct li_event *ev;
	__u64 now;

	if (kind >= LI_EV_NR_KINDS || refused(c, t, kind, j))
		return;
	now = cpu_now_at(t, j);
	if (!tb_allow(t, cf, kind, now)) {
		t->refused_j[kind] = j;
		count(c->s, LI_ST_SUPPRESSED + kind);
		return;
	}
	/*
	 * FortiOS allocates a session before the policy check: a first
	 * packet the policies judge that opened none (denied) still has an
	 * id in its log line and trace, from the same counter (one for
	 * both). Only for events that leave, so a suppressed flood pays
	 * nothing for it; the decision itself (li_test_out) keeps 0. A
	 * test run's reader (replay) takes its own (li_loader_sess_id()).
	 */
	if (!*sess_id && !c->test_run && kind != LI_EV_ESP_ERROR &&
	    kind != LI_EV_ESP_PEER &&
	    (s->v.reason == LI_R_POLICY || s->v.reason == LI_R_IMPLICIT))
		*sess_id = li_acc_sess_id(c);
	ev = bpf_ringbuf_reserve(&li_events, sizeof(*ev), 0);
	if (!ev) {
		/* ring full: not the rate limit's doing, a count of its own */
		count(c->s, LI_ST_RING_FULL + kind);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->kind = (__u8)kind;
	ev->set = (__u8)c->set;
	ev->ifindex = c->ifindex;
	ev->trace_id = trace_id;
	ev->ktime_ns = now;
	__builtin_memcpy(&ev->pkt, &s->pkt, sizeof(ev->pkt));
	__builtin_memcpy(&ev->verdict, &s->v, sizeof(ev->verdict));
	ev->verdict.sess_id = *sess_id;
	bpf_ringbuf_submit(ev, wake_flags(t, now));
}

/* Take one packet of the trace budget, atomically; its id, or 0. */
static __always_inline __u32 trace_take(struct li_conf *cf,
					const struct li_pkt *p)
{
	__s64 *rem = &cf->trace[LI_TR_REMAINING];
	__s64 *issued = &cf->trace[LI_TR_ISSUED], id;
	struct flow_filter *f;
	/*
	 * A key on the stack: with li_zero, clang laid out the registers
	 * of the decision before it worse (4 instructions more on every
	 * local frame, bench/xdp/insns.sh). The packet's family picks
	 * `filter` or `filter6`.
	 */
	__u32 k;

	if (*rem <= 0)
		return 0;
	k = li_flow_filter_of(p);
	f = bpf_map_lookup_elem(&li_trace_filter, &k);
	if (!f || !li_flow_filter_match(f, p))
		return 0;
	if (__sync_fetch_and_add(rem, -1) <= 0) {
		__sync_fetch_and_add(rem, 1);
		return 0;
	}
	id = __sync_fetch_and_add(issued, 1) + 1;
	/* trace id 0 reads as "none": skip it when the count wraps */
	if (!(__u32)id)
		id = __sync_fetch_and_add(issued, 1) + 1;
	return (__u32)id;
}

/*
 * The events this decision is due; time is read only for those. The
 * matched policy's LOG bits came with the verdict (v->pol_flags).
 */
static __always_inline void tell(struct xdp_md *ctx, struct li_conf *cf,
				 const LI_CTX *c, const struct li_test_out *s)
{
	const struct li_verdict *v = &s->v;
	__u32 kind = LI_EV_NR_KINDS, id, sid = v->sess_id;
	__u64 j;

	/*
	 * A reason has one kind of event at most (policy and implicit
	 * decisions, the two ESP errors); LI_EV_NR_KINDS: none. ESP passed
	 * unverified is told as an ESP error, from its bucket: the daemon
	 * holds it until the SA would have been read, and logs it only if
	 * no SA ever had its SPI (daemon/unverified.c). Most of a
	 * gateway's packets are of a session or a known SPI, and a flood's
	 * mostly not logged: with no trace running they pay this and the
	 * budget's test, nothing more.
	 */
	if (v->reason == LI_R_ESP_UNKNOWN_SPI ||
	    v->reason == LI_R_ESP_UNVERIFIED)
		kind = LI_EV_ESP_ERROR;
	else if (v->reason == LI_R_ESP_WRONG_PEER)
		kind = LI_EV_ESP_PEER;
	else if (li_traffic_logged(v, v->pol_flags, c->h->log_allow))
		kind = LI_EV_TRAFFIC;
	if (kind == LI_EV_NR_KINDS && cf->trace[LI_TR_REMAINING] <= 0)
		return;
	/*
	 * No trace: a flood's logged event that its bucket refused in this
	 * jiffy already pays its count and nothing more. The budget is
	 * tested here again rather than once around both tests: clang
	 * merges the two loads, and laid the one-test form out 2 to 5
	 * instructions longer on the other frames (bench/xdp/insns.sh).
	 */
	if (kind != LI_EV_NR_KINDS && cf->trace[LI_TR_REMAINING] <= 0 &&
	    refused(c, &c->s->tb, kind, bpf_jiffies64()))
		return;
	/*
	 * The trace's id before the log line's emit(): the other order
	 * saves a logged denial some 15 instructions, but the verifier then
	 * walks trace_take() once per way out of emit() (tests/diff's walk
	 * 666k -> 752k).
	 */
	id = trace_take(cf, &s->pkt);
	if (kind == LI_EV_NR_KINDS && !id)
		return;
	j = bpf_jiffies64();
	if (kind != LI_EV_NR_KINDS)
		emit(ctx, cf, c, s, &c->s->tb, kind, 0, j, &sid);
	if (id)
		emit(ctx, cf, c, s, &c->s->tb, LI_EV_TRACE, id, j, &sid);
}

/* A test run's metadata (its cookie is this load's), or NULL. */
static __always_inline const struct li_test_meta *
test_meta(struct xdp_md *ctx, const struct li_conf *cf)
{
	const void *meta = (const void *)(long)ctx->data_meta;
	const void *data = (const void *)(long)ctx->data;
	const struct li_test_meta *m = meta;

	if (meta + sizeof(*m) <= data && cf->cookie && m->cookie == cf->cookie)
		return m;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LI_UPPER_MAX);
	__type(key, struct li_upper_key);
	__type(value, __u32);
} li_upper_mac SEC(".maps");

/*
 * Is the unicast Ethernet address at @mac a macvlan's on its lower device
 * @ifindex (maps.h, li_upper_key)? A broadcast or multicast frame is
 * not: the kernel gives the lower device and each macvlan a copy of its
 * own, each judged where it is delivered.
 */
static __always_inline int li_mac_upper(__u32 ifindex, const __u8 *mac,
					const void *data_end)
{
	struct li_upper_key k = { .ifindex = ifindex };

	if ((const void *)(mac + 6) > data_end || (mac[0] & 1))
		return 0;
	__builtin_memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(&li_upper_mac, &k) != 0;
}

/*
 * li_mac_upper() of an XDP frame's destination at its arrival interface
 * (a test run's metadata does not move it: no test run has macvlans), in
 * a function of its own that the verifier walks once: inlined, the
 * states it left (the packet's checked range, the key on the stack) kept
 * the walk of everything after it from meeting the others', past the
 * verifier's limit. Called only where the daemon has put a macvlan
 * (li_uppers_on): a gateway without one pays a load and a branch.
 */
__attribute__((noinline)) int li_xdp_for_upper(struct xdp_md *ctx)
{
	return li_mac_upper(ctx->ingress_ifindex, (const __u8 *)(long)ctx->data,
			    (const void *)(long)ctx->data_end);
}

/*
 * Everything after the parse of the IP header. Inlined: a call to a
 * global function costs about 10 ns a packet here (the return goes
 * through the kernel's return thunk), and the verifier does not walk this
 * once per path through the parser anyway: the facts are in li_cpu, not
 * in registers, so the paths meet in one state.
 *
 * Traffic not for this host needs only the locals table: its transport
 * header, the set's header, its offsets, the interface's classes and the
 * SA table's state are read after li_decide_nonlocal() has found the
 * packet to be ours (not-for-gw 43 -> 40 ns in bench/xdp, and 15 -> 12
 * for the transport header).
 */
static __always_inline int li_judge(struct xdp_md *ctx, struct li_cpu *sc)
{
	__u32 set;
	struct li_test_out *s = &sc->o;
	struct li_conf_val *cv;
	struct li_conf *cf;
	const struct li_test_meta *m;
	struct li_xctx c;
	int nonlocal;

	cv = bpf_map_lookup_elem(&li_conf, &li_zero);
	if (!cv)
		return XDP_PASS;
	cf = &cv->conf;
	c.cv = cv;
	c.locals_off =
		li_set_key(cf->state[LI_STATE_LOCALS] & 1, LI_LOCAL_SLOTS, 0);
	/*
	 * Through the scratch, so that the verifier does not carry "test is
	 * 0" (no metadata) down every path.
	 */
	m = test_meta(ctx, cf);
	*(volatile __u32 *)&sc->test = m ? m->flags & LI_TM_RECORD : 0;
	sc->test_now = m ? m->now_ns : 0;
	c.test_now = sc->test_now;
	c.test_run = m != 0;
	c.sk = &sc->sk;
	c.sn = &sc->sn;
	c.s = sc;
	/*
	 * ctx->ingress_ifindex is read here only, and not as one arm of a
	 * choice: clang 14 made a pointer of ctx + 12 (kept for three reads,
	 * or chosen between two pointers), which the verifier refuses.
	 */
	c.ifindex = ctx->ingress_ifindex;
	asm volatile("" : "+r"(c.ifindex));
	if (m)
		c.ifindex = m->ifindex;

	/*
	 * Not for this host: nothing more to set up (the locals table), nor
	 * to parse (a test run that records the facts gets them all below,
	 * as the host's parser has them).
	 */
	nonlocal = li_decide_nonlocal(&c, &s->pkt, &s->v);
	if (!nonlocal) {
		li_parse_rest((const void *)(long)ctx->data,
			      (const void *)(long)ctx->data_end, &sc->l4,
			      &cv->natt, &s->pkt);
		set = cf->state[LI_STATE_SET] & 1;
		set_ctx(&c, cf, set, &s->pkt);
		c.sas_state = cf->state[LI_STATE_SAS];
		li_decide_local(&c, &s->pkt, &s->v);
	}

	count(sc, LI_ST_REASON + s->v.reason);
	if (!nonlocal) {
		/*
		 * A later fragment's policy: a hit too, as replay counts it
		 * (match.h counts the policies it finds, li_acc_pol_hit).
		 */
		if (s->v.frag_hit && s->v.reason == LI_R_POLICY)
			li_acc_pol_hit(&c, s->pkt.family == 6,
				       (__u32)s->v.policy_idx);
		if (s->v.sa_id)
			sa_count(ctx, s->v.sa_id - 1);
		if (s->v.reason != LI_R_NONLOCAL)
			tell(ctx, cf, &c, s);
	}
	/*
	 * A recording's non-local packet is parsed whole here, not beside
	 * the local one's parse above: there, clang kept a value across the
	 * parse in a register that some ways never write, and spilled it,
	 * which the verifier refuses (R3 !read_ok).
	 */
	if (*(volatile __u32 *)&sc->test) {
		if (nonlocal)
			li_parse_rest((const void *)(long)ctx->data,
				      (const void *)(long)ctx->data_end,
				      &sc->l4, &cv->natt, &s->pkt);
		bpf_map_update_elem(&li_test_out, &li_zero, s, BPF_ANY);
	}
	/*
	 * Not read back from the verdict for a packet not for us: -3 on it,
	 * and clang laid the local frames out 1 to 7 shorter (the
	 * verifier's walk +62k, tests/diff's diff_budget).
	 */
	if (nonlocal)
		return nonlocal == 2 ? XDP_DROP : XDP_PASS;
	return s->v.drop ? XDP_DROP : XDP_PASS;
}

/*
 * One program per kind of frame, the parser's first step a constant in
 * each (@l3: the frame starts at the IP header), as li_egress() below:
 * Ethernet frames pay nothing for the other kind. loader.c attaches
 * localin_xdp_l3 to interfaces without Ethernet frames (li_link_l3).
 */
static __always_inline int li_xdp(struct xdp_md *ctx, int l3)
{
	const void *data = (const void *)(long)ctx->data;
	const void *data_end = (const void *)(long)ctx->data_end;
	struct li_cpu *s;

	s = bpf_map_lookup_elem(&li_cpu, &li_zero);
	if (!s)
		return XDP_PASS;
	/*
	 * For a macvlan of this interface: the kernel delivers it there,
	 * where the macvlan's program judges it, once, by its policies
	 * (the lower device's deny-all dropped what the admin accepted on
	 * the macvlan, and `any` judged it twice). Not for this host here,
	 * before anything else is read: few values live across the call.
	 * IP frames have no MAC: their program is as it was (its verifier
	 * walk grew by a tenth with the lookup moved before the parse).
	 * Expected off: so told, clang lays the parse and the decision out
	 * as without the check, where it had spilled the set's header on the
	 * way to the family's (set_ctx) and reloaded it: a three-level
	 * denied IKE frame 112.2 -> 107.8 model cycles (bench/xdp/README.md,
	 * stop 43).
	 */
	if (!l3) {
		if (__builtin_expect(li_uppers_on, 0) &&
		    li_xdp_for_upper(ctx)) {
			count(s, LI_ST_REASON + LI_R_NONLOCAL);
			return XDP_PASS;
		}
		li_parse_l3(data, data_end, &s->o.pkt, &s->l4);
	} else {
		li_parse_l3_ip(data, data_end, 0, &s->o.pkt, &s->l4);
	}
	return li_judge(ctx, s);
}

SEC("xdp")
int localin_xdp(struct xdp_md *ctx)
{
	return li_xdp(ctx, 0);
}

/* tun, WireGuard, GRE, vti, xfrm, PPP: XDP's data is the IP header. */
SEC("xdp")
int localin_xdp_l3(struct xdp_md *ctx)
{
	return li_xdp(ctx, 1);
}

/*
 * The egress half of sessions (session.h): a packet leaving one of the
 * gateway's addresses opens or refreshes its session, so that the reply
 * passes the XDP program without meeting the policies. On every Ethernet
 * interface and every one of IP frames (clsact egress; links.c says
 * which; @l3 the latter, whose data starts at the IP header there too);
 * it never changes a packet's fate: TC_ACT_UNSPEC lets the next filter
 * decide.
 */
struct li_escratch {
	struct li_pkt pkt;
	struct li_sess_key sk;
	struct li_sess sn;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct li_escratch);
} li_escratch SEC(".maps");

/* Enough of a frame for the parser: Ethernet, VLANs, IPv6, a header. */
#define LI_EGRESS_PULL 128

static __always_inline int li_egress(struct __sk_buff *skb, int uncounted,
				     int l3)
{
	struct li_escratch *es;
	struct li_conf_val *cv;
	const struct li_conf *cf;
	struct li_cpu *cpu;
	struct li_xctx c;
	const void *data, *data_end;

	es = bpf_map_lookup_elem(&li_escratch, &li_zero);
	cv = bpf_map_lookup_elem(&li_conf, &li_zero);
	/* its clock and counters; the XDP program's scratch stays its own */
	cpu = bpf_map_lookup_elem(&li_cpu, &li_zero);
	if (!es || !cv || !cpu)
		return TC_ACT_UNSPEC;
	cf = &cv->conf;
	/*
	 * A VLAN device's packet on its way out of the lower device, the tag
	 * in the skb's metadata (transmit offload: veth, most NICs), not in
	 * its data: the VLAN device's own egress program saw it (every
	 * Ethernet interface has one, links.c), and it is not this
	 * interface's. One tagged in its data is not IP to the parser.
	 */
	if (!l3 && skb->vlan_present && (skb->vlan_tci & LI_VLAN_VID_MASK))
		return TC_ACT_UNSPEC;
	/* Headers outside the linear part: pull what the parser reads. */
	if (skb->data_end - skb->data < LI_EGRESS_PULL &&
	    skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < LI_EGRESS_PULL ?
					       skb->len :
					       LI_EGRESS_PULL);
	data = (const void *)(long)skb->data;
	data_end = (const void *)(long)skb->data_end;
	/* A macvlan's, leaving by its lower device: the macvlan's, as above. */
	if (!l3 && cf->state[LI_STATE_UPPERS] &&
	    li_mac_upper(skb->ifindex, (const __u8 *)data + 6, data_end))
		return TC_ACT_UNSPEC;
	__builtin_memset(&c, 0, sizeof(c));
	c.cv = cv;
	c.locals_off =
		li_set_key(cf->state[LI_STATE_LOCALS] & 1, LI_LOCAL_SLOTS, 0);
	c.sk = &es->sk;
	c.sn = &es->sn;
	c.s = cpu;
	c.ifindex = skb->ifindex;
	/* A test run's packet time: cb[0..1] the cookie, cb[2..3] the time. */
	if (cf->cookie && skb->cb[0] == (__u32)cf->cookie &&
	    skb->cb[1] == (__u32)(cf->cookie >> 32))
		c.test_now = skb->cb[2] | (__u64)skb->cb[3] << 32;
	/*
	 * The frame's whole length, not data_end: the gateway's TCP data
	 * lies in page fragments beyond the pulled headers, and a datagram
	 * the frame seemed not to hold was malformed and opened nothing.
	 */
	/* NAT-T as the XDP program parses: the live SAs' ports (packet.h) */
	li_parse_wire_out(data, data_end, skb->len, l3, &cv->natt, &es->pkt);
	/* The gateway's IKE: the set's header and SA state for it alone. */
	if (es->pkt.flags & (LI_PKT_IKE | LI_PKT_IKE_OUT)) {
		set_ctx(&c, cf, cf->state[LI_STATE_SET], &es->pkt);
		c.sas_state = cf->state[LI_STATE_SAS];
		li_ike_out(&c, &es->pkt);
	}
	li_sess_egress_how(&c, &es->pkt, uncounted);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int localin_egress(struct __sk_buff *skb)
{
	return li_egress(skb, 0, 0);
}

/*
 * Alone on an interface the XDP program is not on (links.c): what it
 * sees may have been counted on a policed device above it (a VLAN, a
 * bridge, a bond), so it opens and keeps sessions without counting.
 */
SEC("tc")
int localin_eg_only(struct __sk_buff *skb)
{
	return li_egress(skb, 1, 0);
}

/*
 * The same two on an interface without Ethernet frames: at its egress
 * hook too the skb's data starts at the IP header (loader_tc.c).
 */
SEC("tc")
int localin_egr_l3(struct __sk_buff *skb)
{
	return li_egress(skb, 0, 1);
}

SEC("tc")
int localin_ego_l3(struct __sk_buff *skb)
{
	return li_egress(skb, 1, 1);
}

char LICENSE[] SEC("license") = "GPL";
