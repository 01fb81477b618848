// SPDX-License-Identifier: GPL-2.0
/*
 * Shadowed policies: a policy no packet can reach because earlier enabled
 * policies match everything it matches. Worked out on the finished class
 * tables, where "A's set contains B's" in one dimension is "every class
 * holding B also holds A": the AND of the bitmaps of the classes holding
 * B is the set of policies that cover B there. Two findings:
 *  - one earlier policy covers it in all four dimensions (with the same
 *    schedule, or an always-on one);
 *  - earlier policies identical to it in three dimensions (and schedule)
 *    together cover the fourth.
 * Policies whose classes are the same in a dimension are found through a
 * per-policy signature: the sum of a random value per class holding it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* cover[] is nr * words: quadratic, so very large tables skip the check. */
#define SHADOW_MAX_POLICIES 16384
#define SHADOW_MAX_NAMED 8

enum { DIM_INTF, DIM_SRC, DIM_DST, DIM_SVC, NR_DIMS };

struct shadow {
	struct compile_ctx *c;
	const struct fam_build *fb;
	uint32_t n, words;
	__u64 *cover;	/* n * words: policies covering i in every dimension */
	__u64 *sig[NR_DIMS];
	const struct li_bitmaps *bm[NR_DIMS];
	uint32_t *key[NR_DIMS];	 /* NULL: policy index itself */
	uint32_t *koff[NR_DIMS]; /* classes holding key k: kcls[koff[k]..] */
	uint32_t *kcls[NR_DIMS];
	bool *empty;		/* in no class of some dimension */
	uint16_t *canon;	/* schedule, with always-on ones as 0 */
};

/* Dense key per policy for an address dimension: (set, negate). */
static int addr_keys(struct shadow *sh, const uint32_t *set_of, bool dst,
		     uint32_t **key, uint32_t *nkeys)
{
	size_t nsets = sh->c->addrs.nr;
	uint32_t *dense = malloc((2 * nsets + 1) * sizeof(*dense));
	uint32_t i, n = 0;

	*key = malloc((sh->n ? sh->n : 1) * sizeof(**key));
	if (!dense || !*key) {
		free(dense);
		return -ENOMEM;
	}
	memset(dense, 0xff, (2 * nsets + 1) * sizeof(*dense));
	for (i = 0; i < sh->n; i++) {
		const struct obj_policy *p = sh->fb->pol[i];
		size_t k = 2 * (size_t)set_of[i] +
			   (dst ? p->dst_negate : p->src_negate);

		if (dense[k] == UINT32_MAX)
			dense[k] = n++;
		(*key)[i] = dense[k];
	}
	free(dense);
	*nkeys = n;
	return 0;
}

struct kc_pair {
	uint32_t key, cls;
};

/*
 * One pass over a dimension's classes: per key, AND the bitmaps of the
 * classes holding it (only one representative policy per key is looked
 * at, so a set shared by thousands of policies costs once per class),
 * sum its signature, and list its classes.
 */
