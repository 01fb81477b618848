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
 * Policies that match the same in a dimension share a key there (see
 * shadow_dim.c); earlier policies are bucketed by the keys of three
 * dimensions and the schedule, so the second finding looks only at
 * policies that can take part in it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/shadow.h"

/* cover[] is nr * words: quadratic, so very large tables skip the check. */
#define SHADOW_MAX_POLICIES 16384
#define SHADOW_MAX_NAMED 8

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

			if (named < SHADOW_MAX_NAMED &&
			    len < sizeof(list) - 16) {
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
		diag_warn(
			sh->c->dl, &sh->fb->pol[i]->loc,
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
	__u64 h = hash_mix64(d + 1) ^ hash_mix64(canon + 0x100000ull);
	unsigned int o;

	for (o = 0; o < NR_DIMS; o++)
		if (o != d)
			h = hash_mix64(h ^ sh->sig[o][i]) + o;
	return h | 1;
}

static uint32_t *bucket_slot(struct bucket_map *bmap, __u64 key, bool add)
{
	size_t s = hash_mix64(key) & bmap->mask;

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

/* Is @i inside the union of @cand's matches in class dimension @d? */
static bool covers_by_class(struct shadow *sh, unsigned int d, uint32_t i,
			    const __u64 *cand, uint32_t wmin, uint32_t wmax,
			    __u64 *used)
{
	uint32_t k = sh->key[d][i], x, w;

	memset(used, 0, sh->words * sizeof(*used));
	for (x = sh->koff[d][k]; x < sh->koff[d][k + 1]; x++) {
		const __u64 *row =
			sh->bm[d]->words + (size_t)sh->kcls[d][x] * sh->words;
		__u64 any = 0;

		for (w = wmin; w <= wmax; w++) {
			used[w] |= row[w] & cand[w];
			any |= row[w] & cand[w];
		}
		if (!any)
			return false;
	}
	return true;
}

/*
 * The same for an address dimension, with interval sets: what is left of
 * @i's set after taking away each overlapping candidate's. Subtraction is
 * a linear merge and stops as soon as nothing is left.
 */
static int covers_by_set(struct shadow *sh, unsigned int d, uint32_t i,
			 const __u64 *cand, uint32_t wmin, uint32_t wmax,
			 __u64 *used, bool *ok)
{
	const struct ipset *mine = shadow_eset(sh, d, i);
	ip_u128 need = sh->ksize[d][sh->key[d][i]], have = 0;
	struct ipset rem, next, t;
	uint32_t w;
	int err;

	*ok = false;
	/* Candidates with fewer addresses in all than @i cannot cover it. */
	for (w = wmin; w <= wmax && have < need; w++)
		for (__u64 x = cand[w]; x && have < need; x &= x - 1) {
			uint32_t j = w * 64 + __builtin_ctzll(x);
			ip_u128 s = sh->ksize[d][sh->key[d][j]];

			have = s > IP_U128_MAX - have ? IP_U128_MAX : have + s;
		}
	if (have < need)
		return 0;
	ipset_init(&next);
	memset(used, 0, sh->words * sizeof(*used));
	err = ipset_union(&rem, mine, &(struct ipset){ 0 });
	for (w = wmin; w <= wmax && !err; w++) {
		__u64 x = cand[w];

		for (; x && !err && !ipset_empty(&rem); x &= x - 1) {
			uint32_t j = w * 64 + __builtin_ctzll(x);
			const struct ipset *e = shadow_eset(sh, d, j);

			/* Only candidates that share addresses contribute. */
			if (!ipset_overlaps(e, mine))
				continue;
			bm_set(used, j);
			/* Two buffers in turn: no allocation per step. */
			err = ipset_diff_reuse(&next, &rem, e);
			t = rem;
			rem = next;
			next = t;
		}
	}
	if (!err)
		*ok = ipset_empty(&rem);
	ipset_release(&rem);
	ipset_release(&next);
	return err;
}

/*
 * Name a minimal set: drop each covering policy, latest first, that the
 * others do without. Only worth it (and cheap) for short lists.
 */
static int minimize(struct shadow *sh, unsigned int d, uint32_t i, __u64 *used)
{
	uint32_t w, n = 0, wmin = UINT32_MAX, wmax = 0;
	__u64 *scratch;
	bool ok;
	int err = 0;

	for (w = 0; w < sh->words; w++) {
		n += (uint32_t)__builtin_popcountll(used[w]);
		if (used[w]) {
			wmin = w < wmin ? w : wmin;
			wmax = w;
		}
	}
	if (n <= 2 || n > 32)
		return 0;
	scratch = malloc(sh->words * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	for (w = wmax + 1; w-- > wmin && !err;) {
		__u64 x = used[w];

		while (x && !err) {
			uint32_t b = 63 - (uint32_t)__builtin_clzll(x);

			x &= ~(1ull << b);
			used[w] &= ~(1ull << b);
			if (dim_is_addr(d))
				err = covers_by_set(sh, d, i, used, wmin, wmax,
						    scratch, &ok);
			else
				ok = covers_by_class(sh, d, i, used, wmin, wmax,
						     scratch);
			if (!ok)
				used[w] |= 1ull << b;
		}
	}
	free(scratch);
	return err;
}

/* Earlier policies equal to @i but in dimension @d, together covering it. */
static int check_group(struct shadow *sh, struct bucket_map *bmap,
		       unsigned int d, uint32_t i, __u64 *cand, __u64 *used,
		       bool *found)
{
	uint16_t canons[2] = { sh->canon[i], 0 };
	uint32_t count = 0, x, w, wmin = UINT32_MAX, wmax = 0;
	unsigned int t;
	int err = 0;

	*found = false;
	for (t = 0; t < (canons[0] ? 2u : 1u); t++) {
		uint32_t *head = bucket_slot(
			bmap, bucket_key(sh, d, i, canons[t]), false);

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
	/* One alone would have been found by check_single(). */
	if (count >= 2) {
		/* used[] doubles as scratch; cand[] keeps the candidates. */
		if (dim_is_addr(d))
			err = covers_by_set(sh, d, i, cand, wmin, wmax, used,
					    found);
		else
			*found = covers_by_class(sh, d, i, cand, wmin, wmax,
						 used);
	}
	if (*found && !err)
		err = minimize(sh, d, i, used);
	if (*found && !err)
		warn_covered(sh, i, used);
	if (count)
		for (w = wmin; w <= wmax; w++)
			cand[w] = 0;
	return err;
}

static int bucket_insert(struct shadow *sh, struct bucket_map *bmap, uint32_t i)
{
	unsigned int d;

	for (d = 0; d < NR_DIMS; d++) {
		uint32_t *head = bucket_slot(
			bmap, bucket_key(sh, d, i, sh->canon[i]), true);

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
	bool found;
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
		found = check_single(sh, i, used);
		for (d = 0; d < NR_DIMS && !found; d++) {
			err = check_group(sh, &bmap, d, i, cand, used, &found);
			if (err)
				goto out;
		}
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
	struct shadow sh = {
		.c = c, .fb = fb, .n = fb->nr, .words = fb->words
	};
	unsigned int d;
	uint32_t i;
	int err = -ENOMEM;

	if (fb->nr < 2)
		return 0;
	if (fb->nr > SHADOW_MAX_POLICIES) {
		diag_note(
			c->dl, NULL,
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
	err = 0;
	for (d = 0; d < NR_DIMS && !err; d++) {
		sh.sig[d] = malloc(sh.n * sizeof(*sh.sig[d]));
		if (!sh.sig[d])
			err = -ENOMEM;
		else if (dim_is_addr(d))
			err = shadow_addr_dim(&sh, d);
		else
			err = shadow_class_dim(&sh, d);
	}
	if (!err)
		err = shadow_scan(&sh);
out:
	for (d = 0; d < NR_DIMS; d++) {
		free(sh.sig[d]);
		free(sh.key[d]);
		free(sh.koff[d]);
		free(sh.kcls[d]);
		free(sh.kset[d]);
		free(sh.ksize[d]);
	}
	free(sh.cover);
	free(sh.empty);
	free(sh.canon);
	return err;
}
