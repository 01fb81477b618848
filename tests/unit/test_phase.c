// SPDX-License-Identifier: GPL-2.0
/*
 * The phase tables (src/compile/phase.c) against the bitmap walk they
 * replace: for every config of the golden and packet corpora, every
 * combination of the four dimensions' classes must give the same first
 * policy by both, under status enable and under random active masks
 * (schedules), as the loader recomputes first[] for them.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/pipeline.h"

/* Beyond this many class combinations, a config is sampled, not swept. */
#define MAX_SWEEP 2000000u

static unsigned int seed = 1;

static __u32 rnd(__u32 n)
{
	return n ? (__u32)rand_r(&seed) % n : 0;
}

/* The reference: the lowest policy in all four rows and @active. */
static int walk(const struct li_family *f, const __u64 *active, __u32 ci,
		__u32 cs, __u32 cd, __u32 cv)
{
	size_t W = f->bm_words;
	const __u64 *ri = f->bm_intf.words + ci * W,
		    *rs = f->bm_src.words + cs * W,
		    *rd = f->bm_dst.words + cd * W,
		    *rv = f->bm_svc.words + cv * W;
	__u32 w;

	for (w = 0; w < W; w++) {
		__u64 x = ri[w] & rs[w] & rd[w] & rv[w] & active[w];

		if (x)
			return (int)(w * 64 + __builtin_ctzll(x));
	}
	return -1;
}

/* One combination of classes, by both; the number of mismatches. */
static int one(const struct li_family *f, const __u64 *active,
	       const __s32 *first, __u32 ci, __u32 cs, __u32 cd, __u32 cv)
{
	int a = walk(f, active, ci, cs, cd, cv);
	int b = ruleset_phase_classify(f, first, ci, cs, cd, cv);

	if (a == b)
		return 0;
	print_error("classes intf %u src %u dst %u svc %u: walk %d, phase %d\n",
		    ci, cs, cd, cv, a, b);
	return 1;
}

static int check_mask(const struct li_family *f, const __u64 *active)
{
	const struct li_phase *ph = &f->phase;
	__u32 ni = f->bm_intf.nr_classes, ns = f->bm_src.nr_classes,
	      nd = f->bm_dst.nr_classes, nv = f->bm_svc.nr_classes;
	__s32 *first = malloc((ph->nr_c + 1) * sizeof(*first));
	__u32 ci, cs, cd, cv, k;
	int bad = 0;

	assert_non_null(first);
	ruleset_phase_first(f, active, first);
	if ((size_t)ni * ns * nd * nv <= MAX_SWEEP) {
		for (ci = 0; ci < ni; ci++)
			for (cs = 0; cs < ns; cs++)
				for (cd = 0; cd < nd; cd++)
					for (cv = 0; cv < nv && bad < 5; cv++)
						bad += one(f, active, first, ci,
							   cs, cd, cv);
	} else {
		for (k = 0; k < MAX_SWEEP && bad < 5; k++)
			bad += one(f, active, first, rnd(ni), rnd(ns), rnd(nd),
				   rnd(nv));
	}
	free(first);
	return bad;
}

static int check_family(const struct li_family *f)
{
	__u64 *m;
	__u32 w, r;
	int bad;

	if (!f->nr_policies)
		return 0;
	assert_true(f->phase.on); /* every corpus config fits the budget */
	bad = check_mask(f, f->enabled);
	m = malloc(f->bm_words * sizeof(*m));
	assert_non_null(m);
	for (r = 0; r < 4 && !bad; r++) {
		for (w = 0; w < f->bm_words; w++)
			m[w] = f->enabled[w] & ((__u64)rand_r(&seed) << 32 ^
						(__u64)rand_r(&seed));
		bad += check_mask(f, m);
	}
	free(m);
	return bad;
}

static void check_glob(const char *pattern, unsigned int *checked)
{
	glob_t g;
	size_t i;

	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		struct pipeline p;
		int bad;

		if (pipeline_load(&p, g.gl_pathv[i], STAGE_COMPILE)) {
			pipeline_free(&p); /* one the corpus means to refuse */
			continue;
		}
		bad = check_family(&p.rs.v4) + check_family(&p.rs.v6);
		if (bad)
			print_error("%s: phase tables disagree\n",
				    g.gl_pathv[i]);
		pipeline_free(&p);
		assert_int_equal(bad, 0);
		(*checked)++;
	}
	globfree(&g);
}

static void phase_matches_walk(void **state)
{
	unsigned int checked = 0;

	(void)state;
	check_glob("tests/golden/*/*.conf", &checked);
	check_glob("tests/packets/*.conf", &checked);
	check_glob("examples/*.conf", &checked);
	assert_true(checked >= 20);
}

/* Dropped tables leave a family that walks its bitmaps, nothing held. */
static void phase_drop_walks(void **state)
{
	struct pipeline p;

	(void)state;
	assert_int_equal(pipeline_load(&p, "examples/seed.conf", STAGE_COMPILE),
			 0);
	assert_true(p.rs.v4.phase.on);
	ruleset_phase_drop(&p.rs);
	assert_false(p.rs.v4.phase.on);
	assert_null(p.rs.v4.phase.sv);
	assert_null(p.rs.v4.phase.c_words);
	pipeline_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phase_matches_walk),
		cmocka_unit_test(phase_drop_walks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
