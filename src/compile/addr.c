// SPDX-License-Identifier: GPL-2.0
/*
 * Address dimensions: objects and groups flatten to interval sets, each
 * policy's srcaddr/dstaddr list to one interned set, and a sweep over the
 * sets' boundaries yields the elementary intervals with their classes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/internal.h"
#include "objects/dynaddr.h"

void addr_store_release(struct addr_store *st)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		ipset_release(&st->sets[i]);
	free(st->sets);
	free(st->hashes);
	free(st->slots);
	ptr_map_release(&st->memo);
	memset(st, 0, sizeof(*st));
}

static int addr_store_rehash(struct addr_store *st)
{
	size_t size = st->slots ? (st->mask + 1) * 2 : 64, i;
	uint32_t *slots = calloc(size, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < st->nr; i++) {
		size_t s = st->hashes[i] & (size - 1);

		while (slots[s])
			s = (s + 1) & (size - 1);
		slots[s] = (uint32_t)i + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->mask = size - 1;
	return 0;
}

/*
 * Intern @s (normalized): its memory moves into the store, or is released
 * if an equal set is already there. Many policies name the same groups;
 * interning makes them share one set and so one group in the sweep.
 */
int addr_intern(struct addr_store *st, struct ipset *s, uint32_t *id)
{
	__u64 h = ipset_hash(s);
	size_t slot;
	int err;

	if (!st->slots || (st->nr + 1) * 2 > st->mask + 1) {
		err = addr_store_rehash(st);
		if (err)
			goto fail;
	}
	slot = h & st->mask;
	while (st->slots[slot]) {
		uint32_t k = st->slots[slot] - 1;

		if (st->hashes[k] == h && ipset_equal(&st->sets[k], s)) {
			ipset_release(s);
			*id = k;
			return 0;
		}
		slot = (slot + 1) & st->mask;
	}
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct ipset *sets = realloc(st->sets, cap * sizeof(*sets));
		__u64 *hashes;

		err = -ENOMEM;
		if (!sets)
			goto fail;
		st->sets = sets;
		hashes = realloc(st->hashes, cap * sizeof(*hashes));
		if (!hashes)
			goto fail;
		st->hashes = hashes;
		st->cap = cap;
	}
	st->sets[st->nr] = *s;
	st->hashes[st->nr] = h;
	st->slots[slot] = (uint32_t)st->nr + 1;
	*id = (uint32_t)st->nr++;
	ipset_init(s);
	return 0;
fail:
	ipset_release(s);
	return err;
}

static ip_u128 family_max(int family)
{
	return family == 6 ? IP_U128_MAX : IP_V4_MAX;
}

/*
 * The one range of an address that is not a group, clamped rather than
 * trusted (a v4 range must stay in 32 bits); false if it has none.
 */
static bool addr_plain_range(const struct obj_addr *a, ip_u128 *lo, ip_u128 *hi)
{
	ip_u128 max = family_max(a->family);

	switch (a->type) {
	case ADDR_IPMASK:
	case ADDR_IPRANGE:
	case ADDR_IFSUBNET:
		if (a->range.lo > a->range.hi || a->range.lo > max)
			return false;
		*lo = a->range.lo;
		*hi = a->range.hi > max ? max : a->range.hi;
		return true;
	default:
		/* Countries, wildcards, dynamic addresses: addr_push_many(). */
		return false;
	}
}

/*
 * The ranges of an address that is more than one: a country's networks,
 * a wildcard's prefixes, an FQDN's or a feed's current ranges of its
 * family (none until first resolved or fetched: objects/dynaddr.h).
 */
static int addr_push_many(struct compile_ctx *c, const struct obj_addr *a,
			  struct ipset *out)
{
	const struct dyn_entry *e;
	struct ip_range *v;
	uint64_t n, i;
	int err = 0;

