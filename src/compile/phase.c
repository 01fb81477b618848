// SPDX-License-Identifier: GPL-2.0
/*
 * Phase tables (recursive flow classification): the four dimensions'
 * classes combined by precomputed cross products, so that a decision
 * costs a fixed number of array reads whatever the number of policies:
 *
 *	A = sv[src class * nr svc classes + svc class]
 *	B = id[intf class * nr dst classes + dst class]
 *	C = ab[A * nr B classes + B]
 *	first policy = first[C]		(-1: none)
 *
 * Each A, B and C class is a distinct AND of the bitmaps it combines
 * (interned like the dimensions' own classes), so C's bitmap is exactly
 * the AND of the four rows the bitmap walk reads. first[] is that
 * bitmap's lowest bit under the active mask (status, schedules): it is
 * the only part that changes with the time of day.
 *
 * The data path reads three tables, not four: its ab holds first[C]
 * itself (ruleset_phase_ab_first), one dependent read less a decision
 * (3-6 ns in bench/xdp). The loader writes that table again when the
 * schedules change the mask, which is rare (daemon_tick: only when a
 * policy's schedule starts or ends).
 *
 * When the tables of a family would take more than LI_PHASE_BUDGET
 * bytes, it keeps the bitmap walk: no config is refused for its size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compile/image_layout.h"
#include "compile/internal.h"

static size_t phase_entries(size_t sv, size_t id, size_t ab, size_t c)
{
	return sv + id + ab + c;
}

/* The AND of rows @x and @y into @out (@words words). */
static void bm_and(__u64 *out, const __u64 *x, const __u64 *y, __u32 words)
{
	__u32 w;

	for (w = 0; w < words; w++)
		out[w] = x[w] & y[w];
}

/*
 * @out[i * ny + j] = the class of row i of @x AND row j of @y, interned
 * in @t (the product's classes, numbered in order of first appearance).
 */
static int product(struct bm_table *t, const struct li_bitmaps *x,
		   const struct li_bitmaps *y, __u32 words, __u32 **out)
{
	__u64 *tmp = malloc(words * sizeof(*tmp));
	__u32 *tab = malloc(((size_t)x->nr_classes * y->nr_classes + 1) *
			    sizeof(*tab));
	__u32 i, j;
	int err = 0;

	if (!tmp || !tab) {
		free(tmp);
		free(tab);
		return -ENOMEM;
	}
	for (i = 0; i < x->nr_classes && !err; i++)
		for (j = 0; j < y->nr_classes && !err; j++) {
			bm_and(tmp, x->words + (size_t)i * words,
			       y->words + (size_t)j * words, words);
			err = bm_table_intern(
				t, tmp, &tab[(size_t)i * y->nr_classes + j]);
		}
	free(tmp);
	if (err) {
		free(tab);
		return err;
	}
	*out = tab;
	return 0;
}

/* Phase 1's two products, as bitmaps of their own for phase 2. */
static int phase1(struct li_family *f, struct li_phase *ph,
		  struct li_bitmaps *a, struct li_bitmaps *b)
{
	struct bm_table ta = { 0 }, tb = { 0 };
	int err;

	err = bm_table_init(&ta, f->bm_words);
	if (!err)
		err = bm_table_init(&tb, f->bm_words);
	if (!err)
		err = product(&ta, &f->bm_src, &f->bm_svc, f->bm_words,
			      &ph->sv);
	if (!err)
		err = product(&tb, &f->bm_intf, &f->bm_dst, f->bm_words,
			      &ph->id);
	if (!err)
		err = bm_table_finish(&ta, a);
	if (!err)
		err = bm_table_finish(&tb, b);
	bm_table_release(&ta);
	bm_table_release(&tb);
	return err;
}