static int dim_pass(struct shadow *sh, unsigned int d, uint32_t nkeys)
{
	const struct li_bitmaps *bm = sh->bm[d];
	const uint32_t *key = sh->key[d];
	uint32_t words = sh->words, i, w, c;
	__u64 *ckey = NULL, *rep = NULL, *ksig = NULL;
	struct kc_pair *pairs = NULL;
	size_t np = 0, cap = 0;
	bool *present = NULL;
	int err = -ENOMEM;

	ckey = malloc((size_t)nkeys * words * sizeof(*ckey));
	rep = calloc(words, sizeof(*rep));
	ksig = calloc(nkeys ? nkeys : 1, sizeof(*ksig));
	present = calloc(nkeys ? nkeys : 1, sizeof(*present));
	sh->koff[d] = calloc((size_t)nkeys + 1, sizeof(*sh->koff[d]));
	if ((nkeys && !ckey) || !rep || !ksig || !present || !sh->koff[d])
		goto out;
	memset(ckey, 0xff, (size_t)nkeys * words * sizeof(*ckey));
	for (i = 0; i < sh->n; i++) {
		uint32_t k = key ? key[i] : i;

		if (!present[k]) {
			present[k] = true;
			bm_set(rep, i);
		}
	}
	memset(present, 0, nkeys * sizeof(*present));
	for (c = 0; c < bm->nr_classes; c++) {
		const __u64 *row = bm->words + (size_t)c * words;
		__u64 r = hash_mix(((__u64)d << 40) ^ c ^ 0x5bd1e995u);

		for (w = 0; w < words; w++) {
			__u64 x = row[w] & rep[w];

			for (; x; x &= x - 1) {
				uint32_t p = w * 64 + __builtin_ctzll(x);
				uint32_t k = key ? key[p] : p;
				__u64 *ck = ckey + (size_t)k * words;
				uint32_t v;

				for (v = 0; v < words; v++)
					ck[v] &= row[v];
				ksig[k] += r;
				present[k] = true;
				if (np == cap) {
					size_t nc = cap ? cap * 2 : 1024;
					struct kc_pair *np2 =
						realloc(pairs, nc * sizeof(*np2));

					if (!np2)
						goto out;
					pairs = np2;
					cap = nc;
				}
				pairs[np++] = (struct kc_pair){ k, c };
			}
		}
	}
	sh->kcls[d] = malloc((np ? np : 1) * sizeof(*sh->kcls[d]));
	if (!sh->kcls[d])
		goto out;
	for (i = 0; i < np; i++)
		sh->koff[d][pairs[i].key + 1]++;
	for (i = 0; i < nkeys; i++)
		sh->koff[d][i + 1] += sh->koff[d][i];
	/* Stable fill keeps each key's classes in class order. */
	for (i = 0; i < np; i++)
		sh->kcls[d][sh->koff[d][pairs[i].key]++] = pairs[i].cls;
	for (i = nkeys; i > 0; i--)
		sh->koff[d][i] = sh->koff[d][i - 1];
	sh->koff[d][0] = 0;
	for (i = 0; i < sh->n; i++) {
		uint32_t k = key ? key[i] : i;
		__u64 *cv = sh->cover + (size_t)i * words;
		const __u64 *ck = ckey + (size_t)k * words;

		if (!present[k])
			sh->empty[i] = true;
		for (w = 0; w < words; w++)
			cv[w] &= ck[w];
		sh->sig[d][i] = ksig[k];
	}
	err = 0;
out:
	free(ckey);
	free(rep);
	free(ksig);
	free(present);
	free(pairs);
	return err;
}

static bool sched_compat(const struct shadow *sh, uint32_t j, uint32_t i)
{
	return sh->canon[j] == 0 || sh->canon[j] == sh->canon[i];
}

static void warn_covered(struct shadow *sh, uint32_t i, const __u64 *used)
{
	const struct li_policy *pol = sh->fb->f->policies;
	char list[512];
	size_t len = 0;
	uint32_t w, count = 0, named = 0;

	list[0] = '\0';
	for (w = 0; w < sh->words; w++) {
		__u64 x = used[w];

		for (; x; x &= x - 1) {
			uint32_t j = w * 64 + __builtin_ctzll(x);

			if (named < SHADOW_MAX_NAMED && len < sizeof(list) - 16) {
				len += snprintf(list + len, sizeof(list) - len,
						"%s%u", named ? ", " : "",
						pol[j].id);
				named++;
			}
			count++;
		}
	}
	if (count == 1)
		diag_warn(sh->c->dl, &sh->fb->pol[i]->loc,
			  "policy %u can never match: covered by policy %s",
			  pol[i].id, list);
	else if (count > named)
		diag_warn(sh->c->dl, &sh->fb->pol[i]->loc,
			  "policy %u can never match: covered by policies %s and %u more",
			  pol[i].id, list, count - named);
	else
		diag_warn(sh->c->dl, &sh->fb->pol[i]->loc,
			  "policy %u can never match: covered by policies %s",
			  pol[i].id, list);
}

