// SPDX-License-Identifier: GPL-2.0
/*
 * Host accessors for match.h: the same decision code as the XDP program,
 * reading the ruleset image's arrays directly.
 */
#include "dataplane/host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dataplane/maps.h"

#define LI_CTX struct li_host

static const struct li_family *fam_of(const struct li_host *h, int fam)
{
	return fam ? &h->rs->v6 : &h->rs->v4;
}

static __always_inline __u32 li_acc_bm_words(const LI_CTX *c, int fam)
{
	const struct li_family *f = fam_of(c, fam);

	/* No policies: no bitmaps to AND (the image keeps one word). */
	return f->nr_policies ? f->bm_words : 0;
}

static __always_inline __u32 li_acc_intf_class(const LI_CTX *c, int fam)
{
	return c->intf_cls[fam];
}

static __always_inline int li_acc_addr_one(const LI_CTX *c, int fam, int dim)
{
	const struct li_family *f = fam_of(c, fam);

	return (dim == LI_DIM_SRC ? &f->src : &f->dst)->nr_classes == 1;
}

#define LI_ADDR_TAB const struct li_addr_table *

static __always_inline LI_ADDR_TAB li_acc_addr_tab(const LI_CTX *c, int fam,
						   int dim)
{
	const struct li_family *f = fam_of(c, fam);

	return dim == LI_DIM_SRC ? &f->src : &f->dst;
}

static __always_inline __u32 li_acc_addr_root(const LI_CTX *c, LI_ADDR_TAB t,
					      __u32 i)
{
	return t->root[i];
}

/* Entry @byte of the block that @e (LI_NEXT | its index) names. */
static __always_inline __u32 li_acc_addr_next(const LI_CTX *c, LI_ADDR_TAB t,
					      __u32 e, __u32 byte)
{
	return t->blocks[(size_t)(e & ~LI_NEXT) * LI_BLOCK_SIZE + byte];
}

static __always_inline __u32 li_acc_svc_proto(const LI_CTX *c, int fam,
					      __u32 proto)
{
	return fam_of(c, fam)->svc.proto_map[proto & 0xff];
}

static __always_inline __u32 li_acc_svc_port(const LI_CTX *c, int fam, __u32 p,
					     int src, __u32 port)
{
	const struct li_svc_table *t = &fam_of(c, fam)->svc;

	return (src ? t->sport_class[p] : t->dport_class[p])[port & 0xffff];
}

/* The host reads the compiler's tables, not the image: never folded. */
static __always_inline int li_acc_svc_direct(const LI_CTX *c, int fam, __u32 p)
{
	(void)c;
	(void)fam;
	(void)p;
	return 0;
}

static __always_inline __u32 li_acc_svc_cross(const LI_CTX *c, int fam, __u32 p,
					      __u32 d, __u32 s)
{
	const struct li_svc_table *t = &fam_of(c, fam)->svc;

	return t->cross[p][li_cross_index(d, s, t->nr_sclass[p])];
}

static __always_inline __u32 li_acc_svc_unknown(const LI_CTX *c, int fam,
						__u32 p)
{
	return fam_of(c, fam)->svc.unknown_ports[p];
}

#define LI_BM_ROW const __u64 *

static __always_inline LI_BM_ROW li_acc_bm_row(const LI_CTX *c, int fam,
					       int dim, __u32 cls)
{
	const struct li_family *f = fam_of(c, fam);
	const struct li_bitmaps *b;

	switch (dim) {
	case LI_DIM_INTF:
		b = &f->bm_intf;
		break;
	case LI_DIM_SRC:
		b = &f->bm_src;
		break;
	case LI_DIM_DST:
		b = &f->bm_dst;
		break;
	case LI_DIM_SVC:
		b = &f->bm_svc;
		break;
	default:
		return c->active[fam];
	}
	return b->words + li_bm_row_index(cls, f->bm_words);
}

static __always_inline __u64 li_acc_bm_word(const LI_CTX *c, LI_BM_ROW row,
					    __u32 w)
{
	(void)c;
	return row[w];
}

/* The hint's word that holds @bit (session.h li_sess_hint_hash). */
static __always_inline __u64 *hint_word(const LI_CTX *c, __u32 bit)
{
	return &c->hint[(bit >> 6) & (LI_SESS_HINT_WORDS - 1)];
}

