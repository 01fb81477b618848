// SPDX-License-Identifier: GPL-2.0
/*
 * Dynamic addresses (objects/dynaddr.h): the threat feed line parser
 * (forms, comments, bad lines by number), wildcard expansion checked
 * against a brute-force match, the table's change detection, and the
 * compiler reading FQDN ranges from the table.
 */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "objects/dynaddr.h"
#include "pipeline/pipeline.h"

struct parsed {
	struct dyn_range *r;
	size_t nr, cap;
	unsigned int bad[8], nr_bad;
};

static void parse(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(dyn_feed_parse(text, strlen(text), &p->r, &p->nr,
					&p->cap, p->bad, 8, &p->nr_bad),
			 0);
}

/* At most DYN_FEED_MAX_RANGES entries: past it -E2BIG, parsing stops. */
static void test_feed_max_ranges(void **state)
{
	size_t n = DYN_FEED_MAX_RANGES + 1, i, len = 0, last = 0;
	char *text = malloc(n * 16);
	struct parsed p;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++) {
		last = len;
		len += (size_t)sprintf(text + len, "10.%zu.%zu.%zu\n",
				       i >> 16 & 255, i >> 8 & 255, i & 255);
	}
	memset(&p, 0, sizeof(p));
	assert_int_equal(dyn_feed_parse(text, len, &p.r, &p.nr, &p.cap, p.bad,
					8, &p.nr_bad),
			 -E2BIG);
	assert_int_equal(p.nr, DYN_FEED_MAX_RANGES);
	free(p.r);
	/* the last line off: the whole list */
	memset(&p, 0, sizeof(p));
	assert_int_equal(dyn_feed_parse(text, last, &p.r, &p.nr, &p.cap, p.bad,
					8, &p.nr_bad),
			 0);
	assert_int_equal(p.nr, DYN_FEED_MAX_RANGES);
	free(p.r);
	free(text);
}

static void test_feed_forms(void **state)
{
	const char *text = "# FortiGuard style list\n"
			   "192.0.2.1\n"
			   "198.51.100.0/24\r\n"
			   "  203.0.113.10-203.0.113.20  \n"
			   "\n"
			   "10.0.0.0/255.255.0.0 ; old style mask\n"
			   "2001:db8::/32\n"
			   "2001:db8:1::1 - 2001:db8:1::9\n"
			   "192.0.2.77 # a comment after it\n";
	struct parsed p;

	(void)state;
	parse(text, &p);
	assert_int_equal(p.nr_bad, 0);
	assert_int_equal(p.nr, 7);
	assert_int_equal(p.r[0].family, 4);
	assert_true(p.r[0].lo == 0xc0000201 && p.r[0].hi == 0xc0000201);
	assert_true(p.r[1].lo == 0xc6336400 && p.r[1].hi == 0xc63364ff);
	assert_true(p.r[2].lo == 0xcb00710a && p.r[2].hi == 0xcb007114);
	assert_true(p.r[3].lo == 0x0a000000 && p.r[3].hi == 0x0a00ffff);
	assert_int_equal(p.r[4].family, 6);
	assert_true(p.r[4].hi - p.r[4].lo == ((ip_u128)1 << 96) - 1);
	assert_int_equal(p.r[5].family, 6);
	assert_true(p.r[5].hi - p.r[5].lo == 8);
	assert_true(p.r[6].lo == 0xc000024d);
	free(p.r);
}

static void test_feed_bad_lines_by_number(void **state)
{
	const char *text = "192.0.2.1\n"
			   "not-an-address\n"
			   "192.0.2.300\n"
			   "192.0.2.9-192.0.2.1\n" /* backwards */
			   "192.0.2.0/33\n"
			   "192.0.2.0/255.0.255.0\n" /* not a netmask */
			   "192.0.2.1-2001:db8::1\n" /* families mixed */
			   "# fine\n"
			   "192.0.2.2\n"
			   "10.0.0.0/8 junk\n";
	struct parsed p;

	(void)state;
	parse(text, &p);
	assert_int_equal(p.nr, 2);
	assert_int_equal(p.nr_bad, 7);
	assert_int_equal(p.bad[0], 2);
	assert_int_equal(p.bad[1], 3);
	assert_int_equal(p.bad[2], 4);
	assert_int_equal(p.bad[3], 5);
	assert_int_equal(p.bad[4], 6);
	assert_int_equal(p.bad[5], 7);
	assert_int_equal(p.bad[6], 10);
	free(p.r);
}

static void test_feed_empty_and_no_newline(void **state)
{
	struct parsed p;

	(void)state;
	parse("", &p);
	assert_int_equal(p.nr + p.nr_bad, 0);
	free(p.r);
	parse("\n\n# only comments\n", &p);
	assert_int_equal(p.nr + p.nr_bad, 0);
	free(p.r);
	parse("192.0.2.5", &p); /* the last line without its LF */
	assert_int_equal(p.nr, 1);
	free(p.r);
	/* a file saved with a UTF-8 byte order mark: its first line too */
	parse("\xef\xbb\xbf"
	      "192.0.2.5\r\n192.0.2.7\r\n",
	      &p);
	assert_int_equal(p.nr, 2);
	assert_int_equal(p.nr_bad, 0);
	free(p.r);
	/* a BOM anywhere else is not one */
	parse("192.0.2.5\n\xef\xbb\xbf"
	      "192.0.2.7\n",
	      &p);
	assert_int_equal(p.nr, 1);
	assert_int_equal(p.nr_bad, 1);
	free(p.r);
}

/* Does @ip match addr/mask the way a wildcard means it? */
static int wild_match(uint32_t ip, uint32_t addr, uint32_t mask)
{
	return (ip & mask) == (addr & mask);
}

