/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the shadowed-policy check (shadow.c, shadow_dim.c).
 *
 * Per dimension, policies are grouped by key: policies with the same key
 * match the same packets in that dimension. For each key the check works
 * out cover = the policies whose match in that dimension is a superset,
 * and a signature (equal signatures = equal match) for grouping policies
 * that differ in one dimension only.
 */
#ifndef LOCALIN_COMPILE_SHADOW_H
#define LOCALIN_COMPILE_SHADOW_H

#include "compile/internal.h"

enum { DIM_INTF, DIM_SRC, DIM_DST, DIM_SVC, NR_DIMS };

static inline bool dim_is_addr(unsigned int d)
{
	return d == DIM_SRC || d == DIM_DST;
}

struct shadow {
	struct compile_ctx *c;
	const struct fam_build *fb;
	uint32_t n, words;
	__u64 *cover; /* n * words: policies covering i in every dimension */
	__u64 *sig[NR_DIMS];
	const struct li_bitmaps *bm[NR_DIMS];
	uint32_t *key[NR_DIMS];
	uint32_t nkeys[NR_DIMS];
	/* interface and service: the classes holding key k, kcls[koff[k]..] */
	uint32_t *koff[NR_DIMS];
	uint32_t *kcls[NR_DIMS];
	/* addresses: the effective point set (negate applied) of key k */
	uint32_t *kset[NR_DIMS]; /* id in c->addrs */
	ip_u128 *ksize[NR_DIMS]; /* its number of addresses */
	bool *empty;		 /* matches nothing in some dimension */
	uint16_t *canon;	 /* schedule index, always-on ones as 0 */
};

/* Cover, signature and keys of one dimension, ANDed into sh->cover. */
int shadow_class_dim(struct shadow *sh, unsigned int d);
int shadow_addr_dim(struct shadow *sh, unsigned int d);

static inline const struct ipset *shadow_eset(const struct shadow *sh,
					      unsigned int d, uint32_t i)
{
	return &sh->c->addrs.sets[sh->kset[d][sh->key[d][i]]];
}

#endif