/* Without a hint (li_host_use_hint), the table is looked up for every key. */
static __always_inline int li_acc_sess_maybe(const LI_CTX *c, __u32 bit)
{
	return !c->hint || ((*hint_word(c, bit) >> (bit & 63)) & 1);
}

static void hint_set(struct li_host *h, const struct li_sess_key *k)
{
	__u32 bit = li_sess_hint_bit(k);

	*hint_word(h, bit) |= 1ull << (bit & 63);
}

/* The bits of the sessions in the table, and no others. */
static void hint_rebuild(struct li_host *h)
{
	__u32 i;

	memset(h->hint, 0, LI_SESS_HINT_WORDS * sizeof(*h->hint));
	for (i = 0; i < h->nr_live; i++)
		hint_set(h, &h->sess[h->live[i]].k);
}

/*
 * The host walks the bitmaps unless told (li_host_use_phase): the
 * reference the XDP program's phase tables are checked against
 * (tests/diff, tests/unit/test_phase.c). Replay reads the phase tables.
 */
static __always_inline int li_acc_phase_on(const LI_CTX *c, int fam)
{
	return c->phase_first[fam] != NULL;
}

static __always_inline __u32 li_acc_phase_a(const LI_CTX *c, int fam, __u32 cs,
					    __u32 cv)
{
	const struct li_phase *ph = &fam_of(c, fam)->phase;

	return ph->sv[(size_t)cs * ph->nr_svc + cv];
}

static __always_inline __u32 li_acc_phase_b(const LI_CTX *c, int fam, __u32 ci,
					    __u32 cd)
{
	const struct li_phase *ph = &fam_of(c, fam)->phase;

	return ph->id[(size_t)ci * ph->nr_dst + cd];
}

static __always_inline int li_acc_phase_ab(const LI_CTX *c, int fam, __u32 a,
					   __u32 b)
{
	const struct li_phase *ph = &fam_of(c, fam)->phase;

	return c->phase_first[fam][ph->ab[(size_t)a * ph->nr_b + b]];
}

static __always_inline int li_acc_policy(const LI_CTX *c, int fam, __u32 idx,
					 struct li_policy *out)
{
	const struct li_family *f = fam_of(c, fam);

	if (idx >= f->nr_policies)
		return -ENOENT;
	*out = f->policies[idx];
	return 0;
}

static __always_inline const struct li_local_slot *
li_acc_local_slot(const LI_CTX *c, __u32 k)
{
	return &c->local_tab[k];
}

/* The host walks the destination's trie each time: the reference. */
static __always_inline void li_acc_local_at(const LI_CTX *c, __u32 k,
					    const struct li_local_slot *e)
{
}

static __always_inline int li_acc_dst_memo(const LI_CTX *c, __u32 *cls)
{
	return 0;
}

static __always_inline void li_acc_dst_memo_put(const LI_CTX *c, __u32 cls)
{
}

static __always_inline int li_acc_detect_esp(const LI_CTX *c)
{
	return c->rs->detect_unknown_esp;
}

/* Replay's table is the SA file's: never out of date. */
static __always_inline int li_acc_sas_stale(const LI_CTX *c)
{
	(void)c;
	return 0;
}

static __always_inline __u32 li_acc_sa_bits(const LI_CTX *c)
{
	return c->sa_bits;
}

static __always_inline const struct li_sa_slot *li_acc_sa_slot(const LI_CTX *c,
							       __u32 k)
{
	return &c->sa_tab[k];
}

static __always_inline int li_acc_esp_wrong_peer_drop(const LI_CTX *c)
{
	return c->rs->esp_wrong_peer_drop;
}

/* Probes of the IKE and fragment tables (below: open addressing). */
#define LI_HOST_PROBE 8

/* FNV-1a over an address's words, and the family. */
static size_t ike_home(__u8 family, const __u32 *addr)
{
	__u64 x = 0xcbf29ce484222325ull ^ family;
	int i;

	for (i = 0; i < 4; i++)
		x = (x ^ addr[i]) * 0x100000001b3ull;
	return (size_t)(x ^ (x >> 31)) & (LI_HOST_IKE_SLOTS - 1);
}

static bool ike_same(const struct li_host_ike *e, __u8 family,
		     const __u32 *addr)
{
	return e->used && e->family == family &&
	       !memcmp(e->addr, addr, sizeof(e->addr));
}