static int in_ranges(uint32_t ip, const struct ip_range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ip >= r[i].lo && ip <= r[i].hi)
			return 1;
	return 0;
}

/*
 * Against brute force over a 16-bit slice: masks whose free bits all sit
 * in the low 16 bits are checked on every address of that slice.
 */
static void test_wildcard_exact(void **state)
{
	static const uint32_t masks[] = {
		0xffffffff, 0xffffff00, 0xffff00ff, 0xffff0f0f, 0xffff5555,
		0xffffaaaa, 0xffff8001, 0xffff0000, 0xffff7ffe,
	};
	const uint32_t addr = 0x0a0b1234;
	size_t m;
	uint32_t low;

	(void)state;
	for (m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
		uint64_t n = wildcard_nr_prefixes(masks[m]);
		struct ip_range *r;

		assert_true(n <= WILDCARD_MAX_PREFIXES);
		r = malloc(n * sizeof(*r));
		assert_non_null(r);
		wildcard_expand(addr, masks[m], r);
		for (low = 0; low <= 0xffff; low++) {
			uint32_t ip = (addr & 0xffff0000) | low;

			assert_int_equal(in_ranges(ip, r, n),
					 wild_match(ip, addr, masks[m]));
		}
		/* Nothing outside the slice. */
		assert_false(in_ranges(addr ^ 0x00010000, r, n));
		free(r);
	}
}

static void test_wildcard_counts(void **state)
{
	(void)state;
	assert_int_equal(wildcard_nr_prefixes(0xffffffff), 1);
	assert_int_equal(wildcard_nr_prefixes(0xffffff00), 1); /* a /24 */
	assert_int_equal(wildcard_nr_prefixes(0), 1);	       /* all */
	assert_int_equal(wildcard_nr_prefixes(0xff00ffff), 256);
	assert_int_equal(wildcard_nr_prefixes(0x00000001), 1ull << 31);
	assert_int_equal(wildcard_nr_prefixes(0x0000ffff), 65536);
}

static void test_table_change_detection(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct dyn_range a[2] = {
		{ .family = 4, .lo = 5, .hi = 5 },
		{ .family = 4, .lo = 6, .hi = 6 },
	};
	uint64_t v;

	(void)state;
	dyn_table_init(&t);
	e = dyn_get(&t, DYN_FQDN, "peer.example.net");
	assert_non_null(e);
	assert_ptr_equal(dyn_get(&t, DYN_FQDN, "peer.example.net"), e);
	assert_null(dyn_find(&t, DYN_FEED, "peer.example.net"));
	v = t.version;
	/* An empty answer for a name that never had one: nothing to do. */
	assert_false(dyn_entry_set(&t, e, a, 0));
	assert_true(t.version == v);
	assert_true(dyn_entry_set(&t, e, a, 2));
	assert_int_equal(e->nr, 1); /* 5 and 6 adjoin: one range */
	/* The same answer again, in another order: no change. */
	{
		struct dyn_range b[2] = { a[1], a[0] };

		assert_false(dyn_entry_set(&t, e, b, 2));
	}
	assert_true(dyn_entry_set(&t, e, a, 1));
	dyn_table_free(&t);
}

static const char fqdn_conf[] = "config firewall address\n"
				"    edit \"peer\"\n"
				"        set type fqdn\n"
				"        set fqdn \"peer.example.net\"\n"
				"    next\n"
				"end\n"
				"config firewall local-in-policy\n"
				"    edit 1\n"
				"        set intf \"any\"\n"
				"        set srcaddr \"peer\"\n"
				"        set dstaddr \"all\"\n"
				"        set service \"ALL\"\n"
				"        set schedule \"always\"\n"
				"    next\n"
				"end\n";

/* Source classes of the IPv4 policies: 1 while "peer" is empty. */
static unsigned int src_classes(struct dyn_table *t)
{
	struct pipeline p;
	unsigned int n;

	assert_int_equal(pipeline_load_mem(&p, "t.conf", fqdn_conf,
					   strlen(fqdn_conf), STAGE_RESOLVE),
			 0);
	p.objs.dyn = t;
	assert_int_equal(pipeline_compile(&p), 0);
	n = p.rs.v4.src.nr_classes;
	pipeline_free(&p);
	return n;
}

static void test_compile_reads_the_table(void **state)
{
	struct dyn_table t;
	struct dyn_entry *e;
	struct dyn_range r = { .family = 4,
			       .lo = 0xc0000202,
			       .hi = 0xc0000202 };
	struct dyn_range r6 = { .family = 6, .lo = 1, .hi = 1 };

	(void)state;
	dyn_table_init(&t);
	assert_int_equal(src_classes(NULL), 1);
	assert_int_equal(src_classes(&t), 1);
	e = dyn_get(&t, DYN_FQDN, "peer.example.net");
	assert_non_null(e);
	/* An AAAA only: the IPv4 address "peer" still matches nothing. */
	dyn_entry_set(&t, e, &r6, 1);
	assert_int_equal(src_classes(&t), 1);
	dyn_entry_set(&t, e, &r, 1);
	assert_int_equal(src_classes(&t), 2);
	dyn_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_forms),
		cmocka_unit_test(test_feed_max_ranges),
		cmocka_unit_test(test_feed_bad_lines_by_number),
		cmocka_unit_test(test_feed_empty_and_no_newline),
		cmocka_unit_test(test_wildcard_exact),
		cmocka_unit_test(test_wildcard_counts),
		cmocka_unit_test(test_table_change_detection),
		cmocka_unit_test(test_compile_reads_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
