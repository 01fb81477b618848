// SPDX-License-Identifier: GPL-2.0
#include "compile/ipset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

void ipset_init(struct ipset *s)
{
	s->r = NULL;
	s->nr = 0;
	s->cap = 0;
}

void ipset_release(struct ipset *s)
{
	free(s->r);
	ipset_init(s);
}

static int ipset_reserve(struct ipset *s, size_t want)
{
	struct ip_range *r;
	size_t cap;

	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 4;
	while (cap < want)
		cap *= 2;
	r = realloc(s->r, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	s->r = r;
	s->cap = cap;
	return 0;
}

int ipset_push(struct ipset *s, ip_u128 lo, ip_u128 hi)
{
	int err = ipset_reserve(s, s->nr + 1);

	if (err)
		return err;
	s->r[s->nr].lo = lo;
	s->r[s->nr].hi = hi;
	s->nr++;
	return 0;
}

int ipset_push_set(struct ipset *s, const struct ipset *b)
{
	int err = ipset_reserve(s, s->nr + b->nr);

	if (err)
		return err;
	if (b->nr)
		memcpy(s->r + s->nr, b->r, b->nr * sizeof(*b->r));
	s->nr += b->nr;
	return 0;
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct ip_range *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return 0;
}

void ipset_normalize(struct ipset *s)
{
	size_t i, n = 0;

	if (s->nr < 2)
		return;
	qsort(s->r, s->nr, sizeof(*s->r), range_cmp);
	for (i = 1; i < s->nr; i++) {
		struct ip_range *cur = &s->r[n];

		/* Adjacent ranges merge too, hence hi + 1 (guarded at max). */
		if (cur->hi == IP_U128_MAX || s->r[i].lo <= cur->hi + 1) {
			if (s->r[i].hi > cur->hi)
				cur->hi = s->r[i].hi;
		} else {
			s->r[++n] = s->r[i];
		}
	}
	s->nr = n + 1;
}

int ipset_union(struct ipset *out, const struct ipset *a, const struct ipset *b)
{
	int err;

	ipset_init(out);
	err = ipset_reserve(out, a->nr + b->nr);
	if (!err)
		err = ipset_push_set(out, a);
	if (!err)
		err = ipset_push_set(out, b);
	if (err) {
		ipset_release(out);
		return err;
	}
	ipset_normalize(out);
	return 0;
}

int ipset_diff(struct ipset *out, const struct ipset *a, const struct ipset *b)
{
	ipset_init(out);
	return ipset_diff_reuse(out, a, b);
}

int ipset_diff_reuse(struct ipset *out, const struct ipset *a,
		     const struct ipset *b)
{
	size_t i, j = 0, n = 0;
	/* Each range of b splits at most one range of a in two. */
	int err = ipset_reserve(out, a->nr + b->nr);

	if (err)
		return err;
	for (i = 0; i < a->nr; i++) {
		ip_u128 lo = a->r[i].lo, hi = a->r[i].hi;
		bool left = true;

		/* b ranges wholly below this a range cannot touch later ones. */
		while (j < b->nr && b->r[j].hi < lo)
			j++;
		for (size_t k = j; k < b->nr && b->r[k].lo <= hi; k++) {
			if (b->r[k].lo > lo) {
				out->r[n].lo = lo;
				out->r[n++].hi = b->r[k].lo - 1;
			}
			if (b->r[k].hi >= hi) {
				left = false;
				break;
			}
			lo = b->r[k].hi + 1;
		}
		if (left) {
			out->r[n].lo = lo;
			out->r[n++].hi = hi;
		}
	}
	out->nr = n;
	return 0;
}

int ipset_intersect(struct ipset *out, const struct ipset *a,
		    const struct ipset *b)
{
	size_t i = 0, j = 0;
	int err = 0;

	ipset_init(out);
	while (i < a->nr && j < b->nr && !err) {
		ip_u128 lo = a->r[i].lo > b->r[j].lo ? a->r[i].lo : b->r[j].lo;
		ip_u128 hi = a->r[i].hi < b->r[j].hi ? a->r[i].hi : b->r[j].hi;

		if (lo <= hi)
			err = ipset_push(out, lo, hi);
		if (a->r[i].hi < b->r[j].hi)
			i++;
		else
			j++;
	}
	if (err)
		ipset_release(out);
	return err;
}

int ipset_complement(struct ipset *out, const struct ipset *s, ip_u128 max)
{
	ip_u128 next = 0;
	bool open = true; /* addresses from next on are still to be placed */
	size_t i;
	int err = 0;

	ipset_init(out);
	for (i = 0; i < s->nr && !err; i++) {
		if (s->r[i].lo > next)
			err = ipset_push(out, next, s->r[i].lo - 1);
		if (s->r[i].hi >= max) {
			open = false;
			break;
		}
		next = s->r[i].hi + 1;
	}
	if (!err && open && next <= max)
		err = ipset_push(out, next, max);
	if (err)
		ipset_release(out);
	return err;
}

bool ipset_overlaps(const struct ipset *a, const struct ipset *b)
{
	size_t i = 0, j = 0;

	/* Disjoint hulls: the common case, answered without a walk. */
	if (!a->nr || !b->nr || a->r[a->nr - 1].hi < b->r[0].lo ||
	    b->r[b->nr - 1].hi < a->r[0].lo)
		return false;
	while (i < a->nr && j < b->nr) {
		if (a->r[i].hi < b->r[j].lo)
			i++;
		else if (b->r[j].hi < a->r[i].lo)
			j++;
		else
			return true;
	}
	return false;
}

ip_u128 ipset_size(const struct ipset *s)
{
	ip_u128 n = 0;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		ip_u128 len = s->r[i].hi - s->r[i].lo; /* + 1, saturating */

		if (len == IP_U128_MAX || n > IP_U128_MAX - len - 1)
			return IP_U128_MAX;
		n += len + 1;
	}
	return n;
}

/* Index of the last range with lo <= ip, or -1. */
static long ipset_floor(const struct ipset *s, ip_u128 ip)
{
	long lo = 0, hi = (long)s->nr - 1, ans = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (s->r[mid].lo <= ip) {
			ans = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return ans;
}

bool ipset_contains(const struct ipset *s, ip_u128 ip)
{
	long k = ipset_floor(s, ip);

	return k >= 0 && s->r[k].hi >= ip;
}

bool ipset_subset(const struct ipset *a, const struct ipset *b)
{
	size_t i;

	/*
	 * Binary search per range of a: a failing test (the usual answer
	 * when many big sets are compared) stops at its first range.
	 */
	for (i = 0; i < a->nr; i++) {
		long k = ipset_floor(b, a->r[i].lo);

		/* Normalized b: one range must hold all of a's range. */
		if (k < 0 || b->r[k].hi < a->r[i].hi)
			return false;
	}
	return true;
}

bool ipset_equal(const struct ipset *a, const struct ipset *b)
{
	return a->nr == b->nr &&
	       (!a->nr || !memcmp(a->r, b->r, a->nr * sizeof(*a->r)));
}

bool ipset_empty(const struct ipset *s)
{
	return s->nr == 0;
}

uint64_t ipset_hash(const struct ipset *s)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ s->nr;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		h = hash_mix64(h ^ (uint64_t)s->r[i].lo);
		h = hash_mix64(h ^ (uint64_t)(s->r[i].lo >> 64));
		h = hash_mix64(h ^ (uint64_t)s->r[i].hi);
		h = hash_mix64(h ^ (uint64_t)(s->r[i].hi >> 64));
	}
	return h;
}