/* Is @addr in @tab, noted less than @window ns ago? */
static int ike_recent(const struct li_host *c, const struct li_host_ike *tab,
		      __u8 family, const __u32 *addr, __u64 window)
{
	size_t home = ike_home(family, addr), i;

	for (i = 0; i < LI_HOST_PROBE; i++) {
		const struct li_host_ike *e =
			&tab[(home + i) & (LI_HOST_IKE_SLOTS - 1)];

		if (!e->used)
			return 0;
		if (ike_same(e, family, addr))
			return c->now_ns - e->ns < window;
	}
	return 0;
}

static __always_inline int li_acc_ike_recent(const LI_CTX *c,
					     const struct li_pkt *p)
{
	return ike_recent(c, c->ike, p->family, p->saddr, LI_IKE_WINDOW_NS);
}

/* Never stale here (li_acc_sas_stale): the window alone. */
static __always_inline int li_acc_ike_new_recent(const LI_CTX *c,
						 const struct li_pkt *p)
{
	return ike_recent(c, c->ike_new, p->family, p->saddr, LI_IKE_WINDOW_NS);
}

/* Replay counts the policies' hits from its verdicts (replay.c). */
static __always_inline void li_acc_pol_hit(const LI_CTX *c, int fam, __u32 idx)
{
	(void)c;
	(void)fam;
	(void)idx;
}

static void ike_note(const struct li_host *c, struct li_host_ike *tab,
		     __u8 family, const __u32 *addr)
{
	size_t home = ike_home(family, addr), i;
	struct li_host_ike *e = NULL;

	/* The peer's own slot or a free one; else the window's oldest. */
	for (i = 0; i < LI_HOST_PROBE; i++) {
		struct li_host_ike *g =
			&tab[(home + i) & (LI_HOST_IKE_SLOTS - 1)];

		if (!g->used || ike_same(g, family, addr)) {
			e = g;
			break;
		}
		if (!e || g->ns < e->ns)
			e = g;
	}
	e->used = 1;
	e->family = family;
	memcpy(e->addr, addr, sizeof(e->addr));
	e->ns = c->now_ns;
}

static __always_inline void li_acc_ike_note(const LI_CTX *c,
					    const struct li_pkt *p)
{
	ike_note(c, c->ike, p->family, p->saddr);
}

static __always_inline void li_acc_ike_new_note(const LI_CTX *c,
						const struct li_pkt *p)
{
	ike_note(c, c->ike_new, p->family, p->saddr);
}

/* The gateway's own IKE to p's destination (match.h li_ike_out). */
static __always_inline void
li_acc_ike_out_note(const LI_CTX *c, const struct li_pkt *p, int known)
{
	ike_note(c, c->ike_sent, p->family, p->daddr);
	ike_note(c, known ? c->ike : c->ike_new, p->family, p->daddr);
}

static __always_inline int li_acc_ike_sent_ok(const LI_CTX *c,
					      const struct li_pkt *p)
{
	return !c->ike_gate || ike_recent(c, c->ike_sent, p->family, p->saddr,
					  LI_IKE_SENT_TRUST_NS);
}

static size_t frag_slot(const struct li_pkt *p)
{
	__u64 x = 0xcbf29ce484222325ull;
	int i;

	for (i = 0; i < 4; i++)
		x = (x ^ p->saddr[i] ^ ((__u64)p->daddr[i] << 32)) *
		    0x100000001b3ull;
	x = (x ^ p->frag_id ^ ((__u64)p->frag_proto << 32)) * 0x100000001b3ull;
	return (size_t)(x ^ (x >> 31)) & (LI_HOST_FRAG_SLOTS - 1);
}

static bool frag_same(const struct li_host_frag *f, const struct li_pkt *p)
{
	return f->used && f->family == p->family && f->proto == p->frag_proto &&
	       f->id == p->frag_id && !memcmp(f->saddr, p->saddr, 16) &&
	       !memcmp(f->daddr, p->daddr, 16);
}

/*
 * Open addressing with a short probe: a datagram keeps its slot unless
 * LI_HOST_PROBE neighbours are all taken, which at the XDP side's LRU
 * size (a quarter of the table) is rare: the two must agree.
 */

