/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interval sets over ip_u128: the compile-time form of an address object.
 * A normalized set is sorted by lo, its ranges are inclusive, disjoint and
 * not adjacent (so two equal point sets have equal representations, which
 * lets the compiler hash and compare sets by content). Memory is malloc'd,
 * not arena-allocated: scratch of one compile, released when it ends.
 */
#ifndef LOCALIN_COMPILE_IPSET_H
#define LOCALIN_COMPILE_IPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/objects.h"

#define IP_U128_MAX (~(ip_u128)0)
#define IP_V4_MAX ((ip_u128)0xffffffffu)

struct ipset {
	struct ip_range *r;
	size_t nr, cap;
};

void ipset_init(struct ipset *s);
void ipset_release(struct ipset *s);

/* Append a range without normalizing; call ipset_normalize() after. */
int ipset_push(struct ipset *s, ip_u128 lo, ip_u128 hi);
/* Append every range of @b (unnormalized). */
int ipset_push_set(struct ipset *s, const struct ipset *b);
/* Sort and merge overlapping or adjacent ranges. */
void ipset_normalize(struct ipset *s);

/* @out = @a ∪ @b, @a \ @b, @a ∩ @b; inputs normalized, @out fresh. */
int ipset_union(struct ipset *out, const struct ipset *a,
		const struct ipset *b);
int ipset_diff(struct ipset *out, const struct ipset *a, const struct ipset *b);
/* @out = @a \ @b into @out's existing buffer (initialized, not @a/@b). */
int ipset_diff_reuse(struct ipset *out, const struct ipset *a,
		     const struct ipset *b);
int ipset_intersect(struct ipset *out, const struct ipset *a,
		    const struct ipset *b);

/* @out = [0, @max] \ @s (@s normalized, inside [0, @max]). */
int ipset_complement(struct ipset *out, const struct ipset *s, ip_u128 max);

bool ipset_contains(const struct ipset *s, ip_u128 ip);
/* Do @a and @b share an address? */
bool ipset_overlaps(const struct ipset *a, const struct ipset *b);
/* Number of addresses, saturating at IP_U128_MAX. */
ip_u128 ipset_size(const struct ipset *s);
/* @a ⊆ @b (both normalized). */
bool ipset_subset(const struct ipset *a, const struct ipset *b);
bool ipset_equal(const struct ipset *a, const struct ipset *b);
bool ipset_empty(const struct ipset *s);

/* Content hash of a normalized set. */
uint64_t ipset_hash(const struct ipset *s);

#endif