	if (a->type == ADDR_GEOGRAPHY) {
		/* a country's ranges, clamped like one range would be */
		ip_u128 max = family_max(a->family);

		for (i = 0; i < a->nr_geo && !err; i++) {
			if (a->geo[i].lo > a->geo[i].hi || a->geo[i].lo > max)
				continue;
			err = ipset_push(out, a->geo[i].lo,
					 a->geo[i].hi > max ? max :
							      a->geo[i].hi);
		}
		return err;
	}
	if (a->type == ADDR_WILDCARD) {
		n = wildcard_nr_prefixes(a->wild.mask);
		if (n > WILDCARD_MAX_PREFIXES)
			return -E2BIG; /* the resolver refused it already */
		v = malloc(n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		wildcard_expand(a->wild.addr, a->wild.mask, v);
		for (i = 0; i < n && !err; i++)
			err = ipset_push(out, v[i].lo, v[i].hi);
		free(v);
		return err;
	}
	e = c->cfg->dyn ? dyn_of_addr(c->cfg->dyn, a) : NULL;
	for (i = 0; e && i < e->nr && !err; i++)
		if (e->r[i].family == a->family)
			err = ipset_push(out, e->r[i].lo, e->r[i].hi);
	return err;
}

/*
 * Union of the flattened sets of @nr objects, appended to @out. A plain
 * address adds its range directly: interning a set for each member of a
 * group of 1M addresses cost 150 MB. The union is merged as it grows
 * (whenever it doubled): members mostly adjoin, hosts of one subnet, so
 * it stays near its final size rather than one range per member.
 */
static int addr_collect(struct compile_ctx *c, struct obj_addr *const *list,
			size_t nr, struct ipset *out)
{
	size_t i, merged = 0;
	ip_u128 lo, hi;
	int err;

	for (i = 0; i < nr; i++) {
		uint32_t id;

		if (out->nr >= 2 * merged + 4096) {
			ipset_normalize(out);
			merged = out->nr;
		}

		if (list[i]->type != ADDR_GROUP) {
			if (addr_plain_range(list[i], &lo, &hi))
				err = ipset_push(out, lo, hi);
			else
				err = addr_push_many(c, list[i], out);
		} else {
			err = addr_flatten(c, list[i], &id);
			if (!err)
				err = ipset_push_set(out, &c->addrs.sets[id]);
		}
		if (err)
			return err;
	}
	ipset_normalize(out);
	return 0;
}

/*
 * The first FQDN or feed in @a (itself, or a member of it as a group)
 * that has no address now: it excludes nothing where it is excluded.
 */
static const struct obj_addr *addr_unfilled(const struct compile_ctx *c,
					    const struct obj_addr *a,
					    unsigned int depth)
{
	const struct dyn_entry *e;
	const struct obj_addr *u;
	size_t i;

	if (a->type == ADDR_FQDN || a->type == ADDR_FEED) {
		e = c->cfg->dyn ? dyn_of_addr(c->cfg->dyn, a) : NULL;
		for (i = 0; e && i < e->nr; i++)
			if (e->r[i].family == a->family)
				return NULL;
		return a;
	}
	if (a->type != ADDR_GROUP || depth > 8)
		return NULL;
	for (i = 0; i < a->nr_members; i++) {
		u = addr_unfilled(c, a->members[i], depth + 1);
		if (u)
			return u;
	}
	return NULL;
}

/*
 * " (not resolved yet)" unless the name was asked and gave nothing (or
 * the feed fetched): the daemon compiles before its first query, with
 * the table empty, and its start must not say the name has no address.
 */
static const char *unfilled_when(const struct compile_ctx *c,
				 const struct obj_addr *u)
{
	const struct dyn_entry *e =
		c->cfg->dyn ? dyn_of_addr(c->cfg->dyn, u) : NULL;

	return !e || (e->state == DYN_NEVER && !e->err[0]) ?
		       " (not resolved yet)" :
		       "";
}

/* The README's warning, said where it matters: the excluded get in. */
static void warn_unfilled_exclude(struct compile_ctx *c,
				  const struct obj_addr *g, size_t i)
{
	const struct obj_addr *u = addr_unfilled(c, g->excludes[i], 0);

	if (!u)
		return;
	diag_warn(
		c->dl, g->exclude_locs ? &g->exclude_locs[i] : &g->loc,
		"exclude-member \"%s\" of group \"%s\": %s \"%s\" has no address%s, so it excludes nothing: what it names is NOT excluded from \"%s\" until it has",
		g->excludes[i]->name, g->name,
		u->type == ADDR_FQDN ? "fqdn" : "external-resource",
		u->type == ADDR_FQDN ? u->fqdn : u->feed, unfilled_when(c, u),
		g->name);
}

/*
 * srcaddr-negate/dstaddr-negate with a member that has no address yet
 * (an FQDN not resolved, a feed not fetched): the negation exempts
 * nothing of it, so the policy matches what it names too. A deny for
 * "all but the admin's host" then denies the admin: say so, as for an
 * exclude-member.
 */
void addr_warn_unfilled_negate(struct compile_ctx *c,
			       const struct obj_policy *p)
{
	int d;

	for (d = 0; d < 2 && p->enabled; d++) {
		struct obj_addr *const *list = d ? p->dst : p->src;
		const struct conf_loc *locs = d ? p->dst_locs : p->src_locs;
		size_t i, n = d ? p->nr_dst : p->nr_src;

		if (!(d ? p->dst_negate : p->src_negate))
			continue;
		for (i = 0; i < n; i++) {
			const struct obj_addr *u = addr_unfilled(c, list[i], 0);

			if (!u)
				continue;
			diag_warn(
				c->dl, locs ? &locs[i] : &p->loc,
				"policy %u: %saddr-negate with \"%s\": %s \"%s\" has no address%s, so the negation exempts nothing: what it names is matched by the policy too until it has",
				p->id, d ? "dst" : "src", list[i]->name,
				u->type == ADDR_FQDN ? "fqdn" :
						       "external-resource",
				u->type == ADDR_FQDN ? u->fqdn : u->feed,
				unfilled_when(c, u));
		}
	}
}

/* Has a member of @g no address yet (an FQDN, a feed): it may get some. */
static bool group_unfilled(struct compile_ctx *c, const struct obj_addr *g)
{
	for (size_t i = 0; i < g->nr_members; i++)
		if (addr_unfilled(c, g->members[i], 0))
			return true;
	return false;
}

static int addr_flatten_group(struct compile_ctx *c, const struct obj_addr *a,
			      struct ipset *out)
{
	struct ipset members, excl;
	size_t i;
	int err;