static __always_inline int
li_acc_frag_get(const LI_CTX *c, const struct li_pkt *p, struct li_verdict *v)
{
	size_t home = frag_slot(p), i;

	for (i = 0; i < LI_HOST_PROBE; i++) {
		const struct li_host_frag *f =
			&c->frags[(home + i) & (LI_HOST_FRAG_SLOTS - 1)];

		if (!f->used)
			return 0;
		if (frag_same(f, p)) {
			*v = f->v;
			return 1;
		}
	}
	return 0;
}

static __always_inline void li_acc_frag_put(const LI_CTX *c,
					    const struct li_pkt *p,
					    const struct li_verdict *v)
{
	size_t home = frag_slot(p), i;
	struct li_host_frag *f = &c->frags[home];

	/* The datagram's own slot or a free one; else the home slot goes. */
	for (i = 0; i < LI_HOST_PROBE; i++) {
		struct li_host_frag *g =
			&c->frags[(home + i) & (LI_HOST_FRAG_SLOTS - 1)];

		if (!g->used || frag_same(g, p)) {
			f = g;
			break;
		}
	}
	f->used = 1;
	f->family = p->family;
	f->proto = p->frag_proto;
	f->id = p->frag_id;
	memcpy(f->saddr, p->saddr, 16);
	memcpy(f->daddr, p->daddr, 16);
	f->v = *v;
}

bool li_host_frag_known(const struct li_host *h, const struct li_pkt *p)
{
	struct li_verdict v;

	return li_acc_frag_get(h, p, &v);
}

static __always_inline int li_acc_log_allow(const LI_CTX *c)
{
	return c->rs->log_allow;
}

/*
 * FNV-1a over the key's 32-bit words, unrolled: it runs for every packet
 * to the host. An IPv4 key is its first four (session.h: the rest is
 * zero). li_sess_key_of() stores the fields' word in one store, so the
 * word loads here are forwarded from it.
 */
static __always_inline __u32 sess_home(const struct li_sess_key *k)
{
	const __u32 *w = (const __u32 *)k;
	__u64 x = 0xcbf29ce484222325ull;
	size_t i, n = k->family == 4 ? LI_SESS4_KEY_SIZE / 4 : sizeof(*k) / 4;

#pragma GCC unroll 10
	for (i = 0; i < n; i++)
		x = (x ^ w[i]) * 0x100000001b3ull;
	return (__u32)(x ^ (x >> 29));
}

static struct li_host_sess *sess_slot(const LI_CTX *c, __u32 home, __u32 i)
{
	return &c->sess[(home + i) & (c->sess_cap - 1)];
}

static __always_inline struct li_sess *
li_acc_sess_find(const LI_CTX *c, const struct li_sess_key *k)
{
	__u32 home = sess_home(k), i;

	for (i = 0; i < LI_HOST_SESS_PROBE; i++) {
		struct li_host_sess *e = sess_slot(c, home, i);

		if (e->state == LI_HS_FREE)
			break;
		if (e->state == LI_HS_USED && !memcmp(&e->k, k, sizeof(*k)))
			return &e->s;
	}
	return NULL;
}

static void sess_forget(struct li_host *h, struct li_host_sess *e)
{
	__u32 last = h->live[--h->nr_live];

	h->live[e->live_pos] = last;
	h->sess[last].live_pos = e->live_pos;
	e->state = LI_HS_GONE;
}

/*
 * Its own slot or a free one in its window; when the window is full, its
 * least recently used session goes if @evict, a remote's before the
 * gateway's (session.h li_sess_evicts_before; as an LRU map drops one,
 * without an end), else -ENOSPC.
 */
static int sess_put(struct li_host *c, const struct li_sess_key *k,
		    const struct li_sess *s, const char *ifname, bool evict)
{
	__u32 home = sess_home(k), i;
	struct li_host_sess *e = NULL, *old = NULL;

	for (i = 0; i < LI_HOST_SESS_PROBE; i++) {
		struct li_host_sess *g = sess_slot(c, home, i);

		if (g->state == LI_HS_USED && !memcmp(&g->k, k, sizeof(*k))) {
			e = g;
			break;
		}
		if (g->state != LI_HS_USED) {
			if (!e)
				e = g;
			if (g->state == LI_HS_FREE)
				break;
		} else if (!old || li_sess_evicts_before(&g->s, &old->s)) {
			old = g;
		}
	}
	if (!e) {
		if (!evict)
			return -ENOSPC;
		e = old;
		sess_forget(c, e);
	}
	if (e->state != LI_HS_USED) {
		e->live_pos = c->nr_live;
		c->live[c->nr_live++] = (__u32)(e - c->sess);
	}
	e->state = LI_HS_USED;
	e->k = *k;
	e->s = *s;
	e->ifname = ifname;
	if (c->hint)
		hint_set(c, k);
	return 0;
}

