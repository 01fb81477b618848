// SPDX-License-Identifier: GPL-2.0
/*
 * Per-dimension part of the shadow check: which policies cover which.
 *
 * Interface and service dimensions have few classes: "j covers k" is "j is
 * in every class holding k", the AND of those classes' bitmaps, done once
 * per group of policies that sit in the same classes.
 *
 * Address dimensions can have 10^5 classes, and a negated set is in nearly
 * all of them, so the same AND would cost classes x keys x words. There,
 * keys are effective point sets (negate applied) and the work splits:
 *  - a light key (few elementary intervals) ANDs the bitmaps of its
 *    intervals' classes, as above;
 *  - a heavy key can only be covered by heavy keys (a superset spans at
 *    least as many intervals), so its cover comes from interval-set
 *    subset tests among the heavy keys, largest first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/shadow.h"

/* Above this many elementary intervals a key is "heavy". */
#define LIGHT_MAX_INTERVALS 512

/*
 * Compressed rows: item i of @nr goes into row @row[i] with value @val[i]
 * (@val NULL: i itself). Row r is then out[off[r]..off[r + 1]), its items
 * in their order; @off (@nr_rows + 1) must come zeroed.
 */
static void csr_build(uint32_t *off, uint32_t *out, uint32_t nr_rows, size_t nr,
		      const uint32_t *row, const uint32_t *val)
{
	uint32_t r;
	size_t i;

	for (i = 0; i < nr; i++)
		off[row[i] + 1]++;
	for (r = 0; r < nr_rows; r++)
		off[r + 1] += off[r];
	for (i = 0; i < nr; i++)
		out[off[row[i]]++] = val ? val[i] : (uint32_t)i;
	/* The fill advanced each offset to its end; shift them back. */
	for (r = nr_rows; r > 0; r--)
		off[r] = off[r - 1];
	off[0] = 0;
}

/*
 * Keys for a dimension with few classes: policies in exactly the same
 * classes share one. A random sum per policy proposes the grouping; each
 * policy is then compared with its key's first policy class by class, so
 * a collision of sums can only cost a key, never merge two.
 */
static int class_keys(struct shadow *sh, unsigned int d, uint32_t *key,
		      uint32_t *nkeys)
{
	const struct li_bitmaps *bm = sh->bm[d];
	uint32_t words = sh->words, i, c, w, n = 0, *first = NULL;
	__u64 *sum = calloc(sh->n, sizeof(*sum)), *slot_sum = NULL;
	uint32_t *slot_key = NULL;
	size_t size = 64, s;
	int err = -ENOMEM;

	while (size < 2 * (size_t)sh->n)
		size *= 2;
	slot_sum = calloc(size, sizeof(*slot_sum));
	slot_key = malloc(size * sizeof(*slot_key));
	first = malloc(sh->n * sizeof(*first));
	if (!sum || !slot_sum || !slot_key || !first)
		goto out;
	for (c = 0; c < bm->nr_classes; c++) {
		const __u64 *row = bm->words + (size_t)c * words;
		__u64 r = hash_mix64(((__u64)d << 40) ^ c ^ 0x2545f491u) | 1;

		for (w = 0; w < words; w++)
			for (__u64 x = row[w]; x; x &= x - 1)
				sum[w * 64 + __builtin_ctzll(x)] += r;
	}
	for (i = 0; i < sh->n; i++) {
		__u64 h = sum[i] | 1; /* 0 marks an empty slot */

		for (s = hash_mix64(h) & (size - 1);;
		     s = (s + 1) & (size - 1)) {
			uint32_t k = slot_key[s];
			bool same = slot_sum[s] == h;

			if (!slot_sum[s]) {
				slot_sum[s] = h;
				slot_key[s] = n;
				first[n] = i;
				key[i] = n++;
				break;
			}
			for (c = 0; same && c < bm->nr_classes; c++) {
				const __u64 *row =
					bm->words + (size_t)c * words;

				same = bm_test(row, i) ==
				       bm_test(row, first[k]);
			}
			if (same) {
				key[i] = k;
				break;
			}
		}
	}
	*nkeys = n;
	err = 0;
out:
	free(sum);
	free(slot_sum);
	free(slot_key);
	free(first);
	return err;
}

/* (key, class) pairs in two arrays, the rows and values of csr_build(). */
struct kc_pairs {
	uint32_t *key, *cls;
	size_t nr, cap;
};