/* A single earlier enabled policy that covers @i everywhere. */
static bool check_single(struct shadow *sh, uint32_t i, __u64 *scratch)
{
	const __u64 *cv = sh->cover + (size_t)i * sh->words;
	const __u64 *en = sh->fb->f->enabled;
	uint32_t w;

	for (w = 0; w <= i / 64; w++) {
		__u64 x = cv[w] & en[w];

		if (w == i / 64)
			x &= (1ull << (i % 64)) - 1;
		for (; x; x &= x - 1) {
			uint32_t j = w * 64 + __builtin_ctzll(x);

			if (!sched_compat(sh, j, i))
				continue;
			memset(scratch, 0, sh->words * sizeof(*scratch));
			bm_set(scratch, j);
			warn_covered(sh, i, scratch);
			return true;
		}
	}
	return false;
}

/* Bucket of earlier policies by (dimension left out, other signatures). */
struct bucket_map {
	__u64 *keys; /* key | 1, 0 = empty */
	uint32_t *head;
	size_t mask;
	uint32_t *next[NR_DIMS];
};

static __u64 bucket_key(const struct shadow *sh, unsigned int d, uint32_t i,
			uint16_t canon)
{
	__u64 h = hash_mix(d + 1) ^ hash_mix(canon + 0x100000ull);
	unsigned int o;

	for (o = 0; o < NR_DIMS; o++)
		if (o != d)
			h = hash_mix(h ^ sh->sig[o][i]) + o;
	return h | 1;
}

static uint32_t *bucket_slot(struct bucket_map *bmap, __u64 key, bool add)
{
	size_t s = hash_mix(key) & bmap->mask;

	while (bmap->keys[s] && bmap->keys[s] != key)
		s = (s + 1) & bmap->mask;
	if (!bmap->keys[s]) {
		if (!add)
			return NULL;
		bmap->keys[s] = key;
		bmap->head[s] = UINT32_MAX;
	}
	return &bmap->head[s];
}

static bool same_others(const struct shadow *sh, unsigned int d, uint32_t j,
			uint32_t i)
{
	unsigned int o;

	for (o = 0; o < NR_DIMS; o++)
		if (o != d && sh->sig[o][j] != sh->sig[o][i])
			return false;
	return sched_compat(sh, j, i);
}

/* Earlier policies equal to @i but in dimension @d, together covering it. */
static bool check_group(struct shadow *sh, struct bucket_map *bmap,
			unsigned int d, uint32_t i, __u64 *cand, __u64 *used)
{
	uint16_t canons[2] = { sh->canon[i], 0 };
	uint32_t k = sh->key[d] ? sh->key[d][i] : i, count = 0, x, w;
	uint32_t wmin = UINT32_MAX, wmax = 0;
	bool ok = true;
	unsigned int t;

	for (t = 0; t < (canons[0] ? 2u : 1u); t++) {
		uint32_t *head = bucket_slot(bmap, bucket_key(sh, d, i, canons[t]),
					     false);

		for (x = head ? *head : UINT32_MAX; x != UINT32_MAX;
		     x = bmap->next[d][x]) {
			if (!same_others(sh, d, x, i) || bm_test(cand, x))
				continue;
			bm_set(cand, x);
			count++;
			wmin = x / 64 < wmin ? x / 64 : wmin;
			wmax = x / 64 > wmax ? x / 64 : wmax;
		}
	}
	if (count < 2) {
		ok = false;
		goto out;
	}
	memset(used, 0, sh->words * sizeof(*used));
	for (x = sh->koff[d][k]; x < sh->koff[d][k + 1] && ok; x++) {
		const __u64 *row = sh->bm[d]->words +
				   (size_t)sh->kcls[d][x] * sh->words;
		__u64 any = 0;

		for (w = wmin; w <= wmax; w++) {
			used[w] |= row[w] & cand[w];
			any |= row[w] & cand[w];
		}
		ok = any != 0;
	}
	if (ok)
		warn_covered(sh, i, used);
out:
	if (count)
		for (w = wmin; w <= wmax; w++)
			cand[w] = 0;
	return ok;
}

static int bucket_insert(struct shadow *sh, struct bucket_map *bmap,
			 uint32_t i)
{
	unsigned int d;

	for (d = 0; d < NR_DIMS; d++) {
		uint32_t *head = bucket_slot(bmap,
					     bucket_key(sh, d, i, sh->canon[i]),
					     true);

		bmap->next[d][i] = *head;
		*head = i;
	}
	return 0;
}