/*
 * A zeroed table of @n slots. One of 2 MiB or more is asked to sit on
 * huge pages: a capture with many sessions grows the table to
 * LI_SESS_MAX slots (8 MiB), each doubling a fresh table whose 4 KiB
 * pages fault on their first touch, at several us a fault on the
 * project's VMs (bench/replay's seed capture at 100k prefixes, which
 * opens 30k sessions: 228 -> 153 ns a packet, replay --timing).
 */
static struct li_host_sess *sess_alloc(size_t n)
{
	size_t len = n * sizeof(struct li_host_sess), huge = (size_t)2 << 20;
	size_t whole = (len + huge - 1) & ~(huge - 1); /* in huge pages */
	void *t;

	if (len < huge)
		return calloc(n, sizeof(struct li_host_sess));
	if (posix_memalign(&t, huge, whole))
		return NULL;
	madvise(t, whole, MADV_HUGEPAGE);
	memset(t, 0, len);
	return t;
}

/*
 * At least twice the slots, every live session placed again (the
 * tombstones go); it doubles again while one does not fit its window, and
 * at LI_SESS_MAX the placing evicts as sess_put() does. The table grows
 * with what it holds, from LI_HOST_SESS_MIN, so that a capture with few
 * sessions probes a table that stays in the cache: a table of LI_SESS_MAX
 * slots from the start cost replay a cache miss (and in time a page
 * fault) per packet to the gateway. Nothing is lost when memory is short:
 * the old table stays (-ENOMEM).
 */
static int sess_grow(struct li_host *h)
{
	struct li_host_sess *old = h->sess;
	__u32 cap = h->sess_cap, n = h->nr_live, i;
	bool placed = false;

	while (!placed && h->sess_cap < LI_SESS_MAX) {
		struct li_host_sess *t;
		__u32 c2 = h->sess_cap * 2;

		t = sess_alloc(c2);
		if (!t) {
			if (h->sess != old)
				free(h->sess);
			h->sess = old;
			h->sess_cap = cap;
			h->nr_live = n;
			for (i = 0; i < cap; i++) /* the list, as it was */
				if (old[i].state == LI_HS_USED)
					h->live[old[i].live_pos] = i;
			return -ENOMEM;
		}
		if (h->sess != old)
			free(h->sess);
		h->sess = t;
		h->sess_cap = c2;
		h->nr_live = 0;
		placed = true;
		for (i = 0; i < cap && placed; i++)
			if (old[i].state == LI_HS_USED)
				placed = !sess_put(h, &old[i].k, &old[i].s,
						   old[i].ifname,
						   c2 >= LI_SESS_MAX);
	}
	free(old);
	return 0;
}

/* Above half full, or its window full, the table grows first. */
static __always_inline int li_acc_sess_open(const LI_CTX *cc,
					    const struct li_sess_key *k,
					    struct li_sess *s)
{
	struct li_host *c = (struct li_host *)cc;

	if (c->nr_live >= c->sess_cap / 2 && c->sess_cap < LI_SESS_MAX)
		sess_grow(c);
	while (sess_put(c, k, s, c->ifname, c->sess_cap >= LI_SESS_MAX))
		if (sess_grow(c)) { /* no memory: the window's oldest goes */
			sess_put(c, k, s, c->ifname, true);
			break;
		}
	return 0;
}

static __always_inline struct li_sess_key *li_acc_sess_key(const LI_CTX *c)
{
	return &((struct li_host *)c)->sess_key;
}

static __always_inline struct li_sess *li_acc_sess_tmp(const LI_CTX *c)
{
	return &((struct li_host *)c)->sess_tmp;
}

static __always_inline __u32 li_acc_ifindex(const LI_CTX *c)
{
	return c->ifkey;
}

