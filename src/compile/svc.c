// SPDX-License-Identifier: GPL-2.0
/*
 * The service dimension. Protocols without ports map straight to a class.
 * For a protocol with ports, every (dport range, sport range) a policy's
 * services name is a rectangle; a sweep along each axis groups ports by
 * the set of rectangles they fall in (dclass, sclass), and the cross table
 * gives, for each pair, the class of the policies whose rectangles hold
 * both. ICMP and ICMPv6 use dport = type << 8 | code, sport = 0.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"

#define SVC_MAX_CELLS (1u << 24)

void svc_store_release(struct svc_store *st)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (st->lists[i].owned)
			free((void *)st->lists[i].r);
	free(st->lists);
	ptr_map_release(&st->memo);
	memset(st, 0, sizeof(*st));
}

static int svc_store_add(struct svc_store *st, struct svc_list l, uint32_t *id)
{
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 32;
		struct svc_list *n = realloc(st->lists, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->lists = n;
		st->cap = cap;
	}
	st->lists[st->nr] = l;
	*id = (uint32_t)st->nr++;
	return 0;
}

/* One service or group whose subgroups are all flattened already. */
static int svc_flatten_one(struct compile_ctx *c, const struct obj_service *s,
			   uint32_t *id)
{
	struct svc_list l = { .r = s->ranges, .nr = s->nr_ranges };
	struct svc_range *r = NULL;
	size_t i, n = 0;
	int err;

	if (s->is_group) {
		/* Members first: their lists are memoized for reuse. */
		for (i = 0; i < s->nr_members; i++) {
			uint32_t m;

			err = svc_flatten(c, s->members[i], &m);
			if (err)
				return err;
			n += c->svcs.lists[m].nr;
		}
		r = malloc((n ? n : 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		n = 0;
		for (i = 0; i < s->nr_members; i++) {
			uint32_t m;

			ptr_map_get(&c->svcs.memo, s->members[i], &m);
			memcpy(r + n, c->svcs.lists[m].r,
			       c->svcs.lists[m].nr * sizeof(*r));
			n += c->svcs.lists[m].nr;
		}
		l.r = r;
		l.nr = n;
		l.owned = true;
	}
	err = svc_store_add(&c->svcs, l, id);
	if (!err)
		err = ptr_map_put(&c->svcs.memo, s, *id);
	else
		free(r);
	return err;
}

struct svc_frame {
	const struct obj_service *s;
	size_t next; /* member to look at next */
};

/*
 * Group @root and, first, every group below it not yet flattened, deepest
 * first, with a stack of our own (as addr_flatten_nested()): a chain of
 * 400k groups must not overflow the C stack.
 */
static int svc_flatten_nested(struct compile_ctx *c,
			      const struct obj_service *root)
{
	const struct obj_service *m;
	struct svc_frame *st, *f;
	size_t n = 0, cap = 16;
	uint32_t id;
	int err = 0;

	st = malloc(cap * sizeof(*st));
	if (!st)
		return -ENOMEM;
	st[n++] = (struct svc_frame){ root, 0 };
	while (n && !err) {
		f = &st[n - 1];
		if (f->next == f->s->nr_members) {
			err = svc_flatten_one(c, f->s, &id);
			n--;
			continue;
		}
		m = f->s->members[f->next++];
		if (!m->is_group || ptr_map_get(&c->svcs.memo, m, &id))
			continue;
		if (n == cap) {
			struct svc_frame *g =
				realloc(st, 2 * cap * sizeof(*st));

			if (!g) {
				err = -ENOMEM;
				break;
			}
			st = g;
			cap *= 2;
		}
		st[n++] = (struct svc_frame){ m, 0 };
	}
	free(st);
	return err;
}

int svc_flatten(struct compile_ctx *c, const struct obj_service *s,
		uint32_t *id)
{
	int err;

	if (ptr_map_get(&c->svcs.memo, s, id))
		return 0;
	if (!s->is_group)
		return svc_flatten_one(c, s, id);
	err = svc_flatten_nested(c, s);
	if (!err && !ptr_map_get(&c->svcs.memo, s, id))
		err = -EINVAL; /* not reached: the walk flattened @s last */
	return err;
}

int li_port_proto_number(int family, unsigned int pp)
{
	switch (pp) {
	case LI_PP_TCP:
		return IPPROTO_TCP;
	case LI_PP_UDP:
		return IPPROTO_UDP;
	case LI_PP_SCTP:
		return IPPROTO_SCTP;
	case LI_PP_ICMP:
		return family == 4 ? IPPROTO_ICMP : -1;
	case LI_PP_ICMP6:
		return family == 6 ? IPPROTO_ICMPV6 : -1;
	}
	return -1;
}

static const struct svc_list *svc_list_of(struct compile_ctx *c,
					  const struct obj_service *s)
{
	static const struct svc_list empty;
	uint32_t id;

	return ptr_map_get(&c->svcs.memo, s, &id) ? &c->svcs.lists[id] : &empty;
}

struct rect_set {
	__u64 *keys; /* dlo << 48 | dhi << 32 | slo << 16 | shi, + 1 */
	uint32_t *ids;
	size_t mask, nr;
	uint32_t *pair_rect, *pair_pol;
	size_t nr_pairs, cap_pairs;
};

static __u64 rect_key(uint16_t dlo, uint16_t dhi, uint16_t slo, uint16_t shi)
{
	return (__u64)dlo << 48 | (__u64)dhi << 32 | (__u64)slo << 16 | shi;
}

static int rect_add(struct rect_set *rs, __u64 key, uint32_t pol)
{
	size_t s;

	if (rs->nr_pairs == rs->cap_pairs) {
		size_t cap = rs->cap_pairs ? rs->cap_pairs * 2 : 64;
		uint32_t *a = realloc(rs->pair_rect, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		rs->pair_rect = a;
		a = realloc(rs->pair_pol, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		rs->pair_pol = a;
		rs->cap_pairs = cap;
	}
	/* One slot per pair bounds the table: it never needs to grow. */
	s = hash_mix64(key) & rs->mask;
	while (rs->keys[s] && rs->keys[s] != key + 1)
		s = (s + 1) & rs->mask;
	if (!rs->keys[s]) {
		rs->keys[s] = key + 1;
		rs->ids[s] = (uint32_t)rs->nr++;
	}
	rs->pair_rect[rs->nr_pairs] = rs->ids[s];
	rs->pair_pol[rs->nr_pairs++] = pol;
	return 0;
}

/* The rectangles of policy @i for @proto; SVC_PROTO_ANY covers all ports. */
static int policy_rects(struct compile_ctx *c, struct rect_set *rs,
			const struct obj_policy *p, uint32_t i, int proto)
{
	size_t k, j;
	int err;

	for (k = 0; k < p->nr_svc; k++) {
		const struct svc_list *l = svc_list_of(c, p->svc[k]);

		for (j = 0; j < l->nr; j++) {
			const struct svc_range *x = &l->r[j];

			if (x->proto == SVC_PROTO_ANY)
				err = rect_add(
					rs, rect_key(0, 0xffff, 0, 0xffff), i);
			else if (x->proto == proto && x->dlo <= x->dhi &&
				 x->slo <= x->shi)
				err = rect_add(rs,
					       rect_key(x->dlo, x->dhi, x->slo,
							x->shi),
					       i);
			else
				continue;
			if (err)
				return err;
		}
	}
	return 0;
}

struct port_event {
	uint32_t pos;
	uint32_t rect;
};

static int port_event_cmp(const void *pa, const void *pb)
{
	const struct port_event *a = pa, *b = pb;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->rect < b->rect ? -1 : a->rect > b->rect;
}

/*
 * @map[from..to) = @cls in a zeroed @map, four entries a store: every
 * axis of every protocol is 65536 entries, filled at each start (replay,
 * check). Class 0, mostly the bulk of an axis, is left as found: pages
 * never written are never given memory.
 */
static void port_fill(__u16 *map, uint32_t from, uint32_t to, __u16 cls)
{
	__u64 four = cls * 0x0001000100010001ull;

	if (!cls)
		return;

	while (from < to && (from & 3))
		map[from++] = cls;
	for (; from + 4 <= to; from += 4)
		memcpy(map + from, &four, sizeof(four));
	while (from < to)
		map[from++] = cls;
}

/* Sweep one port axis: fill @map[65536] with rect-set classes in @tab. */
static int port_sweep(const __u64 *rkeys, size_t nr_rects, bool dport,
		      __u16 *map, struct bm_table *tab)
{
	size_t nev = 0, e = 0, i;
	struct port_event *ev = malloc((2 * nr_rects + 1) * sizeof(*ev));
	__u64 *cur = calloc(tab->words, sizeof(*cur));
	uint32_t pos = 0;
	int err = 0;

	if (!ev || !cur) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_rects; i++) {
		__u64 k = rkeys[i];
		uint32_t lo = dport ? k >> 48 : (k >> 16) & 0xffff;
		uint32_t hi = dport ? (k >> 32) & 0xffff : k & 0xffff;

		ev[nev++] = (struct port_event){ lo, (uint32_t)i };
		if (hi < LI_PORT_SPACE - 1)
			ev[nev++] = (struct port_event){ hi + 1, (uint32_t)i };
	}
	qsort(ev, nev, sizeof(*ev), port_event_cmp);
	for (;;) {
		uint32_t cls, end;

		while (e < nev && ev[e].pos == pos) {
			cur[ev[e].rect / 64] ^= 1ull << (ev[e].rect % 64);
			e++;
		}
		err = bm_table_intern(tab, cur, &cls);
		if (err)
			break;
		end = e < nev ? ev[e].pos : LI_PORT_SPACE;
		port_fill(map, pos, end, (__u16)cls);
		pos = end;
		if (e == nev)
			break;
	}
out:
	free(ev);
	free(cur);
	return err;
}

struct svc_scratch {
	const struct fam_build *fb;
	struct bm_table *classes;
	const __u64 *neg;
	__u64 *row, *all_and, *any_or;
};

/* What the phases of svc_build_ports() hand each other, for one protocol. */
struct port_build {
	struct rect_set rs;
	__u64 *rkeys;		    /* rectangle id -> rect_key() */
	uint32_t rwords;	    /* words of a bitmap of rectangles */
	struct group_list gl;	    /* rectangle -> the policies naming it */
	struct bm_table dtab, stab; /* the port classes: sets of rectangles */
};

static void port_build_release(struct port_build *pb)
{
	bm_table_release(&pb->dtab);
	bm_table_release(&pb->stab);
	group_list_release(&pb->gl);
	free(pb->rs.keys);
	free(pb->rs.ids);
	free(pb->rs.pair_rect);
	free(pb->rs.pair_pol);
	free(pb->rkeys);
}

/* 1: each distinct port rectangle once, with its policies: shared work. */
static int collect_rects(struct compile_ctx *c, const struct fam_build *fb,
			 int proto, struct port_build *pb)
{
	struct rect_set *rs = &pb->rs;
	size_t nslots = 64, k;
	uint32_t i;
	int err;

	for (i = 0; i < fb->nr; i++)
		for (k = 0; k < fb->pol[i]->nr_svc; k++)
			nslots += svc_list_of(c, fb->pol[i]->svc[k])->nr;
	nslots = (size_t)1 << (64 - __builtin_clzll(nslots));
	rs->keys = calloc(nslots, sizeof(*rs->keys));
	rs->ids = malloc(nslots * sizeof(*rs->ids));
	if (!rs->keys || !rs->ids)
		return -ENOMEM;
	rs->mask = nslots - 1;
	for (i = 0; i < fb->nr; i++) {
		err = policy_rects(c, rs, fb->pol[i], i, proto);
		if (err)
			return err;
	}
	pb->rkeys = malloc((rs->nr ? rs->nr : 1) * sizeof(*pb->rkeys));
	if (!pb->rkeys)
		return -ENOMEM;
	for (k = 0; k <= rs->mask; k++)
		if (rs->keys[k])
			pb->rkeys[rs->ids[k]] = rs->keys[k] - 1;
	pb->rwords = rs->nr ? (uint32_t)((rs->nr + 63) / 64) : 1;
	return group_list_build(&pb->gl, (uint32_t)rs->nr, rs->pair_rect,
				rs->pair_pol, rs->nr_pairs, fb->words);
}

/* 2: per axis, ports by the rectangles they are in: 2 x 64k, not 2^32. */
static int sweep_axes(struct port_build *pb, struct li_svc_table *t,
		      unsigned int pp)
{
	int err;

	/* Zeroed: port_fill() leaves class 0 as it finds it. */
	t->dport_class[pp] = calloc(LI_PORT_SPACE, sizeof(__u16));
	t->sport_class[pp] = calloc(LI_PORT_SPACE, sizeof(__u16));
	if (!t->dport_class[pp] || !t->sport_class[pp])
		return -ENOMEM;
	err = bm_table_init(&pb->dtab, pb->rwords);
	if (!err)
		err = bm_table_init(&pb->stab, pb->rwords);
	if (!err)
		err = port_sweep(pb->rkeys, pb->rs.nr, true, t->dport_class[pp],
				 &pb->dtab);
	if (!err)
		err = port_sweep(pb->rkeys, pb->rs.nr, false,
				 t->sport_class[pp], &pb->stab);
	if (err)
		return err;
	t->nr_dclass[pp] = (__u32)pb->dtab.nr;
	t->nr_sclass[pp] = (__u32)pb->stab.nr;
	return 0;
}

/* 3: the policy class of each (dport class, sport class) pair, for lookups. */
static int cross_table(struct compile_ctx *c, struct port_build *pb,
		       struct svc_scratch *sc, unsigned int pp, int proto)
{
	uint32_t words = sc->fb->words, rwords = pb->rwords, d, s, w;
	const struct bm_table *dtab = &pb->dtab, *stab = &pb->stab;
	struct li_svc_table *t = &sc->fb->f->svc;
	int err;

	/*
	 * Rectangles holding both ports: those of the dport class AND those
	 * of the sport class. all_and and any_or gather, for phase 4, the
	 * policies that hold for every pair and for some pair.
	 */
	if ((__u64)dtab->nr * stab->nr > SVC_MAX_CELLS) {
		diag_error(
			c->dl, NULL,
			"IPv%d: the port ranges of protocol %d make %zu destination-port x %zu source-port classes, more than %u cells; use fewer distinct ranges",
			sc->fb->family, proto, dtab->nr, stab->nr,
			SVC_MAX_CELLS);
		return -E2BIG;
	}
	t->cross[pp] = malloc(dtab->nr * stab->nr * sizeof(__u32));
	if (!t->cross[pp])
		return -ENOMEM;
	memset(sc->all_and, 0xff, words * sizeof(__u64));
	memset(sc->any_or, 0, words * sizeof(__u64));
	for (d = 0; d < dtab->nr; d++) {
		const __u64 *dset = dtab->rows + (size_t)d * rwords;

		for (s = 0; s < stab->nr; s++) {
			const __u64 *sset = stab->rows + (size_t)s * rwords;

			memset(sc->row, 0, words * sizeof(__u64));
			for (w = 0; w < rwords; w++) {
				__u64 x = dset[w] & sset[w];

				while (x) {
					group_list_or(
						&pb->gl,
						w * 64 + __builtin_ctzll(x),
						sc->row);
					x &= x - 1;
				}
			}
			for (w = 0; w < words; w++) {
				sc->all_and[w] &= sc->row[w];
				sc->any_or[w] |= sc->row[w];
				sc->row[w] ^= sc->neg[w];
			}
			err = bm_table_intern(sc->classes, sc->row,
					      &t->cross[pp][d * stab->nr + s]);
			if (err)
				return err;
		}
	}
	return 0;
}

/* 4: a fragment without ports: only policies the ports cannot change. */
static int unknown_ports_class(struct svc_scratch *sc, struct li_svc_table *t,
			       unsigned int pp)
{
	uint32_t w;

	/* Services covering the whole port space (or, negated, none of it). */
	for (w = 0; w < sc->fb->words; w++)
		sc->row[w] = (sc->all_and[w] & ~sc->neg[w]) |
			     (~sc->any_or[w] & sc->neg[w]);
	return bm_table_intern(sc->classes, sc->row, &t->unknown_ports[pp]);
}

/* The port classes and cross table of port protocol @pp (IP @proto). */
static int svc_build_ports(struct compile_ctx *c, struct svc_scratch *sc,
			   unsigned int pp, int proto)
{
	struct li_svc_table *t = &sc->fb->f->svc;
	struct port_build pb = { 0 };
	int err;

	err = collect_rects(c, sc->fb, proto, &pb);
	if (!err)
		err = sweep_axes(&pb, t, pp);
	if (!err)
		err = cross_table(c, &pb, sc, pp, proto);
	if (!err)
		err = unknown_ports_class(sc, t, pp);
	port_build_release(&pb);
	return err;
}

int svc_build(struct compile_ctx *c, const struct fam_build *fb)
{
	struct li_svc_table *t = &fb->f->svc;
	uint32_t words = fb->words, i, w;
	__u64 *covered = NULL, *anym = NULL, *neg = NULL;
	struct svc_scratch sc = { .fb = fb };
	struct bm_table bt = { 0 };
	bool port_proto[256] = { false };
	unsigned int pp;
	size_t k, j;
	int err, proto;

	for (i = 0; i < fb->nr; i++)
		for (k = 0; k < fb->pol[i]->nr_svc; k++) {
			uint32_t id;

			err = svc_flatten(c, fb->pol[i]->svc[k], &id);
			if (err)
				return err;
		}
	err = bm_table_init(&bt, words);
	if (err)
		return err;
	covered = calloc(256 * (size_t)words, sizeof(*covered));
	anym = calloc(words, sizeof(*anym));
	neg = calloc(words, sizeof(*neg));
	sc.row = calloc(words, sizeof(*sc.row));
	sc.all_and = calloc(words, sizeof(*sc.all_and));
	sc.any_or = calloc(words, sizeof(*sc.any_or));
	err = -ENOMEM;
	if (!covered || !anym || !neg || !sc.row || !sc.all_and || !sc.any_or)
		goto out;
	for (i = 0; i < fb->nr; i++) {
		const struct obj_policy *p = fb->pol[i];

		if (p->svc_negate)
			bm_set(neg, i);
		for (k = 0; k < p->nr_svc; k++) {
			const struct svc_list *l = svc_list_of(c, p->svc[k]);

			for (j = 0; j < l->nr; j++) {
				if (l->r[j].proto == SVC_PROTO_ANY)
					bm_set(anym, i);
				else if (l->r[j].proto < 256)
					bm_set(covered + (size_t)l->r[j].proto *
								 words,
					       i);
			}
		}
	}
	sc.classes = &bt;
	sc.neg = neg;
	for (pp = 0; pp < LI_NR_PORT_PROTOS; pp++) {
		proto = li_port_proto_number(fb->family, pp);
		if (proto < 0)
			continue;
		port_proto[proto] = true;
		t->proto_map[proto] = LI_PORTS | pp;
		err = svc_build_ports(c, &sc, pp, proto);
		if (err)
			goto out;
	}
	for (proto = 0; proto < 256; proto++) {
		const __u64 *cov = covered + (size_t)proto * words;

		if (port_proto[proto])
			continue;
		for (w = 0; w < words; w++)
			sc.row[w] = (cov[w] | anym[w]) ^ neg[w];
		err = bm_table_intern(&bt, sc.row, &t->proto_map[proto]);
		if (err)
			goto out;
	}
	t->nr_classes = (__u32)bt.nr;
	err = bm_table_finish(&bt, &fb->f->bm_svc);
out:
	bm_table_release(&bt);
	free(covered);
	free(anym);
	free(neg);
	free(sc.row);
	free(sc.all_and);
	free(sc.any_or);
	return err;
}
