/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to src/compile: the scratch structures one compile shares between
 * its files. Nothing here outlives ruleset_compile() except what it moves
 * into the li_ruleset.
 */
#ifndef LOCALIN_COMPILE_INTERNAL_H
#define LOCALIN_COMPILE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "compile/ipset.h"
#include "util/hash.h"

static inline void bm_set(__u64 *bm, uint32_t i)
{
	bm[i / 64] |= 1ull << (i % 64);
}

static inline bool bm_test(const __u64 *bm, uint32_t i)
{
	return bm[i / 64] >> (i % 64) & 1;
}

__u64 bm_hash(const __u64 *bm, uint32_t words);

/* Pointer -> u32, open addressing; keys are never removed. */
struct ptr_map {
	const void **keys;
	uint32_t *vals;
	size_t mask, nr;
};

void ptr_map_release(struct ptr_map *m);
int ptr_map_put(struct ptr_map *m, const void *key, uint32_t val);
bool ptr_map_get(const struct ptr_map *m, const void *key, uint32_t *val);

/*
 * Distinct bitmaps of @words words each, numbered in order of first
 * appearance: this is how every dimension turns "the set of policies a
 * point satisfies" into a class number without keeping one bitmap per
 * point.
 */
struct bm_table {
	uint32_t words;
	__u64 *rows;
	__u64 *hashes;
	size_t nr, cap;
	uint32_t *slots; /* row + 1; 0 = empty */
	size_t mask;
};

int bm_table_init(struct bm_table *t, uint32_t words);
void bm_table_release(struct bm_table *t);
int bm_table_intern(struct bm_table *t, const __u64 *bm, uint32_t *row);
/* Move the rows into @out, trimmed to size; @t is released. */
int bm_table_finish(struct bm_table *t, struct li_bitmaps *out);

/* The phase tables of a compiled family (phase.c), or none (too big). */
int phase_build(struct li_family *f);
void phase_free(struct li_phase *ph);

/*
 * Groups of policy indices (the policies that use one address set, or one
 * port rectangle), so a sweep can flip all of a group's bits at an event.
 * A group with more members than there are bitmap words also carries a
 * precomputed mask: one pass over the words is then cheaper than one bit
 * per member, which bounds the sweep when a set like "all" is shared by
 * thousands of policies.
 */
struct group_list {
	uint32_t nr_groups, words;
	uint32_t *off;	 /* nr_groups + 1 */
	uint32_t *pol;	 /* members, sorted by group */
	uint32_t *heavy; /* per group: 1 + index into masks, or 0 */
	__u64 *masks;
};

/* From nr_pairs (group, policy) pairs. */
int group_list_build(struct group_list *g, uint32_t nr_groups,
		     const uint32_t *pair_group, const uint32_t *pair_pol,
		     size_t nr_pairs, uint32_t words);
void group_list_release(struct group_list *g);
void group_list_xor(const struct group_list *g, uint32_t gid, __u64 *bm);
void group_list_or(const struct group_list *g, uint32_t gid, __u64 *bm);

/* Interned address sets: equal point sets share one id. */
struct addr_store {
	struct ipset *sets;
	__u64 *hashes;
	size_t nr, cap;
	uint32_t *slots;
	size_t mask;
	struct ptr_map memo; /* struct obj_addr * -> set id */
};

/* Flattened services: one range list per service object. */
struct svc_list {
	const struct svc_range *r;
	size_t nr;
	bool owned;
};

struct svc_store {
	struct svc_list *lists;
	size_t nr, cap;
	struct ptr_map memo; /* struct obj_service * -> list id */
};

/* Elementary intervals of an address dimension: lo[k] .. lo[k + 1] - 1. */
struct addr_intervals {
	ip_u128 *lo;
	uint32_t *cls;
	size_t nr;
};

/* One address family while it is being compiled. */
struct fam_build {
	int family;	    /* 4 or 6 */
	unsigned int width; /* address bits: 32 or 128 */
	struct obj_policy *const *pol;
	uint32_t nr, words;
	struct li_family *f;
	uint32_t *src_set, *dst_set; /* interned set id per policy */
	struct addr_intervals src_iv, dst_iv;
};

struct compile_ctx {
	const struct obj_config *cfg;
	struct li_ruleset *rs;
	struct diag_list *dl;
	struct addr_store addrs;
	struct svc_store svcs;
	struct ptr_map sched_map; /* struct obj_schedule * -> index */
	size_t sched_cap, sched_members_cap;
};

/* addr.c */
void addr_store_release(struct addr_store *st);
int addr_flatten(struct compile_ctx *c, const struct obj_addr *a, uint32_t *id);
int addr_policy_set(struct compile_ctx *c, struct obj_addr *const *list,
		    size_t nr, uint32_t *id);
/* A negated srcaddr/dstaddr naming an FQDN or feed without address: warn. */
void addr_warn_unfilled_negate(struct compile_ctx *c,
			       const struct obj_policy *p);
/* Intern @s (normalized; its memory moves into the store). */
int addr_intern(struct addr_store *st, struct ipset *s, uint32_t *id);
int addr_build_dim(struct compile_ctx *c, const struct fam_build *fb,
		   const uint32_t *set_of, bool dst, struct li_addr_table *tab,
		   struct li_bitmaps *bm, struct addr_intervals *iv);

/* trie.c */
int trie_build(const ip_u128 *lo, const uint32_t *cls, size_t nr,
	       unsigned int width, struct li_addr_table *tab);
/* Calls @fn for every maximal run of one class, in address order. */
void trie_walk(const struct li_addr_table *tab, unsigned int width,
	       void (*fn)(void *arg, ip_u128 lo, ip_u128 hi, __u32 cls),
	       void *arg);

/* svc.c */
void svc_store_release(struct svc_store *st);
int svc_flatten(struct compile_ctx *c, const struct obj_service *s,
		uint32_t *id);
int svc_build(struct compile_ctx *c, const struct fam_build *fb);
int li_port_proto_number(int family, unsigned int pp);

/* sched.c */
int sched_index(struct compile_ctx *c, const struct obj_schedule *s,
		__u16 *idx);
bool sched_is_always(const struct li_ruleset *rs, __u16 idx);
bool sched_is_never(const struct li_ruleset *rs, __u16 idx);

/* shadow.c */
int shadow_check(struct compile_ctx *c, const struct fam_build *fb);

#endif