static __always_inline __u64 li_acc_sess_now(const LI_CTX *c)
{
	return c->now_ns;
}

static __always_inline __u32 li_acc_sess_gen(const LI_CTX *c)
{
	return c->sess_gen;
}

static __always_inline __u32 li_acc_sess_id(const LI_CTX *cc)
{
	return li_host_sess_id((struct li_host *)cc);
}

#include "dataplane/match.h"

__u32 li_intf_class(const struct li_family *f, const char *ifname)
{
	__u32 lo = 0, hi = f->nr_intfs;

	if (!ifname || strlen(ifname) >= LI_IFNAMSIZ)
		return f->intf_other;
	/* Once per packet and per family, not per policy or prefix. */
	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		int cmp = strncmp(ifname, f->intfs[mid].name, LI_IFNAMSIZ);

		if (!cmp)
			return f->intfs[mid].cls;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return f->intf_other;
}

/* The interface @ifname (NULL: none) in force, its key and classes. */
static void host_if_compute(struct li_host *h, const char *ifname)
{
	h->ifname = ifname;
	h->ifkey = 0;
	if (ifname) { /* a number per name, for sessions (li_acc_ifindex) */
		__u32 x = 2166136261u;
		const char *c;

		for (c = ifname; *c; c++)
			x = (x ^ (unsigned char)*c) * 16777619u;
		h->ifkey = x | 1;
	}
	h->intf_cls[0] = li_intf_class(&h->rs->v4, ifname);
	h->intf_cls[1] = li_intf_class(&h->rs->v6, ifname);
	h->if_known = true;
}

/*
 * Packets come from a few interfaces, often two in turn (replay: the
 * owner of a local address, then none for a packet to another host), so
 * the one before stays at hand: names are compared by pointer, as the
 * callers keep theirs for as long as they use them.
 */
void li_host_set_ifname_slow(struct li_host *h, const char *ifname)
{
	struct li_host_if cur;

	cur = (struct li_host_if){ h->ifname,
				   h->ifkey,
				   { h->intf_cls[0], h->intf_cls[1] },
				   h->if_known };
	if (h->if_prev.known && h->if_prev.name == ifname) {
		h->ifname = ifname;
		h->ifkey = h->if_prev.key;
		h->intf_cls[0] = h->if_prev.cls[0];
		h->intf_cls[1] = h->if_prev.cls[1];
	} else {
		host_if_compute(h, ifname);
	}
	h->if_prev = cur;
}

/* The SA table of sa_slot.h, built as the loader builds it for XDP. */
static int host_sas(struct li_host *h, const struct spi_table *sas)
{
	struct li_sa_slot *e;
	int n, bits;

	h->natt = (struct li_natt)LI_NATT_INIT;
	if (!sas)
		return 0;
	li_natt_of_table(&h->natt, sas, &h->natt_over);
	n = li_sa_entries_of(sas, &e, &h->sa_of_id);
	if (n < 0)
		return n;
	h->sa_tab = calloc((size_t)1 << LI_SA_BITS_MAX, sizeof(*h->sa_tab));
	bits = h->sa_tab ? li_sa_table_build(h->sa_tab, e, (size_t)n) : -ENOMEM;
	free(e);
	if (bits < 0)
		return bits;
	h->sa_bits = (__u32)bits;
	return 0;
}

/* The enabled policies of @rs as the active masks (@active[2]). */
static int host_active(const struct li_ruleset *rs, __u64 **active)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;

		active[fam] =
			calloc(f->bm_words ? f->bm_words : 1, sizeof(__u64));
		if (!active[fam]) {
			free(active[0]);
			return -ENOMEM;
		}
		if (f->enabled)
			memcpy(active[fam], f->enabled,
			       f->bm_words * sizeof(__u64));
	}
	return 0;
}