static int kc_pairs_add(struct kc_pairs *kp, uint32_t key, uint32_t cls)
{
	if (kp->nr == kp->cap) {
		size_t cap = kp->cap ? kp->cap * 2 : 1024;
		uint32_t *a = realloc(kp->key, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		kp->key = a;
		a = realloc(kp->cls, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		kp->cls = a;
		kp->cap = cap;
	}
	kp->key[kp->nr] = key;
	kp->cls[kp->nr++] = cls;
	return 0;
}

/*
 * What both kinds of dimension end with: each policy's cover ANDed with
 * its key's @ckey row, policies of a key that matches nothing marked
 * empty, and the key as the signature (keys are exact classes of equal
 * match).
 */
static void and_key_covers(struct shadow *sh, unsigned int d, const __u64 *ckey,
			   const bool *kempty)
{
	uint32_t words = sh->words, i, w;

	for (i = 0; i < sh->n; i++) {
		uint32_t k = sh->key[d][i];
		__u64 *cv = sh->cover + (size_t)i * words;
		const __u64 *ck = ckey + (size_t)k * words;

		if (kempty[k])
			sh->empty[i] = true;
		for (w = 0; w < words; w++)
			cv[w] &= ck[w];
		sh->sig[d][i] = k;
	}
}

int shadow_class_dim(struct shadow *sh, unsigned int d)
{
	const struct li_bitmaps *bm = sh->bm[d];
	uint32_t words = sh->words, i, w, c, nkeys = sh->n, *key;
	__u64 *ckey = NULL, *rep = NULL;
	struct kc_pairs pairs = { 0 };
	bool *seen = NULL, *kempty = NULL;
	int err = -ENOMEM;

	key = sh->key[d] = malloc(sh->n * sizeof(*key));
	if (!key)
		return -ENOMEM;
	err = class_keys(sh, d, key, &nkeys);
	if (err)
		return err;
	sh->nkeys[d] = nkeys;
	err = -ENOMEM;
	ckey = malloc((size_t)nkeys * words * sizeof(*ckey));
	rep = calloc(words, sizeof(*rep));
	seen = calloc(nkeys, sizeof(*seen));
	kempty = malloc(nkeys * sizeof(*kempty));
	sh->koff[d] = calloc((size_t)nkeys + 1, sizeof(*sh->koff[d]));
	if (!ckey || !rep || !seen || !kempty || !sh->koff[d])
		goto out;
	memset(ckey, 0xff, (size_t)nkeys * words * sizeof(*ckey));
	/* One representative policy per key is enough to find its classes. */
	for (i = 0; i < sh->n; i++) {
		if (!seen[key[i]]) {
			seen[key[i]] = true;
			bm_set(rep, i);
		}
	}
	for (c = 0; c < bm->nr_classes; c++) {
		const __u64 *row = bm->words + (size_t)c * words;

		for (w = 0; w < words; w++) {
			__u64 x = row[w] & rep[w];

			for (; x; x &= x - 1) {
				uint32_t k = key[w * 64 + __builtin_ctzll(x)];
				__u64 *ck = ckey + (size_t)k * words;
				uint32_t v;

				for (v = 0; v < words; v++)
					ck[v] &= row[v];
				if (kc_pairs_add(&pairs, k, c))
					goto out;
			}
		}
	}
	sh->kcls[d] = malloc((pairs.nr ? pairs.nr : 1) * sizeof(*sh->kcls[d]));
	if (!sh->kcls[d])
		goto out;
	csr_build(sh->koff[d], sh->kcls[d], nkeys, pairs.nr, pairs.key,
		  pairs.cls);
	/* A key in no class matches nothing. */
	for (i = 0; i < nkeys; i++)
		kempty[i] = sh->koff[d][i] == sh->koff[d][i + 1];
	and_key_covers(sh, d, ckey, kempty);
	err = 0;
out:
	free(ckey);
	free(rep);
	free(seen);
	free(kempty);
	free(pairs.key);
	free(pairs.cls);
	return err;
}

/* First elementary interval that can hold @ip. */
static size_t iv_floor(const struct addr_intervals *iv, ip_u128 ip)
{
	size_t lo = 0, hi = iv->nr;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (iv->lo[mid] <= ip)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Elementary intervals that @s touches, counted up to @limit + 1. */
static size_t iv_count(const struct addr_intervals *iv, const struct ipset *s,
		       size_t limit)
{
	size_t n = 0, r, t;

	for (r = 0; r < s->nr && n <= limit; r++)
		for (t = iv_floor(iv, s->r[r].lo);
		     t < iv->nr && iv->lo[t] <= s->r[r].hi && n <= limit; t++)
			n++;
	return n;
}

/* Dense keys: one per distinct effective set. */
static int addr_keys(struct shadow *sh, unsigned int d, const uint32_t *set_of)
{
	struct ptr_map m = { 0 };
	uint32_t i, n = 0, *key;
	int err = 0;

	key = sh->key[d] = malloc(sh->n * sizeof(*key));
	sh->kset[d] = malloc(sh->n * sizeof(*sh->kset[d]));
	if (!key || !sh->kset[d])
		return -ENOMEM;
	for (i = 0; i < sh->n && !err; i++) {
		const struct obj_policy *p = sh->fb->pol[i];
		bool neg = d == DIM_SRC ? p->src_negate : p->dst_negate;
		uint32_t id = set_of[i];

		if (neg) {
			struct ipset e;
			ip_u128 max =
				sh->fb->family == 6 ? IP_U128_MAX : IP_V4_MAX;

			/* Interned: "not A" and "B" with B = ~A share a key. */
			err = ipset_complement(&e, &sh->c->addrs.sets[id], max);
			if (!err)
				err = addr_intern(&sh->c->addrs, &e, &id);
			if (err)
				break;
		}
		/* The map key is the set id, offset to keep NULL free. */
		if (ptr_map_get(&m, (const void *)(uintptr_t)(id + 1), &key[i]))
			continue;
		key[i] = n;
		sh->kset[d][n++] = id;
		err = ptr_map_put(&m, (const void *)(uintptr_t)(id + 1),
				  key[i]);
	}
	ptr_map_release(&m);
	sh->nkeys[d] = n;
	return err;
}

struct heavy {
	uint32_t key;
	ip_u128 size;
};

static int heavy_cmp(const void *pa, const void *pb)
{
	const struct heavy *a = pa, *b = pb;

	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

int shadow_addr_dim(struct shadow *sh, unsigned int d)
{
	const struct fam_build *fb = sh->fb;
	const struct addr_intervals *iv =
		d == DIM_SRC ? &fb->src_iv : &fb->dst_iv;
	const struct li_bitmaps *bm = sh->bm[d];
	uint32_t words = sh->words, i, k, w, nh = 0, *stamp = NULL;
	uint32_t *poff = NULL, *pol = NULL;
	struct heavy *hv = NULL;
	__u64 *ckey = NULL;
	bool *kempty = NULL;
	int err;

	err = addr_keys(sh, d, d == DIM_SRC ? fb->src_set : fb->dst_set);
	if (err)
		return err;
	err = -ENOMEM;
	sh->ksize[d] = malloc(sh->nkeys[d] * sizeof(*sh->ksize[d]));
	if (!sh->ksize[d])
		return -ENOMEM;
	for (k = 0; k < sh->nkeys[d]; k++)
		sh->ksize[d][k] =
			ipset_size(&sh->c->addrs.sets[sh->kset[d][k]]);
	ckey = malloc((size_t)sh->nkeys[d] * words * sizeof(*ckey));
	stamp = calloc(bm->nr_classes ? bm->nr_classes : 1, sizeof(*stamp));
	hv = malloc(sh->nkeys[d] * sizeof(*hv));
	kempty = calloc(sh->nkeys[d], sizeof(*kempty));
	poff = calloc((size_t)sh->nkeys[d] + 1, sizeof(*poff));
	pol = malloc(sh->n * sizeof(*pol));
	if (!ckey || !stamp || !hv || !kempty || !poff || !pol)
		goto out;
	/* Policies of each key, for ORing a covering key's policies in. */
	csr_build(poff, pol, sh->nkeys[d], sh->n, sh->key[d], NULL);

	for (k = 0; k < sh->nkeys[d]; k++) {
		const struct ipset *e = &sh->c->addrs.sets[sh->kset[d][k]];
		__u64 *ck = ckey + (size_t)k * words;
		size_t n = iv_count(iv, e, LIGHT_MAX_INTERVALS), r, t;

		memset(ck, 0xff, words * sizeof(*ck));
		if (!n) {
			kempty[k] = true;
			continue;
		}
		if (n > LIGHT_MAX_INTERVALS) {
			hv[nh].key = k;
			hv[nh++].size = sh->ksize[d][k];
			continue;
		}
		for (r = 0; r < e->nr; r++)
			for (t = iv_floor(iv, e->r[r].lo);
			     t < iv->nr && iv->lo[t] <= e->r[r].hi; t++) {
				const __u64 *row;

				if (stamp[iv->cls[t]] == k + 1)
					continue;
				stamp[iv->cls[t]] = k + 1;
				row = bm->words + (size_t)iv->cls[t] * words;
				for (w = 0; w < words; w++)
					ck[w] &= row[w];
			}
	}
	qsort(hv, nh, sizeof(*hv), heavy_cmp);
	for (i = 0; i < nh; i++) {
		const struct ipset *e =
			&sh->c->addrs.sets[sh->kset[d][hv[i].key]];
		__u64 *ck = ckey + (size_t)hv[i].key * words;
		uint32_t j, x;

		memset(ck, 0, words * sizeof(*ck));
		/* Sorted by size: only earlier (larger or equal) ones qualify. */
		for (j = 0; j < nh && hv[j].size >= hv[i].size; j++) {
			uint32_t kj = hv[j].key;

			if (j != i &&
			    !ipset_subset(e,
					  &sh->c->addrs.sets[sh->kset[d][kj]]))
				continue;
			for (x = poff[kj]; x < poff[kj + 1]; x++)
				bm_set(ck, pol[x]);
		}
	}
	and_key_covers(sh, d, ckey, kempty);
	err = 0;
out:
	free(ckey);
	free(stamp);
	free(hv);
	free(kempty);
	free(poff);
	free(pol);
	return err;
}