	ipset_init(&members);
	ipset_init(&excl);
	err = addr_collect(c, a->members, a->nr_members, &members);
	if (err || !a->exclude || !a->nr_excludes) {
		*out = members;
		return err;
	}
	for (i = 0; i < a->nr_excludes; i++) {
		const struct ipset *e;
		uint32_t id;

		err = addr_flatten(c, a->excludes[i], &id);
		if (err)
			goto out;
		warn_unfilled_exclude(c, a, i);
		e = &c->addrs.sets[id];
		/* Excluding what is not there is almost surely a mistake. */
		if (!ipset_subset(e, &members))
			diag_warn(
				c->dl,
				a->exclude_locs ? &a->exclude_locs[i] : &a->loc,
				"exclude-member \"%s\" of group \"%s\" is not inside its members",
				a->excludes[i]->name, a->name);
		err = ipset_push_set(&excl, e);
		if (err)
			goto out;
	}
	ipset_normalize(&excl);
	err = ipset_diff(out, &members, &excl);
	/* A group left empty: a policy naming it never matches. */
	if (!err && ipset_empty(out) && !ipset_empty(&members) &&
	    !group_unfilled(c, a))
		diag_warn(
			c->dl, &a->loc,
			"address group \"%s\" excludes every address of its members: it matches no address, and a policy naming it never matches",
			a->name);
out:
	ipset_release(&members);
	ipset_release(&excl);
	return err;
}

/* One address or group whose subgroups are all flattened already. */
static int addr_flatten_one(struct compile_ctx *c, const struct obj_addr *a,
			    uint32_t *id)
{
	struct ipset s;
	ip_u128 lo, hi;
	int err = 0;

	ipset_init(&s);
	if (a->type == ADDR_GROUP)
		err = addr_flatten_group(c, a, &s);
	else if (addr_plain_range(a, &lo, &hi))
		err = ipset_push(&s, lo, hi);
	else
		err = addr_push_many(c, a, &s);
	if (!err)
		ipset_normalize(&s);
	if (!err)
		err = addr_intern(&c->addrs, &s, id);
	else
		ipset_release(&s);
	if (!err)
		err = ptr_map_put(&c->addrs.memo, a, *id);
	return err;
}

struct addr_frame {
	const struct obj_addr *a;
	size_t next; /* child to look at next: members, then excludes */
};

/* The @i-th subgroup slot of @a: a member or an exclude, NULL past them. */
static const struct obj_addr *addr_child(const struct obj_addr *a, size_t i)
{
	if (i < a->nr_members)
		return a->members[i];
	i -= a->nr_members;
	return i < a->nr_excludes ? a->excludes[i] : NULL;
}

/*
 * Group @root and, first, every group below it not yet flattened, deepest
 * first, with a stack of our own: addr_flatten_one() then finds each
 * member memoized. Nesting depth is the admin's to choose; a chain of
 * 400k groups must not overflow the C stack.
 */
static int addr_flatten_nested(struct compile_ctx *c,
			       const struct obj_addr *root)
{
	struct addr_frame *st, *f;
	const struct obj_addr *child;
	size_t n = 0, cap = 16;
	uint32_t id;
	int err = 0;

	st = malloc(cap * sizeof(*st));
	if (!st)
		return -ENOMEM;
	st[n++] = (struct addr_frame){ root, 0 };
	while (n && !err) {
		f = &st[n - 1];
		child = addr_child(f->a, f->next++);
		if (!child) {
			err = addr_flatten_one(c, f->a, &id);
			n--;
			continue;
		}
		if (child->type != ADDR_GROUP ||
		    ptr_map_get(&c->addrs.memo, child, &id))
			continue;
		if (n == cap) {
			struct addr_frame *g =
				realloc(st, 2 * cap * sizeof(*st));

			if (!g) {
				err = -ENOMEM;
				break;
			}
			st = g;
			cap *= 2;
		}
		st[n++] = (struct addr_frame){ child, 0 };
	}
	free(st);
	return err;
}

int addr_flatten(struct compile_ctx *c, const struct obj_addr *a, uint32_t *id)
{
	int err;

	if (ptr_map_get(&c->addrs.memo, a, id))
		return 0;
	if (a->type != ADDR_GROUP)
		return addr_flatten_one(c, a, id);
	err = addr_flatten_nested(c, a);
	if (!err && !ptr_map_get(&c->addrs.memo, a, id))
		err = -EINVAL; /* not reached: the walk flattened @a last */
	return err;
}

int addr_policy_set(struct compile_ctx *c, struct obj_addr *const *list,
		    size_t nr, uint32_t *id)
{
	struct ipset s;
	int err;

	if (nr == 1)
		return addr_flatten(c, list[0], id);
	ipset_init(&s);
	err = addr_collect(c, list, nr, &s);
	if (err) {
		ipset_release(&s);
		return err;
	}
	return addr_intern(&c->addrs, &s, id);
}

struct addr_event {
	ip_u128 pos;
	uint32_t grp;
};

static int event_cmp(const void *pa, const void *pb)
{
	const struct addr_event *a = pa, *b = pb;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->grp < b->grp ? -1 : a->grp > b->grp;
}

struct sweep_out {
	ip_u128 *lo;
	uint32_t *cls;
	size_t nr, cap;
};

static int sweep_emit(struct sweep_out *o, ip_u128 lo, uint32_t cls)
{
	if (o->nr && o->cls[o->nr - 1] == cls)
		return 0; /* same class continues: keep intervals maximal */
	if (o->nr == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		ip_u128 *l = realloc(o->lo, cap * sizeof(*l));
		uint32_t *k;

		if (!l)
			return -ENOMEM;
		o->lo = l;
		k = realloc(o->cls, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		o->cls = k;
		o->cap = cap;
	}
	o->lo[o->nr] = lo;
	o->cls[o->nr++] = cls;
	return 0;
}

/*
 * The sweep keeps only the current bitmap: entering or leaving a set
 * flips the bits of the policies using it (in XOR negate, so the same
 * flip serves negated policies), and each elementary interval's bitmap
 * is interned at once. Memory stays O(classes * words).
 */
static int addr_sweep(const struct fam_build *fb, const struct addr_store *st,
		      const uint32_t *grp_set, uint32_t nr_grps,
		      const struct group_list *gl, const __u64 *neg,
		      struct bm_table *bt, struct sweep_out *o)
{
	ip_u128 max = family_max(fb->family), pos = 0;
	struct addr_event *ev;
	size_t nev = 0, e = 0, i;
	__u64 *cur;
	uint32_t g;
	int err = 0;

	for (g = 0; g < nr_grps; g++)
		nev += 2 * st->sets[grp_set[g]].nr;
	ev = malloc((nev ? nev : 1) * sizeof(*ev));
	cur = malloc(fb->words * sizeof(*cur));
	if (!ev || !cur) {
		err = -ENOMEM;
		goto out;
	}
	nev = 0;
	for (g = 0; g < nr_grps; g++) {
		const struct ipset *s = &st->sets[grp_set[g]];

		for (i = 0; i < s->nr; i++) {
			ev[nev].pos = s->r[i].lo;
			ev[nev++].grp = g;
			if (s->r[i].hi < max) {
				ev[nev].pos = s->r[i].hi + 1;
				ev[nev++].grp = g;
			}
		}
	}
	qsort(ev, nev, sizeof(*ev), event_cmp);
	memcpy(cur, neg, fb->words * sizeof(*cur));
	for (;;) {
		uint32_t cls;

		while (e < nev && ev[e].pos == pos)
			group_list_xor(gl, ev[e++].grp, cur);
		err = bm_table_intern(bt, cur, &cls);
		if (!err)
			err = sweep_emit(o, pos, cls);
		if (err || e == nev)
			break;
		pos = ev[e].pos;
	}
out:
	free(ev);
	free(cur);
	return err;
}

int addr_build_dim(struct compile_ctx *c, const struct fam_build *fb,
		   const uint32_t *set_of, bool dst, struct li_addr_table *tab,
		   struct li_bitmaps *bm, struct addr_intervals *iv)
{
	uint32_t *local = NULL, *grp_set = NULL, *pair_grp = NULL;
	uint32_t nr_grps = 0, i, *pair_pol = NULL;
	struct sweep_out o = { 0 };
	struct group_list gl = { 0 };
	struct bm_table bt = { 0 };
	__u64 *neg = NULL;
	int err = -ENOMEM;

	/* Dense numbering of the sets this dimension uses. */
	local = malloc((c->addrs.nr ? c->addrs.nr : 1) * sizeof(*local));
	grp_set = malloc((fb->nr ? fb->nr : 1) * sizeof(*grp_set));
	pair_grp = malloc((fb->nr ? fb->nr : 1) * sizeof(*pair_grp));
	pair_pol = malloc((fb->nr ? fb->nr : 1) * sizeof(*pair_pol));
	neg = calloc(fb->words, sizeof(*neg));
	if (!local || !grp_set || !pair_grp || !pair_pol || !neg)
		goto out;
	memset(local, 0xff, c->addrs.nr * sizeof(*local));
	for (i = 0; i < fb->nr; i++) {
		const struct obj_policy *p = fb->pol[i];
		uint32_t s = set_of[i];

		if (local[s] == UINT32_MAX) {
			local[s] = nr_grps;
			grp_set[nr_grps++] = s;
		}
		pair_grp[i] = local[s];
		pair_pol[i] = i;
		if (dst ? p->dst_negate : p->src_negate)
			bm_set(neg, i);
	}
	err = group_list_build(&gl, nr_grps, pair_grp, pair_pol, fb->nr,
			       fb->words);
	if (!err)
		err = bm_table_init(&bt, fb->words);
	if (!err)
		err = addr_sweep(fb, &c->addrs, grp_set, nr_grps, &gl, neg, &bt,
				 &o);
	if (!err)
		err = trie_build(o.lo, o.cls, o.nr, fb->width, tab);
	if (!err) {
		tab->nr_classes = (__u32)bt.nr;
		err = bm_table_finish(&bt, bm);
	}
	if (!err) {
		/* The shadow check reads the intervals; it frees them. */
		iv->lo = o.lo;
		iv->cls = o.cls;
		iv->nr = o.nr;
		o.lo = NULL;
		o.cls = NULL;
	}
out:
	bm_table_release(&bt);
	group_list_release(&gl);
	free(o.lo);
	free(o.cls);
	free(local);
	free(grp_set);
	free(pair_grp);
	free(pair_pol);
	free(neg);
	return err;
}