/* @first[2] for @rs's families that have phase tables, else NULL. */
static int host_phase_alloc(const struct li_ruleset *rs, __s32 **first)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam ? &rs->v6 : &rs->v4;

		first[fam] = NULL;
		if (!f->nr_policies || !f->phase.on)
			continue;
		first[fam] = malloc((f->phase.nr_c + 1) * sizeof(**first));
		if (!first[fam]) {
			free(first[0]);
			first[0] = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* phase_first[] under the active masks: after either changed. */
static void host_phase_first(struct li_host *h)
{
	int fam;

	for (fam = 0; fam < 2; fam++)
		if (h->phase_first[fam])
			ruleset_phase_first(fam_of(h, fam), h->active[fam],
					    h->phase_first[fam]);
}

int li_host_use_phase(struct li_host *h, bool on)
{
	int err = 0;

	free(h->phase_first[0]);
	free(h->phase_first[1]);
	h->phase_first[0] = h->phase_first[1] = NULL;
	h->use_phase = false;
	if (on)
		err = host_phase_alloc(h->rs, h->phase_first);
	if (!on || err)
		return err;
	h->use_phase = true;
	host_phase_first(h);
	return 0;
}

int li_host_use_hint(struct li_host *h, bool on)
{
	free(h->hint);
	h->hint = NULL;
	if (!on)
		return 0;
	h->hint = malloc(LI_SESS_HINT_WORDS * sizeof(*h->hint));
	if (!h->hint)
		return -ENOMEM;
	hint_rebuild(h);
	return 0;
}

int li_host_init(struct li_host *h, const struct li_ruleset *rs,
		 const struct spi_table *sas)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->rs = rs;
	h->sas = sas;
	h->frags = calloc(LI_HOST_FRAG_SLOTS, sizeof(*h->frags));
	h->ike = calloc(LI_HOST_IKE_SLOTS, sizeof(*h->ike));
	h->ike_new = calloc(LI_HOST_IKE_SLOTS, sizeof(*h->ike_new));
	h->ike_sent = calloc(LI_HOST_IKE_SLOTS, sizeof(*h->ike_sent));
	h->local_tab = calloc(LI_LOCAL_SLOTS, sizeof(*h->local_tab));
	h->sess_cap = LI_HOST_SESS_MIN;
	h->sess = calloc(h->sess_cap, sizeof(*h->sess));
	h->live = calloc(LI_SESS_MAX, sizeof(*h->live));
	h->sess_gen = 1;
	if (!h->frags || !h->ike || !h->ike_new || !h->ike_sent ||
	    !h->local_tab || !h->sess || !h->live) {
		li_host_free(h);
		return -ENOMEM;
	}
	err = host_sas(h, sas);
	if (err) {
		li_host_free(h);
		return err;
	}
	err = host_active(rs, h->active);
	if (err) {
		li_host_free(h);
		return err;
	}
	host_if_compute(h, NULL);
	return 0;
}

int li_host_set_ruleset(struct li_host *h, const struct li_ruleset *rs)
{
	__s32 *first[2] = { NULL, NULL };
	__u64 *active[2];
	int err = host_active(rs, active);

	if (!err && h->use_phase) {
		err = host_phase_alloc(rs, first);
		if (err) {
			free(active[0]);
			free(active[1]);
		}
	}
	if (err)
		return err;
	free(h->active[0]);
	free(h->active[1]);
	h->active[0] = active[0];
	h->active[1] = active[1];
	h->rs = rs;
	free(h->phase_first[0]);
	free(h->phase_first[1]);
	h->phase_first[0] = first[0];
	h->phase_first[1] = first[1];
	host_phase_first(h);
	/* As the loader's li_set_hdr.gen: inbound sessions are re-judged. */
	if (!++h->sess_gen)
		++h->sess_gen;
	host_if_compute(h, h->ifname);
	h->if_prev.known = false; /* its classes were the old ruleset's */
	return 0;
}

void li_host_free(struct li_host *h)
{
	free(h->active[0]);
	free(h->active[1]);
	free(h->phase_first[0]);
	free(h->phase_first[1]);
	free(h->frags);
	free(h->locals);
	free(h->local_tab);
	free(h->sa_tab);
	free(h->sa_of_id);
	free(h->ike);
	free(h->ike_new);
	free(h->ike_sent);
	free(h->sess);
	free(h->live);
	free(h->hint);
	memset(h, 0, sizeof(*h));
}

