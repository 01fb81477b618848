// SPDX-License-Identifier: GPL-2.0
/*
 * The phase tables (src/compile/phase.c) against the bitmap walk they
 * replace: for every config of the golden and packet corpora, every
 * combination of the four dimensions' classes must give the same first
 * policy by both, under status enable and under random active masks
 * (schedules), as the loader recomputes first[] for them.
 */
#include <arpa/inet.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile/internal.h"
#include "dataplane/host.h"
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

/* Up to this many address intervals of a dimension are packets' addresses. */
#define MAX_LOS 4096

struct los {
	ip_u128 lo[MAX_LOS];
	size_t nr;
};

static void note_lo(void *arg, ip_u128 lo, ip_u128 hi, __u32 cls)
{
	struct los *l = arg;

	(void)cls;
	if (l->nr < MAX_LOS)
		l->lo[l->nr++] =
			lo + (hi - lo) / 2 * rnd(2); /* start, middle */
}

/* Interval k's address (network order) into @a. */
static void addr_of(const struct los *l, int fam, __u32 *a)
{
	ip_u128 v = l->nr ? l->lo[rnd((__u32)l->nr)] : 0;
	int k;

	memset(a, 0, 16);
	if (fam == 0) {
		a[0] = htonl((__u32)v);
		return;
	}
	for (k = 3; k >= 0; k--, v >>= 32)
		a[k] = htonl((__u32)v);
}

/*
 * Packets of family @fam at the intervals of each address dimension, on
 * the config's interfaces, to the common ports and random ones: a host
 * reading the phase tables classifies them as one walking the bitmaps,
 * under status enable and at random minutes (schedules).
 */
static int host_family(struct li_host *walk, struct li_host *ph,
		       const struct li_family *f, int fam)
{
	static const __u8 protos[] = { 1, 6, 17, 50, 58, 132, 47 };
	static const __u16 ports[] = { 0, 22, 53, 123, 443, 500, 4500, 65535 };
	static struct los src, dst;
	int bad = 0, i;

	if (!f->nr_policies)
		return 0;
	src.nr = dst.nr = 0;
	trie_walk(&f->src, fam ? 128 : 32, note_lo, &src);
	trie_walk(&f->dst, fam ? 128 : 32, note_lo, &dst);
	for (i = 0; i < 20000 && bad < 5; i++) {
		struct li_pkt p = { .family = fam ? 6 : 4 };
		const char *ifname = rnd(f->nr_intfs + 2) < f->nr_intfs ?
					     f->intfs[rnd(f->nr_intfs)].name :
					     (rnd(2) ? "other0" : NULL);
		int a, b;

		if (i % 5000 == 4999) { /* a minute of some day */
			__s64 m = (__s64)rnd(60 * 24 * 365) + 29000000;

			li_host_set_time(walk, m);
			li_host_set_time(ph, m);
		}
		p.proto = protos[rnd(sizeof(protos))];
		if (rnd(8)) {
			p.flags = LI_PKT_PORTS;
			p.sport = rnd(2) ? ports[rnd(8)] : (__u16)rnd(65536);
			p.dport = rnd(2) ? ports[rnd(8)] : (__u16)rnd(65536);
		}
		addr_of(&src, fam, p.saddr);
		addr_of(&dst, fam, p.daddr);
		li_host_set_ifname(walk, ifname);
		li_host_set_ifname(ph, ifname);
		a = li_host_classify(walk, &p);
		b = li_host_classify(ph, &p);
		if (a != b) {
			print_error(
				"IPv%d proto %u ports %u>%u on %s: walk %d, phase %d\n",
				fam ? 6 : 4, p.proto, p.sport, p.dport,
				ifname ? ifname : "(none)", a, b);
			bad++;
		}
	}
	return bad;
}

/* li_host_use_phase(): the corpus's decisions stay the walk's. */
static void host_phase_matches_walk(void **state)
{
	const char *const pats[] = { "tests/golden/*/*.conf",
				     "tests/packets/*.conf",
				     "examples/*.conf" };
	unsigned int checked = 0, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		glob_t g;
		size_t i;

		if (glob(pats[k], 0, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			struct li_host walk, ph;
			struct pipeline p;
			int bad;

			if (pipeline_load(&p, g.gl_pathv[i], STAGE_COMPILE)) {
				pipeline_free(&p);
				continue;
			}
			assert_int_equal(li_host_init(&walk, &p.rs, NULL), 0);
			assert_int_equal(li_host_init(&ph, &p.rs, NULL), 0);
			assert_int_equal(li_host_use_phase(&ph, true), 0);
			assert_true(!p.rs.v4.nr_policies || ph.phase_first[0]);
			/* a reload keeps them on */
			assert_int_equal(li_host_set_ruleset(&ph, &p.rs), 0);
			assert_true(!p.rs.v4.nr_policies || ph.phase_first[0]);
			bad = host_family(&walk, &ph, &p.rs.v4, 0) +
			      host_family(&walk, &ph, &p.rs.v6, 1);
			if (bad)
				print_error(
					"%s: host phase and walk disagree\n",
					g.gl_pathv[i]);
			li_host_free(&walk);
			li_host_free(&ph);
			pipeline_free(&p);
			assert_int_equal(bad, 0);
			checked++;
		}
		globfree(&g);
	}
	assert_true(checked >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phase_matches_walk),
		cmocka_unit_test(phase_drop_walks),
		cmocka_unit_test(host_phase_matches_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
