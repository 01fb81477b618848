// SPDX-License-Identifier: GPL-2.0
/* Interval sets: edges, adjacency, the top of the address space, and a
 * randomized cross-check against a plain bitmap over a small universe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile/ipset.h"

static void set_of(struct ipset *s, const ip_u128 *pairs, size_t n)
{
	size_t i;

	ipset_init(s);
	for (i = 0; i < n; i++)
		assert_int_equal(ipset_push(s, pairs[2 * i], pairs[2 * i + 1]),
				 0);
	ipset_normalize(s);
}

static void test_normalize_merges_overlap_and_adjacent(void **state)
{
	const ip_u128 p[] = { 20, 30, 1, 5, 6, 9, 25, 40, 42, 42, 100, 100 };
	struct ipset s;

	(void)state;
	set_of(&s, p, 6);
	assert_int_equal(s.nr, 4);
	assert_true(s.r[0].lo == 1 && s.r[0].hi == 9);	 /* 1-5 + 6-9 */
	assert_true(s.r[1].lo == 20 && s.r[1].hi == 40); /* overlap */
	assert_true(s.r[2].lo == 42 && s.r[2].hi == 42); /* 41 missing */
	assert_true(s.r[3].lo == 100 && s.r[3].hi == 100);
	ipset_release(&s);
}

static void test_normalize_at_max(void **state)
{
	const ip_u128 p[] = { IP_U128_MAX - 5,	IP_U128_MAX,	 0, 0,
			      IP_U128_MAX - 10, IP_U128_MAX - 6, 3, 3 };
	struct ipset s;

	(void)state;
	set_of(&s, p, 4);
	assert_int_equal(s.nr, 3);
	assert_true(s.r[2].lo == IP_U128_MAX - 10 && s.r[2].hi == IP_U128_MAX);
	assert_true(ipset_contains(&s, IP_U128_MAX));
	assert_true(ipset_contains(&s, 0));
	assert_false(ipset_contains(&s, 1));
	assert_false(ipset_contains(&s, IP_U128_MAX - 11));
	ipset_release(&s);
}

static void test_diff_edges(void **state)
{
	const ip_u128 a[] = { 0, 255 };
	const ip_u128 b[] = { 0, 0, 10, 19, 255, 255 };
	struct ipset sa, sb, d;

	(void)state;
	set_of(&sa, a, 1);
	set_of(&sb, b, 3);
	assert_int_equal(ipset_diff(&d, &sa, &sb), 0);
	assert_int_equal(d.nr, 2);
	assert_true(d.r[0].lo == 1 && d.r[0].hi == 9);
	assert_true(d.r[1].lo == 20 && d.r[1].hi == 254);
	assert_true(ipset_subset(&d, &sa));
	assert_false(ipset_subset(&sa, &d));
	assert_true(ipset_subset(&sb, &sa));
	ipset_release(&d);
	/* Removing everything leaves nothing; removing from max works. */
	assert_int_equal(ipset_diff(&d, &sb, &sa), 0);
	assert_true(ipset_empty(&d));
	ipset_release(&d);
	ipset_release(&sa);
	ipset_release(&sb);
}

static void test_diff_full_space(void **state)
{
	const ip_u128 all[] = { 0, IP_U128_MAX };
	const ip_u128 hole[] = { 1000, 2000 };
	struct ipset sa, sh, d;

	(void)state;
	set_of(&sa, all, 1);
	set_of(&sh, hole, 1);
	assert_int_equal(ipset_diff(&d, &sa, &sh), 0);
	assert_int_equal(d.nr, 2);
	assert_true(d.r[0].lo == 0 && d.r[0].hi == 999);
	assert_true(d.r[1].lo == 2001 && d.r[1].hi == IP_U128_MAX);
	ipset_release(&d);
	ipset_release(&sa);
	ipset_release(&sh);
}

static void test_complement_and_size_at_max(void **state)
{
	const ip_u128 p[] = { 0, 9, IP_U128_MAX - 9, IP_U128_MAX };
	const ip_u128 all[] = { 0, IP_U128_MAX };
	struct ipset s, c, a;

	(void)state;
	set_of(&s, p, 2);
	assert_int_equal(ipset_complement(&c, &s, IP_U128_MAX), 0);
	assert_int_equal(c.nr, 1);
	assert_true(c.r[0].lo == 10 && c.r[0].hi == IP_U128_MAX - 10);
	assert_true(ipset_size(&s) == 20);
	ipset_release(&c);
	/* The whole space: its size saturates, its complement is empty. */
	set_of(&a, all, 1);
	assert_true(ipset_size(&a) == IP_U128_MAX);
	assert_int_equal(ipset_complement(&c, &a, IP_U128_MAX), 0);
	assert_true(ipset_empty(&c));
	ipset_release(&c);
	/* v4: the complement stops at 255.255.255.255. */
	assert_int_equal(ipset_complement(&c, &(struct ipset){ 0 }, IP_V4_MAX),
			 0);
	assert_true(c.nr == 1 && c.r[0].lo == 0 && c.r[0].hi == IP_V4_MAX);
	ipset_release(&c);
	ipset_release(&a);
	ipset_release(&s);
}