int li_host_add_local(struct li_host *h, int family, const __u32 *addr,
		      bool bcast)
{
	struct li_host_addr *a;
	int err;

	if (h->nr_locals == h->cap_locals) {
		size_t cap = h->cap_locals ? h->cap_locals * 2 : 8;

		a = realloc(h->locals, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		h->locals = a;
		h->cap_locals = cap;
	}
	a = &h->locals[h->nr_locals];
	memset(a, 0, sizeof(*a));
	a->family = (__u8)family;
	a->bcast = bcast;
	memcpy(a->addr, addr, family == 6 ? 16 : 4);
	err = li_local_table_add(h->local_tab, a);
	if (!err)
		h->nr_locals++;
	return err;
}

int li_host_add_ip4_subnet(struct li_host *h, __u32 addr_be,
			   unsigned int prefixlen)
{
	int err = li_host_add_local(h, 4, &addr_be, false);
	__u32 bc;

	if (err ||
	    !li_ip4_broadcast(__builtin_bswap32(addr_be), prefixlen, &bc))
		return err;
	bc = __builtin_bswap32(bc);
	return li_host_add_local(h, 4, &bc, true);
}

void li_host_set_time(struct li_host *h, __s64 local_min)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct li_family *f = fam_of(h, fam);

		if (f->nr_policies)
			ruleset_live_mask(h->rs, f, local_min, h->active[fam]);
	}
	host_phase_first(h);
}

int li_host_decide_nonlocal(struct li_host *h, const struct li_pkt *p,
			    struct li_verdict *v)
{
	return li_decide_nonlocal(h, p, v);
}

int li_host_decide_local(struct li_host *h, const struct li_pkt *p,
			 struct li_verdict *v)
{
	return li_decide_local(h, p, v);
}

int li_host_decide(struct li_host *h, const struct li_pkt *p,
		   struct li_verdict *v)
{
	int drop;

	if (li_host_decide_nonlocal(h, p, v)) {
		h->last_sa = NULL;
		return v->drop;
	}
	drop = li_host_decide_local(h, p, v);
	/* The SA's name and peer, for traces and logs. */
	h->last_sa = li_host_sa(h, p, v);
	return drop;
}

const struct sa_entry *li_host_sa(const struct li_host *h,
				  const struct li_pkt *p,
				  const struct li_verdict *v)
{
	const struct li_sa_slot *e;

	if (!v->sa_id || !h->sas)
		return NULL;
	/*
	 * By the packet's own key, not v->sa_id: a later fragment carries
	 * its first fragment's verdict but no SPI of its own. A peer's slot
	 * (LI_SA_ID_UNVERIFIED) is no SA.
	 */
	e = li_sa_find(h, p->family, p->daddr, p->spi);
	return e && e->id < h->sas->nr ? h->sa_of_id[e->id] : NULL;
}

/*
 * Classification alone, through match.h's code with this host's interface
 * and schedule masks: what the compiler's tests and bench ask.
 */
int li_host_classify(struct li_host *h, const struct li_pkt *p)
{
	const struct li_family *f = p->family == 6 ? &h->rs->v6 : &h->rs->v4;

	if ((p->family != 4 && p->family != 6) || !f->nr_policies)
		return -1;
	return li_classify(h, p);
}

void li_host_egress(struct li_host *h, const struct li_pkt *p)
{
	li_ike_out(h, p);
	li_sess_egress(h, p);
}

void li_host_set_ike_gate(struct li_host *h, bool on)
{
	h->ike_gate = on;
}

bool li_host_from_local(struct li_host *h, const struct li_pkt *p)
{
	const struct li_local_slot *slot;
	__u32 at;

	return (p->family == 4 || p->family == 6) &&
	       li_addr_local_kind(h, p->family, p->saddr, &at, &slot) ==
		       LI_LOCAL_UNICAST;
}

__u32 li_host_sess_expire(struct li_host *h, __u64 now_ns, bool all,
			  li_host_sess_end_fn *fn, void *arg)
{
	__u32 i = 0, n = 0;

	while (i < h->nr_live) {
		struct li_host_sess *e = &h->sess[h->live[i]];
		__u64 end;

		if (!all && li_sess_live(&e->k, &e->s, now_ns)) {
			i++;
			continue;
		}
		end = e->s.flags & LI_SESS_CUT ?
			      now_ns :
			      e->s.last_ns + li_sess_timeout_ns(&e->k, &e->s);
		if (fn)
			fn(arg, &e->k, &e->s, e->ifname, end);
		sess_forget(h, e); /* the last one moved into i */
		n++;
	}
	if (n && h->hint)
		hint_rebuild(h);
	return n;
}