static int shadow_scan(struct shadow *sh)
{
	struct bucket_map bmap = { 0 };
	__u64 *cand, *used;
	size_t slots = 64;
	uint32_t i;
	unsigned int d;
	int err = -ENOMEM;

	while (slots < 8 * (size_t)sh->n)
		slots *= 2;
	bmap.keys = calloc(slots, sizeof(*bmap.keys));
	bmap.head = malloc(slots * sizeof(*bmap.head));
	bmap.mask = slots - 1;
	cand = calloc(sh->words, sizeof(*cand));
	used = calloc(sh->words, sizeof(*used));
	if (!bmap.keys || !bmap.head || !cand || !used)
		goto out;
	for (d = 0; d < NR_DIMS; d++) {
		bmap.next[d] = malloc((sh->n ? sh->n : 1) * sizeof(uint32_t));
		if (!bmap.next[d])
			goto out;
	}
	for (i = 0; i < sh->n; i++) {
		const struct li_policy *p = &sh->fb->f->policies[i];

		/* Disabled, never scheduled or empty: nothing to shadow. */
		if (!(p->flags & LI_POL_ENABLED) || sh->empty[i] ||
		    sched_is_never(sh->c->rs, p->sched))
			continue;
		if (!check_single(sh, i, used))
			for (d = 0; d < NR_DIMS; d++)
				if (check_group(sh, &bmap, d, i, cand, used))
					break;
		bucket_insert(sh, &bmap, i);
	}
	err = 0;
out:
	for (d = 0; d < NR_DIMS; d++)
		free(bmap.next[d]);
	free(bmap.keys);
	free(bmap.head);
	free(cand);
	free(used);
	return err;
}

int shadow_check(struct compile_ctx *c, const struct fam_build *fb)
{
	struct shadow sh = { .c = c, .fb = fb, .n = fb->nr, .words = fb->words };
	uint32_t nkeys[NR_DIMS] = { fb->nr, 0, 0, fb->nr };
	unsigned int d;
	uint32_t i;
	int err = -ENOMEM;

	if (fb->nr < 2)
		return 0;
	if (fb->nr > SHADOW_MAX_POLICIES) {
		diag_note(c->dl, NULL,
			  "IPv%d: %u policies: shadowed-policy check skipped above %u",
			  fb->family, fb->nr, SHADOW_MAX_POLICIES);
		return 0;
	}
	sh.bm[DIM_INTF] = &fb->f->bm_intf;
	sh.bm[DIM_SRC] = &fb->f->bm_src;
	sh.bm[DIM_DST] = &fb->f->bm_dst;
	sh.bm[DIM_SVC] = &fb->f->bm_svc;
	sh.cover = malloc((size_t)sh.n * sh.words * sizeof(*sh.cover));
	sh.empty = calloc(sh.n, sizeof(*sh.empty));
	sh.canon = malloc(sh.n * sizeof(*sh.canon));
	if (!sh.cover || !sh.empty || !sh.canon)
		goto out;
	memset(sh.cover, 0xff, (size_t)sh.n * sh.words * sizeof(*sh.cover));
	for (i = 0; i < sh.n; i++) {
		__u16 s = fb->f->policies[i].sched;

		sh.canon[i] = sched_is_always(c->rs, s) ? 0 : s;
	}
	err = addr_keys(&sh, fb->src_set, false, &sh.key[DIM_SRC],
			&nkeys[DIM_SRC]);
	if (!err)
		err = addr_keys(&sh, fb->dst_set, true, &sh.key[DIM_DST],
				&nkeys[DIM_DST]);
	for (d = 0; d < NR_DIMS && !err; d++) {
		sh.sig[d] = malloc(sh.n * sizeof(*sh.sig[d]));
		err = sh.sig[d] ? dim_pass(&sh, d, nkeys[d]) : -ENOMEM;
	}
	if (!err)
		err = shadow_scan(&sh);
out:
	for (d = 0; d < NR_DIMS; d++) {
		free(sh.sig[d]);
		free(sh.key[d]);
		free(sh.koff[d]);
		free(sh.kcls[d]);
	}
	free(sh.cover);
	free(sh.empty);
	free(sh.canon);
	return err;
}