void ruleset_phase_first(const struct li_family *f, const __u64 *active,
			 __s32 *first)
{
	const struct li_phase *ph = &f->phase;
	__u32 c, w;

	for (c = 0; c < ph->nr_c; c++) {
		const __u64 *row = ph->c_words + (size_t)c * f->bm_words;

		first[c] = -1;
		for (w = 0; w < f->bm_words; w++) {
			__u64 x = row[w] & active[w];

			if (x) {
				first[c] = (__s32)(w * 64 + __builtin_ctzll(x));
				break;
			}
		}
	}
}

int ruleset_phase_ab_first(const struct li_family *f, const __u64 *active,
			   __s32 *out)
{
	const struct li_phase *ph = &f->phase;
	__s32 *first = malloc(((size_t)ph->nr_c + 1) * sizeof(*first));
	size_t i, n = (size_t)ph->nr_a * ph->nr_b;

	if (!first)
		return -ENOMEM;
	ruleset_phase_first(f, active, first);
	for (i = 0; i < n; i++)
		out[i] = first[ph->ab[i]];
	free(first);
	return 0;
}

static void phase_drop(struct li_phase *ph)
{
	free(ph->sv);
	free(ph->id);
	free(ph->ab);
	free(ph->c_words);
	ph->sv = ph->id = ph->ab = NULL;
	ph->c_words = NULL;
}

int phase_build(struct li_family *f)
{
	struct li_phase *ph = &f->phase;
	struct li_bitmaps a = { 0 }, b = { 0 }, c = { 0 };
	struct bm_table tc = { 0 };
	size_t n1;
	int err;

	memset(ph, 0, sizeof(*ph));
	if (!f->nr_policies)
		return 0;
	ph->nr_svc = f->bm_svc.nr_classes;
	ph->nr_dst = f->bm_dst.nr_classes;
	n1 = (size_t)f->bm_src.nr_classes * f->bm_svc.nr_classes +
	     (size_t)f->bm_intf.nr_classes * f->bm_dst.nr_classes;
	ph->need_bytes = n1 * sizeof(__u32);
	if (ph->need_bytes > LI_PHASE_BUDGET)
		return 0; /* the bitmap walk */
	err = phase1(f, ph, &a, &b);
	if (err)
		goto out;
	ph->nr_a = a.nr_classes;
	ph->nr_b = b.nr_classes;
	ph->need_bytes =
		phase_entries(n1, 0, (size_t)a.nr_classes * b.nr_classes, 0) *
		sizeof(__u32);
	if (ph->need_bytes > LI_PHASE_BUDGET)
		goto out;
	err = bm_table_init(&tc, f->bm_words);
	if (!err)
		err = product(&tc, &a, &b, f->bm_words, &ph->ab);
	if (!err)
		err = bm_table_finish(&tc, &c);
	bm_table_release(&tc);
	if (err)
		goto out;
	ph->nr_c = c.nr_classes;
	ph->c_words = c.words;
	c.words = NULL;
	ph->need_bytes += ((size_t)ph->nr_c + LI_PHASE_ELEM) * sizeof(__u32);
	if (ph->need_bytes > LI_PHASE_BUDGET)
		goto out;
	ph->on = true;
out:
	free(a.words);
	free(b.words);
	free(c.words);
	if (!ph->on) {
		size_t need = ph->need_bytes;

		phase_drop(ph);
		memset(ph, 0, sizeof(*ph));
		ph->need_bytes = need;
	}
	return err;
}

void phase_free(struct li_phase *ph)
{
	phase_drop(ph);
	memset(ph, 0, sizeof(*ph));
}

int ruleset_phase_classify(const struct li_family *f, const __s32 *first,
			   __u32 ci, __u32 cs, __u32 cd, __u32 cv)
{
	const struct li_phase *ph = &f->phase;
	__u32 a, b, c;

	a = ph->sv[(size_t)cs * ph->nr_svc + cv];
	b = ph->id[(size_t)ci * ph->nr_dst + cd];
	c = ph->ab[(size_t)a * ph->nr_b + b];
	return first[c];
}

void ruleset_phase_drop(struct li_ruleset *rs)
{
	phase_free(&rs->v4.phase);
	phase_free(&rs->v6.phase);
}