static void test_subset_needs_one_covering_range(void **state)
{
	/* 1-5 and 6-9 normalize into one range, so 3-8 is inside. */
	const ip_u128 b[] = { 1, 5, 6, 9 };
	const ip_u128 a[] = { 3, 8 };
	const ip_u128 c[] = { 3, 10 };
	struct ipset sa, sb, sc;

	(void)state;
	set_of(&sb, b, 2);
	set_of(&sa, a, 1);
	set_of(&sc, c, 1);
	assert_true(ipset_subset(&sa, &sb));
	assert_false(ipset_subset(&sc, &sb));
	ipset_release(&sa);
	ipset_release(&sb);
	ipset_release(&sc);
}

#define U 256

static void random_set(struct ipset *s, unsigned char *bits, unsigned int *seed)
{
	int n = rand_r(seed) % 6, i;

	memset(bits, 0, U);
	ipset_init(s);
	for (i = 0; i < n; i++) {
		unsigned int lo = rand_r(seed) % U, len = rand_r(seed) % 40;
		unsigned int hi = lo + len < U ? lo + len : U - 1, k;

		assert_int_equal(ipset_push(s, lo, hi), 0);
		for (k = lo; k <= hi; k++)
			bits[k] = 1;
	}
	ipset_normalize(s);
}

static void check_set(const struct ipset *s, const unsigned char *bits)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < U; k++)
		assert_int_equal(ipset_contains(s, k), bits[k]);
	/* Normalized: sorted, disjoint and never adjacent. */
	for (i = 1; i < s->nr; i++)
		assert_true(s->r[i].lo > s->r[i - 1].hi + 1);
}

static void test_random_against_bitmap(void **state)
{
	unsigned int seed = 12345, iter;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		unsigned char ba[U], bb[U], bu[U], bd[U], bi[U];
		struct ipset a, b, u, d, in, co;
		unsigned char bc[U];
		bool sub = true, over = false;
		unsigned int k, size = 0;

		random_set(&a, ba, &seed);
		random_set(&b, bb, &seed);
		for (k = 0; k < U; k++) {
			bu[k] = ba[k] | bb[k];
			bd[k] = ba[k] & !bb[k];
			bi[k] = ba[k] & bb[k];
			bc[k] = !ba[k];
			over |= ba[k] && bb[k];
			size += ba[k];
			if (ba[k] && !bb[k])
				sub = false;
		}
		assert_int_equal(ipset_union(&u, &a, &b), 0);
		assert_int_equal(ipset_diff(&d, &a, &b), 0);
		assert_int_equal(ipset_intersect(&in, &a, &b), 0);
		check_set(&a, ba);
		check_set(&u, bu);
		check_set(&d, bd);
		check_set(&in, bi);
		/* Into a buffer that already holds something. */
		assert_int_equal(ipset_diff_reuse(&u, &a, &b), 0);
		check_set(&u, bd);
		assert_int_equal(ipset_subset(&a, &b), sub);
		assert_int_equal(ipset_overlaps(&a, &b), over);
		assert_true(ipset_size(&a) == size);
		assert_int_equal(ipset_complement(&co, &a, U - 1), 0);
		check_set(&co, bc);
		ipset_release(&co);
		assert_int_equal(ipset_equal(&a, &b), !memcmp(ba, bb, U));
		if (ipset_equal(&a, &b))
			assert_true(ipset_hash(&a) == ipset_hash(&b));
		ipset_release(&a);
		ipset_release(&b);
		ipset_release(&u);
		ipset_release(&d);
		ipset_release(&in);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_merges_overlap_and_adjacent),
		cmocka_unit_test(test_normalize_at_max),
		cmocka_unit_test(test_diff_edges),
		cmocka_unit_test(test_diff_full_space),
		cmocka_unit_test(test_complement_and_size_at_max),
		cmocka_unit_test(test_subset_needs_one_covering_range),
		cmocka_unit_test(test_random_against_bitmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
